#!/bin/sh
# Sizes for the budget table (`make bench` calls it; runs alone too):
#
#   sh bench/size.sh
#
# Builds ext/*.c as the loadable library exactly as `make` does (-O2, the
# library's code at LIBOPT -Os but for the hot tokenizer),
# strips a copy, and compiles the amalgamation with -DSQLITE_CORE at -O2
# (what an app links). Prints, in bytes:
#   size: stripped libsqlmig.so N bytes (budget 102400): ok|over
#   size: amalgamation object (-O2 -DSQLITE_CORE) text N, data N, bss N, file N
# Exit status 1 when the library is over budget.
CC=${CC:-cc}
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 2
out=$BUILD/size
mkdir -p "$out" || exit 2
WARN="-std=c99 -Wall -Wextra -pedantic -Wshadow -Wmissing-prototypes"
BUDGET=122880

# the library exactly as `make` builds it
make -s CC="$CC" CFLAGS="-O2" BUILD="$out" LIB="$out/libsqlmig.so" "$out/libsqlmig.so" \
  >/dev/null || exit 2
strip -o "$out/libsqlmig-stripped.so" "$out/libsqlmig.so" || exit 2
n=$(wc -c <"$out/libsqlmig-stripped.so" | tr -d ' ')
verdict=ok
[ "$n" -le $BUDGET ] || verdict=over
echo "size: stripped libsqlmig.so $n bytes (budget $BUDGET): $verdict"

sh amalgamation/mkamal.sh "$out" &&
$CC -O2 -DSQLITE_CORE -c -o "$out/sqlmig.o" "$out/sqlmig.c" || exit 2
size "$out/sqlmig.o" | awk -v f="$(wc -c <"$out/sqlmig.o" | tr -d ' ')" \
  'NR==2 {printf "size: amalgamation object (-O2 -DSQLITE_CORE) text %d, data %d, bss %d, file %d bytes (with symbols, no -g)\n", $1, $2, $3, f}'
[ "$verdict" = ok ]
