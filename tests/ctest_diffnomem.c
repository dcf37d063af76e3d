/*
** ctest_diffnomem: allocation failure at every point of migrate_diff
** (schemas, a schema script, rename hints), migrate_changes,
** migrate_data_diff, migrate_copy and migrate_copy_report.
**
**   make build/ctest_diffnomem && LIB=./libsqlmig.so ./build/ctest_diffnomem
**
** Wraps SQLite's allocator (SQLITE_CONFIG_GETMALLOC / SQLITE_CONFIG_MALLOC,
** lookaside off) with one that fails the Nth allocation once ("once") or
** the Nth and every later one ("persistent"). For each operation and mode
** it runs N = 1, 2, ... until a run ends without an injected failure. Each
** run opens a fresh in-memory database with two schemas that differ in
** every way the diff handles, arms the injector, runs the operation and
** disarms. A run must either succeed with the same result as a clean run,
** or fail with SQLITE_NOMEM / "out of memory" and, for the copy, leave the
** target's rows as they were (or, when the caller's statement failed after
** the copy was done, as a clean copy leaves them: never half copied); after the connection closes, memory in use
** must be back to what it was before the open (no leak).
** By default every 2nd point is tested (every one: NOMEM_STRIDE=1, as
** `make test-long` does), under valgrind (LD_PRELOAD, or VALGRIND_MODE=1)
** every 23rd; NOMEM_STRIDE=K sets the stride, DIFFNOMEM_OP=i / DIFFNOMEM_N=n
** replay one operation / one point.
*/
#include <sqlite3.h>
#include "ctest.h"
#include "ctest_fault.h"



static const char *zSetup =
  "ATTACH ':memory:' AS desired;"
  "CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT);"
  "CREATE TABLE c(id INTEGER PRIMARY KEY AUTOINCREMENT, pid REFERENCES p(id) ON DELETE CASCADE, \"v w\" TEXT, old INT);"
  "CREATE TABLE gone(x);"
  "CREATE INDEX c_pid ON c(pid);"
  "CREATE VIEW pv AS SELECT name FROM p;"
  "CREATE TRIGGER c_t AFTER INSERT ON c BEGIN UPDATE p SET name = name WHERE 0; END;"
  "INSERT INTO p VALUES (1, 'a'), (2, 'b');"
  "INSERT INTO c(pid, \"v w\", old) VALUES (1, 'x', 1), (2, 'y', 2);"
  "CREATE TABLE desired.p(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', born TEXT);"
  "CREATE TABLE desired.c(id INTEGER PRIMARY KEY AUTOINCREMENT, pid REFERENCES p(id) ON DELETE CASCADE, \"v w\" TEXT COLLATE NOCASE, CHECK (id > 0));"
  "CREATE TABLE desired.n(\"select\" TEXT UNIQUE);"
  "CREATE UNIQUE INDEX desired.c_pid ON c(pid, \"v w\") WHERE pid IS NOT NULL;"
  "CREATE VIEW desired.pv AS SELECT name, born FROM p;"
  "CREATE VIEW desired.pv2 AS SELECT * FROM pv;"
  "CREATE TRIGGER desired.c_t AFTER INSERT ON c BEGIN UPDATE p SET name = name WHERE 0; END;"
  "CREATE TABLE r(id INTEGER PRIMARY KEY, x REAL, y);"
  "INSERT INTO r VALUES (1, 0.1, -0.0), (2, 5e-324, 'a'), (3, 1e308, x'00');"
  "CREATE TEMP TABLE r(id INTEGER PRIMARY KEY, x REAL, y);"
  "INSERT INTO temp.r VALUES (1, 0.30000000000000004, 0.0), (3, 1e308, 'a' || char(0)), (4, 7e-310, 1);";

static const struct Op { const char *zName; const char *zSql; } aOp[] = {
  { "migrate_diff", "SELECT migrate_diff('main', 'desired')" },
  { "migrate_diff back", "SELECT migrate_diff('desired', 'main')" },
  { "migrate_changes", "SELECT group_concat(seq||kind||object||change||destructive||detail||sql, '|') FROM migrate_changes('main', 'desired')" },
  { "migrate_diff with a script and hints", "SELECT migrate_diff('main',"
    " 'CREATE TABLE person(id INTEGER PRIMARY KEY, fullname TEXT NOT NULL DEFAULT ''-'');"
    " CREATE TABLE c(id INTEGER PRIMARY KEY AUTOINCREMENT, pid REFERENCES person(id));"
    " CREATE INDEX c_pid ON c(pid);', 'p -> person, p.name -> person.fullname')" },
  { "migrate_data_diff", "SELECT migrate_data_diff('main', 'temp', 'r')" },
  { "migrate_copy", "SELECT migrate_copy('main', 'desired')" },
  /* count(*): the copy is done (and kept) in xFilter, so a failure of the
  ** caller's own work on the rows afterwards would be no failure of ours */
  { "migrate_copy_report", "SELECT count(*) FROM migrate_copy_report('main', 'desired')" },
};

