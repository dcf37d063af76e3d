/*
** sqlmig: the one reader of the history store, main.sqlmig_history.
**
**   SqlmigHistory h;
**   rc = sqlmigHistoryOpen(db, SQLMIG_H_UP|SQLMIG_H_CHECKSUM, &h);
**   while( rc==SQLITE_OK && (rc = sqlmigHistoryNext(&h))==SQLITE_ROW ){
**     ... h.iVersion, h.bApplied, h.bDeleted, h.bHasDown, h.bBaselined,
**     sqlmigHistoryText(&h, SQLMIG_H_UP, &zUp, &nUp) ...
**   }
**   sqlmigHistoryClose(&h);
**
** migrate() (migrate.c), migrate_baseline() (baseline.c) and
** migrate_check() (check.c) read the revisions, ascending by version,
** through it. A reader names the text columns it wants (a mask of
** SQLMIG_H_*): the others are NULL in the statement, so migrate()'s
** no-op path decodes only up and checksum. Texts are read when asked
** for, straight from the statement (valid until the next step), never
** copied here. SQLMIG_H_BASELINE adds the marks of main.sqlmig_baseline
** (bBaselined) when that table exists.
*/
#include "sqlmig_int.h"

/* The text columns, in the order of the SQLMIG_H_* bits. */
static const char *const azHistCol[] = {
  "name", "up", "down", "checksum", "applied_at"
};
#define HIST_FIRST_TEXT 4     /* statement column of the first text */
#define HIST_N_TEXT 5

int sqlmigHistoryOpen(sqlite3 *db, unsigned mCols, SqlmigHistory *p){
  sqlite3_str *pSql;
  char *zSql;
  int rc, bBase = 0, i;
  memset(p, 0, sizeof(*p));
  p->db = db;
  rc = sqlmigStoreExists(db);
  if( rc<=0 ) return rc<0 ? -rc : SQLITE_DONE;
  if( mCols & SQLMIG_H_BASELINE ){
    bBase = sqlmigTableExists(db, SQLMIG_BASELINE);
    if( bBase<0 ) return -bBase;
  }
  pSql = sqlite3_str_new(db);
  /* Columns unqualified (sqlmig_baseline has none of these names), so
  ** that a damaged store's error names the column as it is */
  sqlite3_str_appendall(pSql, "SELECT h.version, applied_at IS NOT NULL, "
      "deleted_at IS NOT NULL, down IS NOT NULL");
  for(i=0; i<HIST_N_TEXT; i++){
    if( mCols & (1u<<i) ) sqlite3_str_appendf(pSql, ", %s", azHistCol[i]);
    else sqlite3_str_appendall(pSql, ", NULL");
  }
  sqlite3_str_appendall(pSql, bBase ? ", b.version IS NOT NULL FROM main."
      SQLMIG_STORE " h LEFT JOIN main." SQLMIG_BASELINE " b ON "
      "b.version=h.version ORDER BY h.version"
      : ", 0 FROM main." SQLMIG_STORE " h ORDER BY h.version");
  zSql = sqlite3_str_finish(pSql);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &p->pStmt, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ) rc = sqlmigErrcode(db, rc);
  return rc;
}

int sqlmigHistoryNext(SqlmigHistory *p){
  sqlite3_stmt *pS = p->pStmt;
  int rc;
  if( pS==0 ) return SQLITE_DONE;
  rc = sqlite3_step(pS);
  if( rc!=SQLITE_ROW ) return rc==SQLITE_DONE ? rc : sqlmigErrcode(p->db, rc);
  p->iVersion = sqlite3_column_int64(pS, 0);
  p->bApplied = sqlite3_column_int(pS, 1);
  p->bDeleted = sqlite3_column_int(pS, 2);
  p->bHasDown = sqlite3_column_int(pS, 3);
  p->bBaselined = sqlite3_column_int(pS, HIST_FIRST_TEXT+HIST_N_TEXT);
  return SQLITE_ROW;
}

int sqlmigHistoryText(SqlmigHistory *p, unsigned eCol, const char **pz,
                      int *pn){
  int iCol = HIST_FIRST_TEXT;
  const char *z;
  int eType;
  while( eCol>1 ){ eCol >>= 1; iCol++; }
  eType = sqlite3_column_type(p->pStmt, iCol);
  z = (const char*)sqlite3_column_text(p->pStmt, iCol);
  if( pn ) *pn = sqlite3_column_bytes(p->pStmt, iCol);
  *pz = z;
  if( z==0 && eType!=SQLITE_NULL ){
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

void sqlmigHistoryClose(SqlmigHistory *p){
  sqlite3_finalize(p->pStmt);
  p->pStmt = 0;
}
