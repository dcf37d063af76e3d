'use strict';
// sqlmig for Node: the path of the sqlmig SQLite extension shipped in this
// package, and load(db) for better-sqlite3 and node:sqlite databases.
//
//   const sqlmig = require('sqlmig');
//   const db = new (require('better-sqlite3'))('app.db');
//   sqlmig.load(db);
//   db.prepare('SELECT migrate()').pluck().get();
//
// The version is the library's own (sqlmig_version()); the package ships
// the library built for one platform (see the README's "Packages").
const path = require('path');
const fs = require('fs');

const LIBNAME = { darwin: 'libsqlmig.dylib', win32: 'sqlmig.dll' }[process.platform] || 'libsqlmig.so';

// Returns the absolute path of the library in this package; throws when it
// is missing (a source checkout instead of the packed tarball).
function getLoadablePath() {
  const file = path.join(__dirname, 'lib', LIBNAME);
  if (!fs.existsSync(file)) {
    throw new Error(`sqlmig.getLoadablePath: ${file} is missing (install the package built by \`make dist\`)`);
  }
  return file;
}

function kindOf(db) {
  if (db === null) return 'null';
  if (typeof db !== 'object') return typeof db;
  return (db.constructor && db.constructor.name) || 'object';
}

// Loads sqlmig into db: a better-sqlite3 Database or a node:sqlite
// DatabaseSync (opened with allowExtension: true; loading is enabled for
// the call only). Returns db. Throws TypeError for anything else and the
// driver's error when SQLite refuses the library.
function load(db) {
  const isObject = db !== null && typeof db === 'object';
  if (isObject && typeof db.loadExtension === 'function' && typeof db.enableLoadExtension === 'function') {
    // node:sqlite (Node 22.13 and newer)
    try {
      db.enableLoadExtension(true);
    } catch (err) {
      throw new Error(`sqlmig.load: this node:sqlite database cannot load extensions (${err.message}): open it with new DatabaseSync(path, { allowExtension: true })`);
    }
    try {
      db.loadExtension(getLoadablePath());
    } finally {
      db.enableLoadExtension(false);
    }
    return db;
  }
  if (isObject && typeof db.loadExtension === 'function' && typeof db.prepare === 'function') {
    // better-sqlite3: loading works only through this call, never from SQL
    db.loadExtension(getLoadablePath());
    return db;
  }
  throw new TypeError(`sqlmig.load: ${kindOf(db)} is not a database sqlmig can load into (expected a better-sqlite3 Database or a node:sqlite DatabaseSync)`);
}

module.exports = { getLoadablePath, load, version: require('./package.json').version };
