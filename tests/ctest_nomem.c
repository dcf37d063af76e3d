/*
** C test: allocation failure at every point of the extension's work.
**
**   make build/ctest_nomem && LIB=./libsqlmig.so ./build/ctest_nomem
**   NOMEM_STRIDE=7 ./build/ctest_nomem      # test every 7th point only
**   NOMEM_ONLY=migrate ./build/ctest_nomem  # only ops whose name has this
**
** Before sqlite3_initialize, main() wraps SQLite's default allocator
** (SQLITE_CONFIG_GETMALLOC, then SQLITE_CONFIG_MALLOC) with one that fails
** the Nth allocation once ("once" mode) or the Nth and every later one
** ("persistent" mode), and turns lookaside off so that every allocation
** reaches the wrapper. For each operation (a list below: INSERT into
** `migrations`, migrate(), migrate(0), migrate_plan, UPDATE, DELETE, the
** start-up idiom) and each mode, it runs N = 1, 2, 3, ... until a run ends
** without an injected failure: every N in "once" mode, every 4th in
** "persistent" mode (whose failures all take the same cleanup paths).
** Each run opens a fresh database (in memory, or a temp file for the ops
** that say so), copies the operation's base state into it with the backup
** API from a template built once, loads the extension, dumps the state
** (schema of main and temp, every row of every table of main, history
** and baseline times masked), arms the injection, runs the operation and disarms. Then:
**
**   - success: the result rows and the dump must equal those of a clean
**     run of the same operation;
**   - failure: the error must be SQLITE_NOMEM (or carry SQLite's "out of
**     memory" message, counted separately); the dump must equal the one
**     taken before; the operation run again without injection must give
**     the clean result; a following migrate() must succeed;
**   - the connection closes with SQLITE_OK and sqlite3_memory_used() is
**     back where it was before the open (no leak even without valgrind).
**
** A variant arms the injection before sqlite3_load_extension, so the
** failures also hit the extension's registration; a failed load must be
** clean and a second load must work.
**
** Past the first 2000 points of an operation, only every 5th of those
** points is tested (migrate_check's 13,000: the same sites again).
** Under valgrind (detected from LD_PRELOAD, or env VALGRIND_MODE=1) only
** every 30th point ("once") and 90th ("persistent") are tested; NOMEM_STRIDE
** sets both, NOMEM_FULL=1 tests every point in both modes.
** Prints one `ok - ...` / `not ok - ...: why` line per operation and mode
** (with `#` lines for the first failures) and exits 1 when any failed.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctest.h"
#include "ctest_fault.h"

/* ------------------------------------------------------- the scripts --- */

#define R1 "(1, 'users'," \
  " 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);" \
  "  INSERT INTO users(name) VALUES (''ann''), (''bob'');'," \
  " 'DROP TABLE users')"
#define R2 "(2, 'posts'," \
  " 'CREATE TABLE posts(id INTEGER PRIMARY KEY," \
  "    uid INTEGER REFERENCES users(id) ON DELETE CASCADE, body TEXT);" \
  "  INSERT INTO posts(uid, body) VALUES (1, ''hi; there'');'," \
  " 'DROP TABLE posts;')"
#define R3 "(3, 'rebuild users'," \
  " 'CREATE TABLE users_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL);" \
  "  INSERT INTO users_new SELECT id, name FROM users;" \
  "  DROP TABLE users;" \
  "  ALTER TABLE users_new RENAME TO users;'," \
  " '-- back to a nullable name\n" \
  "  CREATE TABLE users_old(id INTEGER PRIMARY KEY, name TEXT);" \
  "  INSERT INTO users_old SELECT id, name FROM users;" \
  "  DROP TABLE users;" \
  "  ALTER TABLE users_old RENAME TO users;')"
#define R4 "(4, NULL," \
  " 'CREATE VIEW v_names AS SELECT name FROM users;" \
  "  CREATE TRIGGER posts_ai AFTER INSERT ON posts BEGIN" \
  "    UPDATE users SET name = name || ''!'' WHERE id = new.uid;" \
  "  END;'," \
  " 'DROP TRIGGER posts_ai; DROP VIEW v_names;')"

