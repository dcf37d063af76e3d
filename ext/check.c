/*
** sqlmig: migrate_check, every revision's way back proven before it ships.
**
**   SELECT * FROM migrate_check();     -- every registered revision
**   SELECT * FROM migrate_check(3);    -- revision 3 only
**
** One row (version, name, check, detail) per problem; no rows means every
** revision round-trips. The work happens in a private copy of main (the
** backup API into a temporary file database with the caller's page cache
** size: a big database costs disk, not memory), so the database is never
** written, whatever the scripts do; SQLite could not run them on the
** caller's connection anyway, since a table-valued function counts as a
** reader and DROP TABLE would be refused. The copy gets the caller's
** foreign_keys setting; scripts run as migrate() runs them
** (sqlmigRunStep), each in a savepoint so that a failed one leaves the
** copy as it was.
**
**   1. From where the database is, the applied revisions are reverted
**      newest first with their down scripts (a NULL down, or one that
**      fails, ends the descent there: what lies below cannot be reached).
**   2. Then, from there up, each revision in version order: snapshot of
**      the objects its scripts name (and their rows' checksums, kept from
**      an earlier read while no statement has written the table), up, down,
**      snapshot again and compare (drift.c words the differences), up
**      again. Down and up again run in a savepoint, rolled back when the
**      round trip found a problem, so the next revision always starts
**      where up left it.
**
** Checks: `up fails`, `down fails`, `down leaves a difference`, `down
** loses rows`, `down changes rows`, `up again fails`, `irreversible`.
*/
#include "sqlmig_int.h"

/* Left out of the build for apps that only migrate (-DSQLMIG_OMIT_DIFF). */
#ifndef SQLMIG_OMIT_DIFF

/* A revision of the store, as the check runs it. */
typedef struct CheckRev CheckRev;
struct CheckRev {
  sqlite3_int64 iVersion;
  char *zName, *zUp, *zDown;
  int bApplied;
};

/* The checksums of one table's rows: per column, over every row. */
typedef struct TableSum TableSum;
struct TableSum {
  char *zTab;
  sqlite3_int64 nRow;
  int nCol;
  char **azCol;
  sqlite3_uint64 *aSum;    /* nCol sums, then nCol xors */
};

/* The copy's schema, kept current (see "the schema" below), and the row
** sums of tables no statement has written since they were read. */
typedef struct SchemaCache SchemaCache;
struct SchemaCache {
  SqlmigSnap *pSnap;       /* every row, sorted as snapshots are */
  SqlmigNames events;      /* objects named by DDL since the last refresh */
  int bFull;               /* the next refresh reads everything */
  int bOom;                /* an event could not be noted: read everything */
  sqlite3_stmt *pByRowid;
  sqlite3_stmt *pAfter;
  SqlmigNames written;     /* tables whose rows a statement may have changed */
  int bWriteAll;           /* any table's (a rollback, a rename...) */
  TableSum *aKept;         /* sums still true of the copy */
  int nKept, nKeptAlloc;
};

/* One problem found. */
typedef struct CheckRow CheckRow;
struct CheckRow {
  sqlite3_int64 iVersion;
  char *zName;
  const char *zCheck;
  char *zDetail;
};

typedef struct CheckState CheckState;
struct CheckState {
  CheckRow *a;
  int n, nAlloc;
};

/* ----------------------------------------------------------------- rows */

static int rowAdd(CheckState *p, const CheckRev *pRev, const char *zCheck,
                  char *zDetail){
  CheckRow *r;
  if( zDetail==0 ) return SQLITE_NOMEM;
  if( p->n==p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 8;
    CheckRow *aNew = sqlite3_realloc64(p->a, nNew*sizeof(CheckRow));
    if( aNew==0 ){
      sqlite3_free(zDetail);
      return SQLITE_NOMEM;
    }
    p->a = aNew;
    p->nAlloc = nNew;
  }
  r = &p->a[p->n];
  r->iVersion = pRev->iVersion;
  r->zCheck = zCheck;
  r->zDetail = zDetail;
  r->zName = pRev->zName ? sqlite3_mprintf("%s", pRev->zName) : 0;
  if( pRev->zName && r->zName==0 ){
    sqlite3_free(zDetail);
    return SQLITE_NOMEM;
  }
  p->n++;
  return SQLITE_OK;
}

static void checkFree(void *pState){
  CheckState *p = (CheckState*)pState;
  int i;
  for(i=0; i<p->n; i++){
    sqlite3_free(p->a[i].zName);
    sqlite3_free(p->a[i].zDetail);
  }
  sqlite3_free(p->a);
}

/* ------------------------------------------------------------- checksums */

/*
** A 64-bit hash of n bytes, seeded with the value's type: eight bytes a
** step (the row check hashes every value of a table twice, so on a big
** table this loop is much of the check's own cost).
*/
static sqlite3_uint64 hashBytes(int eType, const unsigned char *z, int n){
  sqlite3_uint64 h = 0xcbf29ce484222325ULL ^ (sqlite3_uint64)eType
                   ^ ((sqlite3_uint64)n * 0x9e3779b97f4a7c15ULL);
  sqlite3_uint64 w;
  int i = 0;
  for(; i+8<=n; i+=8){
    memcpy(&w, z+i, 8);
    w *= 0x87c37b91114253d5ULL;
    w = (w<<31) | (w>>33);
    h ^= w * 0x4cf5ad432745937fULL;
    h = ((h<<27) | (h>>37)) * 5 + 0x52dce729;
  }
  if( i<n ){
    w = 0;
    memcpy(&w, z+i, (size_t)(n-i));
    w *= 0x87c37b91114253d5ULL;
    w = (w<<31) | (w>>33);
    h ^= w * 0x4cf5ad432745937fULL;
  }
  h ^= h>>33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h>>33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h>>33;
  return h;
}

static sqlite3_uint64 hashValue(sqlite3_value *pVal){
  int eType = sqlite3_value_type(pVal);
  switch( eType ){
    case SQLITE_INTEGER: {
      sqlite3_int64 v = sqlite3_value_int64(pVal);
      return hashBytes(eType, (const unsigned char*)&v, sizeof(v));
    }
    case SQLITE_FLOAT: {
      double v = sqlite3_value_double(pVal);
      return hashBytes(eType, (const unsigned char*)&v, sizeof(v));
    }
    case SQLITE_NULL:
      return hashBytes(eType, 0, 0);
    default: {
      const unsigned char *z = sqlite3_value_blob(pVal);
      return hashBytes(eType, z, sqlite3_value_bytes(pVal));
    }
  }
}

