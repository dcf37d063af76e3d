# tests/clilib.sh: helpers the tests of the sqlmig command source
# (tests/cli_*.sh). Not a test itself.
#
# Environment: SQLMIG (the command, default build/sqlmig), SQLMIG_PREFIX (a
# command prefix such as valgrind's). Each test works in a fresh temporary
# folder $w (removed at exit) and prints `ok - ` / `not ok - ` lines.

cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
case ${SQLMIG:-build/sqlmig} in
  /*) SQLMIG=${SQLMIG} ;;
  *) SQLMIG=$ROOT/${SQLMIG:-build/sqlmig} ;;
esac
SQLMIG_PREFIX=${SQLMIG_PREFIX:-}
if [ ! -x "$SQLMIG" ]; then
  echo "not ok - $SQLMIG is built (make $SQLMIG)"
  exit 1
fi
w=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-cli.XXXXXX") || exit 2
trap 'rm -rf "$w"' EXIT
: >"$w/allerr"
nfail=0

pass() { echo "ok - $1"; }
# fail NAME [DETAIL...]: a failed check with '#' lines explaining it
fail() {
  echo "not ok - $1"
  shift
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
  nfail=$((nfail + 1))
}

# sq ARGS...: runs sqlmig from the current folder; sets rc, $w/out, $w/err
sq() {
  # shellcheck disable=SC2086  # $SQLMIG_PREFIX is a command prefix
  $SQLMIG_PREFIX "$SQLMIG" "$@" >"$w/out" 2>"$w/err"
  rc=$?
  cat "$w/err" >>"$w/allerr"
}

# expect_rc NAME WANT: the last sq exited with WANT
expect_rc() {
  if [ "$rc" = "$2" ]; then pass "$1"
  else fail "$1: exit status $rc, expected $2" "stdout: $(head -n 5 "$w/out")" \
            "stderr: $(head -n 5 "$w/err")"
  fi
}

# same NAME WANT FILE: FILE's text (timestamps as TIME) is exactly WANT
same() {
  got=$(sed 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]/TIME/g' "$3")
  if [ "$got" = "$2" ]; then pass "$1"
  else fail "$1: output differs" "expected:" "$2" "got:" "$got"
  fi
}

# expect NAME RC STDOUT [STDERR]: exit status and exact output of the last sq
expect() {
  ok=1
  [ "$rc" = "$2" ] || ok=0
  got=$(sed 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]/TIME/g' "$w/out")
  [ "$got" = "$3" ] || ok=0
  goterr=$(cat "$w/err")
  [ "$goterr" = "${4:-}" ] || ok=0
  if [ $ok = 1 ]; then pass "$1"
  else fail "$1" "exit status $rc, expected $2" "expected stdout:" "$3" "got stdout:" "$got" \
            "expected stderr:" "${4:-}" "got stderr:" "$goterr"
  fi
}

# has NAME FILE TEXT: FILE contains the line fragment TEXT
has() {
  if grep -qF -- "$3" "$2"; then pass "$1"
  else fail "$1: no \"$3\"" "got: $(head -n 8 "$2")"
  fi
}

# finish: a sanitizer report anywhere is a failure; exit status
finish() {
  if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$w/allerr"; then
    fail "sqlmig ran clean under the sanitizers" "$(grep -m 5 'Sanitizer\|runtime error' "$w/allerr")"
  fi
  [ "$nfail" -eq 0 ]
  exit $?
}