/* SQLite's 12-step rebuild written literally, with a savepoint */
#define R5 "(5, 'as written'," \
  " 'PRAGMA foreign_keys=OFF; BEGIN TRANSACTION;" \
  "  CREATE TABLE posts_new(id INTEGER PRIMARY KEY," \
  "    uid INTEGER REFERENCES users(id) ON DELETE CASCADE, body TEXT NOT NULL);" \
  "  INSERT INTO posts_new SELECT id, uid, coalesce(body, '''') FROM posts;" \
  "  DROP TABLE posts; ALTER TABLE posts_new RENAME TO posts;" \
  "  SAVEPOINT s1; INSERT INTO users(name) VALUES (''x''); ROLLBACK TO s1;" \
  "  RELEASE s1; COMMIT; PRAGMA foreign_keys=ON;'," \
  " 'BEGIN; UPDATE users SET name = name; END;')"

#define INS "INSERT INTO migrations(version, name, up, down) VALUES "

/* Base states */
#define S_EMPTY ""
#define S_TWO   INS R1 "," R2 "; SELECT migrate();"
#define S_MIXED INS R1 "," R2 "," R3 "; SELECT migrate();" \
                "DELETE FROM migrations WHERE version = 3;" INS R4 ";"
#define S_ALL   INS R1 "," R2 "," R3 "," R4 "; SELECT migrate();"
#define S_EDIT  INS R1 "," R2 "," R3 "; SELECT migrate();" INS R4 ";"

/* Migration files: the committed goose folder (the tests run from the
** repository root), a bundle of three layouts, another tool's table */
#define S_BUNDLE "CREATE TABLE bundle(name TEXT, text);" \
  "INSERT INTO bundle VALUES" \
  " ('a/1_users.up.sql', 'CREATE TABLE users(id INTEGER PRIMARY KEY);')," \
  " ('a/1_users.down.sql', CAST('DROP TABLE users;' AS BLOB))," \
  " ('2_posts.sql', '-- migrate:up transaction:false\nCREATE TABLE p(x);\n" \
  "-- migrate:down\nDROP TABLE p;\n')," \
  " ('2026-01-03-090000_tags/up.sql', 'CREATE TABLE t(x);')," \
  " ('2026-01-03-090000_tags/down.sql', 'DROP TABLE t;');"
#define S_FILES "INSERT OR REPLACE INTO migrations SELECT * FROM" \
  " migration_files('tests/files/goose'); SELECT migrate(2);" \
  " DELETE FROM migrations WHERE version = 4;"
#define S_GOOSE "CREATE TABLE goose_db_version(id INTEGER PRIMARY KEY" \
  " AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL," \
  " tstamp TIMESTAMP DEFAULT 0);" \
  "INSERT INTO goose_db_version(version_id, is_applied) VALUES" \
  " (0, 1), (1, 1), (2, 1), (3, 1), (3, 0), (3, 1), (4, 1);" \
  "INSERT OR REPLACE INTO migrations SELECT * FROM" \
  " migration_files('tests/files/goose');"
#define S_BUILT INS R1 "," R2 ";" \
  "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);" \
  "CREATE TABLE posts(id INTEGER PRIMARY KEY," \
  " uid INTEGER REFERENCES users(id) ON DELETE CASCADE, body TEXT);"

/* One operation under test */
typedef struct Op Op;
struct Op {
  const char *zName;
  const char *zPragma;   /* connection settings, before the operation */
  const char *zSetup;    /* the base state */
  const char *zOp;       /* the statements under injection */
  int bFile;             /* a temp file rather than :memory: */
  int bWithLoad;         /* injection armed before the extension loads */
};

#define FK "PRAGMA foreign_keys=ON"

