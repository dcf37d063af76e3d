#!/bin/sh
# bench/diff_data.sh: migrate_data_diff of two 1,000,000-row tables that
# differ in 1% of their rows against `sqldiff` of the same files (Debian:
# apt-get install sqlite3-tools), whole process, and how many rows each
# tool's script leaves different after applying it (see
# bench/diff_bench.py). Run by bench/run.sh with LIB, REPS and BENCH_TMP
# set; standalone: LIB=$PWD/libsqlmig.so sh bench/diff_data.sh
exec /usr/bin/python3 "$(dirname "$0")/diff_bench.py" data