/*
** The aggregate sqlmig_check_sum(x1, ..., xn) of the copy: per argument,
** the sum and the xor of the hashes of its values over the rows, as a blob
** of 2n 64-bit words (NULL over no rows). One statement of it reads a
** table in SQLite's own loop with one call a row, without a call of the
** column API (and its mutex) per value.
*/
#define SUM_MAX_ARGS 100

static void sumStep(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  /* a[0]: argc; then a sum and a xor per argument */
  sqlite3_uint64 *a = sqlite3_aggregate_context(ctx,
                                          (int)sizeof(*a)*(1+2*argc));
  int k;
  if( a==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  a[0] = (sqlite3_uint64)argc;
  for(k=0; k<argc; k++){
    sqlite3_uint64 h = hashValue(argv[k]);
    a[1+2*k] += h;
    a[2+2*k] ^= h;
  }
}

static void sumFinal(sqlite3_context *ctx){
  sqlite3_uint64 *a = sqlite3_aggregate_context(ctx, 0);
  if( a ){
    sqlite3_result_blob(ctx, a+1, (int)(2*sizeof(*a)*a[0]), SQLITE_TRANSIENT);
  }
}

/* Frees what p holds (not p). */
static void sumClear(TableSum *p){
  int k;
  sqlite3_free(p->zTab);
  for(k=0; k<p->nCol; k++) sqlite3_free(p->azCol[k]);
  sqlite3_free(p->azCol);
  sqlite3_free(p->aSum);
  memset(p, 0, sizeof(*p));
}

static void sumsFree(TableSum *a, int n){
  int i;
  for(i=0; i<n; i++) sumClear(&a[i]);
  sqlite3_free(a);
}

/* Reads the rows of table zTab of main into *pSum (the copy's
** sqlmig_check_sum() over each column of `SELECT *`). */
static int tableSum(sqlite3 *db, const char *zTab, TableSum *pSum){
  char *zSql = sqlite3_mprintf("SELECT * FROM main.\"%w\"", zTab);
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pSum2;
  int rc, k;
  memset(pSum, 0, sizeof(*pSum));
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ) return rc;
  pSum->zTab = sqlite3_mprintf("%s", zTab);
  pSum->nCol = sqlite3_column_count(pStmt);
  pSum->azCol = sqlite3_malloc64(sizeof(char*)*(pSum->nCol+1));
  pSum->aSum = sqlite3_malloc64(sizeof(sqlite3_uint64)*2*(pSum->nCol+1));
  if( !pSum->zTab || !pSum->azCol || !pSum->aSum ){
    sqlite3_finalize(pStmt);
    pSum->nCol = 0;
    return SQLITE_NOMEM;
  }
  memset(pSum->aSum, 0, sizeof(sqlite3_uint64)*2*(pSum->nCol+1));
  pSum2 = sqlite3_str_new(0);
  sqlite3_str_appendall(pSum2, "SELECT count(*)");
  for(k=0; k<pSum->nCol; k++){
    const char *zCol = sqlite3_column_name(pStmt, k);
    pSum->azCol[k] = zCol ? sqlite3_mprintf("%s", zCol) : 0;
    if( pSum->azCol[k]==0 ){
      rc = SQLITE_NOMEM;
    }else{
      sqlite3_str_appendf(pSum2, "%s\"%w\"", k%SUM_MAX_ARGS==0
          ? ", sqlmig_check_sum(" : ", ", zCol);
      if( k%SUM_MAX_ARGS==SUM_MAX_ARGS-1 || k==pSum->nCol-1 ){
        sqlite3_str_appendall(pSum2, ")");
      }
    }
  }
  sqlite3_str_appendf(pSum2, " FROM main.\"%w\"", zTab);
  sqlite3_finalize(pStmt);
  pStmt = 0;
  zSql = sqlite3_str_finish(pSum2);
  if( zSql==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ) rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    rc = SQLITE_OK;
    pSum->nRow = sqlite3_column_int64(pStmt, 0);
    for(k=0; pSum->nRow>0 && k<pSum->nCol; k+=SUM_MAX_ARGS){
      /* one blob per group of SUM_MAX_ARGS columns */
      int m = pSum->nCol-k < SUM_MAX_ARGS ? pSum->nCol-k : SUM_MAX_ARGS, j;
      const unsigned char *z = sqlite3_column_blob(pStmt, 1+k/SUM_MAX_ARGS);
      if( z==0
       || sqlite3_column_bytes(pStmt, 1+k/SUM_MAX_ARGS)!=(int)(16*m) ){
        rc = SQLITE_NOMEM;
        break;
      }
      for(j=0; j<m; j++){
        memcpy(&pSum->aSum[k+j], z+16*j, 8);
        memcpy(&pSum->aSum[pSum->nCol+k+j], z+16*j+8, 8);
      }
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Compares the rows of the tables in both aBefore and aAfter (columns in
** both). Adds a `down loses rows` or `down changes rows` row.
*/
static int sumsCompare(CheckState *p, const CheckRev *pRev,
                       const TableSum *aBefore, const TableSum *aAfter,
                       int nTab){
  sqlite3_str *pDetail = sqlite3_str_new(0);
  const char *zCheck = 0;
  int i, k, j, rc;
  for(i=0; i<nTab; i++){
    const TableSum *b = &aBefore[i], *a = &aAfter[i];
    if( b->zTab==0 || a->zTab==0 ) continue;  /* not in both */
    if( b->nRow!=a->nRow ){
      if( zCheck==0 || a->nRow<b->nRow ){
        zCheck = a->nRow<b->nRow ? "down loses rows" : "down changes rows";
      }
      sqlite3_str_appendf(pDetail, "%stable \"%w\": %lld rows before up, "
          "%lld after down", sqlite3_str_length(pDetail) ? "; " : "",
          b->zTab, b->nRow, a->nRow);
      continue;
    }
    for(k=0; k<b->nCol; k++){
      for(j=0; j<a->nCol && sqlite3_stricmp(a->azCol[j], b->azCol[k]); j++){}
      if( j==a->nCol ) continue;
      if( a->aSum[j]!=b->aSum[k]
       || a->aSum[a->nCol+j]!=b->aSum[b->nCol+k] ){
        if( zCheck==0 ) zCheck = "down changes rows";
        sqlite3_str_appendf(pDetail, "%svalues of column \"%w\".\"%w\" "
            "changed", sqlite3_str_length(pDetail) ? "; " : "", b->zTab,
            b->azCol[k]);
      }
    }
  }
  rc = sqlite3_str_errcode(pDetail);
  if( rc==SQLITE_OK && zCheck ){
    return rowAdd(p, pRev, zCheck, sqlite3_str_finish(pDetail));
  }
  sqlite3_free(sqlite3_str_finish(pDetail));
  return rc;
}

/* ------------------------------------------------------------- the check */

/*
** Runs zSql in a savepoint of db: a failure leaves db as it was (and the
** schema cache, which a rollback bypasses, is read again next time).
*/
static int runScript(sqlite3 *db, const char *zSql, SqlmigFk *pFk,
                     SchemaCache *pCache, char **pzErr){
  int rc = sqlite3_exec(db, "SAVEPOINT sqlmig_check", 0, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlmigRunStep(db, zSql, 1, pFk, pzErr);
    if( rc!=SQLITE_OK ){
      sqlite3_exec(db, "ROLLBACK TO sqlmig_check", 0, 0, 0);
      pCache->bFull = pCache->bWriteAll = 1;
    }
    sqlite3_exec(db, "RELEASE sqlmig_check", 0, 0, 0);
  }
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/*
** The names the scripts of pRev mention (every word, quoted name and
** string: a superset of the objects they can touch), or *pbAll when one
** renames a table (SQLite then rewrites other objects' texts too).
*/
static int revNames(const CheckRev *pRev, SqlmigNames *pNames, int *pbAll){
  const char *az[2];
  int k, rc = SQLITE_OK;
  az[0] = pRev->zUp;
  az[1] = pRev->zDown;
  *pbAll = 0;
  for(k=0; k<2 && rc==SQLITE_OK; k++){
    const unsigned char *z = (const unsigned char*)az[k];
    int n = z ? (int)strlen(az[k]) : 0, i = 0;
    while( i<n && rc==SQLITE_OK ){
      int eType, eOpen;
      int len = sqlmigToken(z+i, n-i, &eType, &eOpen);
      if( eType==SQLMIG_TK_WORD ){
        if( sqlmigWordIs(z+i, len, "RENAME") ) *pbAll = 1;
        rc = sqlmigNamesAdd(pNames, (const char*)z+i, len);
      }else if( (eType==SQLMIG_TK_QUOTED || eType==SQLMIG_TK_STRING)
             && len>=2 ){
        /* unquoted (a doubled quote inside stays doubled: it only widens
        ** the set) */
        rc = sqlmigNamesAdd(pNames, (const char*)z+i+1, len-2);
      }
      i += len;
    }
  }
  return rc;
}

/* ---------------------------------------------------------- the schema */

/*
** The copy's schema, every row of its sqlite_master, kept current without
** reading the whole table after every script: the copy's authorizer notes
** the objects each statement creates, drops or alters, and a refresh reads
** again only their rows (by rowid) and the rows added after the last one
** known. A rename (which rewrites other objects' texts), a virtual table
** (shadow tables) or many events read everything again.
*/

#define CACHE_MAX_EVENTS 64

static int cacheAuth(void *pArg, int eCode, const char *z1, const char *z2,
                     const char *zDb, const char *zTrigger){
  SchemaCache *p = (SchemaCache*)pArg;
  const char *a[2] = {0, 0};
  int i;
  (void)zTrigger;
  switch( eCode ){
    case SQLITE_CREATE_INDEX: case SQLITE_DROP_INDEX:
    case SQLITE_CREATE_TRIGGER: case SQLITE_DROP_TRIGGER:
      a[0] = z1; a[1] = z2; break;
    case SQLITE_CREATE_TABLE: case SQLITE_DROP_TABLE:
    case SQLITE_CREATE_VIEW: case SQLITE_DROP_VIEW:
      a[0] = z1; break;
    case SQLITE_ALTER_TABLE:
      a[0] = z2; zDb = z1; break;
    case SQLITE_CREATE_VTABLE: case SQLITE_DROP_VTABLE: case SQLITE_ANALYZE:
      p->bFull = p->bWriteAll = 1; break;
    case SQLITE_PRAGMA:
      /* with writable_schema a statement can change any table's columns */
      if( z1 && sqlite3_stricmp(z1, "writable_schema")==0 ){
        p->bFull = p->bWriteAll = 1;
      }
      return SQLITE_OK;
    case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE:
      /* rows written (also by a trigger: its statements come here too);
      ** the schema table's rows are DDL's own, noted as events above */
      if( zDb && sqlite3_stricmp(zDb, "main")!=0 ) return SQLITE_OK;
      if( z1 && (sqlite3_stricmp(z1, "sqlite_master")==0
              || sqlite3_stricmp(z1, "sqlite_schema")==0) ){
        return SQLITE_OK;
      }
      if( z1==0 || sqlmigNamesAdd(&p->written, z1, -1)!=SQLITE_OK ){
        p->bWriteAll = 1;
      }
      return SQLITE_OK;
    default:
      return SQLITE_OK;
  }
  if( zDb && sqlite3_stricmp(zDb, "main")!=0 ) return SQLITE_OK;
  for(i=0; i<2; i++){
    if( a[i] && sqlmigNamesAdd(&p->events, a[i], -1)!=SQLITE_OK ) p->bOom = 1;
  }
  /* a table created, dropped or altered: its rows (or columns) too */
  if( eCode==SQLITE_CREATE_TABLE || eCode==SQLITE_DROP_TABLE
   || eCode==SQLITE_ALTER_TABLE ){
    if( a[0]==0 || sqlmigNamesAdd(&p->written, a[0], -1)!=SQLITE_OK ){
      p->bWriteAll = 1;
    }
  }
  return SQLITE_OK;
}

static void cacheFree(SchemaCache *p){
  sumsFree(p->aKept, p->nKept);
  sqlmigNamesFree(&p->written);
  sqlmigSnapFree(p->pSnap);
  sqlmigNamesFree(&p->events);
  sqlite3_finalize(p->pByRowid);
  sqlite3_finalize(p->pAfter);
}

/* Inserts o into the sorted snapshot p. */
static int snapInsert(SqlmigSnap *p, SqlmigObj *o){
  int lo = 0, hi = p->n;
  while( lo<hi ){
    int mid = (lo+hi)/2;
    if( sqlmigObjCmp(p->ap[mid], o)<0 ) lo = mid+1; else hi = mid;
  }
  return sqlmigSnapAdd(p, lo, o);
}

/* Adds the object of pStmt's current row to the list pNew. */
static int newObj(sqlite3_stmt *pStmt, SqlmigSnap *pNew){
  SqlmigObj *o = sqlmigObjNew(pStmt);
  int rc;
  if( o==0 ) return SQLITE_NOMEM;
  rc = sqlmigSnapAdd(pNew, pNew->n, o);
  if( rc!=SQLITE_OK ){
    o->nRef = 1;
    sqlmigObjUnref(o);
  }
  return rc;
}

/* Brings the cache up to the copy's schema. */
static int cacheRefresh(sqlite3 *db, SchemaCache *p){
  SqlmigSnap added;
  sqlite3_int64 iMax = 0;
  int i, rc = SQLITE_OK;
  if( p->pSnap==0 || p->bFull || p->bOom || p->events.n>CACHE_MAX_EVENTS ){
    sqlmigSnapFree(p->pSnap);
    p->pSnap = 0;
    sqlmigNamesFree(&p->events);
    p->bFull = p->bOom = 0;
    return sqlmigSnapTake(db, 1, &p->pSnap);
  }
  if( p->events.n==0 ) return SQLITE_OK;
  memset(&added, 0, sizeof(added));
  if( p->pByRowid==0 ){
    rc = sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql, rowid "
        "FROM main.sqlite_master WHERE rowid=?1", -1, &p->pByRowid, 0);
    if( rc==SQLITE_OK ){
      rc = sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql, rowid "
          "FROM main.sqlite_master WHERE rowid>?1", -1, &p->pAfter, 0);
    }
    if( rc!=SQLITE_OK ) return rc;
  }
  for(i=0; i<p->pSnap->n; i++){
    if( p->pSnap->ap[i]->iRowid>iMax ) iMax = p->pSnap->ap[i]->iRowid;
  }
  /* 1. The rows of the objects named (or on tables named) by the events */
  for(i=0; rc==SQLITE_OK && i<p->pSnap->n; ){
    SqlmigObj *o = p->pSnap->ap[i];
    sqlite3_stmt *q = p->pByRowid;
    int bSame = 0;
    if( !sqlmigNamesHas(&p->events, o->zName)
     && !sqlmigNamesHas(&p->events, o->zTbl) ){
      i++;
      continue;
    }
    sqlite3_bind_int64(q, 1, o->iRowid);
    rc = sqlite3_step(q);
    if( rc==SQLITE_ROW ){
      const char *zType = (const char*)sqlite3_column_text(q, 0);
      const char *zName = (const char*)sqlite3_column_text(q, 1);
      const char *zSql = (const char*)sqlite3_column_text(q, 3);
      bSame = zType && zName && strcmp(zType, o->zType)==0
           && sqlite3_stricmp(zName, o->zName)==0
           && strcmp(zSql ? zSql : "", o->zSql)==0;
      rc = bSame ? SQLITE_OK : newObj(q, &added);
    }else if( rc==SQLITE_DONE ){
      rc = SQLITE_OK;
    }
    sqlite3_reset(q);
    if( bSame || rc!=SQLITE_OK ){
      i++;
    }else{
      /* gone or replaced: out of the snapshot */
      memmove(&p->pSnap->ap[i], &p->pSnap->ap[i+1],
              (p->pSnap->n-i-1)*sizeof(SqlmigObj*));
      p->pSnap->n--;
      sqlmigObjUnref(o);
    }
  }
  /* 2. Rows added after the last one known */
  if( rc==SQLITE_OK ){
    sqlite3_bind_int64(p->pAfter, 1, iMax);
    while( (rc = sqlite3_step(p->pAfter))==SQLITE_ROW ){
      rc = newObj(p->pAfter, &added);
      if( rc!=SQLITE_OK ) break;
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    sqlite3_reset(p->pAfter);
  }
  for(i=0; rc==SQLITE_OK && i<added.n; i++){
    rc = snapInsert(p->pSnap, added.ap[i]);
  }
  for(i=0; i<added.n; i++) sqlmigObjUnref(added.ap[i]);
  sqlite3_free(added.ap);
  sqlmigNamesFree(&p->events);
  if( rc!=SQLITE_OK ) p->bFull = 1;
  return rc;
}

/* A copy of the cache's snapshot (the objects shared). */
static int cacheSnap(sqlite3 *db, SchemaCache *p, SqlmigSnap **ppOut){
  SqlmigSnap *pOut;
  int i, rc = cacheRefresh(db, p);
  *ppOut = 0;
  if( rc!=SQLITE_OK ) return rc;
  pOut = sqlite3_malloc64(sizeof(*pOut));
  if( pOut==0 ) return SQLITE_NOMEM;
  memset(pOut, 0, sizeof(*pOut));
  pOut->ap = sqlite3_malloc64(sizeof(SqlmigObj*)*(p->pSnap->n+1));
  if( pOut->ap==0 ){
    sqlite3_free(pOut);
    return SQLITE_NOMEM;
  }
  for(i=0; i<p->pSnap->n; i++){
    pOut->ap[i] = p->pSnap->ap[i];
    pOut->ap[i]->nRef++;
  }
  pOut->n = pOut->nAlloc = p->pSnap->n;
  *ppOut = pOut;
  return SQLITE_OK;
}

/* The ordinary table zName of snapshot p, or NULL. */
static const SqlmigObj *snapTable(const SqlmigSnap *p, const char *zName){
  SqlmigObj probe;
  int lo = 0, hi = p->n;
  memset(&probe, 0, sizeof(probe));
  probe.zType = (char*)"table";
  probe.zName = (char*)zName;
  while( lo<hi ){
    int mid = (lo+hi)/2;
    int c = sqlmigObjCmp(p->ap[mid], &probe);
    if( c==0 ){
      const SqlmigObj *o = p->ap[mid];
      return o->bSkip || sqlite3_strnicmp(o->zSql, "CREATE VIRTUAL", 14)==0
           ? 0 : o;
    }
    if( c<0 ) lo = mid+1; else hi = mid;
  }
  return 0;
}

/* A copy of pSrc into *pDst (zeroed on failure). */
static int sumCopy(TableSum *pDst, const TableSum *pSrc){
  int k, rc = SQLITE_OK;
  memset(pDst, 0, sizeof(*pDst));
  pDst->zTab = sqlite3_mprintf("%s", pSrc->zTab);
  pDst->nRow = pSrc->nRow;
  pDst->azCol = sqlite3_malloc64(sizeof(char*)*(pSrc->nCol+1));
  pDst->aSum = sqlite3_malloc64(sizeof(sqlite3_uint64)*2*(pSrc->nCol+1));
  if( !pDst->zTab || !pDst->azCol || !pDst->aSum ) rc = SQLITE_NOMEM;
  for(k=0; rc==SQLITE_OK && k<pSrc->nCol; k++){
    pDst->azCol[k] = sqlite3_mprintf("%s", pSrc->azCol[k]);
    if( pDst->azCol[k]==0 ) rc = SQLITE_NOMEM;
    pDst->nCol = k+1;
  }
  if( rc!=SQLITE_OK ){
    sumClear(pDst);
    return rc;
  }
  memcpy(pDst->aSum, pSrc->aSum, sizeof(sqlite3_uint64)*2*pSrc->nCol);
  return SQLITE_OK;
}

/*
** The kept sums minus those of tables written since they were read (all
** of them after a rollback, a rename, or a write the authorizer could not
** name).
*/
static void keptPrune(SchemaCache *p){
  int i, j = 0;
  for(i=0; i<p->nKept; i++){
    if( p->bWriteAll || sqlmigNamesHas(&p->written, p->aKept[i].zTab) ){
      sumClear(&p->aKept[i]);
    }else{
      p->aKept[j++] = p->aKept[i];
    }
  }
  p->nKept = j;
  sqlmigNamesFree(&p->written);
  p->bWriteAll = 0;
}

/*
** The row sums of the tables of pSnap named in pNames (a slot each): kept
** ones when no statement has written the table since it was read (a
** revision that only adds an index reads its big table once, not twice).
*/
static int sumsOf(sqlite3 *db, SchemaCache *pCache, const SqlmigSnap *pSnap,
                  const SqlmigNames *pNames, TableSum **paSum){
  TableSum *a = sqlite3_malloc64(sizeof(TableSum)*(pNames->n+1));
  int i, k, rc = SQLITE_OK;
  *paSum = 0;
  if( a==0 ) return SQLITE_NOMEM;
  memset(a, 0, sizeof(TableSum)*(pNames->n+1));
  keptPrune(pCache);
  for(i=0; rc==SQLITE_OK && i<pNames->n; i++){
    const SqlmigObj *o = snapTable(pSnap, pNames->az[i]);
    if( o==0 ) continue;
    for(k=0; k<pCache->nKept
             && sqlite3_stricmp(pCache->aKept[k].zTab, o->zName); k++){}
    if( k<pCache->nKept ){
      rc = sumCopy(&a[i], &pCache->aKept[k]);
      continue;
    }
    rc = tableSum(db, o->zName, &a[i]);
    if( rc==SQLITE_OK && pCache->nKept==pCache->nKeptAlloc ){
      int nNew = pCache->nKeptAlloc ? pCache->nKeptAlloc*2 : 8;
      TableSum *aNew = sqlite3_realloc64(pCache->aKept, nNew*sizeof(TableSum));
      if( aNew==0 ){
        rc = SQLITE_NOMEM;
      }else{
        pCache->aKept = aNew;
        pCache->nKeptAlloc = nNew;
      }
    }
    if( rc==SQLITE_OK ){
      rc = sumCopy(&pCache->aKept[pCache->nKept], &a[i]);
      if( rc==SQLITE_OK ) pCache->nKept++;
    }
  }
  if( rc!=SQLITE_OK ){
    sumsFree(a, pNames->n);
    return rc;
  }
  *paSum = a;
  return SQLITE_OK;
}

/*
** Up, down, compare, up again for one revision (phase 2). Sets *pbStop
** when up fails: the copy is then not where the next revision starts.
*/
static int checkOne(sqlite3 *db, CheckState *p, const CheckRev *pRev,
                    SqlmigFk *pFk, SchemaCache *pCache, int *pbStop){
  SqlmigNames names;
  SqlmigSnap *pBefore = 0, *pAfter = 0;
  TableSum *aBefore = 0, *aAfter = 0;
  SqlmigDeltas d;
  char *zErr = 0;
  int bRename = 0, bProbe = 0, nRowBefore = p->n, rc, i;
  memset(&names, 0, sizeof(names));
  memset(&d, 0, sizeof(d));
  *pbStop = 0;
  rc = revNames(pRev, &names, &bRename);
  if( rc==SQLITE_OK ) rc = cacheSnap(db, pCache, &pBefore);
  if( rc==SQLITE_OK ) rc = sumsOf(db, pCache, pBefore, &names, &aBefore);
  if( rc!=SQLITE_OK ) goto done;

  pCache->bFull |= bRename;
  pCache->bWriteAll |= bRename;
  rc = runScript(db, pRev->zUp, pFk, pCache, &zErr);
  if( rc!=SQLITE_OK ){
    *pbStop = 1;
    if( rc!=SQLITE_NOMEM ){
      rc = rowAdd(p, pRev, "up fails", sqlite3_mprintf("%s (the revisions "
                  "above it were not checked)", zErr));
    }
    goto done;
  }
  if( pRev->zDown==0 ){
    rc = rowAdd(p, pRev, "irreversible", sqlite3_mprintf("down is NULL: "
                "the way back is not checked"));
    goto done;
  }
  /* Down and up again are a probe: when the round trip goes wrong, the
  ** copy goes back to where up left it, for the next revision */
  rc = sqlite3_exec(db, "SAVEPOINT sqlmig_probe", 0, 0, 0);
  if( rc!=SQLITE_OK ) goto done;
  bProbe = 1;
  pCache->bFull |= bRename;
  pCache->bWriteAll |= bRename;
  rc = runScript(db, pRev->zDown, pFk, pCache, &zErr);
  if( rc!=SQLITE_OK ){
    /* rolled back: the copy is after up, where the next one starts */
    if( rc!=SQLITE_NOMEM ) rc = rowAdd(p, pRev, "down fails", zErr);
    zErr = 0;
    goto done;
  }

  rc = cacheSnap(db, pCache, &pAfter);
  if( rc==SQLITE_OK && !sqlmigSnapEqual(pBefore, pAfter) ){
    rc = sqlmigSnapCompare(db, pBefore, pAfter, 0, &d);
    if( rc==SQLITE_OK && d.n>0 ){
      sqlite3_str *pDetail = sqlite3_str_new(0);
      for(i=0; i<d.n; i++){
        sqlite3_str_appendf(pDetail, "%s%s", i ? "; " : "", d.a[i].zDetail);
      }
      rc = rowAdd(p, pRev, "down leaves a difference",
                  sqlite3_str_finish(pDetail));
    }
  }
  /* Rows of the tables there before up and after down */
  if( rc==SQLITE_OK ) rc = sumsOf(db, pCache, pAfter, &names, &aAfter);
  if( rc==SQLITE_OK ) rc = sumsCompare(p, pRev, aBefore, aAfter, names.n);
  if( rc!=SQLITE_OK ) goto done;

  pCache->bFull |= bRename;
  pCache->bWriteAll |= bRename;
  rc = runScript(db, pRev->zUp, pFk, pCache, &zErr);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    rc = rowAdd(p, pRev, "up again fails", zErr);
    zErr = 0;
  }

done:
  if( bProbe ){
    /* A round trip that went wrong may have left the copy elsewhere (rows
    ** lost, a column left behind): back to where up left it */
    int rc2 = SQLITE_OK;
    if( p->n>nRowBefore ){
      rc2 = sqlite3_exec(db, "ROLLBACK TO sqlmig_probe", 0, 0, 0);
      pCache->bFull = pCache->bWriteAll = 1;
    }
    if( rc2==SQLITE_OK ) rc2 = sqlite3_exec(db, "RELEASE sqlmig_probe", 0, 0, 0);
    if( rc==SQLITE_OK ) rc = rc2;
  }
  sqlite3_free(zErr);
  sqlmigDeltasFree(&d);
  sqlmigSnapFree(pBefore);
  sqlmigSnapFree(pAfter);
  sumsFree(aBefore, aBefore ? names.n : 0);
  sumsFree(aAfter, aAfter ? names.n : 0);
  sqlmigNamesFree(&names);
  return rc;
}

/* Reads the store's revisions from db (the copy), ascending. */
static int checkRevsRead(sqlite3 *db, CheckRev **paRev, int *pnRev){
  SqlmigHistory h;
  CheckRev *a = 0;
  int n = 0, nAlloc = 0, rc;
  *paRev = 0;
  *pnRev = 0;
  rc = sqlmigHistoryOpen(db, SQLMIG_H_NAME|SQLMIG_H_UP|SQLMIG_H_DOWN, &h);
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  while( rc==SQLITE_OK && (rc = sqlmigHistoryNext(&h))==SQLITE_ROW ){
    const char *zName, *zUp, *zDown;
    if( (rc = sqlmigHistoryText(&h, SQLMIG_H_NAME, &zName, 0))
     || (rc = sqlmigHistoryText(&h, SQLMIG_H_UP, &zUp, 0))
     || (rc = sqlmigHistoryText(&h, SQLMIG_H_DOWN, &zDown, 0)) ){
      break;
    }
    if( n==nAlloc ){
      CheckRev *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      aNew = sqlite3_realloc64(a, nAlloc*sizeof(CheckRev));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      a = aNew;
    }
    memset(&a[n], 0, sizeof(CheckRev));
    a[n].iVersion = h.iVersion;
    a[n].bApplied = h.bApplied;
    a[n].zName = zName ? sqlite3_mprintf("%s", zName) : 0;
    a[n].zUp = sqlite3_mprintf("%s", zUp ? zUp : "");
    a[n].zDown = zDown ? sqlite3_mprintf("%s", zDown) : 0;
    n++;
    if( (zName && !a[n-1].zName) || !a[n-1].zUp || (zDown && !a[n-1].zDown) ){
      rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlmigHistoryClose(&h);
  *paRev = a;
  *pnRev = n;
  return rc;
}

static void checkRevsFree(CheckRev *a, int n){
  int i;
  for(i=0; i<n; i++){
    sqlite3_free(a[i].zName);
    sqlite3_free(a[i].zUp);
    sqlite3_free(a[i].zDown);
  }
  sqlite3_free(a);
}

/*
** 1 when db's own open transaction has written to main. The backup API
** refuses to copy such a database (with SQLITE_BUSY, which an app would
** retry forever), so migrate_check refuses it at once with its own error.
** sqlite3_txn_state() came in SQLite 3.34; built against older headers, or
** running on an older library, a SQLITE_BUSY from the backup inside the
** caller's transaction is taken to mean the same.
*/
static int ownWriteTxn(sqlite3 *db, int rcBackup){
#ifdef SQLITE_TXN_WRITE
  if( sqlite3_libversion_number()>=3034000 ){
    return sqlite3_txn_state(db, "main")==SQLITE_TXN_WRITE;
  }
#endif
  return rcBackup==SQLITE_BUSY && !sqlite3_get_autocommit(db);
}

/* ----------------------------------------- the caller's own functions */

/*
** The copy is a connection of its own, without the functions and
** collations the application registered on the caller's: a generated
** column or an index calling one, or a script, would fail there. So each
** of the caller's scalar functions and collations that the copy lacks is
** registered on the copy as a forwarder that evaluates it on the caller's
** connection through a small SELECT (sqlmig's own functions excepted).
*/
typedef struct Forward Forward;
struct Forward {
  sqlite3 *db;             /* the caller's connection */
  char *zName;
  sqlite3_stmt *pColl;     /* a collation's comparing statement, or NULL */
};

static void forwardFree(void *pArg){
  Forward *p = (Forward*)pArg;
  if( p ){
    sqlite3_finalize(p->pColl);
    sqlite3_free(p->zName);
    sqlite3_free(p);
  }
}

/* A call of the caller's function p->zName, run on the caller's db. */
static void forwardFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Forward *p = (Forward*)sqlite3_user_data(ctx);
  sqlite3_str *pSql = sqlite3_str_new(0);
  sqlite3_stmt *pStmt = 0;
  char *zSql;
  int i, rc;
  sqlite3_str_appendf(pSql, "SELECT \"%w\"(", p->zName);
  for(i=0; i<argc; i++) sqlite3_str_appendall(pSql, i ? ",?" : "?");
  sqlite3_str_appendall(pSql, ")");
  zSql = sqlite3_str_finish(pSql);
  if( zSql==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  for(i=0; rc==SQLITE_OK && i<argc; i++){
    rc = sqlite3_bind_value(pStmt, i+1, argv[i]);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    sqlite3_result_value(ctx, sqlite3_column_value(pStmt, 0));
  }else if( rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_error(ctx, sqlite3_errmsg(p->db), -1);
    sqlite3_result_error_code(ctx, sqlmigErrcode(p->db, rc));
  }
  sqlite3_finalize(pStmt);
}

/* The caller's collation p->zName, asked on the caller's db (0 when it
** cannot be asked: a collation has no way to report an error). */
static int forwardColl(void *pArg, int n1, const void *z1, int n2,
                       const void *z2){
  Forward *p = (Forward*)pArg;
  int r = 0;
  if( p->pColl==0 ){
    char *zSql = sqlite3_mprintf("SELECT CASE WHEN ?1 = ?2 COLLATE \"%w\" "
        "THEN 0 WHEN ?1 < ?2 COLLATE \"%w\" THEN -1 ELSE 1 END", p->zName,
        p->zName);
    if( zSql ) sqlite3_prepare_v2(p->db, zSql, -1, &p->pColl, 0);
    sqlite3_free(zSql);
  }
  if( p->pColl ){
    sqlite3_bind_text(p->pColl, 1, (const char*)z1, n1, SQLITE_STATIC);
    sqlite3_bind_text(p->pColl, 2, (const char*)z2, n2, SQLITE_STATIC);
    if( sqlite3_step(p->pColl)==SQLITE_ROW ) r = sqlite3_column_int(p->pColl, 0);
    sqlite3_reset(p->pColl);
    sqlite3_clear_bindings(p->pColl);
  }
  return r;
}

/* A Forward for zName (sqlite3_malloc), or NULL. */
static Forward *forwardNew(sqlite3 *db, const unsigned char *zName){
  Forward *p = sqlite3_malloc64(sizeof(*p));
  if( p ){
    p->db = db;
    p->pColl = 0;
    p->zName = sqlite3_mprintf("%s", (const char*)zName);
    if( p->zName==0 ){
      sqlite3_free(p);
      p = 0;
    }
  }
  return p;
}

/*
** Registers on pCopy a forwarder for each scalar function and collation of
** db that pCopy lacks. SQLITE_OK also when db cannot list them (a SQLite
** built without the introspection pragmas): the copy then has only its own.
*/
static int forwardAll(sqlite3 *db, sqlite3 *pCopy){
#ifndef SQLITE_INNOCUOUS
# define SQLITE_INNOCUOUS 0
#endif
  static const char *const azList[2] = {
    "SELECT name, narg, flags FROM pragma_function_list WHERE builtin=0"
    " AND type='s' AND name NOT LIKE 'migrat%' AND name NOT LIKE 'sqlmig%'",
    "SELECT name FROM pragma_collation_list",
  };
  static const char *const azHas[2] = {
    "SELECT 1 FROM pragma_function_list WHERE name=?1 AND narg=?2",
    "SELECT 1 FROM pragma_collation_list WHERE name=?1",
  };
  int k, rc = SQLITE_OK;
  for(k=0; rc==SQLITE_OK && k<2; k++){
    sqlite3_stmt *pList = 0, *pHas = 0;
    if( sqlite3_prepare_v2(db, azList[k], -1, &pList, 0)!=SQLITE_OK
     || sqlite3_prepare_v2(pCopy, azHas[k], -1, &pHas, 0)!=SQLITE_OK ){
      rc = sqlite3_errcode(db)==SQLITE_NOMEM
        || sqlite3_errcode(pCopy)==SQLITE_NOMEM ? SQLITE_NOMEM : SQLITE_OK;
    }
    while( rc==SQLITE_OK && pHas && sqlite3_step(pList)==SQLITE_ROW ){
      const unsigned char *zName = sqlite3_column_text(pList, 0);
      int nArg = sqlite3_column_int(pList, 1);
      Forward *p;
      if( zName==0 ){ rc = SQLITE_NOMEM; break; }
      sqlite3_bind_text(pHas, 1, (const char*)zName, -1, SQLITE_STATIC);
      sqlite3_bind_int(pHas, 2, nArg);
      rc = sqlite3_step(pHas);
      sqlite3_reset(pHas);
      if( rc==SQLITE_ROW ){ rc = SQLITE_OK; continue; }   /* the copy has it */
      if( rc!=SQLITE_DONE ) break;
      p = forwardNew(db, zName);
      if( p==0 ){ rc = SQLITE_NOMEM; break; }
      if( k==0 ){
        int eFlags = sqlite3_column_int(pList, 2)
            & (SQLITE_DETERMINISTIC|SQLITE_DIRECTONLY|SQLITE_INNOCUOUS);
        rc = sqlite3_create_function_v2(pCopy, p->zName, nArg,
            SQLITE_UTF8|eFlags, p, forwardFunc, 0, 0, forwardFree);
      }else{
        rc = sqlite3_create_collation_v2(pCopy, p->zName, SQLITE_UTF8, p,
                                         forwardColl, forwardFree);
        if( rc!=SQLITE_OK ) forwardFree(p);   /* not called on failure */
      }
    }
    sqlite3_finalize(pList);
    sqlite3_finalize(pHas);
  }
  return rc;
}

/* copyOpen()'s answer when ownWriteTxn() (not an SQLite code) */
#define SQLMIG_IN_WRITE_TXN (-1)

/*
** A private copy of db's main, with db's foreign_keys; or
** SQLMIG_IN_WRITE_TXN. The copy is a temporary file database (an empty
** file name: SQLite deletes it when the copy closes) with the caller's
** page cache size and temporary files on disk, so that checking a big
** database costs disk, not memory: the backup spills the copy's cache as
** it fills, and the copy's journals and sorters spill too.
*/
static int copyOpen(sqlite3 *db, sqlite3 **ppCopy){
  sqlite3 *pCopy = 0;
  sqlite3_backup *pB;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 nCache = -2000;
  int bFk = 0;
  int rc = sqlite3_open_v2("", &pCopy,
                           SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(pCopy, "sqlmig_check_sum", -1,
        SQLITE_UTF8|SQLITE_DETERMINISTIC, 0, 0, sumStep, sumFinal);
  }
  if( rc==SQLITE_OK ) rc = forwardAll(db, pCopy);
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db, "PRAGMA main.cache_size", -1, &pStmt, 0);
    if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      nCache = sqlite3_column_int64(pStmt, 0);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK ) rc = sqlmigErrcode(db, rc);
  }
  if( rc==SQLITE_OK ){
    char *zSql = sqlite3_mprintf("PRAGMA cache_size=%lld; "
                                 "PRAGMA temp_store=FILE", nCache);
    rc = zSql ? sqlite3_exec(pCopy, zSql, 0, 0, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
  }
  if( rc==SQLITE_OK ){
    pB = sqlite3_backup_init(pCopy, "main", db, "main");
    if( pB==0 ){
      rc = sqlmigErrcode(pCopy, sqlite3_errcode(pCopy));
    }else{
      rc = sqlite3_backup_step(pB, -1);
      if( rc==SQLITE_DONE ) rc = SQLITE_OK;
      sqlite3_backup_finish(pB);
      if( rc!=SQLITE_OK && ownWriteTxn(db, rc) ) rc = SQLMIG_IN_WRITE_TXN;
    }
  }
  if( rc==SQLITE_OK ){
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bFk);
    rc = sqlite3_db_config(pCopy, SQLITE_DBCONFIG_ENABLE_FKEY, bFk, (int*)0);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_close(pCopy);
    return rc;
  }
  *ppCopy = pCopy;
  return SQLITE_OK;
}

