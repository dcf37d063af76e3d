#!/bin/sh
# The README's recipe for hosted SQLite that cannot load extensions (Turso,
# Cloudflare D1): sqlmig generates the next migration file, the host's own
# tool applies the folder. The host is played by the plain sqlite3 shell.
#
#   LIB=./libsqlmig.so sh tests/check_hosted.sh
#
# Prints ok / not ok lines.

LIB=${LIB:-./libsqlmig.so}
cd "$(dirname "$0")/.." || exit 2
case $LIB in /*) ;; *) LIB=$PWD/${LIB#./} ;; esac
out=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-hosted.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
status=0
check() {
  if [ "$2" = "$3" ]; then
    echo "ok - hosted: $1"
  else
    echo "not ok - hosted: $1"
    printf '%s\n' "expected: $2" "got: $3" | sed 's/^/#   /'
    status=1
  fi
}
cd "$out" || exit 2
mkdir migrations
cat >migrations/0001_init.sql <<'SQL'
CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE notes(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users ON DELETE CASCADE, body TEXT);
SQL
cat >schema.sql <<'SQL'
CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', email TEXT);
CREATE UNIQUE INDEX users_email ON users(email);
CREATE TABLE notes(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users ON DELETE CASCADE, body TEXT);
SQL

# The production database, applied by the host: the first file, then rows.
sqlite3 -bail prod.db <migrations/0001_init.sql &&
sqlite3 -bail prod.db "INSERT INTO users VALUES (1, 'ann'); INSERT INTO notes VALUES (1, 1, 'hi')"

# --- the recipe (README, "Beyond one machine") ---
rm -f now.db && cat migrations/*.sql | sqlite3 -bail now.db
sqlite3 -bail now.db ".load $LIB" \
  "SELECT migrate_diff('main', readfile('schema.sql'))" >migrations/0002_email.sql
# ---

check "0002 generated" "1" "$(grep -c '^CREATE UNIQUE INDEX users_email' migrations/0002_email.sql)"
cp prod.db prod-fk.db
# The host applies the new file with foreign keys off, as migrate() runs
# scripts: the users rebuild drops and recreates the parent table.
err=$( (echo "PRAGMA foreign_keys = OFF;"; cat migrations/0002_email.sql;
        echo "PRAGMA foreign_key_check;") | sqlite3 -bail prod.db 2>&1)
check "the host applies it without the extension" "" "$err"
check "rows and their children kept" "1|ann|NULL|1" \
  "$(sqlite3 prod.db "SELECT u.id, u.name, coalesce(u.email, 'NULL'), count(n.id) FROM users u JOIN notes n ON n.user_id = u.id")"
# Why the recipe says so: with foreign keys on, the DROP of the rebuild
# fires ON DELETE CASCADE.
(echo "PRAGMA foreign_keys = ON;"; cat migrations/0002_email.sql) | sqlite3 -bail prod-fk.db
check "with foreign keys on the cascade empties the children" "0" \
  "$(sqlite3 prod-fk.db "SELECT count(*) FROM notes")"
check "the database now has the wanted schema" "''" \
  "$(sqlite3 prod.db ".load $LIB" "SELECT quote(migrate_diff('main', readfile('schema.sql')))")"
check "nothing of sqlmig in it" "0" \
  "$(sqlite3 prod.db "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlmig%'")"
exit $status