static const Op aOp[] = {
  { "insert creating the store", "", S_EMPTY, INS R1 "," R2, 0, 0 },
  { "insert or ignore", "", S_TWO,
    "INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES "
    R1 "," R2 "," R3 "," R4, 0, 0 },
  { "migrate() with foreign keys on", FK, S_MIXED, "SELECT migrate()", 0, 0 },
  { "migrate() on a file", "", S_MIXED, "SELECT migrate()", 1, 0 },
  { "migrate(0) with foreign keys on", FK, S_ALL, "SELECT migrate(0)", 0, 0 },
  { "migrate(1)", "", S_TWO, "SELECT migrate(1)", 0, 0 },
  { "migrate() with nothing to do", "", S_ALL, "SELECT migrate()", 0, 0 },
  { "migrate_plan()", "", S_MIXED,
    "SELECT step, version, name, direction, sql FROM migrate_plan()", 0, 0 },
  { "select from migrations", "", S_MIXED,
    "SELECT * FROM migrations WHERE version > 1 ORDER BY version DESC", 0, 0 },
  { "update name and down", "", S_EDIT,
    "UPDATE migrations SET name = coalesce(name, '') || '!',"
    " down = down || ';' WHERE version IN (2, 4)", 0, 0 },
  { "update up of pending", "", S_EDIT,
    "UPDATE migrations SET up = 'CREATE VIEW v_names AS SELECT id, name"
    " FROM users' WHERE version = 4", 0, 0 },
  { "delete applied and pending", "", S_EDIT,
    "DELETE FROM migrations WHERE version >= 3", 0, 0 },
  { "start-up idiom on a file", FK, S_TWO,
    "BEGIN; INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES "
    R1 "," R2 "," R4 "; SELECT migrate(); COMMIT", 1, 0 },
  { "migrate() of a script as written", FK, S_TWO INS R5 ";",
    "SELECT migrate()", 0, 0 },
  { "migrate_down(2)", FK, S_TWO INS R5 "; SELECT migrate();",
    "SELECT migrate_down(2)", 0, 0 },
  { "blob scripts through sqlmig_migrations", "", S_TWO,
    "INSERT INTO sqlmig_migrations(version, up, down) VALUES (7,"
    " CAST('CREATE TABLE z(a); -- \xc3\xa9' AS BLOB),"
    " CAST('DROP TABLE z' AS BLOB))", 0, 0 },
  { "migration_files of a folder", "", S_EMPTY,
    "SELECT version, name, length(up), length(down), format, path"
    " FROM migration_files('tests/files/goose')", 0, 0 },
  { "migration_files of a pop/fizz folder, one dialect", "", S_EMPTY,
    "SELECT version, name, length(up), length(down), path"
    " FROM migration_files('tests/files/pop', NULL, 'sqlite')", 0, 0 },
  { "migration_files of a Prisma folder", "", S_EMPTY,
    "INSERT INTO migrations SELECT * FROM migration_files('tests/files/prisma')",
    0, 0 },
  { "long versions: insert creating sqlmig_versions, list", "", S_EMPTY,
    "BEGIN;" INS
    "('20150100000001000000', 'a', 'CREATE TABLE a(x)', 'DROP TABLE a'),"
    " ('2015010000000100000', 'c', 'CREATE TABLE c(x)', 'DROP TABLE c');"
    " SELECT * FROM migrations WHERE version > '2015010000000100000'; COMMIT",
    0, 0 },
  { "long versions: migrate to a text target", "", INS
    "('20150100000001000000', 'a', 'CREATE TABLE a(x)', 'DROP TABLE a'),"
    " ('201501000000010000000', 'b', 'CREATE TABLE b(x)', 'DROP TABLE b');"
    " SELECT migrate();", "SELECT migrate('20150100000001000000')", 0, 0 },
  { "long versions: migrate_baseline to a text version", "", INS
    "('20150100000001000000', 'a', 'SELECT 1', NULL),"
    " ('201501000000010000000', 'b', 'SELECT 2', NULL);",
    "SELECT migrate_baseline('201501000000010000000')", 0, 0 },
  { "migration_files of a bundle", "", S_BUNDLE,
    "SELECT *, format, path FROM migration_files(NULL, 'bundle')", 0, 0 },
  { "migrate_status of a folder", "", S_FILES,
    "SELECT version, name, state, path, detail FROM"
    " migrate_status('tests/files/goose')", 0, 0 },
  { "migrate_baseline() from goose_db_version", "", S_GOOSE,
    "SELECT migrate_baseline()", 0, 0 },
  { "migrate_baseline(2)", "", S_BUILT, "SELECT migrate_baseline(2)", 0, 0 },
  { "migrate(0) of a baselined revision", FK,
    INS R1 "; CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);"
    " SELECT migrate_baseline(1);", "SELECT migrate(0)", 0, 0 },
  { "migrate_check() from applied and pending", FK,
    INS R1 "; SELECT migrate();" INS R2 ";",
    "SELECT * FROM migrate_check()", 0, 0 },
  { "migrate_check() of a broken down", "", S_TWO
    INS "(9, 'x', 'ALTER TABLE users ADD COLUMN x TEXT; UPDATE users SET"
    " name = upper(name)', 'CREATE TABLE t9(a)');",
    "SELECT * FROM migrate_check(9)", 0, 0 },
  { "migrate_drift() after hand changes", "", S_ALL
    "CREATE INDEX users_name ON users(name); DROP VIEW v_names;"
    " ALTER TABLE posts ADD COLUMN extra INT DEFAULT 1;",
    "SELECT * FROM migrate_drift()", 0, 0 },
  { "load, then insert creating the store", "", S_EMPTY, INS R1, 0, 1 },
  { "load, then migrate() with nothing to do", FK, S_TWO,
    "SELECT migrate()", 0, 1 },
};

