#!/bin/sh
# The sqlmig command on a fleet: 200 tenant databases migrated with -j,
# three broken in different ways (a revision that fails on that tenant's
# data, a file another process holds a write lock on, a file that is not
# SQLite): those three reported and byte-for-byte untouched, every other one
# migrated; --json; --check-first applying to none when one fails; no
# progress line when stderr is not a terminal, one when it is.
#
#   SQLMIG=build/sqlmig sh tests/cli_fleet.sh     (from tests/run.sh)
. "$(dirname "$0")/clilib.sh"

cd "$w" || exit 2
mkdir mig fleet
printf 'CREATE TABLE contacts(id INTEGER PRIMARY KEY, email TEXT);\n' >mig/000001_contacts.up.sql
printf 'DROP TABLE contacts;\n' >mig/000001_contacts.down.sql
printf "INSERT INTO contacts(email) VALUES ('owner@example.com');\n" >mig/000002_owner.up.sql
printf "DELETE FROM contacts WHERE email = 'owner@example.com';\n" >mig/000002_owner.down.sql
# fails where a tenant has two contacts with one email
printf 'CREATE UNIQUE INDEX contacts_email ON contacts(email);\n' >mig/000003_unique_email.up.sql
printf 'DROP INDEX contacts_email;\n' >mig/000003_unique_email.down.sql

i=1
dbs=
while [ $i -le 200 ]; do
  f=fleet/$(printf '%03d' $i).db
  dbs="$dbs $f"
  i=$((i + 1))
done
# shellcheck disable=SC2086
sq up --to 1 -j 3 -d mig $dbs
expect "up creates the 200 databases and applies revision 1" 0 "$(
  for f in $dbs; do echo "$f: applied 1 revision, now at version 1"; done
  echo "200 migrated, 0 already current, 0 failed")"

sqlite3 fleet/007.db "INSERT INTO contacts(email) VALUES ('owner@example.com')"
printf 'this is a text file, not a database; it is long enough to hold a header\n' >fleet/013.db
cp fleet/007.db dup.before
cp fleet/013.db text.before
cp fleet/021.db locked.before
# another process holds the write lock on 021 until ./release exists
( printf 'BEGIN IMMEDIATE;\nINSERT INTO contacts(email) VALUES (%s);\n.shell touch locked\n.shell while [ ! -e release ]; do sleep 0.1; done\nROLLBACK;\n' "'held'" |
    sqlite3 fleet/021.db >/dev/null 2>&1 ) &
