#!/bin/sh
# Sizes for the budget table (`make bench` calls it; runs alone too):
#
#   sh bench/size.sh
#
# Builds ext/*.c as the loadable library exactly as `make` does (-O2, the
# library's code at LIBOPT -Oz but for the hot tokenizer and checksum,
# which the -DSQLMIG_OMIT_DIFF build compiles at -Oz too),
# strips a copy, and compiles the amalgamation with -DSQLITE_CORE at -O2
# (what an app links). Prints, in bytes:
#   size: stripped libsqlmig.so N bytes (budget 147456): ok|over
#   size: stripped libsqlmig.so -DSQLMIG_OMIT_DIFF N bytes (budget 76800): ok|over
#   size: amalgamation object (-O2 -DSQLITE_CORE) text N, data N, bss N, file N
# (the second: the build for apps that only migrate, without the diff, copy,
# data diff, check and drift code). Exit status 1 when either library is
# over its budget.
CC=${CC:-cc}
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 2
out=$BUILD/size
mkdir -p "$out" || exit 2
WARN="-std=c99 -Wall -Wextra -pedantic -Wshadow -Wmissing-prototypes"
BUDGET=147456        # 144 KiB
BUDGET_OMIT=76800    # 75 KiB, with -DSQLMIG_OMIT_DIFF

# the library exactly as `make` builds it
make -s CC="$CC" CFLAGS="-O2" BUILD="$out" LIB="$out/libsqlmig.so" "$out/libsqlmig.so" \
  >/dev/null || exit 2
strip -o "$out/libsqlmig-stripped.so" "$out/libsqlmig.so" || exit 2
n=$(wc -c <"$out/libsqlmig-stripped.so" | tr -d ' ')
verdict=ok
[ "$n" -le $BUDGET ] || verdict=over
echo "size: stripped libsqlmig.so $n bytes (budget $BUDGET): $verdict"

# the same without the diff (its own build directory: other objects)
make -s CC="$CC" CFLAGS="-O2 -DSQLMIG_OMIT_DIFF" BUILD="$out/omitdiff" \
  LIB="$out/omitdiff/libsqlmig.so" "$out/omitdiff/libsqlmig.so" >/dev/null ||
  exit 2
strip -o "$out/libsqlmig-omitdiff-stripped.so" "$out/omitdiff/libsqlmig.so" ||
  exit 2
n=$(wc -c <"$out/libsqlmig-omitdiff-stripped.so" | tr -d ' ')
verdict_omit=ok
[ "$n" -le $BUDGET_OMIT ] || verdict_omit=over
echo "size: stripped libsqlmig.so -DSQLMIG_OMIT_DIFF $n bytes (budget $BUDGET_OMIT): $verdict_omit"

sh amalgamation/mkamal.sh "$out" &&
$CC -O2 -DSQLITE_CORE -c -o "$out/sqlmig.o" "$out/sqlmig.c" || exit 2
size "$out/sqlmig.o" | awk -v f="$(wc -c <"$out/sqlmig.o" | tr -d ' ')" \
  'NR==2 {printf "size: amalgamation object (-O2 -DSQLITE_CORE) text %d, data %d, bss %d, file %d bytes (with symbols, no -g)\n", $1, $2, $3, f}'
[ "$verdict" = ok ] && [ "$verdict_omit" = ok ]
