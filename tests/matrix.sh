#!/bin/sh
# The scenario suite (tests/*.test) on every supported SQLite:
#
#   sh tests/matrix.sh            (what `make test-matrix` runs)
#
# SQLite 3.31.1 (the minimum), 3.44.2 and 3.52.0 come as amalgamations inside
# the npm packages sqlite3@4.2.0, @5.1.7 and @6.0.1 (`npm pack`, never
# committed); the system library is 3.40.1. Everything fetched or compiled
# from SQLite is cached in $SQLMIG_CACHE (default ~/.cache/sqlmig, else the
# repository's .cache/sqlmig), so only the first run pays for it. For each
# version the suite runs
#   so      through one libsqlmig.so, built once against the 3.31.1 headers
#           (proof that it calls no newer API), loaded by a runner compiled
#           against that version;
#   static  in a runner linked with SQLite and amalgamation/sqlmig.c compiled
#           with -DSQLITE_CORE (registered with sqlite3_auto_extension);
# plus `static-noload` (SQLite and sqlmig built with
# -DSQLITE_OMIT_LOAD_EXTENSION), `so-omitdiff` and `static-omitdiff` (the
# build for apps that only migrate, -DSQLMIG_OMIT_DIFF, on the system and
# the newest SQLite), a `.load` check in each version's shell,
# and a check that SQLite 3.28.0 (older than supported) refuses the .so
# with a message naming the version needed.
# Prints ok/not ok lines, a `<row>: N passed, M failed` line per row and,
# last, the total `N passed, M failed`. Exit status 1 when anything failed.
#
# Environment: CC, CFLAGS (for sqlmig and the runners), BUILD (build dir),
# SQLMIG_CACHE, MATRIX (space-separated rows to run, default all).
set -u
cd "$(dirname "$0")/.." || exit 2   # paths below are from the repository root

CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -g}
BUILD=${BUILD:-build}
CACHE=${SQLMIG_CACHE:-${HOME:+$HOME/.cache/sqlmig}}
CACHE=${CACHE:-$PWD/.cache/sqlmig}   # no HOME: the repository's .cache/
WARN="-std=c99 -Wall -Wextra -pedantic -Wshadow -Wmissing-prototypes"
# How SQLite itself is compiled: once per version, cached under this key.
SQLITE_OPTS="-O1 -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_DBSTAT_VTAB"
LIBS="-lm -ldl -lpthread"

# npm package version = SQLite version (as in sqlite-autoconf-NNNNNNN).
PACKAGES="4.2.0=3310100 5.1.7=3440200 6.0.1=3520000"
# Older than supported (iOS 13's version): only checks that loading refuses.
TOO_OLD="4.1.0=3280000"
OLDEST=3310100
NEWEST=3520000

out=$BUILD/matrix
TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout -k 10 600"
mkdir -p "$out" "$CACHE" || exit 1
# One run at a time per build directory (and per cache): a second run in the
# same tree waits instead of overwriting the first one's binaries and logs.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$out/.lock" && flock 9
  exec 8>"$CACHE/.lock" && flock 8
fi
nTotalPass=0
nTotalFail=0

fail() { echo "not ok - $1: $2"; nTotalFail=$((nTotalFail + 1)); }
pass() { echo "ok - $1"; nTotalPass=$((nTotalPass + 1)); }

# dotted 3310100 -> 3.31.1
dotted() {
  echo "$1" | sed 's/^\([0-9]\)\([0-9][0-9]\)\([0-9][0-9]\)[0-9][0-9]$/\1.\2.\3/' |
    sed 's/\.0\([0-9]\)/.\1/g'
}

# fetch NPMVER NUM: leaves $CACHE/sqlite-NUM/{sqlite3.c,sqlite3.h,
# sqlite3ext.h,shell.c}. Returns non-zero when it cannot.
fetch() {
  dir=$CACHE/sqlite-$2
  [ -f "$dir/sqlite3.c" ] && [ -f "$dir/shell.c" ] && return 0
  tmp=$(mktemp -d "$CACHE/fetch.XXXXXX") || return 1
  ( cd "$tmp" &&
    npm pack --silent "sqlite3@$1" >/dev/null 2>npm.err &&
    tar xzf "sqlite3-$1.tgz" &&
    tar xzf "package/deps/sqlite-autoconf-$2.tar.gz" &&
    mkdir -p src &&
    cp "sqlite-autoconf-$2/sqlite3.c" "sqlite-autoconf-$2/sqlite3.h" \
       "sqlite-autoconf-$2/sqlite3ext.h" "sqlite-autoconf-$2/shell.c" src/ ) ||
    { cat "$tmp/npm.err" 2>/dev/null; rm -rf "$tmp"; return 1; }
  rm -rf "$dir" && mv "$tmp/src" "$dir"
  rm -rf "$tmp"
}

