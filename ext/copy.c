/*
** sqlmig: migrate_copy() and the migrate_copy_report table.
**
**   ATTACH 'old.db' AS old;
**   SELECT migrate_copy('old', 'main');              -- rows copied
**   SELECT * FROM migrate_copy_report('old', 'main'); -- the same copy,
**                                                     -- one row a table
**
** Copies the rows of every table present in both schemas from `from` into
** `to`, matching columns by name (ASCII case-insensitive). Columns only the
** source has are left out; columns only the target has get the target's
** defaults; generated columns of the target are computed by it. Tables
** are copied parents first by the target's foreign keys (whatever their
** names), one INSERT INTO ... SELECT per table, so the copy costs what the
** hand-written statements cost (SELECT * when both tables have the same
** columns in the same order, which lets SQLite copy whole pages). The whole copy runs inside a SAVEPOINT:
** when any table fails (a conflicting row, a constraint), the target is
** left as it was and the error names the table. Inside the caller's
** transaction the copy joins it; run the report form between BEGIN and
** ROLLBACK to see what a copy would do without keeping it.
**
** Implicit rowids are not copied (rows of a table without an INTEGER
** PRIMARY KEY get new rowids); tables that only one side has, and virtual,
** internal and sqlmig tables, are left out and reported. The
** sqlite_sequence value of an AUTOINCREMENT table is raised to the
** source's, so ids deleted there are not handed out again. The target's
** triggers do not fire: the rows are copied as they are (an app that wants
** a trigger's effect writes its own INSERT ... SELECT).
*/
#include "sqlmig_int.h"

/* Left out of the build for apps that only migrate (-DSQLMIG_OMIT_DIFF). */
#ifndef SQLMIG_OMIT_DIFF
#include <stdlib.h>

/* What happened to one table. */
typedef struct CopyRow CopyRow;
struct CopyRow {
  char *zTable;
  sqlite3_int64 nRow;     /* -1: not copied */
  char *zColumns;         /* copied columns, quoted, comma-separated */
  char *zLeftOut;         /* what was left out and why, or NULL */
};

typedef struct CopyResult CopyResult;
struct CopyResult {
  CopyRow *a;
  int n;
  int nAlloc;
  sqlite3_int64 nTotal;
};

/* Frees a copy result; leaves it zeroed (safe to repeat). */
static void copyResultFree(CopyResult *p){
  int i;
  for(i=0; i<p->n; i++){
    sqlite3_free(p->a[i].zTable);
    sqlite3_free(p->a[i].zColumns);
    sqlite3_free(p->a[i].zLeftOut);
  }
  sqlite3_free(p->a);
  memset(p, 0, sizeof(*p));
}

/* Appends a row; takes ownership of the strings (any may be NULL, but a
** NULL zTable means an allocation failed). */
static int copyAddRow(CopyResult *p, char *zTable, sqlite3_int64 nRow,
                      char *zColumns, char *zLeftOut){
  if( zTable && p->n==p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 16;
    CopyRow *aNew = sqlite3_realloc64(p->a, sizeof(CopyRow)*nNew);
    if( aNew ){ p->a = aNew; p->nAlloc = nNew; }
    else{ sqlite3_free(zTable); zTable = 0; }
  }
  if( zTable==0 ){
    sqlite3_free(zColumns);
    sqlite3_free(zLeftOut);
    return SQLITE_NOMEM;
  }
  p->a[p->n].zTable = zTable;
  p->a[p->n].nRow = nRow;
  p->a[p->n].zColumns = zColumns;
  p->a[p->n].zLeftOut = zLeftOut;
  p->n++;
  return SQLITE_OK;
}

/* qsort/bsearch order of names: ASCII case-insensitive, as SQLite's. */
static int copyNameCmp(const void *a, const void *b){
  return sqlite3_stricmp(*(char*const*)a, *(char*const*)b);
}

