#!/bin/sh
# bench/diff_rebuild.sh: see bench/diff_bench.py (rebuild). Run by bench/run.sh with
# LIB, REPS and BENCH_TMP set; standalone: LIB=$PWD/libsqlmig.so sh bench/diff_rebuild.sh
exec /usr/bin/python3 "$(dirname "$0")/diff_bench.py" rebuild