# sqliteobj NUM NAME EXTRA: compiles $CACHE/sqlite-NUM/NAME.o from sqlite3.c
# with SQLITE_OPTS and EXTRA, unless it is there from the same options.
sqliteobj() {
  dir=$CACHE/sqlite-$1
  key="$CC $SQLITE_OPTS $3"
  if [ -f "$dir/$2.o" ] && [ "$(cat "$dir/$2.key" 2>/dev/null)" = "$key" ]; then
    return 0
  fi
  $CC $SQLITE_OPTS $3 -c "$dir/sqlite3.c" -o "$dir/$2.o.tmp" || return 1
  mv "$dir/$2.o.tmp" "$dir/$2.o" && echo "$key" >"$dir/$2.key"
}

# shellbin NUM: $CACHE/sqlite-NUM/sqlite3, that version's shell.
shellbin() {
  dir=$CACHE/sqlite-$1
  key="$CC $SQLITE_OPTS"
  if [ -x "$dir/sqlite3" ] && [ "$(cat "$dir/shell.key" 2>/dev/null)" = "$key" ]; then
    return 0
  fi
  $CC $SQLITE_OPTS -I"$dir" -o "$dir/sqlite3.tmp" "$dir/shell.c" \
      "$dir/sqlite3.o" $LIBS || return 1
  mv "$dir/sqlite3.tmp" "$dir/sqlite3" && echo "$key" >"$dir/shell.key"
}

