#!/bin/sh
# The README's Go recipe builds as shown and migrates a database.
#
#   LIB=./libsqlmig.so sh tests/check_go.sh
#
# Builds sql/go/main.go (a complete program) in a scratch module against
# Debian's mattn/go-sqlite3 (golang-github-mattn-go-sqlite3-dev, over the
# system SQLite: build tag libsqlite3), without the network, then runs it
# twice on a new database: both runs print "at version 1". Prints ok / not
# ok lines (tests/run.sh skips it, naming the packages, without Go).

LIB=${LIB:-./libsqlmig.so}
cd "$(dirname "$0")/.." || exit 2
case $LIB in /*) ;; *) LIB=$PWD/${LIB#./} ;; esac
src=/usr/share/gocode/src/github.com/mattn/go-sqlite3
if ! command -v go >/dev/null 2>&1 || [ ! -f "$src/go.mod" ]; then
  echo "not ok - go recipe: needs apt-get install golang-go golang-github-mattn-go-sqlite3-dev"
  exit 1
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-go.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
cp sql/go/main.go "$out/" && cp "$LIB" "$out/libsqlmig.so" || exit 2
cd "$out" || exit 2
export GOPATH="$out/gopath" GOCACHE="${GOCACHE:-$HOME/.cache/go-build}" \
       GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on
if go mod init example.com/migrate-app >err 2>&1 &&
   go mod edit -require=github.com/mattn/go-sqlite3@v1.14.16 \
     -replace=github.com/mattn/go-sqlite3="$src" >>err 2>&1 &&
   go build -tags libsqlite3 -o migrate-app . >>err 2>&1; then
  echo "ok - go recipe: sql/go/main.go builds"
else
  echo "not ok - go recipe: sql/go/main.go builds"
  sed 's/^/#   /' err | head -n 20
  exit 1
fi
first=$(./migrate-app 2>&1)
second=$(./migrate-app 2>&1)
if [ "$first" = "at version 1" ] && [ "$second" = "at version 1" ]; then
  echo "ok - go recipe: migrates app.db, and again changes nothing"
else
  echo "not ok - go recipe: migrates app.db, and again changes nothing"
  echo "#   first: $first"
  echo "#   second: $second"
  exit 1
fi