/* ------------------------------------------------------------ helpers --- */

/* What running some SQL gave. */
typedef struct Outcome Outcome;
struct Outcome {
  int rc;                /* SQLITE_OK or the failing step's code */
  int rcExt;             /* sqlite3_extended_errcode() then */
  char *zErr;            /* sqlite3_errmsg() then, or NULL */
  char *zRows;           /* every row, for comparison */
};

static void outcomeFree(Outcome *p){
  free(p->zErr);
  free(p->zRows);
  memset(p, 0, sizeof(*p));
}

/* A growing malloc() string: the test's own memory stays out of SQLite's. */
typedef struct Buf Buf;
struct Buf { char *z; size_t n, nAlloc; };

static void bufAdd(Buf *p, const char *z){
  size_t n = strlen(z);
  if( p->n+n+1>p->nAlloc ){
    p->nAlloc = (p->n+n+1)*2;
    p->z = realloc(p->z, p->nAlloc);
    if( p->z==0 ){ fprintf(stderr, "out of memory in the test\n"); exit(2); }
  }
  memcpy(p->z+p->n, z, n+1);
  p->n += n;
}

static char *dupText(const char *z){
  Buf b = {0, 0, 0};
  bufAdd(&b, z ? z : "");
  return b.z;
}

/*
** Runs zSql statement by statement, appending every row to the outcome,
** until the first error. When it ends inside a transaction after an
** error, rolls that back (disarmed: the caller disarms first).
*/
static void runSql(sqlite3 *db, const char *zSql, Outcome *pOut){
  const char *zTail = zSql;
  Buf rows = {0, 0, 0};
  memset(pOut, 0, sizeof(*pOut));
  bufAdd(&rows, "");
  while( zTail && zTail[0] ){
    sqlite3_stmt *pStmt = 0;
    int rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zTail);
    if( rc==SQLITE_OK && pStmt==0 ) break;
    while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      int i;
      rc = SQLITE_OK;
      for(i=0; i<sqlite3_column_count(pStmt); i++){
        /* read without conversions: those could allocate, and fail */
        const char *zCol = sqlite3_column_name(pStmt, i);
        const char *z = 0;
        char zNum[40];
        switch( sqlite3_column_type(pStmt, i) ){
          case SQLITE_INTEGER:
            snprintf(zNum, sizeof(zNum), "%lld",
                     (long long)sqlite3_column_int64(pStmt, i));
            z = zNum;
            break;
          case SQLITE_FLOAT:
            snprintf(zNum, sizeof(zNum), "%.17g",
                     sqlite3_column_double(pStmt, i));
            z = zNum;
            break;
          case SQLITE_TEXT:
            z = (const char*)sqlite3_column_text(pStmt, i);
            if( z==0 ) z = "<text failed>";
            break;
          case SQLITE_BLOB:
            z = "<blob>";
            break;
        }
        if( zCol && strcmp(zCol, "applied_at")==0 ) z = z ? "<time>" : 0;
        bufAdd(&rows, i ? "|" : "");
        bufAdd(&rows, z ? z : "NULL");
      }
      bufAdd(&rows, "\n");
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    if( rc!=SQLITE_OK ){
      pOut->rc = rc;
      pOut->rcExt = sqlite3_extended_errcode(db);
      pOut->zErr = dupText(sqlite3_errmsg(db));
    }
    sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK ) break;
  }
  pOut->zRows = rows.z;
}

