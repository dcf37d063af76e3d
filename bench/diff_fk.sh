#!/bin/sh
# bench/diff_fk.sh: see bench/diff_bench.py (fk): migrate() with foreign keys
# on against off, beside and on a big parent and child. Run by bench/run.sh
# with LIB, REPS and BENCH_TMP set; standalone:
#   LIB=$PWD/libsqlmig.so sh bench/diff_fk.sh
exec /usr/bin/python3 "$(dirname "$0")/diff_bench.py" fk