locker=$!
n=0
while [ ! -e locked ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done

# shellcheck disable=SC2086
sq up -j 4 --timeout 1 -d mig $dbs
last=$(tail -n 1 "$w/out")
if [ "$rc" = 1 ] && [ "$last" = "197 migrated, 0 already current, 3 failed" ]; then
  pass "fleet: exit 1 and the summary counts 197 migrated, 3 failed"
else
  fail "fleet: exit 1 and the summary counts 197 migrated, 3 failed" "exit $rc, last line: $last" \
    "$(head -n 5 "$w/err")"
fi
sed 's/ (waited .*//; s/ failed: .*/ failed/' "$w/err" >errs
same "fleet: each broken database reported once, with its path and what failed" \
'sqlmig: fleet/007.db: migrate: up script of revision 3 "unique_email" failed
sqlmig: fleet/013.db: not a SQLite database (file is not a database)
sqlmig: fleet/021.db: database is locked' errs
has "fleet: the bad revision's message gives SQLite's error" "$w/err" "UNIQUE constraint failed: contacts.email"
has "fleet: the locked database says it waited the timeout" "$w/err" \
  "fleet/021.db: database is locked (waited 1 s for another connection's lock"
if cmp -s fleet/007.db dup.before && cmp -s fleet/013.db text.before &&
   cmp -s fleet/021.db locked.before; then
  pass "fleet: the three broken files are byte-for-byte untouched"
else
  fail "fleet: the three broken files are byte-for-byte untouched"
fi
touch release
wait $locker

good=0
bad=
for f in $dbs; do
  case $f in fleet/007.db|fleet/013.db|fleet/021.db) continue ;; esac
  v=$(sqlite3 "$f" "SELECT group_concat(version) FROM sqlmig_history WHERE applied_at IS NOT NULL;
                    SELECT count(*) FROM sqlite_master WHERE name = 'contacts_email'")
  if [ "$v" = "1,2,3
1" ]; then good=$((good + 1)); else bad="$bad $f($v)"; fi
done
if [ $good = 197 ]; then pass "fleet: every other database is at revision 3 with its index"
else fail "fleet: every other database is at revision 3 with its index" "$good good; not:$bad"; fi
v=$(sqlite3 fleet/021.db "SELECT max(version) FROM sqlmig_history WHERE applied_at IS NOT NULL")
if [ "$v" = 1 ]; then pass "fleet: the locked database is still at revision 1 after the lock"
else fail "fleet: the locked database is still at revision 1 after the lock" "$v"; fi

# shellcheck disable=SC2086
sq up -j 2 --timeout 1 -d mig --json $dbs
j=$(sqlite3 :memory: "SELECT json_valid(readfile('$w/out')),
      json_extract(readfile('$w/out'), '\$.migrated'), json_extract(readfile('$w/out'), '\$.current'),
      json_extract(readfile('$w/out'), '\$.failed'),
      json_extract(readfile('$w/out'), '\$.databases[6].path'),
      json_extract(readfile('$w/out'), '\$.databases[6].outcome'),
      json_extract(readfile('$w/out'), '\$.databases[6].revision'),
      json_extract(readfile('$w/out'), '\$.databases[20].outcome'),
      json_extract(readfile('$w/out'), '\$.databases[20].to'),
      json_extract(readfile('$w/out'), '\$.databases[0].outcome')")
if [ "$rc" = 1 ] && [ "$j" = "1|1|197|2|fleet/007.db|failed|3|migrated|3|current" ]; then
  pass "fleet --json: one document, per database outcome, failed revision, counts"
else
  fail "fleet --json: one document, per database outcome, failed revision, counts" "exit $rc, $j"
fi
if [ ! -s "$w/err" ] || ! grep -qv '^sqlmig: fleet/\(007\|013\)\.db: ' "$w/err"; then
  pass "fleet: no progress line when stderr is not a terminal"
else
  fail "fleet: no progress line when stderr is not a terminal" "$(head -n 3 "$w/err")"
fi

# --check-first: one failure, nothing applied anywhere
mkdir small
i=1
sdbs=
while [ $i -le 20 ]; do sdbs="$sdbs small/$i.db"; i=$((i + 1)); done
# shellcheck disable=SC2086
sq up --to 2 -d mig $sdbs
sqlite3 small/5.db "INSERT INTO contacts(email) VALUES ('owner@example.com')"
for f in $sdbs; do cp "$f" "$f.before"; done
# shellcheck disable=SC2086
sq up --check-first -j 3 -d mig $sdbs
if [ "$rc" = 1 ] && [ "$(cat "$w/out")" = "0 migrated, 0 already current, 1 failed (--check-first: nothing applied to the other 19)" ] &&
   grep -q '^sqlmig: small/5.db: migrate: up script of revision 3 "unique_email" failed' "$w/err"; then
  pass "--check-first: the failure reported, the summary says nothing was applied"
else
  fail "--check-first: the failure reported, the summary says nothing was applied" \
    "exit $rc" "$(cat "$w/out" "$w/err")"
fi
same=1
for f in $sdbs; do cmp -s "$f" "$f.before" || same=0; done
if [ $same = 1 ]; then pass "--check-first: none of the 20 databases changed"
else fail "--check-first: none of the 20 databases changed"; fi
sqlite3 small/5.db "DELETE FROM contacts WHERE id = 2"
# shellcheck disable=SC2086
sq up --check-first -j 3 -d mig $sdbs
last=$(tail -n 1 "$w/out")
if [ "$rc" = 0 ] && [ "$last" = "20 migrated, 0 already current, 0 failed" ]; then
  pass "--check-first: with every database passing, all are migrated"
else
  fail "--check-first: with every database passing, all are migrated" "exit $rc, $last"
fi
# shellcheck disable=SC2086
sq status --exit-code -j 1 -d mig $sdbs
if [ "$rc" = 0 ] && [ "$(tail -n 1 "$w/out")" = "20 current, 0 pending, 0 failed" ]; then
  pass "status over a fleet: summary line, --exit-code 0"
else
  fail "status over a fleet: summary line, --exit-code 0" "exit $rc, $(tail -n 1 "$w/out")"
fi

# the progress line, on a terminal only (script(1) gives the command one)
if command -v script >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  script -qec "$SQLMIG status -j 2 -d mig $sdbs >/dev/null" /dev/null >tty.out 2>&1
  if grep -q '20/20 databases, [0-9]* per second' tty.out; then
    pass "fleet: a progress line on a terminal (done/total, rate)"
  else
    fail "fleet: a progress line on a terminal (done/total, rate)" "$(head -c 300 tty.out)"
  fi
else
  echo "skip - fleet: progress line on a terminal: script(1) is not installed (apt-get install util-linux)"
fi

finish
