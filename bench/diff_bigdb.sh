#!/bin/sh
# bench/diff_bigdb.sh: big databases (BIGDB_MB, default 1024: 1 GB each):
# migrate_check vs its scripts run directly, migrate_copy vs INSERT ...
# SELECT, migrate_data_diff vs sqldiff, each with both sides' peak RSS (see
# bench/bigdb.py). Run by bench/run.sh with LIB, REPS and BENCH_TMP set
# (and a timeout of BIGDB_TIMEOUT seconds, default 1800); standalone:
#   LIB=$PWD/libsqlmig.so BIGDB_MB=64 sh bench/diff_bigdb.sh
exec /usr/bin/python3 "$(dirname "$0")/bigdb.py"
