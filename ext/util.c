/*
** sqlmig: the helpers every part shares, below all of them.
**
** The per-connection state's references, the code a failure reports, how
** messages show a revision and a value, and the affinity of a declared
** type. This file calls no other file of ext/ (tests/check_layers.sh):
** what the state frees when its last reference goes is wired in by the
** entry point (sqlmig.c), which sits above every part.
*/
#include "sqlmig_int.h"
#ifndef SQLMIG_AMALGAMATION
SQLITE_EXTENSION_INIT1
#endif

SqlmigConn *sqlmigConnRef(SqlmigConn *p){
  p->nRef++;
  return p;
}

void sqlmigConnUnref(void *pArg){
  SqlmigConn *p = (SqlmigConn*)pArg;
  if( p && --p->nRef==0 ){
    if( p->xFileMemoFree ) p->xFileMemoFree(p->pFileMemo);
    sqlite3_free(p);
  }
}

char *sqlmigRevLabel(const char *zName){
  return zName ? sqlite3_mprintf(" \"%s\"", zName) : sqlite3_mprintf("");
}

char *sqlmigValueShown(sqlite3_value *v){
  switch( sqlite3_value_type(v) ){
    case SQLITE_NULL: return sqlite3_mprintf("NULL");
    case SQLITE_BLOB: return sqlite3_mprintf("a blob");
    case SQLITE_TEXT:
      return sqlite3_mprintf("%Q", (const char*)sqlite3_value_text(v));
    default:
      return sqlite3_mprintf("%s", (const char*)sqlite3_value_text(v));
  }
}

int sqlmigErrcode(sqlite3 *db, int rc){
  int rcExt = sqlite3_extended_errcode(db);
  return (rcExt & 0xff)==(rc & 0xff) ? rcExt : rc;
}

/* Type affinity of a declared type, as SQLite derives it: 'i' INTEGER,
** 't' TEXT, 'b' BLOB, 'r' REAL, 'n' NUMERIC. */
char sqlmigAffinity(const char *zType){
  char aff = 'n';
  int i, n = (int)strlen(zType);
  if( n==0 ) return 'b';
  for(i=0; i+3<=n; i++){
    if( sqlite3_strnicmp(&zType[i], "int", 3)==0 ) return 'i';
  }
  for(i=0; i+4<=n; i++){
    if( sqlite3_strnicmp(&zType[i], "char", 4)==0
     || sqlite3_strnicmp(&zType[i], "clob", 4)==0
     || sqlite3_strnicmp(&zType[i], "text", 4)==0 ) return 't';
  }
  for(i=0; i+4<=n; i++){
    if( sqlite3_strnicmp(&zType[i], "blob", 4)==0 ) return 'b';
  }
  for(i=0; i+4<=n; i++){
    if( sqlite3_strnicmp(&zType[i], "real", 4)==0
     || sqlite3_strnicmp(&zType[i], "floa", 4)==0
     || sqlite3_strnicmp(&zType[i], "doub", 4)==0 ) aff = 'r';
  }
  return aff;
}

/* The store and the tables of main: do they exist (see sqlmig_int.h). */
int sqlmigStoreExists(sqlite3 *db){
  return sqlmigTableExists(db, SQLMIG_STORE);
}

/*
** By preparing a statement that names the table: SQLite finds it in its
** schema hash, where a query of sqlite_master would read every row (a
** cost the start-up idiom would pay on a schema of 1000 tables).
*/
int sqlmigTableExists(sqlite3 *db, const char *zName){
  sqlite3_stmt *pStmt = 0;
  char *zSql = sqlite3_mprintf("SELECT 1 FROM main.\"%w\"", zName);
  int rc;
  if( zSql==0 ) return -SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK ) return 1;
  if( rc==SQLITE_ERROR ) return 0;       /* no such table */
  return -sqlmigErrcode(db, rc);
}
