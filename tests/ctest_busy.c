/*
** C test: migrate() while another statement runs on the same connection.
**
**   make build/ctest_busy && LIB=./libsqlmig.so ./build/ctest_busy
**
** SQL alone cannot keep one statement half-stepped while another runs, so
** this program does it through the C API: it prepares a statement (a read
** of an ordinary table, of `migrations`, of migrate_plan, or of no table at
** all), steps it once, then runs `SELECT migrate()` with sqlite3_exec. That
** must fail with exactly the "must be called on its own" message and
** SQLITE_ERROR, change nothing (the schema, the history and the user
** tables are compared as a dump before and after), and leave the other
** statement able to finish. Once that statement is finalized, migrate()
** works. The same is checked inside the caller's BEGIN ... COMMIT.
**
** Then lock contention made deterministic: connection B holds the write
** lock when A calls migrate(); A's busy handler lets B migrate (or change
** the revisions) and commit, so A's plan, read before the lock, is stale
** once it gets the lock. A must still give the exact result.
**
** Loads the extension from env LIB (default ./libsqlmig.so). Prints one
** `ok - ...` / `not ok - ...: why` line per check; exits 1 when any failed.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctest.h"

#define HOW "migrate: must be called on its own, as SELECT migrate(); not " \
  "inside a statement that reads a table or while another statement is "   \
  "running"

/*
** Runs zSql; returns its first result column as text (sqlite3_malloc'd,
** "NULL" for a NULL), or "error: <message>" when it fails.
*/
static char *firstValue(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  char *zRes = 0;
  const char *zTail = zSql;
  int rc = SQLITE_OK;
  while( rc==SQLITE_OK && zTail && zTail[0] ){
    rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zTail);
    if( rc!=SQLITE_OK || pStmt==0 ) break;
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      if( zRes==0 ){
        const char *z = (const char*)sqlite3_column_text(pStmt, 0);
        zRes = sqlite3_mprintf("%s", z ? z : "NULL");
      }
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    sqlite3_finalize(pStmt);
    pStmt = 0;
  }
  if( rc!=SQLITE_OK ){
    sqlite3_free(zRes);
    zRes = sqlite3_mprintf("error: %s", sqlite3_errmsg(db));
  }
  return zRes ? zRes : sqlite3_mprintf("%s", "");
}

/* Checks that zSql's first result (see firstValue()) is zWant. */
static void expect(const char *zName, sqlite3 *db, const char *zSql,
                   const char *zWant){
  char *zGot = firstValue(db, zSql);
  char *zWhy = sqlite3_mprintf("got \"%s\", want \"%s\"", zGot, zWant);
  check(zName, zGot && strcmp(zGot, zWant)==0, zWhy);
  sqlite3_free(zWhy);
  sqlite3_free(zGot);
}

/* Appends every row of zSql to pOut, values quoted, one line per row. */
static void dumpQuery(sqlite3 *db, sqlite3_str *pOut, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( rc!=SQLITE_OK ){
    sqlite3_str_appendf(pOut, "error: %s\n", sqlite3_errmsg(db));
    return;
  }
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    int i;
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      const char *zCol = sqlite3_column_name(pStmt, i);
      const char *z = (const char*)sqlite3_column_text(pStmt, i);
      if( strcmp(zCol, "applied_at")==0 || strcmp(zCol, "deleted_at")==0 ){
        z = z ? "<time>" : 0;      /* times differ between runs */
      }
      sqlite3_str_appendf(pOut, "%s%Q", i ? "|" : "", z);
    }
    sqlite3_str_appendall(pOut, "\n");
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    sqlite3_str_appendf(pOut, "error: %s\n", sqlite3_errmsg(db));
  }
}

