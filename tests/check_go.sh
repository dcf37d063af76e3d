#!/bin/sh
# The Go package, installed as a user would, and the README's Go recipe.
#
#   LIB=./libsqlmig.so sh tests/check_go.sh
#
# Builds the package folder with ext/dist.sh (what `make dist` writes to
# dist/go) into a scratch directory, then in a new module that uses it
# through a `replace` line, against Debian's mattn/go-sqlite3
# (golang-github-mattn-go-sqlite3-dev, over the system SQLite: build tag
# libsqlite3), without the network: runs the package's example test; builds
# sql/go/main.go and runs it twice on a new database (both print "at version
# 1"); runs tests/pkg/go_more.go (migrate_down(), migrate_diff, a file that
# is not a database). Prints ok / not ok lines (tests/run.sh skips it,
# naming the packages, without Go).

LIB=${LIB:-./libsqlmig.so}
cd "$(dirname "$0")/.." || exit 2
root=$PWD
case $LIB in /*) ;; *) LIB=$PWD/${LIB#./} ;; esac
src=/usr/share/gocode/src/github.com/mattn/go-sqlite3
if ! command -v go >/dev/null 2>&1 || [ ! -f "$src/go.mod" ]; then
  echo "not ok - go recipe: needs apt-get install golang-go golang-github-mattn-go-sqlite3-dev"
  exit 1
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-go.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
if ! LIB=$LIB DIST="$out/dist" BUILD="$out" sh ext/dist.sh go >"$out/dist.log" 2>&1; then
  echo "not ok - go package: ext/dist.sh go builds dist/go"
  sed 's/^/#   /' "$out/dist.log" | head -n 20
  exit 1
fi
echo "ok - go package: ext/dist.sh go builds dist/go"
export GOPATH="$out/gopath" GOCACHE="${GOCACHE:-$HOME/.cache/go-build}" \
       GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on
# newmod DIR: a module in DIR that uses dist/go and Debian's driver.
newmod() {
  mkdir -p "$1" && cd "$1" &&
  go mod init example.com/migrate-app >err 2>&1 &&
  go mod edit -require=github.com/sqlmig/sqlmig-go@v0.0.0 \
    -replace=github.com/sqlmig/sqlmig-go="$out/dist/go" \
    -require=github.com/mattn/go-sqlite3@v1.14.16 \
    -replace=github.com/mattn/go-sqlite3="$src" >>err 2>&1
}

if newmod "$out/app" && cp "$root/sql/go/main.go" . &&
   go build -tags libsqlite3 -o migrate-app . >>err 2>&1; then
  echo "ok - go recipe: sql/go/main.go builds with the package"
else
  echo "not ok - go recipe: sql/go/main.go builds with the package"
  sed 's/^/#   /' err | head -n 20
  exit 1
fi
first=$(./migrate-app 2>&1)
second=$(./migrate-app 2>&1)
if [ "$first" = "at version 1" ] && [ "$second" = "at version 1" ]; then
  echo "ok - go recipe: migrates app.db with no .load, and again changes nothing"
else
  echo "not ok - go recipe: migrates app.db with no .load, and again changes nothing"
  echo "#   first: $first"
  echo "#   second: $second"
  exit 1
fi
if go test -tags libsqlite3 github.com/sqlmig/sqlmig-go >test.out 2>&1; then
  echo "ok - go package: its example test passes installed"
else
  echo "not ok - go package: its example test passes installed"
  sed 's/^/#   /' test.out | head -n 20
fi
if newmod "$out/more" && cp "$root/tests/pkg/go_more.go" main.go &&
   go build -tags libsqlite3 -o more . >>err 2>&1; then
  ./more
else
  echo "not ok - go package: tests/pkg/go_more.go builds"
  sed 's/^/#   /' err | head -n 20
  exit 1
fi
