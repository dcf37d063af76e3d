#!/bin/sh
# Only sqlite3_sqlmig_init leaves sqlmig: every other name is static in the
# amalgamation or hidden in the shared library, so an app that links sqlmig
# next to other code meets no clash.
#
#   LIB=./libsqlmig.so BUILD=build sh tests/check_symbols.sh
#
# Checks with nm: the symbols LIB exports; that LIB calls SQLite only
# through the sqlite3_api table (imports no sqlite3_* symbol, so one binary
# loads into any SQLite); the global symbols of the amalgamation compiled
# with -DSQLITE_CORE (the static-link entry) and of the amalgamation built
# as a loadable library without -fvisibility. Prints ok / not ok lines.

LIB=${LIB:-./libsqlmig.so}
BUILD=${BUILD:-build}
CC=${CC:-cc}
cd "$(dirname "$0")/.." || exit 2
out=$BUILD/check_symbols
mkdir -p "$out" || exit 2
failed=0
name=$(basename "$LIB")

# expect NAME GOT: GOT (names, one per line) must be sqlite3_sqlmig_init alone
expect() {
  got=$(printf '%s\n' "$2" | sed '/^$/d' | sort -u | tr '\n' ' ')
  if [ "$got" = "sqlite3_sqlmig_init " ]; then
    echo "ok - $1"
  else
    echo "not ok - $1: got ${got:-nothing}"
    failed=1
  fi
}

if [ -f "$LIB" ]; then
  expect "$name exports only sqlite3_sqlmig_init" \
    "$(nm -D --defined-only "$LIB" | awk 'NF==3 {print $3}')"
  imports=$(nm -D -u "$LIB" | awk '$NF ~ /^sqlite3_/ {print $NF}' | tr '\n' ' ')
  if [ -z "$imports" ]; then
    echo "ok - $name calls SQLite only through sqlite3_api"
  else
    echo "not ok - $name calls SQLite only through sqlite3_api: imports $imports"
    failed=1
  fi
else
  echo "not ok - $name exports only sqlite3_sqlmig_init: no such file"
  failed=1
fi

if sh amalgamation/mkamal.sh "$out"; then
  if $CC -O2 -DSQLITE_CORE -c -o "$out/sqlmig-core.o" "$out/sqlmig.c" 2>"$out/err"
  then
    # defined global symbols of any kind (text, data, bss, read-only)
    expect "amalgamation -DSQLITE_CORE object defines only sqlite3_sqlmig_init" \
      "$(nm -g --defined-only "$out/sqlmig-core.o" | awk 'NF==3 {print $3}')"
    kind=$(nm -g --defined-only "$out/sqlmig-core.o" |
           awk '$3=="sqlite3_sqlmig_init" {print $2}')
    if [ "$kind" = T ]; then
      echo "ok - amalgamation: sqlite3_sqlmig_init is a global text symbol"
    else
      echo "not ok - amalgamation: sqlite3_sqlmig_init is a global text symbol: nm says '${kind:-missing}'"
      failed=1
    fi
  else
    echo "not ok - amalgamation -DSQLITE_CORE object defines only sqlite3_sqlmig_init: does not compile"
    sed 's/^/#   /' "$out/err" | head -n 20
    failed=1
  fi
  if $CC -O2 -shared -fPIC -o "$out/libsqlmig.so" "$out/sqlmig.c" 2>"$out/err"
  then
    expect "amalgamation as a loadable library exports only sqlite3_sqlmig_init" \
      "$(nm -D --defined-only "$out/libsqlmig.so" | awk 'NF==3 {print $3}')"
  else
    echo "not ok - amalgamation as a loadable library exports only sqlite3_sqlmig_init: does not compile"
    sed 's/^/#   /' "$out/err" | head -n 20
    failed=1
  fi
else
  echo "not ok - amalgamation: mkamal.sh failed"
  failed=1
fi
exit $failed
