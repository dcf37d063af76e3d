/*
** sqlmig: the `sqlmig` virtual table of databases written by earlier
** versions of sqlmig, and its removal.
**
** Those versions created `CREATE VIRTUAL TABLE main.sqlmig USING sqlmig`
** with the history store, so that SQLITE_DBCONFIG_DEFENSIVE made the store
** a read-only shadow table. That entry in sqlite_schema needs the module:
** without the extension, `PRAGMA table_info(sqlmig)` and every tool that
** walks the schema fail (`no such module: sqlmig`). sqlmig no longer
** creates it; the module stays registered so that such a database opens
** as before, and sqlmigOwnerDrop() removes the table at the database's
** next write through sqlmig (migrations.c, migrate.c), keeping its history.
** SQLite protects shadow tables only for a virtual table in the same
** schema, so the store is now an ordinary table (see the README, "The
** history store").
*/
#include "sqlmig_int.h"

/* The text SQLite kept for the owner table in sqlite_schema */
#define OWNER_SQL "CREATE VIRTUAL TABLE sqlmig USING sqlmig"

typedef struct OwnerTable OwnerTable;
struct OwnerTable {
  sqlite3_vtab base;
};

/* xConnect only: a new `CREATE VIRTUAL TABLE ... USING sqlmig` is refused */
static int guardCreate(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  (void)db; (void)pAux; (void)argc; (void)ppVtab;
  *pzErr = sqlite3_mprintf("table %s: the sqlmig module only reads the "
      "table that earlier versions of sqlmig created; it creates none",
      argc>2 ? argv[2] : "?");
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

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
  *ppVtab = &p->base;
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

/*
** The store's tables: sqlmig_history, sqlmig_baseline, sqlmig_schema,
** sqlmig_versions. A database of an earlier version keeps DEFENSIVE's
** protection until its table is dropped.
*/
static int guardShadowName(const char *zSuffix){
  return sqlite3_stricmp(zSuffix, &SQLMIG_STORE[sizeof("sqlmig")])==0
      || sqlite3_stricmp(zSuffix, &SQLMIG_BASELINE[sizeof("sqlmig")])==0
      || sqlite3_stricmp(zSuffix, &SQLMIG_SCHEMA[sizeof("sqlmig")])==0
      || sqlite3_stricmp(zSuffix, &SQLMIG_VERSIONS[sizeof("sqlmig")])==0;
}

static sqlite3_module guardModule = {
  .iVersion = 3,
  .xCreate = guardCreate,
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

/* See sqlmig_int.h */
int sqlmigOwnerDrop(sqlite3 *db){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_master WHERE "
      "type='table' AND name='sqlmig' AND sql=" "'" OWNER_SQL "'", -1,
      &pStmt, 0);
  if( rc==SQLITE_OK ){
    int bFound = sqlite3_step(pStmt)==SQLITE_ROW;
    rc = sqlite3_finalize(pStmt);
    if( rc==SQLITE_OK && bFound ){
      rc = sqlite3_exec(db, "DROP TABLE main.sqlmig", 0, 0, 0);
    }
  }
  return rc;
}