# suite ROW RUNNER [--lib LIB]: runs each tests/*.test through RUNNER (one
# process per file, as tests/run.sh does) and tallies the ok / not ok lines;
# a file whose runner exits with a status other than 0 and reports no
# failure (a crash, a timeout, a usage error) counts as one failure.
suite() {
  row=$1; shift
  log=$out/$row.log
  : >"$log"
  p=0; f=0
  for t in tests/*.test; do
    $TIMEOUT "$@" "$t" >"$out/one.log" 2>&1 </dev/null
    rc=$?
    cat "$out/one.log" >>"$log"
    p=$((p + $(grep -c '^ok - ' "$out/one.log")))
    nf=$(grep -c '^not ok - ' "$out/one.log")
    if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
      echo "not ok - $t: runner exited with status $rc" >>"$log"
      tail -n 5 "$out/one.log" | sed 's/^/# /' >>"$log"
      nf=1
    fi
    f=$((f + nf))
  done
  awk '/^not ok - /{k=1; print; next} /^#/{if(k) print; next} {k=0}' "$log" |
    head -n 200 | sed "s/^/$row: /"
  echo "$row: $p passed, $f failed"
  nTotalPass=$((nTotalPass + p))
  nTotalFail=$((nTotalFail + f))
}

want() {  # want ROW: is ROW selected by $MATRIX?
  [ -z "${MATRIX:-}" ] && return 0
  case " $MATRIX " in *" $1 "*) return 0 ;; esac
  return 1
}

# ------------------------------------------------------------ the sources
for pv in $PACKAGES; do
  num=${pv#*=}
  if fetch "${pv%=*}" "$num" && sqliteobj "$num" sqlite3 "" && shellbin "$num"
  then :
  else fail "sqlite $(dotted "$num")" "cannot fetch or compile (npm pack sqlite3@${pv%=*})"
  fi
done
for pv in $TOO_OLD; do
  num=${pv#*=}
  if want "$(dotted "$num")-refused"; then
    fetch "${pv%=*}" "$num" && sqliteobj "$num" sqlite3 "" && shellbin "$num" ||
      fail "sqlite $(dotted "$num")" "cannot fetch or compile (npm pack sqlite3@${pv%=*})"
  fi
done
[ -f "$CACHE/sqlite-$NEWEST/sqlite3.c" ] &&
  { sqliteobj $NEWEST sqlite3-noload "-DSQLITE_OMIT_LOAD_EXTENSION" ||
    fail "sqlite $(dotted $NEWEST) noload" "cannot compile"; }

# ------------------------------------------------------ what is under test
# One loadable library for every version, built against the oldest header.
# -Werror=implicit-function-declaration: an API newer than 3.31 is not
# declared there, so using one stops the build instead of failing at load.
old=$CACHE/sqlite-$OLDEST
lib=$out/libsqlmig.so
if [ -f "$old/sqlite3ext.h" ] &&
   $CC $CFLAGS $WARN -Werror=implicit-function-declaration -fPIC \
       -fvisibility=hidden -I"$old" -Iext -shared -o "$lib" ext/*.c; then
  pass "libsqlmig.so builds against the SQLite $(dotted $OLDEST) headers"
  undef=$(nm -u "$lib" | awk '$2 ~ /^sqlite3_/ {print $2}' | tr '\n' ' ')
  if [ -z "$undef" ]; then
    pass "libsqlmig.so calls SQLite only through sqlite3_api"
  else
    fail "libsqlmig.so calls SQLite only through sqlite3_api" "imports $undef"
  fi
else
  fail "libsqlmig.so builds against the SQLite $(dotted $OLDEST) headers" "compile failed"
  lib=""
fi

sh amalgamation/mkamal.sh "$out" ||
  fail "amalgamation" "mkamal.sh failed"

# runner NAME INCDIR OBJS...: links tests/runner.c for the loadable rows.
runner() {
  name=$1; inc=$2; shift 2
  $CC $CFLAGS -I"$inc" -o "$out/$name" tests/runner.c "$@" $LIBS
}

# srunner NAME INCDIR DEFS OBJS...: links tests/runner.c -DSQLMIG_STATIC
# with the amalgamation compiled -DSQLITE_CORE; a separate check line says
# whether that compile was warning-free against this version's sqlite3.h.
srunner() {
  name=$1; inc=$2; defs=$3; shift 3
  check="amalgamation compiles warning-free with -DSQLITE_CORE${defs:+ $defs} against SQLite $v"
  if $CC $CFLAGS $WARN -DSQLITE_CORE $defs -I"$inc" -c "$out/sqlmig.c" \
      -o "$out/$name-sqlmig.o" 2>"$out/$name.warn"; then
    if [ -s "$out/$name.warn" ]; then
      fail "$check" "$(grep -c 'warning:' "$out/$name.warn") warnings, first: $(grep -m1 'warning:' "$out/$name.warn")"
    else
      pass "$check"
    fi
  else
    cat "$out/$name.warn"
    return 1
  fi
  $CC $CFLAGS -DSQLMIG_STATIC $defs -I"$inc" -o "$out/$name" tests/runner.c \
      "$out/$name-sqlmig.o" "$@" $LIBS
}

# loads VERSION SHELL LIB: the shell `.load`s LIB and sqlmig_version()
# answers what ext/sqlmig.h says.
loads() {
  case $3 in */*) path=${3%.so} ;; *) path=./${3%.so} ;; esac  # not a search
  got=$("$2" :memory: ".load $path" "SELECT sqlmig_version();" 2>&1)
  if [ "$got" = "$VERSION" ]
  then pass "$1 shell: .load $path"
  else fail "$1 shell: .load $path" "got: $got"
  fi
}
VERSION=$(sed -n 's/^#define SQLMIG_VERSION  *"\(.*\)".*/\1/p' ext/sqlmig.h)

