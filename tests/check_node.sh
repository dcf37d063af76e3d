#!/bin/sh
# The npm package, installed as a user would.
#
#   LIB=./libsqlmig.so sh tests/check_node.sh
#
# Packs it with ext/dist.sh (`npm pack`, what `make dist` writes to dist/)
# into a scratch directory, installs the tarball offline into a new project
# (`npm install ./sqlmig-<version>.tgz`), checks the TypeScript declarations
# name every export, and runs tests/pkg/check_node.js there: getLoadablePath,
# load() for better-sqlite3 12.11.1 and node:sqlite (where Node has it),
# the start-up idiom, migrate_down() and migrate_diff, wrong arguments.
# better-sqlite3 is installed from the npm registry once into
# ${SQLMIG_CACHE:-~/.cache/sqlmig}/better-sqlite3-12.11.1 (about a minute:
# it compiles its SQLite) and reused. Prints ok / not ok lines (tests/run.sh
# skips it, naming the packages, without node and npm).

LIB=${LIB:-./libsqlmig.so}
cd "$(dirname "$0")/.." || exit 2
root=$PWD
case $LIB in /*) ;; *) LIB=$PWD/${LIB#./} ;; esac
version=$(sed -n 's/^#define SQLMIG_VERSION  *"\([^"]*\)".*/\1/p' ext/sqlmig.h)
out=$(mktemp -d "${TMPDIR:-/tmp}/sqlmig-node.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
export npm_config_cache="${npm_config_cache:-$HOME/.npm}" npm_config_update_notifier=false \
       npm_config_fund=false npm_config_audit=false
if LIB=$LIB DIST="$out/dist" BUILD="$out" sh ext/dist.sh node >"$out/dist.log" 2>&1 &&
   [ -f "$out/dist/sqlmig-$version.tgz" ]; then
  echo "ok - node package: ext/dist.sh node packs dist/sqlmig-$version.tgz"
else
  echo "not ok - node package: ext/dist.sh node packs dist/sqlmig-$version.tgz"
  sed 's/^/#   /' "$out/dist.log" | head -n 20
  exit 1
fi
mkdir "$out/app" && cd "$out/app" || exit 2
echo '{"name": "app", "version": "1.0.0", "private": true}' >package.json
if npm install --offline --silent "$out/dist/sqlmig-$version.tgz" >"$out/npm.log" 2>&1 &&
   [ -f node_modules/sqlmig/lib/libsqlmig.so ]; then
  echo "ok - node package: npm install of the tarball into a new project"
else
  echo "not ok - node package: npm install of the tarball into a new project"
  sed 's/^/#   /' "$out/npm.log" | head -n 20
  exit 1
fi
dts=node_modules/sqlmig/index.d.ts
exports=$(node -e 'console.log(Object.keys(require("sqlmig")).sort().join(" "))')
declared=$(sed -n 's/^export \(function\|const\) \([A-Za-z]*\).*/\2/p' "$dts" | sort | tr '\n' ' ' | sed 's/ $//')
if [ -n "$exports" ] && [ "$exports" = "$declared" ]; then
  echo "ok - node package: index.d.ts declares every export ($exports)"
else
  echo "not ok - node package: index.d.ts declares every export"
  echo "#   exports: $exports"
  echo "#   declared: $declared"
fi

cache=${SQLMIG_CACHE:-$HOME/.cache/sqlmig}/better-sqlite3-12.11.1
if [ ! -f "$cache/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ]; then
  rm -rf "$cache" && mkdir -p "$cache" &&
  (cd "$cache" && echo '{"name": "cache", "version": "1.0.0", "private": true}' >package.json &&
   npm install --silent better-sqlite3@12.11.1) >"$out/bs3.log" 2>&1 ||
    sed 's/^/# better-sqlite3: /' "$out/bs3.log" | tail -n 5
fi
cp "$root/tests/pkg/check_node.js" . &&
NODE_PATH="$cache/node_modules" node check_node.js "$version"
