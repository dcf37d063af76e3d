#!/bin/sh
# Builds the language packages into DIST (what `make dist` runs):
#
#   LIB=./libsqlmig.so DIST=dist BUILD=build sh ext/dist.sh [python] [node] [go]
#
#   python  DIST/sqlmig-<version>-py3-none-<platform>.whl   (ext/python/, with
#           Debian's /usr/bin/python3, python3-setuptools, python3-wheel)
#   node    DIST/sqlmig-<version>.tgz                       (ext/node/, npm pack)
#   go      DIST/go/: go.mod, sqlmig.go, example_test.go and the amalgamation
#           (ext/go/ + amalgamation/sqlmig.c, sqlmig.h; build with cgo)
#
# All three without arguments. <version> is SQLMIG_VERSION from ext/sqlmig.h,
# the value sqlmig_version() returns; no package types it. The library in the
# wheel and the npm package is LIB, stripped. Works offline. Each artifact
# is replaced whole; a missing tool fails naming the Debian package.
set -eu
cd "$(dirname "$0")/.."
LIB=${LIB:-./libsqlmig.so}
DIST=${DIST:-dist}
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
version=$(sed -n 's/^#define SQLMIG_VERSION  *"\([^"]*\)".*/\1/p' ext/sqlmig.h)
[ -n "$version" ] || { echo "dist: no SQLMIG_VERSION in ext/sqlmig.h" >&2; exit 1; }
[ -f "$LIB" ] || { echo "dist: $LIB is missing (run make)" >&2; exit 1; }
mkdir -p "$DIST" "$BUILD"
DIST=$(cd "$DIST" && pwd)
stage=$(mktemp -d "$BUILD/dist.XXXXXX")
stage=$(cd "$stage" && pwd)
trap 'rm -rf "$stage"' EXIT

# copy_lib DIR: the library, stripped, into DIR.
copy_lib() {
  mkdir -p "$1"
  cp "$LIB" "$1/$(basename "$LIB")"
  if command -v strip >/dev/null 2>&1; then strip --strip-unneeded "$1/$(basename "$LIB")"; fi
}

build_python() {
  "$PYTHON" -c 'import setuptools, wheel' 2>/dev/null || {
    echo "dist: python: $PYTHON lacks setuptools or wheel (apt-get install python3-setuptools python3-wheel)" >&2
    return 1
  }
  cp -R ext/python "$stage/python"
  rm -rf "$stage/python/build" "$stage/python"/*.egg-info
  find "$stage/python" -name __pycache__ -prune -exec rm -rf {} +
  printf '"""The version of the sqlmig library in this package (sqlmig_version())."""\n__version__ = "%s"\n' \
    "$version" >"$stage/python/sqlmig/_version.py"
  copy_lib "$stage/python/sqlmig"
  rm -f "$DIST"/sqlmig-*.whl
  (cd "$stage/python" &&
   SQLMIG_VERSION=$version "$PYTHON" setup.py -q bdist_wheel --dist-dir "$DIST" >"$stage/python.log" 2>&1) || {
    cat "$stage/python.log" >&2
    return 1
  }
  ls "$DIST"/sqlmig-"$version"-py3-none-*.whl
}

build_node() {
  command -v npm >/dev/null 2>&1 || { echo "dist: node: npm is missing (apt-get install npm)" >&2; return 1; }
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  cp -R ext/node "$stage/node"
  rm -rf "$stage/node/node_modules"
  copy_lib "$stage/node/lib"
  (cd "$stage/node" &&
   node -e 'const fs=require("fs"),p=JSON.parse(fs.readFileSync("package.json"));p.version=process.argv[1];fs.writeFileSync("package.json",JSON.stringify(p,null,2)+"\n")' "$version" &&
   rm -f "$DIST/sqlmig-$version.tgz" &&
   npm pack --silent --pack-destination "$DIST" >"$stage/npm.log" 2>&1) || {
    cat "$stage/npm.log" >&2 2>/dev/null
    return 1
  }
  ls "$DIST/sqlmig-$version.tgz"
}

build_go() {
  rm -rf "$DIST/go"
  mkdir -p "$stage/go"
  sh amalgamation/mkamal.sh "$stage/go" >/dev/null
  cp ext/go/go.mod ext/go/*.go "$stage/go/"
  mv "$stage/go" "$DIST/go"
  echo "$DIST/go"
}

[ $# -gt 0 ] || set -- python node go
for what in "$@"; do
  case $what in
    python) build_python ;;
    node) build_node ;;
    go) build_go ;;
    *) echo "dist: unknown package $what (python, node, go)" >&2; exit 2 ;;
  esac
done
