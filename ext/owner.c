/*
** sqlmig: the `sqlmig` virtual table, owner of the history store.
**
** Under SQLITE_DBCONFIG_DEFENSIVE, shadow tables are read-only to ordinary
** SQL. SQLite names a table "<vtab>_<suffix>" a shadow table when the
** module of <vtab> says so (xShadowName), so the store main.sqlmig_history
** is protected by creating `CREATE VIRTUAL TABLE main.sqlmig USING sqlmig`
** with it at the first write (migrations.c). The protection needs the
** module registered before the schema is read, i.e. the extension loaded
** right after opening.
*/
#include "sqlmig_int.h"

/*
** The table has no rows. Statements that sqlmig runs from inside its own
** functions can still write the store; an eponymous table such as
** `migrations` cannot own shadow tables, hence this second module.
*/
static int guardConnect(sqlite3 *db, void *pAux, int argc,
                        const char *const *argv, sqlite3_vtab **ppVtab,
                        char **pzErr){
  sqlite3_vtab *p;
  int rc;
  (void)pAux; (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(note TEXT)");
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  *ppVtab = p;
  return SQLITE_OK;
}

static int guardDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

static int guardBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  (void)pVtab;
  pInfo->estimatedCost = 1.0;
  return SQLITE_OK;
}

static int guardOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  sqlite3_vtab_cursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = pCur;
  return SQLITE_OK;
}

static int guardClose(sqlite3_vtab_cursor *cur){
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int guardFilter(sqlite3_vtab_cursor *cur, int idxNum,
                       const char *idxStr, int argc, sqlite3_value **argv){
  (void)cur; (void)idxNum; (void)idxStr; (void)argc; (void)argv;
  return SQLITE_OK;
}

static int guardNext(sqlite3_vtab_cursor *cur){
  (void)cur;
  return SQLITE_OK;
}

static int guardEof(sqlite3_vtab_cursor *cur){
  (void)cur;
  return 1;
}

static int guardColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  (void)cur; (void)ctx; (void)i;
  return SQLITE_OK;
}

static int guardRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  (void)cur;
  *pRowid = 0;
  return SQLITE_OK;
}

static int guardShadowName(const char *zSuffix){
  return sqlite3_stricmp(zSuffix, &SQLMIG_STORE[sizeof("sqlmig")])==0;
}

static sqlite3_module guardModule = {
  .iVersion = 3,
  .xCreate = guardConnect,
  .xConnect = guardConnect,
  .xBestIndex = guardBestIndex,
  .xDisconnect = guardDisconnect,
  .xDestroy = guardDisconnect,
  .xOpen = guardOpen,
  .xClose = guardClose,
  .xFilter = guardFilter,
  .xNext = guardNext,
  .xEof = guardEof,
  .xColumn = guardColumn,
  .xRowid = guardRowid,
  .xShadowName = guardShadowName,
};

int sqlmigOwnerRegister(sqlite3 *db, SqlmigConn *pConn){
  (void)pConn;
  return sqlite3_create_module(db, "sqlmig", &guardModule, 0);
}