/*
** A dump of what must not change: main and temp schema, then every row of
** every table of main (the history store included). Caller frees it.
*/
static char *dump(sqlite3 *db){
  sqlite3_str *pOut = sqlite3_str_new(db);
  sqlite3_stmt *pStmt = 0;
  dumpQuery(db, pOut, "SELECT type, name, tbl_name, sql FROM main.sqlite_master"
                      " ORDER BY type, name");
  dumpQuery(db, pOut, "SELECT type, name, tbl_name, sql FROM temp.sqlite_master"
                      " ORDER BY type, name");
  if( sqlite3_prepare_v2(db, "SELECT name FROM main.sqlite_master WHERE "
        "type='table' AND name NOT LIKE 'sqlite%' ORDER BY name", -1, &pStmt,
        0)==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      char *zSql = sqlite3_mprintf("SELECT * FROM main.\"%w\" ORDER BY rowid",
                                   (const char*)sqlite3_column_text(pStmt, 0));
      sqlite3_str_appendf(pOut, "-- %s\n", sqlite3_column_text(pStmt, 0));
      dumpQuery(db, pOut, zSql);
      sqlite3_free(zSql);
    }
  }
  sqlite3_finalize(pStmt);
  return sqlite3_str_finish(pOut);
}

/* Checks that the dump of db equals zBefore. */
static void expectUnchanged(const char *zName, sqlite3 *db,
                            const char *zBefore){
  char *zAfter = dump(db);
  char *zWhy = sqlite3_mprintf("before:\n%s\nafter:\n%s", zBefore, zAfter);
  check(zName, zAfter && zBefore && strcmp(zBefore, zAfter)==0, zWhy);
  sqlite3_free(zWhy);
  sqlite3_free(zAfter);
}