/* Columns of table zTable in schema zSchema: names (sqlite3_malloc'd
** array of sqlite3_malloc'd strings) and hidden flags. */
typedef struct CopyCols CopyCols;
struct CopyCols {
  char **azName;
  int *aHidden;
  int n;
};

/* Frees a column list; leaves it zeroed. */
static void copyColsFree(CopyCols *p){
  sqlmigFreeNames(p->azName, p->n);
  sqlite3_free(p->aHidden);
  memset(p, 0, sizeof(*p));
}

/* Reads the columns of zSchema.zTable through the prepared
** pragma_table_xinfo statement pXinfo into p (which the caller frees with
** copyColsFree, also on error). SQLITE_OK or an error code. */
static int copyReadCols(sqlite3_stmt *pXinfo, const char *zSchema,
                        const char *zTable, CopyCols *p){
  int rc = SQLITE_OK, nAlloc = 0;
  memset(p, 0, sizeof(*p));
  sqlite3_bind_text(pXinfo, 1, zTable, -1, SQLITE_STATIC);
  sqlite3_bind_text(pXinfo, 2, zSchema, -1, SQLITE_STATIC);
  while( sqlite3_step(pXinfo)==SQLITE_ROW ){
    if( p->n==nAlloc ){
      int nNew = nAlloc ? nAlloc*2 : 16;
      char **az = sqlite3_realloc64(p->azName, sizeof(char*)*nNew);
      int *ai = az ? sqlite3_realloc64(p->aHidden, sizeof(int)*nNew) : 0;
      if( az ) p->azName = az;
      if( ai==0 ){ rc = SQLITE_NOMEM; break; }
      p->aHidden = ai;
      nAlloc = nNew;
    }
    p->azName[p->n] = sqlite3_mprintf("%s", sqlite3_column_text(pXinfo, 0));
    p->aHidden[p->n] = sqlite3_column_int(pXinfo, 1);
    if( p->azName[p->n]==0 ){ rc = SQLITE_NOMEM; break; }
    p->n++;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_reset(pXinfo);
  else sqlite3_reset(pXinfo);
  return rc;
}

/* Index of the column named zName (case-insensitive) in p, or -1. */
static int copyColIndex(const CopyCols *p, const char *zName){
  int i;
  for(i=0; i<p->n; i++){
    if( sqlite3_stricmp(p->azName[i], zName)==0 ) return i;
  }
  return -1;
}

/* Runs one SQL statement without results. */
static int copyExec(sqlite3 *db, const char *zSql){
  return sqlite3_exec(db, zSql, 0, 0, 0);
}

/* One copy's state, shared by its steps. */
typedef struct CopyRun CopyRun;
struct CopyRun {
  sqlite3 *db;
  const char *zFunc;              /* "migrate_copy", for messages */
  const char *zFrom, *zTo;        /* the schemas */
  CopyResult *pRes;
  char **pzErr;
  sqlite3_stmt *pXinfo;           /* the columns of one table */
  sqlite3_stmt *pRollback, *pRelease;
  sqlite3_stmt *pSeq;             /* carries sqlite_sequence values over */
};

/* Sets *pzErr from the connection's error for table zTable (all but
** SQLITE_NOMEM); returns rc as SQLite's extended code. */
static int copyTableError(CopyRun *r, int rc, const char *zTable){
  if( rc==SQLITE_OK || rc==SQLITE_NOMEM ) return rc;
  rc = sqlmigErrcode(r->db, rc);
  *r->pzErr = sqlite3_mprintf("%s: table \"%w\": %s", r->zFunc, zTable,
                              sqlite3_errmsg(r->db));
  return rc;
}

/*
** Turns the connection's triggers off (*pbTrigger: they were on), prepares
** every statement the copy needs (undoing must need no memory later) and
** opens the savepoint (*pbSavepoint). SQLITE_OK or an error code, with
** *pzErr set unless SQLITE_NOMEM.
*/
static int copyBegin(CopyRun *r, int *pbTrigger, int *pbSavepoint){
  sqlite3 *db = r->db;
  int rc;
  /* Rows move as they are: the target's triggers do not fire (a
  ** counting trigger would count every copied row twice). Turned off
  ** for the copy's own statements, and back on after them. First: the
  ** change expires every prepared statement, and the ROLLBACK TO below
  ** must run without preparing again (no memory needed to undo). */
  rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, pbTrigger);
  if( rc==SQLITE_OK && *pbTrigger ){
    rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db, "SELECT name, hidden"
                          " FROM pragma_table_xinfo(?1, ?2)", -1, &r->pXinfo, 0);
  }
  /* Prepared now, so that undoing needs no memory later. */
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db, "ROLLBACK TO sqlmig_copy", -1, &r->pRollback, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db, "RELEASE sqlmig_copy", -1, &r->pRelease, 0);
  }
  if( rc==SQLITE_OK ){
    /* Both have AUTOINCREMENT tables: a copied table's counter never
    ** goes below the source's, so ids deleted there are not reused. */
    char *zSeq = sqlite3_mprintf(
        "UPDATE \"%w\".sqlite_sequence SET seq = (SELECT seq FROM"
        " \"%w\".sqlite_sequence WHERE name = ?1) WHERE name = ?2 AND seq <"
        " (SELECT seq FROM \"%w\".sqlite_sequence WHERE name = ?1)",
        r->zTo, r->zFrom, r->zFrom);
    if( zSeq==0 ){
      rc = SQLITE_NOMEM;
    }else{
      int rc2 = sqlite3_prepare_v2(db, zSeq, -1, &r->pSeq, 0);
      if( rc2==SQLITE_NOMEM ) rc = rc2;   /* else: no sqlite_sequence */
      sqlite3_free(zSeq);
    }
  }
  if( rc==SQLITE_OK ){
    rc = copyExec(db, "SAVEPOINT sqlmig_copy");
    *pbSavepoint = rc==SQLITE_OK;
  }
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    rc = sqlmigErrcode(db, rc);
    *r->pzErr = sqlite3_mprintf("%s: %s", r->zFunc, sqlite3_errmsg(db));
  }
  return rc;
}

