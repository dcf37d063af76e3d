#!/bin/sh
# A migrated database is an ordinary SQLite file: the sqlite3 shell without
# the extension reads every table and `.dump`s it, and the dump restores
# into a database that sqlmig then uses as before.
#
#   LIB=./libsqlmig.so sh tests/check_plain.sh
#
# Needs the sqlite3 shell (Debian's sqlite3). Prints ok / not ok lines.

LIB=${LIB:-./libsqlmig.so}
cd "$(dirname "$0")/.." || exit 2
case $LIB in /*) ;; *) LIB=$PWD/${LIB#./} ;; esac
out=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-plain.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
status=0

# check NAME EXPECTED GOT
check() {
  if [ "$2" = "$3" ]; then
    echo "ok - plain sqlite: $1"
  else
    echo "not ok - plain sqlite: $1"
    printf '%s\n' "expected: $2" "got: $3" | sed 's/^/#   /'
    status=1
  fi
}

# sqlite3 with the extension loaded: sqlmig DB SQL
sqlmig() { printf '.load %s\n%s\n' "$LIB" "$2" | sqlite3 -bail "$1" 2>&1; }

sqlmig "$out/app.db" "
INSERT INTO migrations(version, name, up, down) VALUES
  (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)', 'DROP TABLE users'),
  (2, 'notes', 'CREATE TABLE notes(id INTEGER PRIMARY KEY, user_id REFERENCES users ON DELETE CASCADE, body)', 'DROP TABLE notes'),
  (3, 'seed', 'INSERT INTO users VALUES (1, ''ann''); INSERT INTO notes VALUES (1, 1, ''hi'')', 'DELETE FROM notes; DELETE FROM users');
SELECT migrate();" >"$out/log"
check "migrated" "3" "$(cat "$out/log")"

# Without the extension: every table's columns and rows.
tables=$(sqlite3 "$out/app.db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name" 2>&1)
check "the tables" "notes sqlmig_history sqlmig_schema users" "$(echo $tables)"
bad=
for t in $tables; do
  sqlite3 "$out/app.db" "PRAGMA table_info(\"$t\"); SELECT * FROM \"$t\"" \
    >/dev/null 2>"$out/err" || bad="$bad $t: $(cat "$out/err")"
done
check "PRAGMA table_info and SELECT * on every table" "" "$bad"

# .dump and restore, all without the extension.
sqlite3 "$out/app.db" .dump >"$out/dump.sql" 2>"$out/err"
check ".dump" "" "$(cat "$out/err")"
sqlite3 -bail "$out/restored.db" <"$out/dump.sql" >"$out/err" 2>&1
check "the dump restores" "" "$(cat "$out/err")"

# The restored database, with sqlmig: the same history, nothing drifted,
# a new revision applies, migrate_down reverts it and then the seed.
q="SELECT version, name, checksum, applied_at FROM migrations;"
check "the same history after restoring" "$(sqlmig "$out/app.db" "$q")" \
      "$(sqlmig "$out/restored.db" "$q")"
got=$(sqlmig "$out/restored.db" "
SELECT count(*) FROM migrate_drift();
INSERT INTO migrations(version, name, up, down) VALUES (4, 'email', 'ALTER TABLE users ADD COLUMN email', 'ALTER TABLE users DROP COLUMN email');
SELECT migrate();
SELECT migrate_down(2);
SELECT version, applied_at IS NOT NULL FROM migrations;
SELECT count(*) FROM users;")
check "sqlmig uses the restored database as before" "0
4
2
1|1
2|1
3|0
4|0
0" "$got"
# The README's fleet loop ("Beyond one machine"), on two tenant files, one
# of them broken (not a database): the other still migrates.
mkdir "$out/tenants" && cp -R sql/migrations/dbmate "$out/migrations" &&
sqlmig "$out/tenants/a.db" "SELECT 1" >/dev/null &&
echo "not a database, but long enough to be read as one: ................................................................................................" >"$out/tenants/b.db"
got=$(cd "$out" && for db in tenants/*.db; do
  sqlite3 -bail "$db" ".load $LIB" \
    "INSERT OR IGNORE INTO migrations SELECT * FROM migration_files('migrations')" \
    "SELECT 1 WHERE migrate() < 0" 2>/dev/null || echo "failed: $db"
done)
check "the fleet loop migrates each file and reports the broken one" \
  "failed: tenants/b.db" "$got"
check "... the good one is at the folder's newest revision" "4" \
  "$(sqlmig "$out/tenants/a.db" "SELECT count(*) FROM migrations WHERE applied_at IS NOT NULL")"
exit $status
