#!/bin/sh
# The amalgamation is complete, stamped, and compiles alone, warning-free.
#
#   BUILD=build sh tests/check_amalgamation.sh
#
# Generates amalgamation/sqlmig.{c,h} into $BUILD/check_amalgamation (the
# copy in amalgamation/ is left alone) and checks: the banner names the
# version in ext/sqlmig.h and a commit; every ext/*.c is in it once; no
# include of the project's own headers is left; with -DSQLITE_CORE it needs
# sqlite3.h only. Then compiles it with gcc and clang at
# -std=c99 -Wall -Wextra -pedantic -Wshadow -Wmissing-prototypes -Werror,
# as a loadable extension and with -DSQLITE_CORE (and gcc once more with
# -DSQLITE_OMIT_LOAD_EXTENSION), the ext/ sources as the loadable library,
# and the public header as C++; and the README's embedding recipe (init
# after open, auto-extension) compiled in. Prints ok / not ok lines.

BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 2
out=$BUILD/check_amalgamation
mkdir -p "$out" || exit 2
WARN="-std=c99 -Wall -Wextra -pedantic -Wshadow -Wmissing-prototypes -Werror"
failed=0

ok() { echo "ok - $1"; }
bad() { echo "not ok - $1: $2"; failed=1; }

if ! sh amalgamation/mkamal.sh "$out" 2>"$out/err"; then
  bad "amalgamation: mkamal.sh runs" "$(head -n 3 "$out/err")"
  exit 1
fi
ok "amalgamation: mkamal.sh runs"

version=$(sed -n 's/^#define SQLMIG_VERSION  *"\(.*\)".*/\1/p' ext/sqlmig.h)
for f in sqlmig.c sqlmig.h; do
  if head -n 3 "$out/$f" | grep -q "sqlmig $version amalgamation" &&
     head -n 5 "$out/$f" | grep -Eq '^\*\* ([0-9a-f]{40}|unknown)'; then
    ok "amalgamation: $f banner has version $version and the source commit"
  else
    bad "amalgamation: $f banner has version $version and the source commit" \
        "$(head -n 5 "$out/$f" | tr '\n' ' ')"
  fi
done