/*
** The column lists of one copy: *pzCols the target's columns that take
** the source's values (quoted, comma-separated; *pnCol of them), *pzLeft
** what is left out or defaulted ("; "-separated, NULL when nothing), *pbSame
** when both tables have the same columns in the same order, none
** generated. Both sqlite3_malloc'd. SQLITE_OK or SQLITE_NOMEM.
*/
static int copyColumns(CopyRun *r, const CopyCols *cf, const CopyCols *ct,
                       char **pzCols, char **pzLeft, int *pnCol, int *pbSame){
  sqlite3_str *pCols = sqlite3_str_new(r->db);
  sqlite3_str *pLeft = sqlite3_str_new(r->db);
  int k, nCol = 0, bSame, rc = SQLITE_OK;
  /* Same columns in the same order, none generated: INSERT ... SELECT *
  ** lets SQLite copy whole b-tree pages when the tables are compatible. */
  bSame = cf->n==ct->n;
  for(k=0; bSame && k<ct->n; k++){
    bSame = cf->aHidden[k]==0 && ct->aHidden[k]==0
         && sqlite3_stricmp(cf->azName[k], ct->azName[k])==0;
  }
  for(k=0; k<ct->n; k++){
    int j = copyColIndex(cf, ct->azName[k]);
    if( ct->aHidden[k]>=2 ) continue;              /* generated */
    if( j<0 || cf->aHidden[j]==1 ){
      sqlite3_str_appendf(pLeft, "; \"%w\" gets its default (not in"
                          " \"%w\")", ct->azName[k], r->zFrom);
      continue;
    }
    sqlite3_str_appendf(pCols, "%s\"%w\"", nCol ? ", " : "", ct->azName[k]);
    nCol++;
  }
  for(k=0; k<cf->n; k++){
    int j = copyColIndex(ct, cf->azName[k]);
    if( j<0 ){
      sqlite3_str_appendf(pLeft, "; \"%w\" left out (not in \"%w\")",
                          cf->azName[k], r->zTo);
    }else if( ct->aHidden[j]>=2 ){
      sqlite3_str_appendf(pLeft, "; \"%w\" left out (generated in"
                          " \"%w\")", cf->azName[k], r->zTo);
    }
  }
  if( sqlite3_str_errcode(pCols) || sqlite3_str_errcode(pLeft) ){
    rc = SQLITE_NOMEM;
  }
  *pzCols = sqlite3_str_finish(pCols);
  *pzLeft = sqlite3_str_finish(pLeft);
  *pnCol = nCol;
  *pbSame = bSame;
  return rc;
}