/* Appends every row of zSql to pBuf, values quoted. */
static void dumpQuery(sqlite3 *db, Buf *pBuf, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)!=SQLITE_OK ){
    bufAdd(pBuf, "error: ");
    bufAdd(pBuf, sqlite3_errmsg(db));
    bufAdd(pBuf, "\n");
    return;
  }
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    int i;
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      const char *zCol = sqlite3_column_name(pStmt, i);
      char *z = sqlite3_mprintf("%Q", sqlite3_column_text(pStmt, i));
      if( strcmp(zCol, "applied_at")==0 || strcmp(zCol, "deleted_at")==0
       || strcmp(zCol, "baselined_at")==0 ){
        sqlite3_free(z);
        z = sqlite3_mprintf("%s", sqlite3_column_type(pStmt, i)==SQLITE_NULL
                                  ? "NULL" : "<time>");
      }
      bufAdd(pBuf, i ? "|" : "");
      bufAdd(pBuf, z);
      sqlite3_free(z);
    }
    bufAdd(pBuf, "\n");
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    bufAdd(pBuf, "error: ");
    bufAdd(pBuf, sqlite3_errmsg(db));
    bufAdd(pBuf, "\n");
  }
}

/*
** The state an operation must leave alone or change exactly: main and
** temp schema, and every row of every table of main. Caller free()s it.
*/
static char *dump(sqlite3 *db){
  Buf b = {0, 0, 0};
  sqlite3_stmt *pStmt = 0;
  bufAdd(&b, "");
  dumpQuery(db, &b, "SELECT type, name, tbl_name, sql FROM main.sqlite_master"
                    " ORDER BY type, name");
  dumpQuery(db, &b, "SELECT type, name, tbl_name, sql FROM temp.sqlite_master"
                    " ORDER BY type, name");
  if( sqlite3_prepare_v2(db, "SELECT name FROM main.sqlite_master WHERE "
        "type='table' AND name NOT LIKE 'sqlite%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name", -1, &pStmt,
        0)==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      const char *zTab = (const char*)sqlite3_column_text(pStmt, 0);
      char *zSql = sqlite3_mprintf("SELECT * FROM main.\"%w\" ORDER BY rowid",
                                   zTab);
      bufAdd(&b, "-- ");
      bufAdd(&b, zTab);
      bufAdd(&b, "\n");
      dumpQuery(db, &b, zSql);
      sqlite3_free(zSql);
    }
  }
  sqlite3_finalize(pStmt);
  return b.z;
}

/* Opens a fresh database (in memory or file zPath), no extension yet. */
static sqlite3 *openFresh(const char *zPath){
  sqlite3 *db = 0;
  if( zPath ){
    char *zJ = sqlite3_mprintf("%s-journal", zPath);
    unlink(zPath);
    unlink(zJ);
    sqlite3_free(zJ);
  }
  if( sqlite3_open_v2(zPath ? zPath : ":memory:", &db,
                      SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0)!=SQLITE_OK
   || sqlite3_enable_load_extension(db, 1)!=SQLITE_OK ){
    fprintf(stderr, "cannot open: %s\n", sqlite3_errmsg(db));
    exit(2);
  }
  return db;
}

/* Loads the extension; returns its rc, *pzErr the message (free()). */
static int loadExt(sqlite3 *db, char **pzErr){
  char *zErr = 0;
  int rc = sqlite3_load_extension(db, libPath(), "sqlite3_sqlmig_init", &zErr);
  *pzErr = rc ? dupText(zErr ? zErr : "(no message)") : 0;
  sqlite3_free(zErr);
  return rc;
}

/* 1 when rc/rcExt/zErr say out of memory by code; 2 by message only. */
static int nomemKind(int rc, int rcExt, const char *zErr){
  if( (rc&0xff)==SQLITE_NOMEM || (rcExt&0xff)==SQLITE_NOMEM ) return 1;
  if( zErr && strstr(zErr, "out of memory") ) return 2;
  return 0;
}

/* Per operation and mode: what the runs found. */
typedef struct Tally Tally;
struct Tally {
  int nRun;              /* runs with a failure injected */
  int nOpFailed;         /* ... where the operation failed (NOMEM) */
  int nByMessage;        /* ... failed with "out of memory" but not NOMEM */
  int nLoadFailed;       /* load failed under injection */
  int nBad;              /* wrong outcomes */
  Buf why;               /* the first few of them */
};

/* Records a wrong outcome for run N. */
static void bad(Tally *pT, int iN, const char *zWhat, const char *zDetail){
  pT->nBad++;
  if( pT->nBad<=3 ){
    char zHead[100];
    snprintf(zHead, sizeof(zHead), "#   N=%d: ", iN);
    bufAdd(&pT->why, zHead);
    bufAdd(&pT->why, zWhat);
    bufAdd(&pT->why, "\n");
    if( zDetail ){
      const char *z = zDetail;
      while( *z ){
        const char *zEnd = strchr(z, '\n');
        size_t n = zEnd ? (size_t)(zEnd-z) : strlen(z);
        char *zLine = sqlite3_mprintf("#     %.*s\n", (int)n, z);
        bufAdd(&pT->why, zLine);
        sqlite3_free(zLine);
        z += n + (zEnd ? 1 : 0);
      }
    }
  }
}

