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
**
** Under DEFENSIVE the owner itself cannot be renamed (xRename refuses) or
** dropped (xDestroy refuses), or the store would lose its protection for
** good. Without DEFENSIVE both work, as for any table; a store found
** without its owner gets it back at the next write (migrations.c).
*/
#include "sqlmig_int.h"

/*
** The table has no rows. Statements that sqlmig runs from inside its own
** functions can still write the store; an eponymous table such as
** `migrations` cannot own shadow tables, hence this second module.
*/
typedef struct OwnerTable OwnerTable;
struct OwnerTable {
  sqlite3_vtab base;
  sqlite3 *db;
};

static int guardConnect(sqlite3 *db, void *pAux, int argc,
                        const char *const *argv, sqlite3_vtab **ppVtab,
                        char **pzErr){
  OwnerTable *p;
  int rc;
  (void)pAux; (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(note TEXT)");
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->db = db;
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int guardDisconnect(sqlite3_vtab *pVtab){
  /* A refused DROP leaves its message here: SQLite does not take it */
  sqlite3_free(pVtab->zErrMsg);
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* SQLITE_ERROR with a message when DEFENSIVE is on, else SQLITE_OK. */
static int guardRefuse(sqlite3_vtab *pVtab, const char *zWhat){
  int bDefensive = 0;
  sqlite3_db_config(((OwnerTable*)pVtab)->db, SQLITE_DBCONFIG_DEFENSIVE, -1,
                    &bDefensive);
  if( !bDefensive ) return SQLITE_OK;
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = sqlite3_mprintf("table sqlmig protects " SQLMIG_STORE
      " and cannot be %s while SQLITE_DBCONFIG_DEFENSIVE is on", zWhat);
  return pVtab->zErrMsg ? SQLITE_ERROR : SQLITE_NOMEM;
}

static int guardDestroy(sqlite3_vtab *pVtab){
  int rc = guardRefuse(pVtab, "dropped");
  if( rc==SQLITE_OK ) guardDisconnect(pVtab);
  return rc;
}

static int guardRename(sqlite3_vtab *pVtab, const char *zNew){
  (void)zNew;
  return guardRefuse(pVtab, "renamed");
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

/* The store's tables: sqlmig_history, sqlmig_baseline, sqlmig_schema,
** sqlmig_versions */
static int guardShadowName(const char *zSuffix){
  return sqlite3_stricmp(zSuffix, &SQLMIG_STORE[sizeof("sqlmig")])==0
      || sqlite3_stricmp(zSuffix, &SQLMIG_BASELINE[sizeof("sqlmig")])==0
      || sqlite3_stricmp(zSuffix, &SQLMIG_SCHEMA[sizeof("sqlmig")])==0
      || sqlite3_stricmp(zSuffix, &SQLMIG_VERSIONS[sizeof("sqlmig")])==0;
}

static sqlite3_module guardModule = {
  .iVersion = 3,
  .xCreate = guardConnect,
  .xConnect = guardConnect,
  .xBestIndex = guardBestIndex,
  .xDisconnect = guardDisconnect,
  .xDestroy = guardDestroy,
  .xOpen = guardOpen,
  .xClose = guardClose,
  .xFilter = guardFilter,
  .xNext = guardNext,
  .xEof = guardEof,
  .xColumn = guardColumn,
  .xRowid = guardRowid,
  .xRename = guardRename,
  .xShadowName = guardShadowName,
};

int sqlmigOwnerRegister(sqlite3 *db, SqlmigConn *pConn){
  (void)pConn;
  return sqlite3_create_module(db, "sqlmig", &guardModule, 0);
}
