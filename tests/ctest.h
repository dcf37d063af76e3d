/*
** ctest.h: what the C tests (tests/ctest_*.c) share. Each test is one
** program; this header gives it the `ok - ...` / `not ok - ...` lines that
** tests/run.sh counts, and where to find the extension.
*/
#ifndef SQLMIG_CTEST_H
#define SQLMIG_CTEST_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks that failed so far (a test program: plain statics are fine). */
static int nFailed = 0;

/* Records one check; zWhy explains a failure. */
static inline void check(const char *zName, int bOk, const char *zWhy){
  if( bOk ){
    printf("ok - %s\n", zName);
  }else{
    printf("not ok - %s: %s\n", zName, zWhy ? zWhy : "failed");
    nFailed++;
  }
  fflush(stdout);
}

/* The extension to load: env LIB, else ./libsqlmig.so. */
static inline const char *libPath(void){
  const char *z = getenv("LIB");
  return z && z[0] ? z : "./libsqlmig.so";
}

/* Under valgrind (or with VALGRIND_MODE=1) a test does less. */
static inline int slowMode(void){
  const char *zPre = getenv("LD_PRELOAD");
  const char *zVg = getenv("VALGRIND_MODE");
  return (zPre && strstr(zPre, "vgpreload")) || (zVg && zVg[0]=='1');
}

/*
** Runs zSql; returns SQLITE_OK or the failing code, with *pzRes set to the
** first column of the last row returned ("NULL" for NULL) or, on failure,
** the error message. The caller frees *pzRes (sqlite3_free).
*/
static inline int run(sqlite3 *db, const char *zSql, char **pzRes){
  const char *zTail = zSql;
  int rc = SQLITE_OK;
  *pzRes = 0;
  while( rc==SQLITE_OK && zTail && zTail[0] ){
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zTail);
    if( rc!=SQLITE_OK || pStmt==0 ) break;
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      const char *z = (const char*)sqlite3_column_text(pStmt, 0);
      sqlite3_free(*pzRes);
      *pzRes = sqlite3_mprintf("%s", z ? z : "NULL");
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    sqlite3_finalize(pStmt);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_free(*pzRes);
    *pzRes = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }
  return rc;
}

#endif /* SQLMIG_CTEST_H */
