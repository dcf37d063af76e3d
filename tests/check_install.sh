#!/bin/sh
# `make install` honours PREFIX and DESTDIR: it puts the library and the
# public header under DESTDIR/PREFIX/{lib,include} and the sqlmig command
# under DESTDIR/PREFIX/bin and nowhere else, the installed library loads in
# the sqlite3 shell and the installed command runs.
#
#   sh tests/check_install.sh        (from tests/run.sh, plain builds only)
cd "$(dirname "$0")/.." || exit 2
MAKE=${MAKE:-make}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-install.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0

if $MAKE -s install DESTDIR="$tmp/root" PREFIX=/opt/sqlmig >"$tmp/log" 2>&1; then
  echo "ok - make install DESTDIR=... PREFIX=/opt/sqlmig runs"
else
  echo "not ok - make install DESTDIR=... PREFIX=/opt/sqlmig runs: failed"
  sed 's/^/#   /' "$tmp/log" | head -n 20
  exit 1
fi
got=$(cd "$tmp/root" && find . -type f | sort | tr '\n' ' ')
soext=so
[ "$(uname -s)" = Darwin ] && soext=dylib
want="./opt/sqlmig/bin/sqlmig ./opt/sqlmig/include/sqlmig.h ./opt/sqlmig/lib/libsqlmig.$soext "
if [ "$got" = "$want" ]; then
  echo "ok - make install puts exactly the library, sqlmig.h and the sqlmig command under DESTDIR/PREFIX"
else
  echo "not ok - make install puts exactly the library, sqlmig.h and the sqlmig command under DESTDIR/PREFIX: got $got"
  failed=1
fi
v=$("$tmp/root/opt/sqlmig/bin/sqlmig" --version 2>&1)
case $v in
  "sqlmig $(sed -n 's/^#define SQLMIG_VERSION  *"\(.*\)".*/\1/p' ext/sqlmig.h) (SQLite "*)
    echo "ok - the installed sqlmig command runs" ;;
  *) echo "not ok - the installed sqlmig command runs: $v"; failed=1 ;;
esac
if command -v sqlite3 >/dev/null 2>&1; then
  v=$(sqlite3 :memory: ".load $tmp/root/opt/sqlmig/lib/libsqlmig" \
      "SELECT sqlmig_version();" 2>&1)
  if [ "$v" = "$(sed -n 's/^#define SQLMIG_VERSION  *"\(.*\)".*/\1/p' ext/sqlmig.h)" ]; then
    echo "ok - the installed library loads in the sqlite3 shell"
  else
    echo "not ok - the installed library loads in the sqlite3 shell: $v"
    failed=1
  fi
fi
exit $failed