/* Runs zSql; *pzOut gets the first column (malloc'd by libc) or NULL. */
static int run1(sqlite3 *db, const char *zSql, char **pzOut){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  *pzOut = 0;
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    char zNum[32];
    const char *z;
    if( sqlite3_column_type(pStmt, 0)==SQLITE_INTEGER ){
      /* no allocation: a failure here is not the extension's */
      snprintf(zNum, sizeof(zNum), "%lld", (long long)sqlite3_column_int64(pStmt, 0));
      z = zNum;
    }else{
      z = (const char*)sqlite3_column_text(pStmt, 0);
    }
    if( z ){
      size_t nz = strlen(z) + 1;
      *pzOut = malloc(nz);
      if( *pzOut ) memcpy(*pzOut, z, nz);
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  return rc;
}

static int countRows(sqlite3 *db){
  char *z = 0;
  int n;
  faultDisarm();
  run1(db, "SELECT (SELECT count(*) FROM desired.p) * 100 + (SELECT count(*) FROM desired.c)", &z);
  n = z ? atoi(z) : -1;
  free(z);
  return n;
}

int main(void){
  size_t i;
  int mode, nStride = 2;         /* every point: NOMEM_STRIDE=1 (make test-long) */
  if( slowMode() ) nStride = 23;
  if( getenv("NOMEM_STRIDE") ) nStride = atoi(getenv("NOMEM_STRIDE"));
  if( nStride<1 ) nStride = 1;
  if( faultInstall("diffnomem") ) return 1;
  if( buildOmitsDiff() ){
    skipOmitted("diffnomem: the diff out of memory", "migrate_diff");
    return 0;
  }

  for(i=0; i<sizeof(aOp)/sizeof(aOp[0]); i++){
    for(mode=0; mode<2; mode++){
      char zName[128], zWhy[512];
      char *zClean = 0;
      int n, nPoints = 0, nBad = 0, nClean = 0, nRowsCopied = -1;
      snprintf(zName, sizeof(zName), "diffnomem: %s (%s)", aOp[i].zName,
               mode ? "persistent" : "once");
      zWhy[0] = 0;
      if( getenv("DIFFNOMEM_OP") && atoi(getenv("DIFFNOMEM_OP"))!=(int)i ) continue;
      for(n=0; ; n += (n==0 ? 1 : nStride)){
        sqlite3 *db = 0;
        if( getenv("DIFFNOMEM_N") && n>0 ) n = atoi(getenv("DIFFNOMEM_N"));
        sqlite3_int64 nBefore = sqlite3_memory_used();
        char *zOut = 0, *zErr = 0;
        int rc, nRowsBefore;
        faultDisarm();
        rc = sqlite3_open(":memory:", &db);
        sqlite3_enable_load_extension(db, 1);
        if( rc==SQLITE_OK ) rc = sqlite3_load_extension(db, libPath(), "sqlite3_sqlmig_init", &zErr);
        if( rc==SQLITE_OK ) rc = sqlite3_exec(db, zSetup, 0, 0, &zErr);
        if( rc ){
          snprintf(zWhy, sizeof(zWhy), "setup: %s", zErr ? zErr : "?");
          sqlite3_free(zErr);
          sqlite3_close(db);
          nBad++;
          break;
        }
        nRowsBefore = countRows(db);
        faultArm(n, mode);
        rc = run1(db, aOp[i].zSql, &zOut);
        faultDisarm();
        if( n==0 ){
          if( rc ){ snprintf(zWhy, sizeof(zWhy), "clean run failed: %s", sqlite3_errmsg(db)); nBad++; }
          zClean = zOut;
          zOut = 0;
          nRowsCopied = countRows(db);
        }else if( faultInjected==0 ){
          if( rc!=SQLITE_OK || !zOut || !zClean || strcmp(zOut, zClean)!=0 ){
            if( !zWhy[0] ) snprintf(zWhy, sizeof(zWhy), "N=%d: no failure injected but result differs", n);
            nBad++;
          }
        }else{
          nPoints++;
          if( rc==SQLITE_OK ){
            if( !zOut || !zClean || strcmp(zOut, zClean)!=0 ){
              if( !zWhy[0] ) snprintf(zWhy, sizeof(zWhy), "N=%d: succeeded with a wrong result: %.200s", n, zOut ? zOut : "NULL");
              nBad++;
            }else{
              nClean++;
            }
          }else if( rc!=SQLITE_NOMEM && strstr(sqlite3_errmsg(db), "out of memory")==0 ){
            if( !zWhy[0] ) snprintf(zWhy, sizeof(zWhy), "N=%d: rc %d: %s", n, rc, sqlite3_errmsg(db));
            nBad++;
          }else if( i>=3 && countRows(db)!=nRowsBefore
                 && countRows(db)!=nRowsCopied ){
            if( !zWhy[0] ) snprintf(zWhy, sizeof(zWhy), "N=%d: copy failed (%s) but target rows changed", n, sqlite3_errmsg(db));
            nBad++;
          }else{
            nClean++;
          }
        }
        free(zOut);
        if( sqlite3_close(db)!=SQLITE_OK ){
          if( !zWhy[0] ) snprintf(zWhy, sizeof(zWhy), "N=%d: close failed", n);
          nBad++;
        }
        if( sqlite3_memory_used()!=nBefore ){
          if( !zWhy[0] ) snprintf(zWhy, sizeof(zWhy), "N=%d: leaked %lld bytes", n,
                                  (long long)(sqlite3_memory_used()-nBefore));
          nBad++;
        }
        if( n>0 && (faultInjected==0 || getenv("DIFFNOMEM_N")) ) break;
        if( nBad>20 ) break;
      }
      free(zClean);
      {
        char zFull[200];
        snprintf(zFull, sizeof(zFull), "%s: %d points", zName, nPoints);
        check(zFull, nBad==0, zWhy);
      }
    }
  }
  sqlite3_shutdown();
  return nFailed ? 1 : 0;
}