/*
** Copies the rows of table zSrc of the source into zDst of the target and
** adds its row to the result. SQLITE_OK or an error code, with *pzErr set
** unless SQLITE_NOMEM.
*/
static int copyTable(CopyRun *r, const char *zSrc, const char *zDst){
  sqlite3 *db = r->db;
  CopyCols cf, ct;
  int nCol = 0, bSame = 0, rc;
  char *zCols = 0, *zLeft = 0, *zSql;
  memset(&ct, 0, sizeof(ct));
  rc = copyReadCols(r->pXinfo, r->zFrom, zSrc, &cf);
  if( rc==SQLITE_OK ) rc = copyReadCols(r->pXinfo, r->zTo, zDst, &ct);
  if( rc==SQLITE_OK ){
    rc = copyColumns(r, &cf, &ct, &zCols, &zLeft, &nCol, &bSame);
  }else{
    rc = copyTableError(r, rc, zDst);
  }
  copyColsFree(&cf);
  copyColsFree(&ct);
  if( rc==SQLITE_OK && nCol>0 ){
    if( bSame ){
      zSql = sqlite3_mprintf("INSERT INTO \"%w\".\"%w\" SELECT *"
                             " FROM \"%w\".\"%w\"", r->zTo, zDst, r->zFrom, zSrc);
    }else{
      zSql = sqlite3_mprintf("INSERT INTO \"%w\".\"%w\"(%s) SELECT %s"
                             " FROM \"%w\".\"%w\"", r->zTo, zDst, zCols,
                             zCols, r->zFrom, zSrc);
    }
    if( zSql==0 ) rc = SQLITE_NOMEM;
    else rc = copyExec(db, zSql);
    sqlite3_free(zSql);
    rc = copyTableError(r, rc, zDst);
  }
  if( rc==SQLITE_OK ){
    sqlite3_int64 n = nCol>0 ? sqlite3_changes(db) : 0;
    if( r->pSeq && n>0 ){
      sqlite3_bind_text(r->pSeq, 1, zSrc, -1, SQLITE_STATIC);
      sqlite3_bind_text(r->pSeq, 2, zDst, -1, SQLITE_STATIC);
      sqlite3_step(r->pSeq);
      rc = copyTableError(r, sqlite3_reset(r->pSeq), zDst);
    }
    if( nCol==0 ){
      char *z = sqlite3_mprintf("no column in common%s", zLeft ? zLeft : "");
      sqlite3_free(zLeft);
      zLeft = z;
      if( z==0 ) rc = SQLITE_NOMEM;
    }else if( zLeft ){
      char *z = sqlite3_mprintf("%s", zLeft+2);
      sqlite3_free(zLeft);
      zLeft = z;
      if( z==0 ) rc = SQLITE_NOMEM;
    }
    r->pRes->nTotal += n;
    if( rc==SQLITE_OK ){
      rc = copyAddRow(r->pRes, sqlite3_mprintf("%s", zDst), n, zCols, zLeft);
      zCols = zLeft = 0;
    }
  }
  sqlite3_free(zCols);
  sqlite3_free(zLeft);
  return rc;
}

