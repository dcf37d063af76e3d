#!/bin/sh
# The README's CI snippets (each ```sh block right after a
# `<!-- ci-snippet -->` line) fail the job when they should: every one
# exits 0 on a migrated database, and non-zero
#   - with the migration folder missing (snippets that read db/migrations);
#   - on a database without a schema record (snippets that check drift);
#   - with a file not applied yet (snippets that gate on status);
#   - with a revision whose down is broken (snippets that run the check).
# Each runs with `sh` in a fresh folder holding ./libsqlmig.so (LIB), the
# sqlmig command on PATH (SQLMIG), db/migrations (the golang-migrate
# example), app.db, prod-copy.db.
#
#   LIB=./libsqlmig.so SQLMIG=build/sqlmig sh tests/cli_readme.sh
. "$(dirname "$0")/clilib.sh"

LIB=${LIB:-./libsqlmig.so}
case $LIB in /*) ;; *) LIB=$ROOT/${LIB#./} ;; esac

mkdir "$w/snip"
awk -v dir="$w/snip" '
  /^<!-- ci-snippet -->$/ { want = 1; next }
  want && /^```sh$/       { n++; f = dir "/" n ".sh"; inblock = 1; want = 0; next }
  { want = 0 }
  inblock && /^```$/      { inblock = 0; close(f); next }
  inblock                 { print > f }
' README.md
n=$(ls "$w/snip" | wc -l)
if [ "$n" -ge 5 ]; then pass "README: $n CI snippets found"
else fail "README: at least 5 CI snippets found" "found $n"; fi

# setup KIND: a fresh folder $w/run for one scenario
setup() {
  rm -rf "$w/run"
  mkdir -p "$w/run/bin" "$w/run/db" || exit 2
  ln -s "$LIB" "$w/run/libsqlmig.so"
  ln -s "$SQLMIG" "$w/run/bin/sqlmig"
  cp -R "$ROOT/sql/migrations/golang-migrate" "$w/run/db/migrations"
  (
    cd "$w/run" || exit 2
    case $1 in
      norecord)
        sqlite3 app.db "CREATE TABLE t(x)"
        sqlite3 prod-copy.db "CREATE TABLE t(x)" ;;
      *)
        "$SQLMIG" up -d db/migrations app.db prod-copy.db >/dev/null || exit 2 ;;
    esac
    case $1 in
      nofolder) rm -rf db/migrations ;;
      pending) printf 'CREATE TABLE later(x);\n' >db/migrations/000005_later.up.sql ;;
      brokendown)
        printf 'CREATE TABLE later(x);\n' >db/migrations/000005_later.up.sql
        printf 'SELECT 1;\n' >db/migrations/000005_later.down.sql ;;
    esac
  ) || { fail "setup $1"; return 1; }
}

# runs SNIPPET in $w/run; sets rc
runsnip() {
  (cd "$w/run" && PATH="$w/run/bin:$PATH" sh "$1" >"$w/out" 2>"$w/err")
  rc=$?
}

for s in "$w"/snip/*.sh; do
  label="snippet $(basename "$s" .sh) ($(head -n 1 "$s" | cut -c1-50))"
  setup green && runsnip "$s"
  if [ "$rc" = 0 ]; then pass "$label: exits 0 on a migrated database"
  else fail "$label: exits 0 on a migrated database" "exit $rc" "$(cat "$w/out" "$w/err")"; fi
  if grep -q 'db/migrations' "$s"; then
    setup nofolder && runsnip "$s"
    if [ "$rc" != 0 ]; then pass "$label: fails without the migration folder"
    else fail "$label: fails without the migration folder" "exit 0"; fi
  fi
  if grep -q 'migrate_drift\|sqlmig drift' "$s"; then
    setup norecord && runsnip "$s"
    if [ "$rc" != 0 ]; then pass "$label: fails on a database without a schema record"
    else fail "$label: fails on a database without a schema record" "exit 0"; fi
  fi
  if grep -q 'migrate_status\|status --exit-code' "$s"; then
    setup pending && runsnip "$s"
    if [ "$rc" != 0 ]; then pass "$label: fails with a file not applied yet"
    else fail "$label: fails with a file not applied yet" "exit 0"; fi
  fi
  if grep -q 'migrate_check\|sqlmig check' "$s"; then
    setup brokendown && runsnip "$s"
    if [ "$rc" != 0 ]; then pass "$label: fails on a broken down script"
    else fail "$label: fails on a broken down script" "exit 0"; fi
  fi
done

finish