static int checkFilter(SqlmigConn *pConn, void *pState, int argc,
                       sqlite3_value **argv, int *pnRow, char **pzErr){
  CheckState *p = (CheckState*)pState;
  sqlite3 *db = pConn->db, *pCopy = 0;
  CheckRev *aRev = 0;
  SqlmigFk *pFk = 0;
  SchemaCache cache;
  sqlite3_int64 iOnly = -1;       /* the one revision to check, -1: all */
  int nRev = 0, iFloor, i, rc, bFk = 0, bStop = 0;

  memset(&cache, 0, sizeof(cache));

  if( argc>0 ){
    sqlite3_int64 iPrev;
    rc = sqlmigVersionFind(db, argv[0], &iOnly, &iPrev);
    if( rc==SQLITE_OK && iOnly<0 ){
      *pzErr = sqlite3_mprintf("migrate_check: revision %s is not "
          "registered", (const char*)sqlite3_value_text(argv[0]));
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if( rc!=SQLITE_OK && rc!=SQLITE_DONE ) return rc;
  }
  if( argc>0 && iOnly<0 ){
    if( sqlite3_value_numeric_type(argv[0])!=SQLITE_INTEGER
     || (iOnly = sqlite3_value_int64(argv[0]))<0 ){
      char *zGot = sqlmigValueShown(argv[0]);
      *pzErr = zGot ? sqlite3_mprintf("migrate_check: the version must be an "
                                      "integer of 0 or more, got %s", zGot) : 0;
      sqlite3_free(zGot);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  rc = copyOpen(db, &pCopy);
  if( rc==SQLMIG_IN_WRITE_TXN ){
    *pzErr = sqlite3_mprintf("migrate_check: the caller's transaction has "
        "written to main: call migrate_check() outside a write transaction");
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    sqlite3_set_authorizer(pCopy, cacheAuth, &cache);
    rc = checkRevsRead(pCopy, &aRev, &nRev);
  }
  if( rc==SQLITE_OK && iOnly>=0 ){
    for(i=0; i<nRev && aRev[i].iVersion!=iOnly; i++){}
    if( i==nRev ){
      *pzErr = sqlite3_mprintf("migrate_check: revision %lld is not "
                               "registered", iOnly);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bFk);
  if( rc==SQLITE_OK && bFk && (pFk = sqlmigFkNew())==0 ) rc = SQLITE_NOMEM;

  /* 1. Down from where the database is: newest applied first */
  iFloor = -1;
  for(i=nRev-1; rc==SQLITE_OK && i>=0; i--){
    char *zErr = 0;
    if( !aRev[i].bApplied || (iOnly>=0 && aRev[i].iVersion<iOnly) ) continue;
    if( aRev[i].zDown==0 ){
      if( iOnly<0 || aRev[i].iVersion==iOnly ){
        rc = rowAdd(p, &aRev[i], "irreversible", sqlite3_mprintf("down is "
            "NULL: it and the revisions below it are not checked"));
      }
      iFloor = i;
      break;
    }
    rc = runScript(pCopy, aRev[i].zDown, pFk, &cache, &zErr);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      rc = rowAdd(p, &aRev[i], "down fails", sqlite3_mprintf("%s (it and "
          "the revisions below it are not checked)", zErr));
      iFloor = i;
      sqlite3_free(zErr);
      break;
    }
    sqlite3_free(zErr);
  }

  /* 2. Up from there, each revision round-tripped (or only iOnly) */
  for(i=iFloor+1; rc==SQLITE_OK && !bStop && i<nRev; i++){
    if( iOnly>=0 && aRev[i].iVersion>iOnly ) break;
    if( iOnly>=0 && aRev[i].iVersion<iOnly ){
      /* Below the one to check: bring the copy up to it */
      char *zErr = 0;
      char zV[SQLMIG_VERSION_BUF];
      if( aRev[i].bApplied ) continue;          /* never reverted */
      rc = runScript(pCopy, aRev[i].zUp, pFk, &cache, &zErr);
      if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
        rc = rowAdd(p, &aRev[i], "up fails", sqlite3_mprintf("%s (revision "
            "%s was not checked)", zErr, sqlmigVersionShow(db, iOnly, zV)));
        bStop = 1;
      }
      sqlite3_free(zErr);
      continue;
    }
    rc = checkOne(pCopy, p, &aRev[i], pFk, &cache, &bStop);
  }

  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("migrate_check: %s", pCopy
        ? sqlite3_errmsg(pCopy) : sqlite3_errstr(rc));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlmigFkFree(pFk);
  checkRevsFree(aRev, nRev);
  cacheFree(&cache);
  sqlite3_close(pCopy);
  /* Rows in version order (the descent added its own first) */
  for(i=1; i<p->n; i++){
    CheckRow r = p->a[i];
    int j = i;
    while( j>0 && p->a[j-1].iVersion>r.iVersion ){
      p->a[j] = p->a[j-1];
      j--;
    }
    p->a[j] = r;
  }
  *pnRow = p->n;
  return rc;
}

static void checkColumn(void *pState, int iRow, int iCol,
                        sqlite3_context *ctx){
  const CheckRow *r = &((CheckState*)pState)->a[iRow];
  switch( iCol ){
    case 0:
      sqlmigVersionResult(ctx, sqlite3_context_db_handle(ctx), r->iVersion);
      break;
    case 1:
      if( r->zName ) sqlite3_result_text(ctx, r->zName, -1, SQLITE_TRANSIENT);
      break;
    case 2: sqlite3_result_text(ctx, r->zCheck, -1, SQLITE_STATIC); break;
    default: sqlite3_result_text(ctx, r->zDetail, -1, SQLITE_TRANSIENT); break;
  }
}

static const SqlmigTvf checkTvf = {
  "migrate_check",
  "CREATE TABLE x(version INTEGER, name TEXT, \"check\" TEXT, detail TEXT,"
  " only HIDDEN)",
  4, 1, 0, "takes at most one argument, a registered version",
  sizeof(CheckState), checkFilter, checkColumn, checkFree
};

int sqlmigCheckRegister(sqlite3 *db, SqlmigConn *pConn){
  return sqlmigTvfRegister(db, &checkTvf, pConn);
}

#endif /* SQLMIG_OMIT_DIFF */