# ------------------------------------------------------------------ rows
for pv in $PACKAGES; do
  num=${pv#*=}
  dir=$CACHE/sqlite-$num
  v=$(dotted "$num")
  [ -f "$dir/sqlite3.o" ] || continue
  if want "$v-so" && [ -n "$lib" ]; then
    if runner "runner-$num" "$dir" "$dir/sqlite3.o"; then
      suite "$v-so" "$out/runner-$num" --lib "$lib"
    else
      fail "$v-so" "cannot build the runner"
    fi
    # the version's own shell loads the same library, and the one `make`
    # built against the system headers
    loads "$v" "$dir/sqlite3" "$lib"
    [ -f libsqlmig.so ] && loads "$v" "$dir/sqlite3" libsqlmig.so
  fi
  if want "$v-static"; then
    if srunner "runner-static-$num" "$dir" "" "$dir/sqlite3.o"; then
      suite "$v-static" "$out/runner-static-$num"
    else
      fail "$v-static" "cannot build the static runner"
    fi
  fi
done

# The newest SQLite without the load-extension API at all.
dir=$CACHE/sqlite-$NEWEST
v=$(dotted $NEWEST)
if want "$v-static-noload" && [ -f "$dir/sqlite3-noload.o" ]; then
  if srunner "runner-noload" "$dir" "-DSQLITE_OMIT_LOAD_EXTENSION" \
       "$dir/sqlite3-noload.o"; then
    suite "$v-static-noload" "$out/runner-noload"
  else
    fail "$v-static-noload" "cannot build the static runner"
  fi
fi

# A SQLite older than the minimum: the same .so refuses, saying why.
for pv in $TOO_OLD; do
  num=${pv#*=}
  v=$(dotted "$num")
  dir=$CACHE/sqlite-$num
  if want "$v-refused" && [ -n "$lib" ] && [ -x "$dir/sqlite3" ]; then
    got=$("$dir/sqlite3" :memory: ".load ${lib%.so}" 2>&1)
    want_msg="sqlmig: needs SQLite 3.31.0 or newer, this is $v"
    case $got in
      *"$want_msg"*) pass "$v shell: .load refuses: $want_msg" ;;
      *) fail "$v shell: .load refuses: $want_msg" "got: $got" ;;
    esac
  fi
done

# The system SQLite: the same .so, and sqlmig compiled in against the
# system's shared library (what an app using the platform SQLite does).
sysv=$(sqlite3 --version 2>/dev/null | cut -d' ' -f1)
[ -n "$sysv" ] || sysv=system
if want "$sysv-so" && [ -n "$lib" ]; then
  if $CC $CFLAGS -o "$out/runner-system" tests/runner.c -lsqlite3 $LIBS; then
    suite "$sysv-so" "$out/runner-system" --lib "$lib"
  else
    fail "$sysv-so" "cannot build the runner"
  fi
  loads "$sysv" sqlite3 "$lib"
fi
if want "$sysv-core"; then
  if $CC $CFLAGS -DSQLITE_CORE -c "$out/sqlmig.c" -o "$out/system-sqlmig.o" &&
     $CC $CFLAGS -DSQLMIG_STATIC -o "$out/runner-system-core" tests/runner.c \
         "$out/system-sqlmig.o" -lsqlite3 $LIBS; then
    suite "$sysv-core" "$out/runner-system-core"
  else
    fail "$sysv-core" "cannot build the runner"
  fi
fi

# Apps that only migrate: the loadable library (against the oldest headers)
# and the amalgamation compiled in (newest SQLite), both -DSQLMIG_OMIT_DIFF;
# the scenario files of what is left out stop at their `.needs` line.
if want "$sysv-so-omitdiff" && [ -f "$old/sqlite3ext.h" ]; then
  mkdir -p "$out/omitdiff"
  if $CC $CFLAGS $WARN -DSQLMIG_OMIT_DIFF -Werror=implicit-function-declaration \
       -fPIC -fvisibility=hidden -I"$old" -Iext -shared \
       -o "$out/omitdiff/libsqlmig.so" ext/*.c &&
     $CC $CFLAGS -o "$out/runner-system" tests/runner.c -lsqlite3 $LIBS; then
    suite "$sysv-so-omitdiff" "$out/runner-system" --lib "$out/omitdiff/libsqlmig.so"
  else
    fail "$sysv-so-omitdiff" "cannot build the library or the runner"
  fi
fi
dir=$CACHE/sqlite-$NEWEST
v=$(dotted $NEWEST)
if want "$v-static-omitdiff" && [ -f "$dir/sqlite3.o" ]; then
  if srunner "runner-static-omitdiff" "$dir" "-DSQLMIG_OMIT_DIFF" "$dir/sqlite3.o"; then
    suite "$v-static-omitdiff" "$out/runner-static-omitdiff"
  else
    fail "$v-static-omitdiff" "cannot build the static runner"
  fi
fi

echo "$nTotalPass passed, $nTotalFail failed"
[ "$nTotalFail" -eq 0 ]
