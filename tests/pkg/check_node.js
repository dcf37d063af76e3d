'use strict';
// The installed npm package: node tests/pkg/check_node.js VERSION
// (run by tests/check_node.sh from a scratch project into which
// dist/sqlmig-<version>.tgz was installed; better-sqlite3 12.11.1 comes
// through NODE_PATH when it could be installed). Prints ok / not ok lines.
const fs = require('fs');
const path = require('path');
const sqlmig = require('sqlmig');

const VERSION = process.argv[2];
let failed = 0;
function check(name, ok, why) {
  if (ok) {
    console.log(`ok - node package: ${name}`);
  } else {
    failed++;
    console.log(`not ok - node package: ${name}`);
    console.log(`#   ${String(why).split('\n').join('\n#   ')}`);
  }
}
function thrown(fn) {
  try { fn(); } catch (err) { return err; }
  return null;
}

const libPath = sqlmig.getLoadablePath();
check('getLoadablePath() is the library inside the installed package',
  fs.existsSync(libPath) && libPath.includes(path.join('node_modules', 'sqlmig')) && sqlmig.version === VERSION,
  `${libPath} ${sqlmig.version}`);
for (const [what, bad] of [['a string', 'app.db'], ['null', null], ['a plain object', {}]]) {
  const err = thrown(() => sqlmig.load(bad));
  check(`load() of ${what}: TypeError naming what it got`, err instanceof TypeError &&
    /^sqlmig\.load: \w+ is not a database sqlmig can load into \(expected a better-sqlite3 Database or a node:sqlite DatabaseSync\)$/.test(err.message),
    err && err.message);
}

// Exercises one database object (`exec`, `all`, `get` adapt the driver).
function exercise(label, db, run) {
  run.exec(`BEGIN;
    INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES
      (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY)', 'DROP TABLE users'),
      (2, 'email', 'ALTER TABLE users ADD COLUMN email TEXT', 'ALTER TABLE users DROP COLUMN email');`);
  const v = run.get('SELECT migrate() AS v').v;
  run.exec('COMMIT');
  const again = run.get('SELECT migrate() AS v').v;
  const down = run.get('SELECT migrate_down() AS v').v;
  const cols = run.all('PRAGMA table_info(users)').map((r) => r.name);
  const diff = run.get("SELECT migrate_diff('main', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)') AS d").d;
  check(`${label}: start-up idiom, migrate_down() and migrate_diff`,
    v === 2 && again === 2 && down === 1 && cols.join() === 'id' &&
    diff === 'ALTER TABLE "users" ADD COLUMN "name" TEXT;\n', JSON.stringify({ v, again, down, cols, diff }));
  check(`${label}: sqlmig_version() is the package's version`,
    run.get('SELECT sqlmig_version() AS v').v === VERSION, run.get('SELECT sqlmig_version() AS v').v);
}

let Database = null;
try {
  Database = require('better-sqlite3');
} catch (err) {
  console.log(`skip - node package: better-sqlite3 12.11.1 could not be loaded (${err.message.split('\n')[0]}; tests/check_node.sh installs it from the npm registry)`);
}
if (Database) {
  const db = new Database('app.db');
  check('load(better-sqlite3 Database) returns the database', sqlmig.load(db) === db, 'not the same object');
  exercise('better-sqlite3', db, {
    exec: (s) => db.exec(s), get: (s) => db.prepare(s).get(), all: (s) => db.prepare(s).all(),
  });
  db.close();
  fs.writeFileSync('text.db', 'not a database\n'.repeat(100));
  const bad = new Database('text.db');
  sqlmig.load(bad);
  const err = thrown(() => bad.prepare('SELECT migrate()').get());
  check('better-sqlite3 on a file that is not SQLite: the driver\'s error, file unchanged',
    err && /file is not a database/.test(err.message) &&
    fs.readFileSync('text.db', 'utf8') === 'not a database\n'.repeat(100), err && err.message);
  bad.close();
}

let nodeSqlite = null;
try {
  nodeSqlite = require('node:sqlite');
} catch (err) {
  console.log(`skip - node package: node:sqlite: Node ${process.versions.node} does not have it (added in Node 22.5)`);
}
if (nodeSqlite && typeof nodeSqlite.DatabaseSync.prototype.enableLoadExtension !== 'function') {
  console.log(`skip - node package: node:sqlite: Node ${process.versions.node} cannot load extensions (DatabaseSync.enableLoadExtension is Node 22.13+)`);
  nodeSqlite = null;
}
if (nodeSqlite) {
  const closed = new nodeSqlite.DatabaseSync(':memory:');
  const err = thrown(() => sqlmig.load(closed));
  check('node:sqlite opened without allowExtension: the error says how to open it',
    err && /allowExtension: true/.test(err.message), err && err.message);
  const db = new nodeSqlite.DatabaseSync('node.db', { allowExtension: true });
  sqlmig.load(db);
  exercise('node:sqlite', db, {
    exec: (s) => db.exec(s), get: (s) => db.prepare(s).get(), all: (s) => db.prepare(s).all(),
  });
  const after = thrown(() => db.prepare("SELECT load_extension('./nothing')").get());
  check('node:sqlite: extension loading is off again after load()', after && /not authorized/.test(after.message),
    after && after.message);
  db.close();
}
process.exit(failed ? 1 : 0);