/* Line-by-line diff of two dumps (lines of b missing from a, and so on). */
static char *dumpDiff(const char *zA, const char *zB){
  Buf d = {0, 0, 0};
  char *z = sqlite3_mprintf("want:\n%s\ngot:\n%s", zA, zB);
  bufAdd(&d, z);
  sqlite3_free(z);
  return d.z;
}

/* Runs zSql where it must work (set-up); exits when it fails. */
static void mustRun(sqlite3 *db, const Op *pOp, const char *zSql){
  Outcome o;
  runSql(db, zSql, &o);
  if( o.rc!=SQLITE_OK ){
    printf("not ok - nomem: %s: set-up failed: %s\n", pOp->zName, o.zErr);
    exit(1);
  }
  outcomeFree(&o);
}

/* Loads the extension where it must work (set-up); exits when it fails. */
static void mustLoad(sqlite3 *db){
  char *zErr = 0;
  if( loadExt(db, &zErr) ){
    printf("not ok - nomem: cannot load %s: %s\n", libPath(), zErr);
    exit(1);
  }
}

/* The base state of pOp, built once: an in-memory database to copy. */
static sqlite3 *templateOpen(const Op *pOp){
  sqlite3 *db = openFresh(0);
  mustLoad(db);
  mustRun(db, pOp, pOp->zSetup);
  return db;
}

/*
** A fresh database (in memory, or the file zFile) holding the base state
** copied from pTmpl, with pOp's connection settings, and the extension
** loaded when bLoad.
*/
static sqlite3 *runOpen(sqlite3 *pTmpl, const char *zFile, const Op *pOp,
                        int bLoad){
  sqlite3 *db = openFresh(zFile);
  sqlite3_backup *pB;
  if( zFile ) sqlite3_exec(db, "PRAGMA synchronous=OFF", 0, 0, 0);
  pB = sqlite3_backup_init(db, "main", pTmpl, "main");
  if( pB==0 || sqlite3_backup_step(pB, -1)!=SQLITE_DONE
   || sqlite3_backup_finish(pB)!=SQLITE_OK ){
    printf("not ok - nomem: %s: copying the base state failed: %s\n",
           pOp->zName, sqlite3_errmsg(db));
    exit(1);
  }
  mustRun(db, pOp, pOp->zPragma);
  if( bLoad ) mustLoad(db);
  return db;
}

/* Closes db, recording a failure in pT; returns nothing. */
static void runClose(sqlite3 *db, Tally *pT, int iN){
  if( sqlite3_close(db)!=SQLITE_OK ){
    bad(pT, iN, "sqlite3_close() fails (a statement left open)",
        sqlite3_errmsg(db));
    sqlite3_close_v2(db);
  }
}

/*
** Checks the state after a failed operation (outcome *pO, state zBefore
** before it): the code, nothing changed, and the connection still works:
** the operation run again gives the clean result, then migrate() works.
*/
static void afterFailure(sqlite3 *db, const Op *pOp, int bPers, int iN,
                         Outcome *pO, const char *zBefore, Outcome *pRef,
                         const char *zRefDump, Tally *pT){
  int eKind = nomemKind(pO->rc, pO->rcExt, pO->zErr);
  char *zAfter;
  Outcome o2;
  pT->nOpFailed++;
  if( eKind==0 ){
    char *z = sqlite3_mprintf("rc %d (extended %d): %s", pO->rc, pO->rcExt,
                              pO->zErr);
    bad(pT, iN, "failed with an error other than SQLITE_NOMEM", z);
    sqlite3_free(z);
  }else if( eKind==2 ){
    pT->nByMessage++;
    if( pT->nByMessage==1 ){
      printf("# nomem: %s (%s): N=%d: \"out of memory\" with rc %d"
             " (extended %d): %s\n", pOp->zName,
             bPers ? "persistent" : "once", iN, pO->rc, pO->rcExt, pO->zErr);
    }
  }
  if( !sqlite3_get_autocommit(db) ) sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  zAfter = dump(db);
  if( strcmp(zAfter, zBefore)!=0 ){
    char *z = dumpDiff(zBefore, zAfter);
    char *zW = sqlite3_mprintf("failed (rc %d: %s) but changed the database",
                               pO->rc, pO->zErr);
    bad(pT, iN, zW, z);
    sqlite3_free(zW);
    free(z);
  }
  free(zAfter);

  runSql(db, pOp->zOp, &o2);
  if( o2.rc!=SQLITE_OK || strcmp(o2.zRows, pRef->zRows)!=0 ){
    bad(pT, iN, "run again without injection, the operation fails or "
        "differs", o2.zErr ? o2.zErr : o2.zRows);
  }else{
    zAfter = dump(db);
    if( strcmp(zAfter, zRefDump)!=0 ){
      char *z = dumpDiff(zRefDump, zAfter);
      bad(pT, iN, "run again, the database differs from a clean run", z);
      free(z);
    }
    free(zAfter);
  }
  if( !sqlite3_get_autocommit(db) ) sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  outcomeFree(&o2);
  runSql(db, "SELECT migrate()", &o2);
  if( o2.rc!=SQLITE_OK ) bad(pT, iN, "a following migrate() fails", o2.zErr);
  outcomeFree(&o2);
}

