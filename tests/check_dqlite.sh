#!/bin/sh
# sqlmig on a 3-node dqlite cluster, 3 processes on loopback.
#
#   LIB=./libsqlmig.so sh tests/check_dqlite.sh
#
# Builds tests/dqlite/dqtest.go offline against Debian's go-dqlite
# (golang-github-canonical-go-dqlite-dev, the v1 module in GOPATH mode) and
# libdqlite-dev, over the system SQLite (build tag libsqlite3), then runs
# `dqtest test LIB`: the start-up idiom through the leader, every node
# equal, a failing revision, migrate_down(), two start-ups at once, the
# leader SIGKILLed during a revision and restarted. Prints ok / not ok
# lines (tests/run.sh skips it, naming the packages, when they are missing).

LIB=${LIB:-./libsqlmig.so}
cd "$(dirname "$0")/.." || exit 2
case $LIB in /*) ;; *) LIB=$PWD/${LIB#./} ;; esac
out=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-dqlite.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off \
       GOCACHE="${GOCACHE:-${HOME:-$out}/.cache/go-build}" \
       CGO_LDFLAGS_ALLOW='-Wl,-z,now'
if go build -tags libsqlite3 -o "$out/dqtest" tests/dqlite/dqtest.go >"$out/err" 2>&1; then
  echo "ok - dqlite: tests/dqlite/dqtest.go builds"
else
  echo "not ok - dqlite: tests/dqlite/dqtest.go builds"
  sed 's/^/#   /' "$out/err" | head -n 20
  exit 1
fi
TMPDIR=$out "$out/dqtest" test "$LIB"
