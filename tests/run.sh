#!/bin/sh
# tests/run.sh: runs sqlmig's whole test suite and tallies the results.
#
#   LIB=./libsqlmig.so RUNNER=build/runner BUILD=build sh tests/run.sh
#   (what `make test` does; `make valgrind` adds VALGRIND="valgrind ...")
#
# Environment: LIB (the extension), SQLMIG (the command, default
# $BUILD/sqlmig), RUNNER (tests/runner.c built), BUILD
# (where the build/ctest_* binaries are), VALGRIND (optional command prefix
# for the runner; VALGRIND_CTESTS=1 wraps the C tests too), ASAN=1 (the
# build uses sanitizers; also detected from LIB's symbols), TEST_TIMEOUT
# (seconds per program, default 600).
#
# Runs, from the repository root: every tests/*.test through the runner
# (one runner process per file), every $BUILD/ctest_* binary, the
# command's tests/cli_commands.sh and tests/cli_fleet.sh,
# tests/load.py (Debian's /usr/bin/python3) and tests/load.tcl (tclsh),
# and the demo (`sqlite3 -bail` on sql/demo.sql, compared with
# tests/demo.expected when that exists). The Python, Tcl and demo runs
# load LIB into a foreign process, so they are left out (not counted) under
# VALGRIND or sanitizers. So are tests/check_*.sh, among them the packages
# of `make dist` installed from their artifacts (check_python.sh,
# check_node.sh, check_go.sh).
#
# Every program prints `ok - ...` / `not ok - ...` lines; this script counts
# them. A program also counts one failure when it exits non-zero without a
# `not ok` line, when it is killed or times out, or when valgrind or a
# sanitizer reports an error. Failed checks are echoed with the `#` lines
# that follow them, plus a summary per program. A binding whose optional
# package is missing (python3, tcl, libsqlite3-tcl, golang-go, python3-venv,
# python3-setuptools, python3-wheel, python3-sqlalchemy, nodejs, npm) is a
# `skip - ...` line
# naming the package, not a failure; so is a `skip - ...` line a program
# prints for a part it cannot run here (node:sqlite on Node 20, or a test
# that the library was built without: -DSQLMIG_OMIT_DIFF). The last line is exactly
# `N passed, M failed` (`, K skipped` after it when K>0); the exit status
# is non-zero when M>0.

LIB=${LIB:-./libsqlmig.so}
RUNNER=${RUNNER:-build/runner}
BUILD=${BUILD:-build}
VALGRIND=${VALGRIND:-}
TEST_TIMEOUT=${TEST_TIMEOUT:-600}

