#!/bin/sh
# The sqlmig command on one database: every command on a folder of every
# layout (output and exit status), `new` in each layout (the files then
# apply), `diff` from a .sql file and from a database (a destructive change
# refused, rename hints), the errors and the usage errors (exit 2, nothing
# written).
#
#   SQLMIG=build/sqlmig sh tests/cli_commands.sh     (from tests/run.sh)
. "$(dirname "$0")/clilib.sh"

# The command's sources compile warning-free with gcc and clang.
for cc in gcc clang; do
  if command -v $cc >/dev/null 2>&1; then
    if $cc -std=c99 -Wall -Wextra -pedantic -Wshadow -Wmissing-prototypes -Werror \
         -DSQLITE_CORE -Iext -fsyntax-only ext/cli/*.c 2>"$w/cc.err"; then
      pass "ext/cli/*.c compile warning-free with $cc"
    else
      fail "ext/cli/*.c compile warning-free with $cc" "$(head -n 10 "$w/cc.err")"
    fi
  else
    echo "skip - ext/cli/*.c with $cc: $cc is not installed (apt-get install $cc)"
  fi
done

# row V NAME STATE [APPLIED] [DETAIL]: one line of `status`, name column 20
row() {
  line=$(printf '%-*s  %-20s  %-12s  %-19s' "$wv" "$1" "$2" "$3" "${4:-}")
  [ -n "${5:-}" ] && line="$line  ($5)"
  printf '%s\n' "$line" | sed 's/ *$//'
}
header() { row VERSION NAME STATE 'APPLIED AT'; }

names="create_users create_notes notes_pinned_boolean note_history"
for layout in golang-migrate dbmate goose flyway sqlx diesel; do
  case $layout in
    golang-migrate|dbmate) src=sql/migrations/$layout ;;
    *) src=tests/files/$layout ;;
  esac
  case $layout in
    dbmate) vs="20260101090100 20260101090200 20260101090300 20260101090400" ;;
    diesel) vs="20260101090000 20260102090000 20260103090000 20260104090000" ;;
    *) vs="1 2 3 4" ;;
  esac
  set -- $vs
  v1=$1 v2=$2 v3=$3 v4=$4
  wv=$(printf '%s' "$v4" | wc -c)
  [ "$wv" -lt 7 ] && wv=7
  d=$w/$layout
  mkdir -p "$d" && cp -R "$src" "$d/mig" && cd "$d" || exit 2
  : >app.db

  sq status -d mig app.db
  expect "$layout: status of a new database lists every file unregistered" 0 "$(
    header; i=1; for n in $names; do eval "v=\$v$i"; row "$v" "$n" unregistered; i=$((i+1)); done)"
  sq status --exit-code -d mig app.db
  expect_rc "$layout: status --exit-code exits 1 when files are unregistered" 1

  cp app.db before.db
  sq plan -d mig app.db
  if [ "$rc" = 0 ] && [ "$(grep -c '^-- step ' "$w/out")" = 4 ] &&
     grep -qx -- "-- step 1: up revision $v1 create_users" "$w/out" &&
     grep -qx -- "-- step 4: up revision $v4 note_history" "$w/out" &&
     grep -q 'CREATE TABLE users' "$w/out"; then
    pass "$layout: plan prints the four up scripts in order"
  else
    fail "$layout: plan prints the four up scripts in order" "exit $rc" "$(cat "$w/out" "$w/err")"
  fi
  if cmp -s app.db before.db; then pass "$layout: plan changes nothing"
  else fail "$layout: plan changes nothing"; fi

  sq up -d mig app.db
  expect "$layout: up applies the four revisions" 0 "app.db: applied 4 revisions, now at version $v4
1 migrated, 0 already current, 0 failed"
  sq up -d mig app.db
  expect "$layout: up again has nothing to do" 0 "app.db: already current: version $v4
0 migrated, 1 already current, 0 failed"
  sq status --exit-code -d mig app.db
  expect "$layout: status after up: all applied, --exit-code 0" 0 "$(
    header; i=1; for n in $names; do eval "v=\$v$i"; row "$v" "$n" applied TIME; i=$((i+1)); done)"

  sq check -d mig app.db
  if [ $layout = sqlx ]; then
    expect "$layout: check reports a one-way revision as irreversible, exit 0" 0 \
      "revision 4 note_history: irreversible: down is NULL: it and the revisions below it are not checked
every reversible revision's down script restores what its up script changed"
  else
    expect "$layout: check finds every down sound" 0 \
      "every revision's down script restores what its up script changed"
  fi
  sq drift app.db
  expect "$layout: drift after up: none" 0 "no drift: the schema is the one the last migrate() left"
  sqlite3 app.db "CREATE INDEX extra ON users(name)"
  sq drift app.db
  expect "$layout: drift finds an index created outside migrate(), exit 1" 1 \
    "index extra: create: index \"extra\" created outside migrate()"
  sqlite3 app.db "DROP INDEX extra"

  if [ $layout = sqlx ]; then
    cp app.db before.db
    sq down -d mig app.db
    if [ "$rc" = 1 ] && grep -q "^sqlmig: app.db: .*revision 4" "$w/err" &&
       cmp -s app.db before.db; then
      pass "$layout: down of an irreversible revision fails naming it, database unchanged"
    else
      fail "$layout: down of an irreversible revision fails naming it, database unchanged" \
        "exit $rc" "$(cat "$w/out" "$w/err")"
    fi
    sq redo -d mig app.db
    expect_rc "$layout: redo of an irreversible revision fails" 1
  else
    sq down -d mig app.db
    expect "$layout: down reverts the newest revision" 0 "app.db: reverted 1 revision, now at version $v3
1 migrated, 0 already current, 0 failed"
    sq status --exit-code -d mig app.db
    expect "$layout: status --exit-code exits 1 with a pending revision" 1 "$(
      header; i=1; for n in $names; do eval "v=\$v$i"
        if [ $i = 4 ]; then row "$v" "$n" pending; else row "$v" "$n" applied TIME; fi
        i=$((i+1)); done)"
    sq up -d mig app.db
    sq redo -d mig app.db
    expect "$layout: redo reverts and applies the newest again" 0 \
      "app.db: reverted and applied again revision $v4
1 migrated, 0 already current, 0 failed"
    sq down --steps 2 -d mig app.db
    expect "$layout: down --steps 2" 0 "app.db: reverted 2 revisions, now at version $v2
1 migrated, 0 already current, 0 failed"
    sq down --to 0 -d mig app.db
    expect "$layout: down --to 0 reverts everything" 0 \
      "app.db: reverted 2 revisions, now at version 0 (none applied)
1 migrated, 0 already current, 0 failed"
    n=$(sqlite3 app.db "SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'notes')")
    if [ "$n" = 0 ]; then pass "$layout: down --to 0 dropped the tables"
    else fail "$layout: down --to 0 dropped the tables" "$n left"; fi
    sq up --to "$v2" -d mig app.db
    expect "$layout: up --to the second version" 0 "app.db: applied 2 revisions, now at version $v2
1 migrated, 0 already current, 0 failed"
    sq down --to "$v4" -d mig app.db
    expect "$layout: down --to above the current version is refused" 1 "0 migrated, 0 already current, 1 failed" \
      "sqlmig: app.db: --to $v4: the database is at version $v2 (up --to $v4 applies)"
  fi
  sq up --to 99 -d mig app.db
  expect "$layout: up --to a version not in the folder" 1 "" \
    "sqlmig: --to 99: no revision 99 in \"mig\""

  : >old.db
  sq baseline --to "$v2" -d mig old.db
  expect "$layout: baseline --to marks the first two applied" 0 \
    "old.db: baselined 2 revisions, now at version $v2
1 migrated, 0 already current, 0 failed"
  sq status -d mig old.db
  expect "$layout: status shows them baselined" 0 "$(
    header; i=1; for n in $names; do eval "v=\$v$i"
      if [ $i -le 2 ]; then row "$v" "$n" baselined TIME; else row "$v" "$n" pending; fi
      i=$((i+1)); done)"

  sq status --json -d mig old.db
  j=$(sqlite3 :memory: "SELECT json_valid(readfile('$w/out')),
        json_extract(readfile('$w/out'), '\$.databases[0].revisions[0].state'),
        json_extract(readfile('$w/out'), '\$.databases[0].revisions[3].version'),
        json_extract(readfile('$w/out'), '\$.databases[0].outcome'),
        json_extract(readfile('$w/out'), '\$.pending')")
  if [ "$rc" = 0 ] && [ "$j" = "1|baselined|$v4|pending|1" ]; then
    pass "$layout: status --json is one document with every revision"
  else
    fail "$layout: status --json is one document with every revision" "got $j" "$(cat "$w/out")"
  fi
  cd "$ROOT" || exit 2
done

# --- plan: statement by statement ------------------------------------------
d=$w/plan
mkdir -p "$d/mig" && cd "$d" || exit 2
printf 'CREATE TABLE t(a);\n\n\n  INSERT INTO t VALUES (%s);   \nCREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;\n-- the end\n' \
  "'x; y'" >mig/000001_t.up.sql
printf 'DROP TABLE t;' >mig/000001_t.down.sql
: >app.db
sq plan -d mig app.db
expect "plan prints each statement of a step on its own (literals, triggers whole)" 0 \
"-- step 1: up revision 1 t
CREATE TABLE t(a);
INSERT INTO t VALUES ('x; y');
CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;
-- the end"
sq up -d mig app.db
sq plan --exit-code -d mig app.db
expect "plan with nothing to run, --exit-code 0" 0 "nothing to run"
sq down -d mig app.db
sq plan --exit-code -d mig app.db
expect_rc "plan --exit-code exits 1 when up would run something" 1
jq() { sqlite3 :memory: "SELECT $1 FROM (SELECT readfile('$w/out') AS j)"; }
sq plan --json -d mig app.db
got=$(jq "json_valid(j), json_extract(j, '\$.databases[0].steps[0].direction'), json_extract(j, '\$.databases[0].steps[0].version'), json_extract(j, '\$.pending')")
if [ "$rc" = 0 ] && [ "$got" = "1|up|1|1" ]; then pass "plan --json: the steps as objects"
else fail "plan --json: the steps as objects" "$got" "$(cat "$w/out")"; fi
printf 'SELECT 1;' >mig/000001_t.down.sql
sq check --json -d mig app.db
got=$(jq "json_valid(j), json_extract(j, '\$.databases[0].outcome'), json_extract(j, '\$.databases[0].problems[0].check'), json_extract(j, '\$.broken')")
if [ "$rc" = 1 ] && [ "$got" = "1|broken|down leaves a difference|1" ]; then pass "check --json: the problems as objects, exit 1"
else fail "check --json: the problems as objects, exit 1" "exit $rc: $got" "$(cat "$w/out")"; fi
sq drift --json app.db
got=$(jq "json_valid(j), json_extract(j, '\$.databases[0].outcome'), json_extract(j, '\$.databases[0].changes'), json_extract(j, '\$.failed')")
if [ "$rc" = 0 ] && [ "$got" = "1|current|[]|0" ]; then pass "drift --json: no changes"
else fail "drift --json: no changes" "exit $rc: $got" "$(cat "$w/out")"; fi
: >norecord.db
sq drift --json norecord.db
got=$(jq "json_valid(j), json_extract(j, '\$.databases[0].outcome'), json_extract(j, '\$.databases[0].error') LIKE 'migrate_drift: no recorded schema yet%'")
if [ "$rc" = 1 ] && [ "$got" = "1|failed|1" ]; then pass "drift --json on a database without a schema record: failed, exit 1"
else fail "drift --json on a database without a schema record: failed, exit 1" "exit $rc: $got" "$(cat "$w/out")"; fi
cd "$ROOT" || exit 2

# --- redo after editing the newest file (the Alembic loop) -----------------
d=$w/redo
mkdir -p "$d" && cd "$d" || exit 2
cp -R "$ROOT/sql/migrations/golang-migrate" mig
sq up -d mig app.db
printf 'CREATE TABLE note_history(note_id INTEGER, extra TEXT);\n' >mig/000004_note_history.up.sql
sq up -d mig app.db
if [ "$rc" = 1 ] && grep -q '^sqlmig: app.db: revision 4 was applied with a different up script' "$w/err"
then pass "up refuses an edited applied file, naming it"
else fail "up refuses an edited applied file, naming it" "$(cat "$w/out" "$w/err")"; fi
sq redo -d mig app.db
expect "redo reverts with the stored down and applies the edited file" 0 \
  "app.db: reverted and applied again revision 4
1 migrated, 0 already current, 0 failed"
n=$(sqlite3 app.db "SELECT count(*) FROM pragma_table_info('note_history') WHERE name = 'extra'")
if [ "$n" = 1 ]; then pass "redo: the edited up script is what the database has now"
else fail "redo: the edited up script is what the database has now" "$n"; fi
rm mig/000004_note_history.up.sql mig/000004_note_history.down.sql
sq status --exit-code -d mig app.db
if [ "$rc" = 1 ] && grep -q '^4  *note_history  *applied  *[0-9-]* [0-9:]*  (not in folder)$' "$w/out"; then
  pass "status --exit-code exits 1 when an applied revision is missing from the folder"
else
  fail "status --exit-code exits 1 when an applied revision is missing from the folder" \
    "exit $rc" "$(cat "$w/out" "$w/err")"
fi
cd "$ROOT" || exit 2

# --- new: in each layout's folder, and in empty folders -------------------
d=$w/new
mkdir -p "$d" && cd "$d" || exit 2
check_new() {  # NAME FOLDER PATTERN...: new wrote files matching the patterns; they apply
  name=$1 dir=$2
  shift 2
  before=$(sqlite3 :memory: ".load $ROOT/libsqlmig" "SELECT count(*) FROM migration_files('$dir')" 2>/dev/null || echo 0)
  sq new add_thing -d "$dir"
  ok=1
  [ "$rc" = 0 ] || ok=0
  [ "$(wc -l <"$w/out")" = $# ] || ok=0
  i=0
  for pat in "$@"; do
    i=$((i+1))
    line=$(sed -n "${i}p" "$w/out")
    # shellcheck disable=SC2254
    case $line in $pat) [ -f "$line" ] || ok=0 ;; *) ok=0 ;; esac
  done
  if [ $ok = 1 ]; then pass "new in $name writes $*"
  else fail "new in $name writes $*" "exit $rc" "$(cat "$w/out" "$w/err")"; fi
  rm -f t.db
  sq up -d "$dir" t.db
  expect "new in $name: the folder with the new files applies" 0 \
    "t.db: applied $((before+1)) revision$([ $before = 0 ] || echo s), now at version $(
      sqlite3 :memory: ".load $ROOT/libsqlmig" "SELECT max(version) FROM migration_files('$dir')")
1 migrated, 0 already current, 0 failed"
}
ts='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
dts='[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]'
cp -R "$ROOT/sql/migrations/golang-migrate" gm
check_new golang-migrate gm gm/000005_add_thing.up.sql gm/000005_add_thing.down.sql
cp -R "$ROOT/sql/migrations/dbmate" dbm
check_new dbmate dbm "dbm/${ts}_add_thing.sql"
if grep -qx -- '-- migrate:up' dbm/*_add_thing.sql && grep -qx -- '-- migrate:down' dbm/*_add_thing.sql
then pass "new in dbmate writes both markers"; else fail "new in dbmate writes both markers"; fi
cp -R "$ROOT/tests/files/goose" goose
check_new goose goose goose/00005_add_thing.sql
if grep -qx -- '-- +goose Up' goose/00005_add_thing.sql && grep -qx -- '-- +goose Down' goose/00005_add_thing.sql
then pass "new in goose writes both annotations"; else fail "new in goose writes both annotations"; fi
cp -R "$ROOT/tests/files/flyway" fly
check_new flyway fly fly/V5__add_thing.sql fly/U5__add_thing.sql
cp -R "$ROOT/tests/files/sqlx" sqlx
check_new sqlx sqlx sqlx/5_add_thing.sql
cp -R "$ROOT/tests/files/diesel" diesel
check_new diesel diesel "diesel/${dts}_add_thing/up.sql" "diesel/${dts}_add_thing/down.sql"
check_new "a missing folder (default layout)" fresh/db fresh/db/000001_add_thing.up.sql \
  fresh/db/000001_add_thing.down.sql
for f in dbmate goose sqlx; do
  mkdir "e_$f"
  sq new first -d "e_$f" --format $f
  case $(cat "$w/out") in
    e_$f/${ts}_first.sql) pass "new --format $f in an empty folder: timestamp name" ;;
    *) fail "new --format $f in an empty folder: timestamp name" "$(cat "$w/out" "$w/err")" ;;
  esac
done
mkdir e_fly e_diesel
sq new first -d e_fly --format flyway
expect "new --format flyway in an empty folder" 0 "e_fly/V1__first.sql
e_fly/U1__first.sql"
sq new first -d e_diesel --format diesel
has "new --format diesel in an empty folder" "$w/out" "_first/up.sql"
sq new second -d dbm
sq new third -d dbm
v=$(sqlite3 :memory: ".load $ROOT/libsqlmig" "SELECT count(DISTINCT version) FROM migration_files('dbm')")
if [ "$v" = 7 ]; then pass "new twice in the same second: two distinct timestamps"
else fail "new twice in the same second: two distinct timestamps" "$v versions"; fi
mkdir bad && printf 'SELECT 1;' >bad/notes.sql
sq new x -d bad
expect_rc "new in a folder migration_files cannot read: exit 1" 1
has "new in a folder migration_files cannot read: its error" "$w/err" \
  'sqlmig: migration_files: "bad/notes.sql" is not a migration file name'

if [ "$(ls bad)" = notes.sql ]; then pass "new wrote nothing into the unreadable folder"
else fail "new wrote nothing into the unreadable folder" "$(ls bad)"; fi
cd "$ROOT" || exit 2

# --- diff ------------------------------------------------------------------
d=$w/diff
mkdir -p "$d" && cd "$d" || exit 2
cp -R "$ROOT/sql/migrations/golang-migrate" mig
sq up -d mig app.db
sqlite3 app.db "INSERT INTO users(id, email, name) VALUES (7, 'zoe@example.com', 'Zoe')"
schema() {
  sqlite3 app.db "SELECT sql || ';' FROM sqlite_master WHERE name NOT LIKE 'sqlmig%' AND sql IS NOT NULL"
}
schema | sed 's/^  name  TEXT$/  name  TEXT, age INTEGER/' >want.sql
cp app.db before.db
sq diff want.sql add_age -d mig app.db
expect "diff from a .sql file writes the next pair" 0 "mig/000005_add_age.up.sql
mig/000005_add_age.down.sql"
same "diff: the up script adds the column" 'ALTER TABLE "users" ADD COLUMN "age" INTEGER;' mig/000005_add_age.up.sql
same "diff: the down script drops it" 'ALTER TABLE "users" DROP COLUMN "age";' mig/000005_add_age.down.sql
if cmp -s app.db before.db; then pass "diff leaves the database unchanged"
else fail "diff leaves the database unchanged"; fi
sq diff want.sql -d mig app.db
expect "diff with the folder's pending revision already there: nothing to write" 0 \
  "app.db already matches want.sql: nothing written"
sq up -d mig app.db
sq check -d mig app.db
expect "diff: the generated pair applies and round-trips" 0 \
  "every revision's down script restores what its up script changed"

cp app.db desired.db
sqlite3 desired.db "ALTER TABLE users ADD COLUMN nick TEXT"
cp desired.db desired.before
sq diff desired.db add_nick -d mig app.db
expect "diff from a database writes the next pair" 0 "mig/000006_add_nick.up.sql
mig/000006_add_nick.down.sql"
same "diff from a database: the up script" 'ALTER TABLE "users" ADD COLUMN "nick" TEXT;' mig/000006_add_nick.up.sql
if cmp -s desired.db desired.before; then pass "diff leaves DESIRED unchanged"
else fail "diff leaves DESIRED unchanged"; fi
sq up -d mig app.db

schema | grep -v 'note_history\|notes_history\|INSERT INTO note_history\|^END;' >shrunk.sql
# keep what remains parseable: only the CREATE TABLE/INDEX statements of users and notes
sqlite3 app.db "SELECT sql || ';' FROM sqlite_master WHERE name IN ('users', 'notes', 'notes_user')" >shrunk.sql
cp app.db before.db
ls mig >files.before
sq diff shrunk.sql drop_history -d mig app.db
if [ "$rc" = 1 ] && grep -qx '  table note_history: drop: drops the table and all its rows' "$w/err" &&
   grep -q '^sqlmig: diff: 1 destructive change: nothing written' "$w/err"; then
  pass "diff refuses a destructive change, listing it"
else
  fail "diff refuses a destructive change, listing it" "exit $rc" "$(cat "$w/out" "$w/err")"
fi
ls mig >files.after
if cmp -s files.before files.after && cmp -s app.db before.db; then
  pass "a refused diff writes no file and leaves the database unchanged"
else
  fail "a refused diff writes no file and leaves the database unchanged"
fi
sq diff shrunk.sql drop_history --allow-destructive -d mig app.db
if [ "$rc" = 0 ] && grep -q 'table note_history: drop' "$w/out" &&
   grep -qx 'mig/000007_drop_history.up.sql' "$w/out"; then
  pass "diff --allow-destructive writes it and still lists the change"
else
  fail "diff --allow-destructive writes it and still lists the change" "$(cat "$w/out" "$w/err")"
fi
sq up -d mig app.db

sqlite3 app.db "SELECT sql || ';' FROM sqlite_master WHERE name IN ('users', 'notes', 'notes_user')" |
  sed 's/^  name  TEXT/  full_name  TEXT/' >renamed.sql
sq diff renamed.sql rename_name -d mig app.db
expect_rc "diff without a rename hint: dropping users.name is destructive" 1
sq diff renamed.sql rename_name --rename 'users.name -> users.full_name' -d mig app.db
expect "diff --rename writes a rename" 0 "mig/000008_rename_name.up.sql
mig/000008_rename_name.down.sql"
same "diff --rename: up renames the column" 'ALTER TABLE "users" RENAME COLUMN "name" TO "full_name";' mig/000008_rename_name.up.sql
same "diff --rename: down renames it back" 'ALTER TABLE "users" RENAME COLUMN "full_name" TO "name";' mig/000008_rename_name.down.sql
sq up -d mig app.db
n=$(sqlite3 app.db "SELECT full_name FROM users WHERE id = 7")
if [ "$n" = Zoe ]; then pass "diff --rename: the data stays"; else fail "diff --rename: the data stays" "$n"; fi

# the pair in every other layout: written, applied, round-tripping
for layout in dbmate goose flyway diesel sqlx; do
  case $layout in dbmate) src=$ROOT/sql/migrations/dbmate ;; *) src=$ROOT/tests/files/$layout ;; esac
  rm -rf "l_$layout" "l_$layout.db"
  cp -R "$src" "l_$layout"
  "$SQLMIG" up -d "l_$layout" "l_$layout.db" >/dev/null
  sqlite3 "l_$layout.db" "SELECT sql || ';' FROM sqlite_master WHERE name NOT LIKE 'sqlmig%' AND sql IS NOT NULL" |
    sed 's/^  name  TEXT$/  name  TEXT, age INTEGER/' >"want_$layout.sql"
  sq diff "want_$layout.sql" add_age -d "l_$layout" "l_$layout.db"
  w1=$rc
  sq up -d "l_$layout" "l_$layout.db"
  w2=$(head -n 1 "$w/out")
  sq check -d "l_$layout" "l_$layout.db"
  w3=$rc
  n=$(sqlite3 "l_$layout.db" "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'age'")
  case $w2 in "l_$layout.db: applied 1 revision, now at version "*) w2=ok ;; esac
  if [ "$w1" = 0 ] && [ "$w2" = ok ] && [ "$w3" = 0 ] && [ "$n" = 1 ]; then
    pass "diff into a $layout folder: the file applies and checks"
  else
    fail "diff into a $layout folder: the file applies and checks" "diff $w1, up $w2, check $w3, column $n" \
      "$(cat "$w/out" "$w/err")"
  fi
done

sq diff nothere.sql -d mig app.db
expect "diff with a missing DESIRED" 1 "" \
  "sqlmig: diff: cannot read \"nothere.sql\": no such file or directory"
cd "$ROOT" || exit 2

# --- errors (exit 1) -------------------------------------------------------
d=$w/errors
mkdir -p "$d" && cd "$d" || exit 2
cp -R "$ROOT/sql/migrations/golang-migrate" mig
sq up -d mig app.db
cp app.db before.db
sq up -d nope app.db
expect "a missing folder is named, exit 1" 1 "" \
  "sqlmig: migration_files: cannot read directory \"nope\": no such directory"
sq status missing.db -d mig
expect "status of a database that does not exist" 1 "" \
  "sqlmig: missing.db: no such database file (only up creates one)"
if [ ! -e missing.db ]; then pass "status did not create the missing database"
else fail "status did not create the missing database"; fi
printf 'hello, not a database at all, longer than a header\n' >text.db
cp text.db text.before
sq up -d mig text.db
expect "a file that is not SQLite" 1 "0 migrated, 0 already current, 1 failed" \
  "sqlmig: text.db: not a SQLite database (file is not a database)"
if cmp -s text.db text.before; then pass "the file that is not SQLite is untouched"
else fail "the file that is not SQLite is untouched"; fi
mkdir adir.db
sq status -d mig adir.db
expect "a directory given as the database" 1 "" \
  "sqlmig: adir.db: is a directory, not a database file"
sq up -d mig app.db/inner.db
expect "a database path that cannot be opened" 1 "0 migrated, 0 already current, 1 failed" \
  "sqlmig: app.db/inner.db: cannot open: not a directory"
sq down --to 77 -d mig app.db
if [ "$rc" = 1 ] && grep -q '^sqlmig: app.db: .*77' "$w/err"; then
  pass "down --to an unregistered version fails naming it"
else
  fail "down --to an unregistered version fails naming it" "$(cat "$w/err")"
fi
if cmp -s app.db before.db; then pass "the failed commands left the database unchanged"
else fail "the failed commands left the database unchanged"; fi

sq status --exit-code -dmig -j2 app.db
expect_rc "short options with attached values (-dDIR, -j2)" 0
sq status --exit-code --dir=mig app.db
expect_rc "long options with =VALUE (--dir=DIR)" 0

# --- usage errors (exit 2, nothing written) ---------------------------------
usage() {  # NAME FIRST-STDERR-LINE ARGS...
  name=$1 want=$2
  shift 2
  sq "$@"
  first=$(head -n 1 "$w/err")
  if [ "$rc" = 2 ] && [ "$first" = "$want" ] && grep -q '^usage: sqlmig up' "$w/err" &&
     [ ! -s "$w/out" ] && cmp -s app.db before.db && [ ! -e new.db ] && [ "$(ls mig | wc -l)" = 8 ]
  then
    pass "usage error: $name"
  else
    fail "usage error: $name" "exit $rc" "expected: $want" "got: $(cat "$w/err")"
  fi
}
usage "no command" "sqlmig: no command given"
usage "unknown command" 'sqlmig: unknown command "migrate"' migrate app.db
usage "option before the command" "sqlmig: option -d before the command" -d mig up app.db
usage "unknown option" "sqlmig: unknown option --force" up --force app.db new.db
usage "option without its value" "sqlmig: option -d needs a value" up app.db new.db -d
usage "-j 0" "sqlmig: -j 0: expected a number of jobs from 1 to 4096" up -j 0 app.db new.db
usage "--to that is not a number" "sqlmig: --to v2: expected a version (a whole number, 0 or more)" \
  up --to v2 app.db new.db
usage "--steps on up" "sqlmig: up: option --steps does not apply" up --steps 2 app.db new.db
usage "--to and --steps" "sqlmig: down: give --to or --steps, not both" down --to 1 --steps 1 app.db
usage "--steps 0" "sqlmig: --steps 0: expected a number of revisions, 1 or more" down --steps 0 app.db
usage "--json=value" "sqlmig: option --json takes no value" status --json=yes app.db
usage "--exit-code on up" "sqlmig: up: option --exit-code does not apply" up --exit-code new.db
usage "no database" "sqlmig: up: no DATABASE given" up -d mig
usage "new without a name" "sqlmig: new: no NAME given" new -d mig
usage "new with a bad name" 'sqlmig: new: name "add email" may hold only letters, digits, _ and -' \
  new 'add email' -d mig
usage "new --format unknown" \
  "sqlmig: --format liquibase: unknown layout (one of golang-migrate, dbmate, goose, flyway, diesel, sqlx)" \
  new x --format liquibase -d mig
usage "diff with one argument" "sqlmig: diff: expected DESIRED [NAME] DATABASE" diff want.sql
usage "diff --rename without an arrow" \
  "sqlmig: --rename 'users.name users.full': expected 'old -> new' pairs, separated by commas" \
  diff want.sql --rename 'users.name users.full' new.db
usage "--timeout that is not a number" "sqlmig: --timeout 1.5: expected whole seconds" \
  up --timeout 1.5 new.db
sq --help
if [ "$rc" = 0 ] && grep -q '^usage: sqlmig up' "$w/out" && grep -q '^exit status: 0 done' "$w/out"
then pass "--help prints the usage on stdout, exit 0"
else fail "--help prints the usage on stdout, exit 0" "$(cat "$w/out" "$w/err")"; fi
cd "$ROOT" || exit 2

finish
