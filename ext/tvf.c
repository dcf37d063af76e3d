/*
** sqlmig: table-valued functions whose rows are computed in one go.
**
**   SELECT * FROM migrate_plan(3);
**   SELECT * FROM migrate_changes('main', 'desired');
**   SELECT * FROM migrate_copy_report('old', 'main');
**
** Each is described by a SqlmigTvf (sqlmig_int.h): its columns, its hidden
** argument columns, and three callbacks. xFilter computes every row into a
** state of szState bytes (zeroed before the first call) and says how many
** rows there are; xColumn returns one visible value of one row; xFree
** releases the state. This file is the virtual-table plumbing they share:
** arguments taken from equality constraints on the hidden columns, in
** order (one left out before a later one given is NULL, the way a WHERE
** on a later hidden column gives generate_series its step); direct-only
** (no views, no triggers of the schema); rows by index, in order of the
** first column; the hidden columns echo the arguments.
*/
#include "sqlmig_int.h"

typedef struct TvfTable TvfTable;
struct TvfTable {
  sqlite3_vtab base;
  const SqlmigTvf *pDef;
  SqlmigConn *pConn;
};

/* What the module is registered with: one per function and connection. */
typedef struct TvfAux TvfAux;
struct TvfAux {
  const SqlmigTvf *pDef;
  SqlmigConn *pConn;       /* a reference, released with the module */
};

typedef struct TvfCursor TvfCursor;
struct TvfCursor {
  sqlite3_vtab_cursor base;
  int iRow;
  int nRow;
  int bState;              /* the state holds rows to free */
  sqlite3_value *apArg[SQLMIG_TVF_MAXARG];
  void *pState;            /* pDef->szState bytes, right after the cursor */
};

static int tvfConnect(sqlite3 *db, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **ppVtab,
                      char **pzErr){
  const SqlmigTvf *pDef = ((TvfAux*)pAux)->pDef;
  TvfTable *p;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, pDef->zSchema);
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->pDef = pDef;
  p->pConn = ((TvfAux*)pAux)->pConn;
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int tvfDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/*
** The arguments are equality constraints on the hidden columns; idxNum has
** bit k set when argument k+1 was given. Anything else on a hidden column
** cannot be served.
*/
static int tvfBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  const SqlmigTvf *pDef = ((TvfTable*)pVtab)->pDef;
  int aIdx[SQLMIG_TVF_MAXARG];
  int i, n = 0;
  for(i=0; i<pDef->nArg; i++) aIdx[i] = -1;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    int iArg = pC->iColumn - pDef->nCol;
    if( iArg<0 || iArg>=pDef->nArg ) continue;
    if( !pC->usable || pC->op!=SQLITE_INDEX_CONSTRAINT_EQ ){
      return SQLITE_CONSTRAINT;
    }
    aIdx[iArg] = i;
  }
  pInfo->idxNum = 0;
  for(i=0; i<pDef->nArg; i++){
    if( aIdx[i]<0 ) continue;
    pInfo->aConstraintUsage[aIdx[i]].argvIndex = ++n;
    pInfo->aConstraintUsage[aIdx[i]].omit = 1;
    pInfo->idxNum |= 1<<i;
  }
  pInfo->estimatedCost = n>=pDef->nArgMin ? 100.0 : 1e12;
  pInfo->estimatedRows = 100;
  if( pInfo->nOrderBy==1 && pInfo->aOrderBy[0].iColumn==0
   && !pInfo->aOrderBy[0].desc ){
    pInfo->orderByConsumed = 1;
  }
  return SQLITE_OK;
}

static int tvfOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  const SqlmigTvf *pDef = ((TvfTable*)pVtab)->pDef;
  TvfCursor *pCur = sqlite3_malloc64(sizeof(*pCur) + pDef->szState);
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur) + pDef->szState);
  pCur->pState = &pCur[1];
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/* Frees the rows and arguments of the last call, keeping the cursor. */
static void tvfReset(TvfCursor *pCur, const SqlmigTvf *pDef){
  int i;
  if( pCur->bState ){
    pDef->xFree(pCur->pState);
    memset(pCur->pState, 0, pDef->szState);
    pCur->bState = 0;
  }
  for(i=0; i<SQLMIG_TVF_MAXARG; i++){
    sqlite3_value_free(pCur->apArg[i]);
    pCur->apArg[i] = 0;
  }
  pCur->iRow = pCur->nRow = 0;
}