#define NOMEM_DENSE 2000

/*
** Tests pOp in one mode (bPers) at every nStride-th injection point (past
** the first NOMEM_DENSE, every 5*nStride-th), until
** a run ends with no failure injected. zPath: the temp file, if pOp needs
** one.
*/
static void testOp(const Op *pOp, int bPers, int nStride,
                   const char *zPath){
  const char *zFile = pOp->bFile ? zPath : 0;
  sqlite3 *pTmpl = templateOpen(pOp);
  sqlite3 *db;
  Outcome ref;
  char *zRefDump, *zName;
  Tally t;
  int iN, nTried = 0, nPoints = 0, bDone = 0;
  sqlite3_int64 nMem0;

  memset(&t, 0, sizeof(t));
  bufAdd(&t.why, "");

  /* The clean run: the result and state every successful run must give */
  db = runOpen(pTmpl, zFile, pOp, 1);
  runSql(db, pOp->zOp, &ref);
  zRefDump = dump(db);
  sqlite3_close(db);
  if( ref.rc!=SQLITE_OK ){
    printf("not ok - nomem: %s: fails without injection: %s\n", pOp->zName,
           ref.zErr);
    nFailed++;
    outcomeFree(&ref);
    free(zRefDump);
    sqlite3_close(pTmpl);
    return;
  }

  nMem0 = sqlite3_memory_used();
  /* every nStride-th point up to NOMEM_DENSE, then every 5*nStride-th: the
  ** operations with tens of thousands of points (migrate_check's copy and
  ** its three runs of each script) repeat the same allocation sites */
  for(iN=1; !bDone && iN<1000000; iN+=(iN<NOMEM_DENSE ? nStride : 5*nStride)){
    Outcome o;
    char *zBefore, *zErr = 0;
    int rcLoad = SQLITE_OK;

    db = runOpen(pTmpl, zFile, pOp, !pOp->bWithLoad);
    zBefore = dump(db);
    faultArm(iN, bPers);
    if( pOp->bWithLoad ) rcLoad = loadExt(db, &zErr);
    if( rcLoad==SQLITE_OK ){
      runSql(db, pOp->zOp, &o);
    }else{
      memset(&o, 0, sizeof(o));
    }
    faultDisarm();
    bDone = faultInjected==0;
    nTried++;
    if( bDone ) nPoints = faultCount;   /* the run with no failure counted all */

    if( rcLoad!=SQLITE_OK ){
      /* a failed load: clean, and the next load works */
      t.nLoadFailed++;
      /* persistent: nobody can allocate the message, SQLite included */
      if( !nomemKind(rcLoad, sqlite3_extended_errcode(db), zErr)
       && !(bPers && (strcmp(zErr, "(no message)")==0
                      || strcmp(zErr, "error during initialization: ")==0)) ){
        char *z = sqlite3_mprintf("rc %d (errcode %d): %s", rcLoad,
                                  sqlite3_extended_errcode(db), zErr);
        bad(&t, iN, "load failed with another error", z);
        sqlite3_free(z);
      }
      free(zErr);
      zErr = 0;
      if( loadExt(db, &zErr) ){
        bad(&t, iN, "a second load after a failed one fails", zErr);
        free(zErr);
      }else{
        runSql(db, pOp->zOp, &o);
        if( o.rc!=SQLITE_OK || strcmp(o.zRows, ref.zRows)!=0 ){
          bad(&t, iN, "after a failed load, the operation fails or differs",
              o.zErr ? o.zErr : o.zRows);
        }
      }
    }else if( o.rc==SQLITE_OK ){
      /* success: exactly what the clean run gave */
      char *zAfter = dump(db);
      if( strcmp(o.zRows, ref.zRows)!=0 ){
        char *z = dumpDiff(ref.zRows, o.zRows);
        bad(&t, iN, "succeeded with another result", z);
        free(z);
      }
      if( strcmp(zAfter, zRefDump)!=0 ){
        char *z = dumpDiff(zRefDump, zAfter);
        bad(&t, iN, "succeeded, but the database differs from a clean run",
            z);
        free(z);
      }
      free(zAfter);
    }else{
      afterFailure(db, pOp, bPers, iN, &o, zBefore, &ref, zRefDump, &t);
    }
    outcomeFree(&o);
    free(zBefore);
    runClose(db, &t, iN);
    if( sqlite3_memory_used()!=nMem0 ){
      char z[100];
      snprintf(z, sizeof(z), "%lld bytes",
               (long long)(sqlite3_memory_used()-nMem0));
      bad(&t, iN, "memory still allocated after close (leak)", z);
      nMem0 = sqlite3_memory_used();
    }
  }

  zName = sqlite3_mprintf("nomem: %s (%s): %d of %d points, %d failed "
      "cleanly", pOp->zName, bPers ? "persistent" : "once",
      nTried - bDone, nPoints, t.nOpFailed + t.nLoadFailed);
  if( t.nBad==0 && bDone ){
    check(zName, 1, 0);
  }else{
    char *zWhy = sqlite3_mprintf("%d wrong outcomes%s", t.nBad,
                                 bDone ? "" : ", never completed");
    check(zName, 0, zWhy);
    printf("%s", t.why.z);
    sqlite3_free(zWhy);
  }
  sqlite3_free(zName);
  free(t.why.z);
  outcomeFree(&ref);
  free(zRefDump);
  sqlite3_close(pTmpl);
}

