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
#include <unistd.h>
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
** Opens zPath (created if needed) through VFS zVfs (0: the default) with
** the extension loaded. Returns the
** connection, or NULL after printing a `#` line saying why (the caller
** records the failure).
*/
static inline sqlite3 *openDbVfs(const char *zPath, const char *zVfs){
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc = sqlite3_open_v2(zPath, &db,
      SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, zVfs);
  if( rc==SQLITE_OK ) rc = sqlite3_enable_load_extension(db, 1);
  if( rc==SQLITE_OK ){
    rc = sqlite3_load_extension(db, libPath(), "sqlite3_sqlmig_init", &zErr);
  }
  if( rc!=SQLITE_OK ){
    printf("# cannot open %s with %s: %s\n", zPath, libPath(),
           zErr ? zErr : sqlite3_errmsg(db));
    fflush(stdout);
    sqlite3_free(zErr);
    sqlite3_close(db);
    return 0;
  }
  return db;
}

/*
** What a build with -DSQLMIG_OMIT_DIFF leaves out (migrate_copy also
** matches migrate_copy_report). buildOmitsDiff() is 1 when the library
** under test is such a build (it registers no migrate_diff), asked once;
** sqlOmitted(zSql) is the first of those names zSql uses when the build
** leaves them out, else NULL: a test prints `skip - ...` for it instead of
** running it.
*/
static int ctestOmitsDiff = -1;
static inline int buildOmitsDiff(void){
  if( ctestOmitsDiff<0 ){
    sqlite3 *db = 0;
    sqlite3_stmt *pStmt = 0;
    char *zErr = 0;
    ctestOmitsDiff = 0;
    if( sqlite3_open(":memory:", &db)==SQLITE_OK
     && sqlite3_enable_load_extension(db, 1)==SQLITE_OK
     && sqlite3_load_extension(db, libPath(), "sqlite3_sqlmig_init",
                               &zErr)==SQLITE_OK
     && sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_function_list WHERE "
                           "name='migrate_diff'", -1, &pStmt, 0)==SQLITE_OK
     && sqlite3_step(pStmt)==SQLITE_DONE ){
      ctestOmitsDiff = 1;
    }
    sqlite3_finalize(pStmt);
    sqlite3_free(zErr);
    sqlite3_close(db);
  }
  return ctestOmitsDiff;
}
static inline const char *sqlOmitted(const char *zSql){
  static const char *const azName[] = {
    "migrate_diff", "migrate_changes", "migrate_data_diff", "migrate_copy",
    "migrate_check", "migrate_drift",
  };
  size_t i;
  if( zSql==0 || !buildOmitsDiff() ) return 0;
  for(i=0; i<sizeof(azName)/sizeof(azName[0]); i++){
    if( strstr(zSql, azName[i]) ) return azName[i];
  }
  return 0;
}
/* Prints the `skip - ` line of test zName that needs zWhat. */
static inline void skipOmitted(const char *zName, const char *zWhat){
  printf("skip - %s: %s is not in this build (-DSQLMIG_OMIT_DIFF)\n", zName,
         zWhat);
  fflush(stdout);
}

/* openDbVfs() through the default VFS. */
static inline sqlite3 *openDb(const char *zPath){
  return openDbVfs(zPath, 0);
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

/* A seeded, reproducible pseudo-random generator (splitmix64). */
typedef struct Rng Rng;
struct Rng { unsigned long long s; };

/* A number in [0, n), 0 when n is 0. */
static inline unsigned rnd(Rng *r, unsigned n){
  unsigned long long z = (r->s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return n ? (unsigned)(z % n) : 0;
}

/* A database file name of this process: <TMPDIR>/<zProg>_<pid>_<zTag>.db
** (sqlite3_free it). */
static inline char *tempDbName(const char *zProg, const char *zTag){
  const char *zDir = getenv("TMPDIR");
  return sqlite3_mprintf("%s/%s_%d_%s.db", zDir && zDir[0] ? zDir : "/tmp",
                         zProg, (int)getpid(), zTag);
}

/* Removes a database file and its journals. */
static inline void removeDb(const char *zPath){
  static const char *azSuffix[] = { "", "-journal", "-wal", "-shm" };
  size_t i;
  for(i=0; i<sizeof(azSuffix)/sizeof(azSuffix[0]); i++){
    char *z = sqlite3_mprintf("%s%s", zPath, azSuffix[i]);
    unlink(z);
    sqlite3_free(z);
  }
}

#endif /* SQLMIG_CTEST_H */