/*
** Calls migrate (zCall, e.g. "SELECT migrate()") while zOther is stepped
** once and not finished. Checks the error, that nothing changed, that the
** other statement still yields its nRows rows in all, and that zCall works
** once it is finalized, giving zWant.
*/
static void busyCase(const char *zLabel, sqlite3 *db, const char *zOther,
                     int nRows, const char *zCall, const char *zWant){
  sqlite3_stmt *pOther = 0;
  char *zBefore = dump(db);
  char zName[200];
  char *zErr = 0;
  int rc, n = 0;

  rc = sqlite3_prepare_v2(db, zOther, -1, &pOther, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_step(pOther);
  snprintf(zName, sizeof(zName), "%s: other statement is mid-step", zLabel);
  check(zName, rc==SQLITE_ROW, sqlite3_errmsg(db));
  if( rc==SQLITE_ROW ) n++;

  rc = sqlite3_exec(db, zCall, 0, 0, &zErr);
  snprintf(zName, sizeof(zName), "%s: %s refused", zLabel, zCall);
  {
    char *zWhy = sqlite3_mprintf("rc %d (want %d), message \"%s\"", rc,
                                 SQLITE_ERROR, zErr ? zErr : "(none)");
    check(zName, rc==SQLITE_ERROR && zErr && strcmp(zErr, HOW)==0, zWhy);
    sqlite3_free(zWhy);
  }
  sqlite3_free(zErr);
  snprintf(zName, sizeof(zName), "%s: nothing changed", zLabel);
  expectUnchanged(zName, db, zBefore);

  while( (rc = sqlite3_step(pOther))==SQLITE_ROW ) n++;
  snprintf(zName, sizeof(zName), "%s: other statement finishes", zLabel);
  {
    char *zWhy = sqlite3_mprintf("rc %d, %d rows (want %d): %s", rc, n,
                                 nRows, sqlite3_errmsg(db));
    check(zName, rc==SQLITE_DONE && n==nRows, zWhy);
    sqlite3_free(zWhy);
  }
  sqlite3_finalize(pOther);

  snprintf(zName, sizeof(zName), "%s: %s works after finalize", zLabel,
           zCall);
  expect(zName, db, zCall, zWant);
  sqlite3_free(zBefore);
}

/*
** While migrate() on connection A waits for the write lock, its busy
** handler lets connection B run zOther (e.g. migrate the same revisions
** and commit), once. Deterministic version of two processes starting at
** the same moment.
*/
typedef struct Racer Racer;
struct Racer {
  sqlite3 *pOther;         /* connection B */
  const char *zOther;      /* what B runs while A waits */
  char *zGot;              /* B's result */
  int nCall;               /* busy handler calls */
};

static int racerBusy(void *pArg, int nPrior){
  Racer *p = (Racer*)pArg;
  (void)nPrior;
  if( p->nCall++==0 ){
    p->zGot = firstValue(p->pOther, p->zOther);
  }
  return p->nCall<100;     /* retry; B has committed by now */
}

/*
** A and B share zPath; both see revisions registered by zSetup (its first
** result is zSetupWant). B holds
** the write lock (BEGIN IMMEDIATE) when A calls zCall; while A waits, B
** runs zOther (which ends its transaction). A's result must be zWant and
** the applied versions zApplied.
*/
static void raceCase(const char *zLabel, const char *zPath, const char *zSetup,
                     const char *zSetupWant, const char *zCall,
                     const char *zOther,
                     const char *zWantOther, const char *zWant,
                     const char *zApplied){
  sqlite3 *a, *b;
  Racer r;
  char zName[300];
  char *zFile = sqlite3_mprintf("%s-race", zPath);
  unlink(zFile);
  a = openDb(zFile);
  b = openDb(zFile);
  memset(&r, 0, sizeof(r));
  if( a==0 || b==0 ){
    check(zLabel, 0, "cannot open");
    sqlite3_close(a);
    sqlite3_close(b);
    sqlite3_free(zFile);
    return;
  }
  snprintf(zName, sizeof(zName), "%s: setup", zLabel);
  expect(zName, a, zSetup, zSetupWant);
  snprintf(zName, sizeof(zName), "%s: the other connection takes the lock",
           zLabel);
  expect(zName, b, "BEGIN IMMEDIATE; SELECT 'locked'", "locked");
  r.pOther = b;
  r.zOther = zOther;
  sqlite3_busy_handler(a, racerBusy, &r);
  snprintf(zName, sizeof(zName), "%s: %s waits, then gives %s", zLabel,
           zCall, zWant);
  expect(zName, a, zCall, zWant);
  snprintf(zName, sizeof(zName), "%s: the other connection ran meanwhile",
           zLabel);
  {
    char *zWhy = sqlite3_mprintf("busy handler calls %d, other got \"%s\", "
        "want \"%s\"", r.nCall, r.zGot ? r.zGot : "(not run)", zWantOther);
    check(zName, r.nCall>0 && r.zGot && strcmp(r.zGot, zWantOther)==0, zWhy);
    sqlite3_free(zWhy);
  }
  snprintf(zName, sizeof(zName), "%s: applied afterwards", zLabel);
  expect(zName, a, "SELECT coalesce(group_concat(version), '-') FROM "
         "(SELECT version FROM migrations WHERE applied_at IS NOT NULL)",
         zApplied);
  sqlite3_free(r.zGot);
  sqlite3_close(a);
  sqlite3_close(b);
  unlink(zFile);
  sqlite3_free(zFile);
}

#define RACE_REVS "INSERT INTO migrations(version, up, down) VALUES" \
  " (1, 'CREATE TABLE r1(x)', 'DROP TABLE r1')," \
  " (2, 'CREATE TABLE r2(x)', 'DROP TABLE r2')"

int main(void){
  char zPath[512];
  const char *zDir = getenv("TMPDIR");
  sqlite3 *db;

  snprintf(zPath, sizeof(zPath), "%s/ctest_busy_%d.db",
           zDir && zDir[0] ? zDir : "/tmp", (int)getpid());
  unlink(zPath);
  db = openDb(zPath);
  check("open and load the extension", db!=0, libPath());
  if( db==0 ) return 1;

  expect("setup", db,
      "CREATE TABLE t(x);"
      "INSERT INTO t VALUES (1), (2), (3);"
      "INSERT INTO migrations(version, name, up, down) VALUES"
      "  (1, 'one', 'CREATE TABLE a(x); CREATE INDEX a_x ON a(x);',"
      "             'DROP INDEX a_x; DROP TABLE a;'),"
      "  (2, 'two', 'CREATE TABLE b(y); INSERT INTO b VALUES (42);',"
      "             'DROP TABLE b');"
      "SELECT migrate(1);", "1");

  busyCase("table reader", db, "SELECT * FROM t", 3,
           "SELECT migrate()", "2");
  busyCase("migrations reader", db, "SELECT version FROM migrations", 2,
           "SELECT migrate(0)", "NULL");
  busyCase("migrate_plan reader", db, "SELECT * FROM migrate_plan()", 2,
           "SELECT migrate()", "2");
  busyCase("history reader", db, "SELECT * FROM sqlmig_history", 2,
           "SELECT migrate(1)", "1");
  busyCase("statement reading no table", db, "VALUES (1), (2)", 2,
           "SELECT migrate()", "2");

  /* A deleted revision waiting to be reverted stays waiting */
  expect("delete applied revision 2", db,
         "DELETE FROM migrations WHERE version=2; SELECT count(*) FROM t",
         "3");
  busyCase("pending revert", db, "SELECT * FROM t", 3, "SELECT migrate()",
           "1");
  expect("revision 2 reverted and gone", db,
         "SELECT (SELECT count(*) FROM sqlite_master WHERE name='b') || ','"
         " || (SELECT group_concat(version) FROM sqlmig_history)", "0,1");

  /* Inside the caller's transaction: refused, the transaction stays open */
  expect("begin, register revision 3", db,
         "BEGIN; INSERT INTO migrations(version, up, down) VALUES"
         " (3, 'CREATE TABLE c(z)', 'DROP TABLE c'); SELECT 'x'", "x");
  busyCase("inside BEGIN", db, "SELECT * FROM t", 3, "SELECT migrate()",
           "3");
  check("inside BEGIN: transaction still open", !sqlite3_get_autocommit(db),
        "the connection is in autocommit mode");
  expect("commit", db, "COMMIT; SELECT group_concat(version) FROM "
         "(SELECT version FROM migrations WHERE applied_at IS NOT NULL)",
         "1,3");

  /* Two statements mid-step at once */
  {
    sqlite3_stmt *p1 = 0, *p2 = 0;
    char *zBefore = dump(db);
    int ok = sqlite3_prepare_v2(db, "SELECT * FROM t", -1, &p1, 0)==SQLITE_OK
          && sqlite3_prepare_v2(db, "SELECT * FROM migrations", -1, &p2, 0)
             ==SQLITE_OK
          && sqlite3_step(p1)==SQLITE_ROW && sqlite3_step(p2)==SQLITE_ROW;
    check("two readers: both mid-step", ok, sqlite3_errmsg(db));
    expect("two readers: migrate(0) refused", db, "SELECT migrate(0)",
           "error: " HOW);
    expectUnchanged("two readers: nothing changed", db, zBefore);
    sqlite3_finalize(p1);
    expect("two readers: one left, still refused", db, "SELECT migrate(0)",
           "error: " HOW);
    sqlite3_finalize(p2);
    expect("two readers: none left, migrate(0) works", db,
           "SELECT migrate(0)", "NULL");
    sqlite3_free(zBefore);
  }

  check("close", sqlite3_close(db)==SQLITE_OK, "a statement is left open");

  /* Another connection commits between migrate()'s plan and its lock */
  raceCase("race, other applies all", zPath, RACE_REVS "; SELECT 'ok'",
           "ok", "SELECT migrate()", "SELECT migrate(); COMMIT", "2",
           "2", "1,2");
  raceCase("race, other applies some", zPath, RACE_REVS "; SELECT 'ok'",
           "ok", "SELECT migrate()", "SELECT migrate(1); COMMIT", "1",
           "2", "1,2");
  raceCase("race, other registers more", zPath, RACE_REVS "; SELECT 'ok'",
           "ok", "SELECT migrate()", "INSERT INTO migrations(version, up)"
           " VALUES (3, 'CREATE TABLE r3(x)'); COMMIT; SELECT 'done'",
           "done", "3", "1,2,3");
  raceCase("race, other reverts", zPath, RACE_REVS "; SELECT migrate(1)",
           "1", "SELECT migrate()", "SELECT migrate(0); COMMIT", "NULL",
           "2", "1,2");
  raceCase("race, other applies the target", zPath,
           RACE_REVS "; SELECT 'ok'", "ok", "SELECT migrate(1)",
           "SELECT migrate(1); COMMIT", "1", "1", "1");
  raceCase("race, other reverts to the target", zPath,
           RACE_REVS "; SELECT migrate()", "2", "SELECT migrate(0)",
           "SELECT migrate(0); COMMIT", "NULL", "NULL", "-");
  unlink(zPath);
  return nFailed ? 1 : 0;
}
