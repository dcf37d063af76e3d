#!/bin/sh
# bench/cli_fleet.sh: `sqlmig up -j 2` of 1,000 tenant databases of 50
# revisions each against the same migrations run in-process one file after
# the other (divided by the 2 jobs; budget 1.1x), a shell loop of
# `sqlite3 app.db ".load ./libsqlmig" ...` per file, and `dbmate up` per
# file when dbmate is installed (see bench/cli_fleet.py). Run by
# bench/run.sh with LIB, SQLMIG, REPS and BENCH_TMP set; standalone:
#   LIB=$PWD/libsqlmig.so SQLMIG=$PWD/sqlmig sh bench/cli_fleet.sh
exec /usr/bin/python3 "$(dirname "$0")/cli_fleet.py"