missing=
for p in ext/sqlmig.h ext/sqlmig_int.h ext/*.c; do
  n=$(grep -c "^/\*\*\*\*\*\*\*\*\*\*\*\*\*\* begin $p " "$out/sqlmig.c")
  [ "$n" -eq 1 ] || missing="$missing $p($n)"
done
if [ -z "$missing" ]; then
  ok "amalgamation: holds every ext/ source once"
else
  bad "amalgamation: holds every ext/ source once" "wrong count for$missing"
fi

left=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"sqlmig' "$out/sqlmig.c")
if [ -z "$left" ]; then
  ok "amalgamation: no include of sqlmig headers left"
else
  bad "amalgamation: no include of sqlmig headers left" "$left"
fi

# -DSQLITE_CORE users may have sqlite3.h alone (a platform SQLite).
if gcc -E -DSQLITE_CORE "$out/sqlmig.c" 2>/dev/null | grep -q 'sqlite3ext\.h'; then
  bad "amalgamation: -DSQLITE_CORE needs sqlite3.h only" "sqlite3ext.h is included"
else
  ok "amalgamation: -DSQLITE_CORE needs sqlite3.h only"
fi

# compile NAME COMMAND...: one check, the command's output is the reason.
compile() {
  name=$1; shift
  if "$@" >"$out/err" 2>&1 && [ ! -s "$out/err" ]; then
    ok "$name"
  else
    bad "$name" "$(grep -c 'warning:\|error:' "$out/err") diagnostics"
    sed 's/^/#   /' "$out/err" | head -n 20
  fi
}

for cc in gcc clang; do
  if ! command -v $cc >/dev/null 2>&1; then
    bad "$cc: installed" "not found"
    continue
  fi
  compile "amalgamation compiles warning-free with $cc (loadable)" \
    $cc $WARN -O2 -fPIC -c -o "$out/$cc-ext.o" "$out/sqlmig.c"
  compile "amalgamation compiles warning-free with $cc -DSQLITE_CORE" \
    $cc $WARN -O2 -DSQLITE_CORE -c -o "$out/$cc-core.o" "$out/sqlmig.c"
  compile "ext/*.c compile warning-free with $cc (loadable)" \
    $cc $WARN -O2 -fPIC -fvisibility=hidden -Iext -shared \
      -o "$out/$cc-libsqlmig.so" ext/*.c
done
compile "amalgamation compiles warning-free with -DSQLITE_CORE -DSQLITE_OMIT_LOAD_EXTENSION" \
  gcc $WARN -O2 -DSQLITE_CORE -DSQLITE_OMIT_LOAD_EXTENSION -c \
    -o "$out/gcc-noload.o" "$out/sqlmig.c"
# Platforms without a file system: -DSQLMIG_OMIT_FILES leaves the folder
# reader out (no opendir/fopen referenced); the bundle form stays.
mkdir -p "$out/omitfiles"
compile "amalgamation compiles warning-free with -DSQLMIG_OMIT_FILES" \
  gcc $WARN -O2 -fPIC -fvisibility=hidden -DSQLMIG_OMIT_FILES -shared \
    -o "$out/omitfiles/libsqlmig.so" "$out/sqlmig.c"
if [ -f "$out/omitfiles/libsqlmig.so" ]; then
  used=$(nm -D --undefined-only "$out/omitfiles/libsqlmig.so" | grep -E ' (opendir|readdir|fopen|stat)' )
  msg=$(sqlite3 :memory: ".load $out/omitfiles/libsqlmig" \
        "SELECT * FROM migration_files('db')" 2>&1)
  bundle=$(sqlite3 :memory: ".load $out/omitfiles/libsqlmig" \
        "CREATE TABLE b(name, text); INSERT INTO b VALUES ('1_a.sql', 'SELECT 1');" \
        "SELECT version, format FROM migration_files(NULL, 'b')" 2>&1)
  if [ -z "$used" ] && [ "$bundle" = "1|sqlx" ] &&
     echo "$msg" | grep -q "this build reads no directories (SQLMIG_OMIT_FILES)"; then
    ok "SQLMIG_OMIT_FILES: no directory reading, a clear error, bundles work"
  else
    bad "SQLMIG_OMIT_FILES: no directory reading, a clear error, bundles work" \
        "imports: $used; folder: $msg; bundle: $bundle"
  fi
fi
# Apps that only migrate: -DSQLMIG_OMIT_DIFF leaves the diff, copy, data
# diff, check and drift code out of the amalgamation too (gcc and clang,
# warning-free, in and out of the core); what is omitted is not registered.
mkdir -p "$out/omitdiff/gcc" "$out/omitdiff/clang"
for cc in gcc clang; do
  command -v $cc >/dev/null 2>&1 || continue
  compile "amalgamation compiles warning-free with $cc -DSQLMIG_OMIT_DIFF" \
    $cc $WARN -O2 -fPIC -fvisibility=hidden -DSQLMIG_OMIT_DIFF -shared \
      -o "$out/omitdiff/$cc/libsqlmig.so" "$out/sqlmig.c"
  compile "amalgamation compiles warning-free with $cc -DSQLITE_CORE -DSQLMIG_OMIT_DIFF" \
    $cc $WARN -O2 -DSQLITE_CORE -DSQLMIG_OMIT_DIFF -c \
      -o "$out/omitdiff/core-$cc.o" "$out/sqlmig.c"
done
if [ -f "$out/omitdiff/gcc/libsqlmig.so" ] && [ -f "$out/gcc-core.o" ] &&
   [ -f "$out/omitdiff/core-gcc.o" ]; then
  kept=$(nm "$out/omitdiff/core-gcc.o" | grep -E ' sqlmig(Diff[A-Z][A-Za-z]*|CopyRegister|DataDiffRegister|CheckRegister|DriftRegister|Snap[A-Z][A-Za-z]*)$' | head -n 3 | tr '\n' ' ')
  full=$(nm "$out/gcc-core.o" | grep -c ' sqlmigDiffRegister')
  got=$(sqlite3 :memory: ".load $out/omitdiff/gcc/libsqlmig" \
        "SELECT count(*) FROM pragma_function_list WHERE name GLOB 'migrate_*'
         AND name NOT IN ('migrate_baseline', 'migrate_down', 'migrate', 'migrate_clock')" \
        "SELECT count(*) FROM pragma_module_list WHERE name IN
         ('migrate_changes', 'migrate_copy_report', 'migrate_check', 'migrate_drift')" \
        "INSERT INTO migrations(version, up) VALUES (1, 'CREATE TABLE t(x)')" \
        "SELECT migrate()" 2>&1 | tr '\n' ' ')
  if [ -z "$kept" ] && [ "$full" -ge 1 ] && [ "$got" = "0 0 1 " ]; then
    ok "SQLMIG_OMIT_DIFF: the amalgamation leaves the diff code out, registers none of it, migrates"
  else
    bad "SQLMIG_OMIT_DIFF: the amalgamation leaves the diff code out, registers none of it, migrates" \
        "symbols left: $kept; full build has sqlmigDiffRegister: $full; got: $got"
  fi
fi
compile "sqlmig.h compiles as C++" \
  g++ -fsyntax-only -Wall -Wextra -pedantic -Werror -x c++ "$out/sqlmig.h"
# The embedding recipe of the README, compiled in against the system
# SQLite: init right after open, the start-up idiom twice (the second run
# changes nothing), then the same through sqlite3_auto_extension.
cat >"$out/recipe.c" <<'RECIPE'
#include <stdio.h>
#include <string.h>
#include "sqlite3.h"
#include "sqlmig.h"

static const char *zStartup =
  "BEGIN;"
  "INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES"
  " (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)',"
  "  'DROP TABLE users'),"
  " (2, 'email', 'ALTER TABLE users ADD COLUMN email TEXT', NULL);"
  "SELECT migrate();"
  "COMMIT;";

/* Runs the start-up idiom, then zSql; returns zSql's first column as an int (-1 on
** error, with the message printed). */
static int startupThen(sqlite3 *db, const char *zSql){
  int v = -1;
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  if( sqlite3_exec(db, zStartup, 0, 0, &zErr)!=SQLITE_OK ){
    printf("# startup: %s\n", zErr);
    sqlite3_free(zErr);
    return -1;
  }
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    v = sqlite3_column_int(pStmt, 0);
  }else{
    printf("# %s: %s\n", zSql, sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  return v;
}

int main(void){
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc, ok;
  const char *zCheck = "SELECT count(*) FROM pragma_table_info('users')"
                       " WHERE name IN ('id','name','email')";

  rc = sqlite3_open(":memory:", &db);
  if( rc==SQLITE_OK ) rc = sqlite3_sqlmig_init(db, &zErr, NULL);
  if( rc!=SQLITE_OK ) printf("# init: %s\n", zErr ? zErr : "?");
  sqlite3_free(zErr);
  ok = rc==SQLITE_OK && startupThen(db, zCheck)==3 && startupThen(db, zCheck)==3;
  printf("%s - recipe: sqlite3_sqlmig_init after open, start-up idiom twice\n",
         ok ? "ok" : "not ok");
  sqlite3_close(db);

  db = 0;
  sqlite3_auto_extension((void(*)(void))sqlite3_sqlmig_init);
  rc = sqlite3_open(":memory:", &db);
  ok = rc==SQLITE_OK && startupThen(db, zCheck)==3;
  printf("%s - recipe: sqlite3_auto_extension\n", ok ? "ok" : "not ok");
  sqlite3_close(db);
  sqlite3_reset_auto_extension();
  return 0;
}
RECIPE
if cc -O1 -DSQLITE_CORE -I"$out" -o "$out/recipe" "$out/recipe.c" "$out/sqlmig.c" \
      -lsqlite3 >"$out/err" 2>&1; then
  "$out/recipe" >"$out/recipe.out" 2>&1
  cat "$out/recipe.out"
  grep -q '^not ok' "$out/recipe.out" && failed=1
  [ "$(grep -c '^ok' "$out/recipe.out")" -eq 2 ] ||
    { echo "not ok - recipe: program ended early"; failed=1; }
else
  bad "recipe: compiles" "$(head -n 1 "$out/err")"
  sed 's/^/#   /' "$out/err" | head -n 10
fi
# The README's embedding program, extracted as written, compiled in.
awk '/<!-- recipe: tests\/check_amalgamation.sh/ {f=1; next}
     f && /^```c$/ {p=1; next} p && /^```$/ {exit} p {print}' README.md \
  >"$out/readme.c"
if [ ! -s "$out/readme.c" ]; then
  bad "README embedding program: found" "no marked block in README.md"
elif cc -O1 -DSQLITE_CORE -I"$out" -o "$out/readme" "$out/readme.c" \
      "$out/sqlmig.c" -lsqlite3 >"$out/err" 2>&1; then
  if (cd "$out" && rm -f app.db && ./readme && ./readme &&
      [ "$(sqlite3 app.db 'SELECT count(*) FROM sqlmig_history WHERE applied_at IS NOT NULL')" = 1 ]); then
    ok "README embedding program: builds and migrates app.db twice"
  else
    bad "README embedding program: builds and migrates app.db twice" "it failed"
  fi
else
  bad "README embedding program: builds and migrates app.db twice" "does not compile"
  sed 's/^/#   /' "$out/err" | head -n 10
fi

# The embedding mistake: the amalgamation compiled without -DSQLITE_CORE
# and initialised directly (pApi NULL) fails with SQLITE_MISUSE and a
# message naming the define, instead of crashing at the first call.
cat >"$out/nocore.c" <<'NOCORE'
#include <stdio.h>
#include <string.h>
#include "sqlite3.h"
#include "sqlmig.h"
int main(void){
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc = sqlite3_open(":memory:", &db);
  if( rc==SQLITE_OK ) rc = sqlite3_sqlmig_init(db, &zErr, NULL);
  printf("%s - embedding: init without -DSQLITE_CORE fails clearly\n",
         rc==SQLITE_MISUSE && zErr && strstr(zErr, "-DSQLITE_CORE")
         ? "ok" : "not ok");
  if( rc!=SQLITE_MISUSE || zErr==0 ){
    printf("# rc %d: %s\n", rc, zErr ? zErr : "(no message)");
  }
  sqlite3_free(zErr);
  sqlite3_close(db);
  return 0;
}
NOCORE
if cc -O1 -I"$out" -o "$out/nocore" "$out/nocore.c" "$out/sqlmig.c" \
      -lsqlite3 >"$out/err" 2>&1; then
  "$out/nocore" >"$out/nocore.out" 2>&1
  cat "$out/nocore.out"
  grep -q '^ok' "$out/nocore.out" || failed=1
else
  bad "embedding: init without -DSQLITE_CORE fails clearly" "does not compile"
  sed 's/^/#   /' "$out/err" | head -n 10
fi
exit $failed
