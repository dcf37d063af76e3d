#!/bin/sh
# The Python package, installed as a user would.
#
#   LIB=./libsqlmig.so sh tests/check_python.sh
#
# Builds the wheel with ext/dist.sh (what `make dist` writes to dist/) into
# a scratch directory, installs it with `pip install --no-index` into a new
# `/usr/bin/python3 -m venv --system-site-packages` (Debian's SQLAlchemy,
# Alembic and apsw come from the system), and runs tests/pkg/check_python.py
# there: the loader, the SQLAlchemy bridge, `python -m sqlmig` and the
# Alembic filter and conversion. Then, when the `python3` first on PATH is
# a Python whose sqlite3 cannot load extensions (pyenv's here), imports the
# installed package with it and checks that sqlmig.load fails saying so.
# Prints ok / not ok lines (tests/run.sh skips it, naming the packages,
# when Debian's python3-venv, python3-setuptools, python3-wheel or
# python3-sqlalchemy is missing).

LIB=${LIB:-./libsqlmig.so}
cd "$(dirname "$0")/.." || exit 2
root=$PWD
case $LIB in /*) ;; *) LIB=$PWD/${LIB#./} ;; esac
version=$(sed -n 's/^#define SQLMIG_VERSION  *"\([^"]*\)".*/\1/p' ext/sqlmig.h)
out=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-py.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
if LIB=$LIB DIST="$out/dist" BUILD="$out" sh ext/dist.sh python >"$out/dist.log" 2>&1 &&
   [ -f "$out/dist/sqlmig-$version-py3-none-$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_platform().replace("-", "_").replace(".", "_"))').whl" ]; then
  echo "ok - python package: ext/dist.sh python builds dist/sqlmig-$version-py3-none-<platform>.whl"
else
  echo "not ok - python package: ext/dist.sh python builds dist/sqlmig-$version-py3-none-<platform>.whl"
  ls "$out/dist" 2>&1 | sed 's/^/#   /'
  sed 's/^/#   /' "$out/dist.log" | head -n 20
  exit 1
fi
if /usr/bin/python3 -m venv --system-site-packages "$out/venv" >"$out/venv.log" 2>&1 &&
   "$out/venv/bin/python" -m pip install -q --no-index "$out"/dist/sqlmig-*.whl >>"$out/venv.log" 2>&1; then
  echo "ok - python package: pip install --no-index of the wheel into a new venv"
else
  echo "not ok - python package: pip install --no-index of the wheel into a new venv"
  sed 's/^/#   /' "$out/venv.log" | head -n 20
  exit 1
fi
# run from elsewhere, so that nothing can come from the source tree
(cd "$out" && "$out/venv/bin/python" "$root/tests/pkg/check_python.py" "$version")
status=$?

other=$(command -v python3)
if [ -n "$other" ] && [ "$other" != /usr/bin/python3 ] &&
   "$other" -c 'import sqlite3, sys; sys.exit(hasattr(sqlite3.Connection, "enable_load_extension"))' 2>/dev/null; then
  site=$("$out/venv/bin/python" -c 'import sqlmig, os; print(os.path.dirname(os.path.dirname(sqlmig.__file__)))')
  got=$(cd "$out" && PYTHONPATH=$site "$other" -c '
import sqlite3, sqlmig
try:
    sqlmig.load(sqlite3.connect(":memory:"))
except sqlmig.LoadError as exc:
    print(exc)' 2>&1)
  case $got in
    "sqlmig.load: this Python's sqlite3 module was built without extension loading (sqlite3.Connection has no enable_load_extension): use a Python whose sqlite3 can load extensions, such as the distribution's /usr/bin/python3, or connect with apsw"*"pysqlite3"*)
      echo "ok - python package: $other (sqlite3 without extension loading): load() says so and names the ways out" ;;
    *)
      echo "not ok - python package: $other (sqlite3 without extension loading): load() says so and names the ways out"
      echo "#   got: $got"
      status=1 ;;
  esac
else
  echo "# python package: no python3 on PATH without extension loading; the stand-in class covers it"
fi
exit $status
