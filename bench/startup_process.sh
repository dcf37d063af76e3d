#!/bin/sh
# bench/startup_process.sh: the start-up idiom over 1000 known revisions as
# a whole `sqlite3` process against the same shell's INSERT OR IGNORE into
# an ordinary table (bench/startup_process.py). Run by bench/run.sh with
# LIB, REPS and BENCH_TMP set; standalone:
#   LIB=$PWD/libsqlmig.so BENCH_TMP=/tmp/x sh bench/startup_process.sh
command -v sqlite3 >/dev/null 2>&1 || {
  echo "INFO|startup, whole process: skipped, no sqlite3 shell (apt-get install sqlite3)"
  exit 0
}
exec /usr/bin/python3 "$(dirname "$0")/startup_process.py"