/* Releases the savepoint after a copy that worked (rc SQLITE_OK), else
** rolls the target back to it; returns the copy's code. */
static int copyEnd(CopyRun *r, int rc){
  int rc2;
  if( rc==SQLITE_OK ){
    rc2 = sqlite3_step(r->pRelease);
    rc2 = sqlite3_reset(r->pRelease);
    if( rc2!=SQLITE_OK ){
      rc = sqlmigErrcode(r->db, rc2);
      if( rc!=SQLITE_NOMEM ){
        *r->pzErr = sqlite3_mprintf("%s: %s", r->zFunc, sqlite3_errmsg(r->db));
      }
    }
  }
  if( rc!=SQLITE_OK ){
    sqlite3_step(r->pRollback);
    sqlite3_reset(r->pRollback);
    sqlite3_step(r->pRelease);
    sqlite3_reset(r->pRelease);
  }
  return rc;
}

/*
** The copy. On success pRes lists every table; on error returns the code
** with *pzErr set (unless SQLITE_NOMEM) and the target unchanged.
*/
static int copyRun(sqlite3 *db, const char *zFunc, sqlite3_value *pFrom,
                   sqlite3_value *pTo, CopyResult *pRes, char **pzErr){
  CopyRun r;
  char **azFrom = 0, **azTo = 0, **azSorted = 0;
  char **azToSorted = 0;
  int nFrom = 0, nTo = 0, i, rc, bSavepoint = 0;
  int bTrigger = 0;               /* the connection's triggers were on */

  memset(pRes, 0, sizeof(*pRes));
  memset(&r, 0, sizeof(r));
  r.db = db;
  r.zFunc = zFunc;
  r.pRes = pRes;
  r.pzErr = pzErr;
  rc = sqlmigSchemaArg(db, zFunc, pFrom, 1, &r.zFrom, pzErr);
  if( rc==SQLITE_OK ) rc = sqlmigSchemaArg(db, zFunc, pTo, 2, &r.zTo, pzErr);
  if( rc==SQLITE_OK && sqlite3_stricmp(r.zFrom, r.zTo)==0 ){
    *pzErr = sqlite3_mprintf("%s: from and to are the same schema: \"%w\"",
                             zFunc, r.zFrom);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( rc ) return rc;
  rc = sqlmigTableList(db, zFunc, r.zFrom, &azFrom, &nFrom, pzErr);
  if( rc==SQLITE_OK ) rc = sqlmigTableList(db, zFunc, r.zTo, &azTo, &nTo, pzErr);
  if( rc==SQLITE_OK ){
    azSorted = sqlite3_malloc64(sizeof(char*)*(nFrom+nTo+1));
    if( azSorted==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    azToSorted = &azSorted[nFrom];
    memcpy(azSorted, azFrom, sizeof(char*)*nFrom);
    qsort(azSorted, nFrom, sizeof(char*), copyNameCmp);
    memcpy(azToSorted, azTo, sizeof(char*)*nTo);
    qsort(azToSorted, nTo, sizeof(char*), copyNameCmp);
    rc = copyBegin(&r, &bTrigger, &bSavepoint);
  }

  /* Tables of the target, parents first. */
  for(i=0; rc==SQLITE_OK && i<nTo; i++){
    char **pz = bsearch(&azTo[i], azSorted, nFrom, sizeof(char*),
                        copyNameCmp);
    if( pz==0 ){
      char *zWhy = sqlite3_mprintf("not in \"%w\"", r.zFrom);
      rc = copyAddRow(pRes, zWhy ? sqlite3_mprintf("%s", azTo[i]) : 0, -1, 0,
                      zWhy);
    }else{
      rc = copyTable(&r, *pz, azTo[i]);
    }
  }
  /* Tables only the source has, by name. */
  for(i=0; rc==SQLITE_OK && i<nFrom; i++){
    char *zWhy;
    if( bsearch(&azSorted[i], azToSorted, nTo, sizeof(char*), copyNameCmp) ){
      continue;
    }
    zWhy = sqlite3_mprintf("not in \"%w\"", r.zTo);
    rc = copyAddRow(pRes, zWhy ? sqlite3_mprintf("%s", azSorted[i]) : 0, -1, 0,
                    zWhy);
  }

  if( bSavepoint ) rc = copyEnd(&r, rc);
  if( bTrigger ) sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, 0);
  if( rc!=SQLITE_OK ) pRes->nTotal = 0;
  sqlite3_finalize(r.pXinfo);
  sqlite3_finalize(r.pRollback);
  sqlite3_finalize(r.pRelease);
  sqlite3_finalize(r.pSeq);
  sqlite3_free(azSorted);
  sqlmigFreeNames(azFrom, nFrom);
  sqlmigFreeNames(azTo, nTo);
  return rc;
}

/* migrate_copy(from, to): rows copied. */
static void copyFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  CopyResult res;
  char *zErr = 0;
  int rc;
  (void)argc;
  rc = copyRun(sqlite3_context_db_handle(ctx), "migrate_copy", argv[0],
               argv[1], &res, &zErr);
  if( rc==SQLITE_OK ){
    sqlite3_result_int64(ctx, res.nTotal);
  }else if( rc==SQLITE_NOMEM || zErr==0 ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_error(ctx, zErr, -1);
    if( rc!=SQLITE_ERROR ) sqlite3_result_error_code(ctx, rc);
  }
  sqlite3_free(zErr);
  copyResultFree(&res);
}