# Paths from the caller's directory; then work from the repository root.
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/${1#./}" ;; esac; }
LIB=$(abspath "$LIB")
RUNNER=$(abspath "$RUNNER")
BUILD=$(abspath "$BUILD")
SQLMIG=$(abspath "${SQLMIG:-$BUILD/sqlmig}")
cd "$(dirname "$0")/.." || exit 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
# programs make their own temporary files in here, so nothing is left behind
export TMPDIR="$tmp"
trap 'rm -rf "$tmp"; exit 130' HUP INT PIPE TERM

passed=0
failed=0
skipped=0

# skip NAME WHY: a program that cannot run here because an optional
# package is missing; WHY names the package to install.
skip() {
  echo "skip - $1: $2"
  skipped=$((skipped + 1))
}

sanitized=0
if [ "${ASAN:-0}" = 1 ] || { nm -D "$LIB" 2>/dev/null | grep -q '__asan\|__ubsan'; }; then
  sanitized=1
fi

if command -v timeout >/dev/null 2>&1; then
  TIMEOUT="timeout -k 10 $TEST_TIMEOUT"
else
  TIMEOUT=
fi

# run NAME COMMAND...: runs one test program and tallies its output.
run() {
  name=$1
  shift
  # shellcheck disable=SC2086  # $TIMEOUT is a command prefix
  $TIMEOUT "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  tally "$name" "$rc"
}

# tally NAME RC: counts $tmp/out of a program that exited with RC.
tally() {
  n_ok=$(grep -c '^ok - ' "$tmp/out")
  n_bad=$(grep -c '^not ok - ' "$tmp/out")
  # a program's own `skip - ...` lines: a part it cannot run here (a
  # toolchain's missing piece, or what -DSQLMIG_OMIT_DIFF leaves out)
  n_skip=$(grep -c '^skip - ' "$tmp/out")
  grep '^skip - ' "$tmp/out"
  skipped=$((skipped + n_skip))
  extra=
  if [ "$2" -eq 124 ] && [ -n "$TIMEOUT" ]; then
    extra="timed out after ${TEST_TIMEOUT}s"
  elif [ "$2" -gt 128 ]; then
    extra="killed by signal $(($2 - 128))"
  elif [ -n "$VALGRIND" ] && [ "$2" -eq 99 ]; then
    extra="valgrind reported errors"
  elif grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$tmp/err"; then
    extra="sanitizer reported errors"
  elif [ "$2" -ne 0 ] && [ "$n_bad" -eq 0 ]; then
    extra="exited with status $2"
  fi
  # the failed checks, each with the '#' lines that explain it
  awk '/^not ok - /{p=1; print; next} /^#/{if(p) print; next} {p=0}' "$tmp/out"
  if [ -n "$extra" ]; then
    n_bad=$((n_bad + 1))
    echo "not ok - $1: $extra"
  fi
  if [ -n "$extra" ] || { [ "$2" -ne 0 ] && [ -s "$tmp/err" ]; }; then
    tail -n 30 "$tmp/err" | sed 's/^/#   stderr: /'
  fi
  if [ "$n_ok" -eq 0 ] && [ "$n_bad" -eq 0 ] && [ "$n_skip" -eq 0 ]; then
    n_bad=1
    echo "not ok - $1: printed no results"
  fi
  passed=$((passed + n_ok))
  failed=$((failed + n_bad))
  if [ "$n_bad" -eq 0 ]; then
    echo "# $1: $n_ok passed"
  else
    echo "# $1: $n_ok passed, $n_bad FAILED"
  fi
}

# The scenario files.
for f in tests/*.test; do
  [ -e "$f" ] || continue
  # shellcheck disable=SC2086  # $VALGRIND is a command prefix
  run "$f" $VALGRIND "$RUNNER" --lib "$LIB" "$f"
done

# The C tests.
for t in "$BUILD"/ctest_*; do
  if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
  if [ "${VALGRIND_CTESTS:-0}" = 1 ]; then
    # shellcheck disable=SC2086
    run "${t#"$PWD"/}" $VALGRIND "$t"
  else
    run "${t#"$PWD"/}" "$t"
  fi
done

# fullrun NAME CMD...: run, or skip in a build without the diff
# (-DSQLMIG_OMIT_DIFF), for the programs that call migrate_diff or drift.
fullrun() {
  if sqlite3 :memory: ".load $LIB" \
       "SELECT 1 FROM pragma_function_list WHERE name='migrate_diff' LIMIT 1" \
       2>/dev/null | grep -q 1; then
    run "$@"
  else
    skip "$1" "it calls migrate_diff, not in this build (-DSQLMIG_OMIT_DIFF)"
  fi
}

# The sqlmig command (SQLMIG, default $BUILD/sqlmig; under $VALGRIND too).
for t in tests/cli_commands.sh tests/cli_fleet.sh; do
  fullrun "$t" env SQLMIG="$SQLMIG" SQLMIG_PREFIX="$VALGRIND" sh "$t"
done

# Loading from other bindings and the demo: only for a plain build.
if [ -z "$VALGRIND" ] && [ "$sanitized" = 0 ]; then
  if [ -x /usr/bin/python3 ]; then
    run tests/load.py /usr/bin/python3 tests/load.py "$LIB"
  else
    skip tests/load.py "Debian's /usr/bin/python3 is not installed (apt-get install python3)"
  fi
  if ! command -v tclsh >/dev/null 2>&1; then
    skip tests/load.tcl "tclsh is not installed (apt-get install tcl libsqlite3-tcl)"
  elif ! { echo 'package require sqlite3' >"$tmp/probe.tcl" &&
            tclsh "$tmp/probe.tcl" >/dev/null 2>&1; }; then
    skip tests/load.tcl "Tcl's sqlite3 package is not installed (apt-get install libsqlite3-tcl)"
  else
    run tests/load.tcl tclsh tests/load.tcl "$LIB"
  fi

  if [ ! -f sql/demo.sql ]; then
    echo "not ok - demo: sql/demo.sql missing" >"$tmp/out"
    : >"$tmp/err"
    tally demo 0
  else
    # shellcheck disable=SC2086
    $TIMEOUT sqlite3 -bail "$tmp/demo.db" <sql/demo.sql >"$tmp/demo.out" 2>"$tmp/err"
    rc=$?
    {
      if [ "$rc" -eq 0 ]; then
        echo "ok - demo: sql/demo.sql runs"
      else
        echo "not ok - demo: sql/demo.sql exited with status $rc"
        sed 's/^/#   /' "$tmp/err"
      fi
      if [ -f tests/demo.expected ]; then
        if cmp -s tests/demo.expected "$tmp/demo.out"; then
          echo "ok - demo: output matches tests/demo.expected"
        else
          echo "not ok - demo: output differs from tests/demo.expected"
          diff -u tests/demo.expected "$tmp/demo.out" | sed '1,2d; s/^/#   /'
        fi
      fi
    } >"$tmp/out"
    tally demo 0
  fi
fi

# Embedding: exported symbols, and the amalgamation compiled alone
# (tests/check_*.sh; once per plain build, not again under valgrind/ASan);
# the README's CI snippets (tests/cli_readme.sh: they load LIB into sqlite3).
if [ -z "$VALGRIND" ] && [ "$sanitized" = 0 ]; then
  run tests/check_symbols.sh env LIB="$LIB" BUILD="$BUILD" sh tests/check_symbols.sh
  run tests/check_amalgamation.sh env BUILD="$BUILD" sh tests/check_amalgamation.sh
  run tests/check_layers.sh env BUILD="$BUILD" sh tests/check_layers.sh
  run tests/check_install.sh sh tests/check_install.sh
  fullrun tests/check_plain.sh env LIB="$LIB" sh tests/check_plain.sh
  fullrun tests/check_hosted.sh env LIB="$LIB" sh tests/check_hosted.sh
  fullrun tests/cli_readme.sh env LIB="$LIB" SQLMIG="$SQLMIG" sh tests/cli_readme.sh
  if command -v go >/dev/null 2>&1 &&
     [ -f /usr/share/gocode/src/github.com/mattn/go-sqlite3/go.mod ]; then
    run tests/check_go.sh env LIB="$LIB" sh tests/check_go.sh
  else
    skip tests/check_go.sh "Go is not installed (apt-get install golang-go golang-github-mattn-go-sqlite3-dev)"
  fi
  # the packages of `make dist`, each installed from its artifact
  if [ ! -x /usr/bin/python3 ] ||
     ! /usr/bin/python3 -c 'import ensurepip, setuptools, wheel, sqlalchemy' >/dev/null 2>&1; then
    skip tests/check_python.sh "Debian's python3 with venv, setuptools, wheel and SQLAlchemy is not installed (apt-get install python3-venv python3-setuptools python3-wheel python3-sqlalchemy alembic)"
  else
    fullrun tests/check_python.sh env LIB="$LIB" sh tests/check_python.sh
  fi
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    fullrun tests/check_node.sh env LIB="$LIB" sh tests/check_node.sh
  else
    skip tests/check_node.sh "Node.js and npm are not installed (apt-get install nodejs npm)"
  fi
  if command -v go >/dev/null 2>&1 &&
     [ -d /usr/share/gocode/src/github.com/canonical/go-dqlite/app ] &&
     [ -f /usr/include/dqlite.h ]; then
    run tests/check_dqlite.sh env LIB="$LIB" sh tests/check_dqlite.sh
  else
    skip tests/check_dqlite.sh "dqlite is not installed (apt-get install golang-go golang-github-canonical-go-dqlite-dev libdqlite-dev)"
  fi
fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