int main(void){
  const char *zDir = getenv("TMPDIR");
  const char *zStride = getenv("NOMEM_STRIDE");
  const char *zOnly = getenv("NOMEM_ONLY");
  const char *zPre = getenv("LD_PRELOAD");
  const char *zVg = getenv("VALGRIND_MODE");
  int bValgrind = (zPre && strstr(zPre, "vgpreload")) || (zVg && zVg[0]=='1');
  const char *zFull = getenv("NOMEM_FULL");
  int bFull = zFull && zFull[0]=='1';
  /* once: every point; persistent: every 4th (under valgrind: fewer) */
  int nOnce = bFull ? 1 : bValgrind ? 30 : 1;
  int nPers = bFull ? 1 : bValgrind ? 90 : 4;
  char zPath[512];
  size_t i;

  /* Before anything else initializes SQLite */
  if( faultInstall("nomem") ) return 1;
  if( zStride && atoi(zStride)>0 ) nOnce = nPers = atoi(zStride);
  snprintf(zPath, sizeof(zPath), "%s/ctest_nomem_%d.db",
           zDir && zDir[0] ? zDir : "/tmp", (int)getpid());

  for(i=0; i<sizeof(aOp)/sizeof(aOp[0]); i++){
    if( zOnly && strstr(aOp[i].zName, zOnly)==0 ) continue;
    if( sqlOmitted(aOp[i].zOp) || sqlOmitted(aOp[i].zSetup) ){
      char *zName = sqlite3_mprintf("nomem: %s", aOp[i].zName);
      skipOmitted(zName, sqlOmitted(aOp[i].zOp) ? sqlOmitted(aOp[i].zOp)
                                                 : sqlOmitted(aOp[i].zSetup));
      sqlite3_free(zName);
      continue;
    }
    testOp(&aOp[i], 0, nOnce, zPath);
    testOp(&aOp[i], 1, nPers, zPath);
  }
  unlink(zPath);
  {
    char *zJ = sqlite3_mprintf("%s-journal", zPath);
    unlink(zJ);
    sqlite3_free(zJ);
  }
  sqlite3_shutdown();
  return nFailed ? 1 : 0;
}