/* ---------------------------------------------------- migrate_copy_report */

/*
** migrate_copy_report(from, to): a table-valued function (tvf.c) that
** performs the copy; its rows are the report. Its state is the CopyResult.
*/
static int reportFilter(SqlmigConn *pConn, void *pState, int argc,
                        sqlite3_value **argv, int *pnRow, char **pzErr){
  sqlite3 *db = pConn->db;
  CopyResult *pRes = (CopyResult*)pState;
  int rc;
  (void)argc;
  rc = copyRun(db, "migrate_copy_report", argv[0], argv[1], pRes, pzErr);
  *pnRow = pRes->n;
  return rc;
}

/* NULL rows/columns/left_out where there is nothing to say. */
static void reportColumn(void *pState, int iRow, int iCol,
                         sqlite3_context *ctx){
  const CopyRow *r = &((CopyResult*)pState)->a[iRow];
  switch( iCol ){
    case 0: sqlite3_result_int(ctx, iRow+1); break;
    case 1: sqlite3_result_text(ctx, r->zTable, -1, SQLITE_TRANSIENT); break;
    case 2:
      if( r->nRow>=0 ) sqlite3_result_int64(ctx, r->nRow);
      break;
    case 3:
      if( r->zColumns ){
        sqlite3_result_text(ctx, r->zColumns, -1, SQLITE_TRANSIENT);
      }
      break;
    default:
      if( r->zLeftOut ){
        sqlite3_result_text(ctx, r->zLeftOut, -1, SQLITE_TRANSIENT);
      }
      break;
  }
}

static void reportFree(void *pState){
  copyResultFree((CopyResult*)pState);
}

static const SqlmigTvf reportTvf = {
  "migrate_copy_report",
  "CREATE TABLE x(seq INTEGER, tbl TEXT, rows INTEGER, columns TEXT,"
  " left_out TEXT, from_schema HIDDEN, to_schema HIDDEN)",
  5, 2, 2, "needs two arguments, from and to",
  sizeof(CopyResult), reportFilter, reportColumn, reportFree
};

/* See sqlmig_int.h. migrate_copy holds a reference to pConn. */
int sqlmigCopyRegister(sqlite3 *db, SqlmigConn *pConn){
  int rc = sqlite3_create_function_v2(db, "migrate_copy", 2,
      SQLITE_UTF8|SQLITE_DIRECTONLY, sqlmigConnRef(pConn), copyFunc, 0, 0,
      sqlmigConnUnref);
  if( rc==SQLITE_OK ) rc = sqlmigTvfRegister(db, &reportTvf, pConn);
  return rc;
}

#endif /* SQLMIG_OMIT_DIFF */