static int tvfClose(sqlite3_vtab_cursor *cur){
  tvfReset((TvfCursor*)cur, ((TvfTable*)cur->pVtab)->pDef);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* A NULL value of its own (sqlite3_value_free), or NULL when out of memory. */
static sqlite3_value *tvfNull(sqlite3 *db){
  sqlite3_stmt *pStmt = 0;
  sqlite3_value *pVal = 0;
  if( sqlite3_prepare_v2(db, "SELECT NULL", -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    pVal = sqlite3_value_dup(sqlite3_column_value(pStmt, 0));
  }
  sqlite3_finalize(pStmt);
  return pVal;
}

static int tvfFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv){
  TvfCursor *pCur = (TvfCursor*)cur;
  TvfTable *pTab = (TvfTable*)cur->pVtab;
  const SqlmigTvf *pDef = pTab->pDef;
  char *zErr = 0;
  int i, rc;
  (void)idxStr;
  tvfReset(pCur, pDef);
  /* The first nArgMin arguments must be given; one left out before a
  ** later one given (a WHERE on that column) is NULL */
  if( (idxNum & ((1<<pDef->nArgMin)-1))!=(1<<pDef->nArgMin)-1 ){
    zErr = sqlite3_mprintf("%s: %s", pDef->zName, pDef->zUsage);
    rc = SQLITE_ERROR;
  }else{
    /* xFilter reads SQLite's own argument values (a copy made by
    ** sqlite3_value_dup() has no connection, and 3.52's
    ** sqlite3_value_numeric_type() crashes on one holding text); the
    ** copies in apArg are for the hidden columns that echo them */
    sqlite3_value *apCall[SQLMIG_TVF_MAXARG];
    int nPos = 0, iGiven = 0;
    while( (idxNum>>nPos)!=0 ) nPos++;
    for(i=0; i<nPos; i++){
      if( (idxNum>>i)&1 ){
        apCall[i] = argv[iGiven++];
        pCur->apArg[i] = sqlite3_value_dup(apCall[i]);
      }else{
        pCur->apArg[i] = apCall[i] = tvfNull(pTab->pConn->db);
      }
      if( pCur->apArg[i]==0 ) return SQLITE_NOMEM;
    }
    (void)argc;
    pCur->bState = 1;
    rc = pDef->xFilter(pTab->pConn, pCur->pState, nPos, apCall,
                       &pCur->nRow, &zErr);
  }
  if( rc!=SQLITE_OK ){
    tvfReset(pCur, pDef);
    if( rc!=SQLITE_NOMEM && zErr ){
      sqlite3_free(pTab->base.zErrMsg);
      pTab->base.zErrMsg = zErr;
      zErr = 0;
    }else if( rc!=SQLITE_NOMEM ){
      rc = SQLITE_NOMEM;     /* the message itself could not be made */
    }
  }
  sqlite3_free(zErr);
  return rc;
}

static int tvfNext(sqlite3_vtab_cursor *cur){
  ((TvfCursor*)cur)->iRow++;
  return SQLITE_OK;
}

static int tvfEof(sqlite3_vtab_cursor *cur){
  TvfCursor *pCur = (TvfCursor*)cur;
  return pCur->iRow>=pCur->nRow;
}

static int tvfColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  TvfCursor *pCur = (TvfCursor*)cur;
  const SqlmigTvf *pDef = ((TvfTable*)cur->pVtab)->pDef;
  if( i<pDef->nCol ){
    pDef->xColumn(pCur->pState, pCur->iRow, i, ctx);
  }else if( i>=pDef->nCol+pDef->nArg ){
    pDef->xColumn(pCur->pState, pCur->iRow, i-pDef->nArg, ctx);
  }else if( pCur->apArg[i-pDef->nCol] ){
    sqlite3_result_value(ctx, pCur->apArg[i-pDef->nCol]);
  }
  return SQLITE_OK;
}

static int tvfRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((TvfCursor*)cur)->iRow + 1;
  return SQLITE_OK;
}

/* Eponymous only (no xCreate): usable as a function, no CREATE step */
static const sqlite3_module tvfModule = {
  .xConnect = tvfConnect,
  .xBestIndex = tvfBestIndex,
  .xDisconnect = tvfDisconnect,
  .xOpen = tvfOpen,
  .xClose = tvfClose,
  .xFilter = tvfFilter,
  .xNext = tvfNext,
  .xEof = tvfEof,
  .xColumn = tvfColumn,
  .xRowid = tvfRowid,
};

static void tvfAuxFree(void *p){
  sqlmigConnUnref(((TvfAux*)p)->pConn);
  sqlite3_free(p);
}

int sqlmigTvfRegister(sqlite3 *db, const SqlmigTvf *pDef, SqlmigConn *pConn){
  TvfAux *pAux = sqlite3_malloc64(sizeof(*pAux));
  if( pAux==0 ) return SQLITE_NOMEM;
  pAux->pDef = pDef;
  pAux->pConn = sqlmigConnRef(pConn);
  /* On failure SQLite calls the destructor itself */
  return sqlite3_create_module_v2(db, pDef->zName, &tvfModule, pAux,
                                  tvfAuxFree);
}
