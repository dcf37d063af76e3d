#!/bin/sh
# bench/diff_vs_sqldiff.sh: schema diff of two 1000-table databases, sqlmig
# against `sqldiff --schema` (Debian: apt-get install sqlite3-tools), and a
# markdown table of what each produces on the same schema pairs (see
# bench/diff_bench.py). Run by bench/run.sh with LIB, REPS and BENCH_TMP
# set; standalone: LIB=$PWD/libsqlmig.so sh bench/diff_vs_sqldiff.sh
dir=$(dirname "$0")
/usr/bin/python3 "$dir/diff_bench.py" schema || exit 1
exec /usr/bin/python3 "$dir/diff_bench.py" compare
