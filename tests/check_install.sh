#!/bin/sh
# `make install` honours PREFIX and DESTDIR: it puts the library and the
# public header under DESTDIR/PREFIX/{lib,include} and nowhere else, and the
# installed library loads in the sqlite3 shell.
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
want="./opt/sqlmig/include/sqlmig.h ./opt/sqlmig/lib/libsqlmig.$soext "
if [ "$got" = "$want" ]; then
  echo "ok - make install puts exactly the library and sqlmig.h under DESTDIR/PREFIX"
else
  echo "not ok - make install puts exactly the library and sqlmig.h under DESTDIR/PREFIX: got $got"
  failed=1
fi
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
