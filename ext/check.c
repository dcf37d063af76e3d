/*
** sqlmig: migrate_check, every revision's way back proven before it ships.
**
**   SELECT * FROM migrate_check();     -- every registered revision
**   SELECT * FROM migrate_check(3);    -- revision 3 only
**
** One row (version, name, check, detail) per problem; no rows means every
** revision round-trips. The work happens in a private in-memory copy of
** main (the backup API), so the database is never written, whatever the
** scripts do; SQLite could not run them on the caller's connection anyway,
** since a table-valued function counts as a reader and DROP TABLE would be
** refused. The copy gets the caller's foreign_keys setting; scripts run as
** migrate() runs them (sqlmigRunStep), each in a savepoint so that a failed
** one leaves the copy as it was.
**
**   1. From where the database is, the applied revisions are reverted
**      newest first with their down scripts (a NULL down, or one that
**      fails, ends the descent there: what lies below cannot be reached).
**   2. Then, from there up, each revision in version order: snapshot of
**      the objects its scripts name (and their rows' checksums), up, down,
**      snapshot again and compare (drift.c words the differences), up
**      again. Down and up again run in a savepoint, rolled back when the
**      round trip found a problem, so the next revision always starts
**      where up left it.
**
** Checks: `up fails`, `down fails`, `down leaves a difference`, `down
** loses rows`, `down changes rows`, `up again fails`, `irreversible`.
*/
#include "sqlmig_int.h"

/* A revision of the store, as the check runs it. */
typedef struct CheckRev CheckRev;
struct CheckRev {
  sqlite3_int64 iVersion;
  char *zName, *zUp, *zDown;
  int bApplied;
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

/* The checksums of one table's rows: per column, over every row. */
typedef struct TableSum TableSum;
struct TableSum {
  char *zTab;
  sqlite3_int64 nRow;
  int nCol;
  char **azCol;
  sqlite3_uint64 *aSum;    /* nCol sums, then nCol xors */
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

/* A 64-bit hash of n bytes, seeded with the value's type. */
static sqlite3_uint64 hashBytes(int eType, const unsigned char *z, int n){
  sqlite3_uint64 h = 0xcbf29ce484222325ULL ^ (sqlite3_uint64)eType;
  int i;
  for(i=0; i<n; i++){
    h ^= z[i];
    h *= 0x100000001b3ULL;
  }
  h ^= h>>33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h>>33;
  return h;
}

static sqlite3_uint64 hashValue(sqlite3_stmt *pStmt, int i){
  int eType = sqlite3_column_type(pStmt, i);
  switch( eType ){
    case SQLITE_INTEGER: {
      sqlite3_int64 v = sqlite3_column_int64(pStmt, i);
      return hashBytes(eType, (const unsigned char*)&v, sizeof(v));
    }
    case SQLITE_FLOAT: {
      double v = sqlite3_column_double(pStmt, i);
      return hashBytes(eType, (const unsigned char*)&v, sizeof(v));
    }
    case SQLITE_NULL:
      return hashBytes(eType, 0, 0);
    default: {
      const unsigned char *z = sqlite3_column_blob(pStmt, i);
      return hashBytes(eType, z, sqlite3_column_bytes(pStmt, i));
    }
  }
}

static void sumsFree(TableSum *a, int n){
  int i, k;
  for(i=0; i<n; i++){
    sqlite3_free(a[i].zTab);
    for(k=0; k<a[i].nCol; k++) sqlite3_free(a[i].azCol[k]);
    sqlite3_free(a[i].azCol);
    sqlite3_free(a[i].aSum);
  }
  sqlite3_free(a);
}

/* Reads the rows of table zTab of main into *pSum. */
static int tableSum(sqlite3 *db, const char *zTab, TableSum *pSum){
  char *zSql = sqlite3_mprintf("SELECT * FROM main.\"%w\"", zTab);
  sqlite3_stmt *pStmt = 0;
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
  for(k=0; k<pSum->nCol; k++){
    const char *zCol = sqlite3_column_name(pStmt, k);
    pSum->azCol[k] = zCol ? sqlite3_mprintf("%s", zCol) : 0;
    if( pSum->azCol[k]==0 ) rc = SQLITE_NOMEM;
  }
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    rc = SQLITE_OK;
    pSum->nRow++;
    for(k=0; k<pSum->nCol; k++){
      sqlite3_uint64 h = hashValue(pStmt, k);
      pSum->aSum[k] += h;
      pSum->aSum[pSum->nCol+k] ^= h;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(pStmt);
  return rc;
}

/* The checksums of the rows of tables azTab[0..nTab). */
static int sumsTake(sqlite3 *db, char **azTab, int nTab, TableSum **paSum){
  TableSum *a = sqlite3_malloc64(sizeof(TableSum)*(nTab+1));
  int i, rc = SQLITE_OK;
  *paSum = 0;
  if( a==0 ) return SQLITE_NOMEM;
  memset(a, 0, sizeof(TableSum)*(nTab+1));
  for(i=0; rc==SQLITE_OK && i<nTab; i++) rc = tableSum(db, azTab[i], &a[i]);
  if( rc!=SQLITE_OK ){
    sumsFree(a, nTab);
    return rc;
  }
  *paSum = a;
  return SQLITE_OK;
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

/* Runs zSql in a savepoint of db: a failure leaves db as it was. */
static int runScript(sqlite3 *db, const char *zSql, SqlmigFk *pFk,
                     char **pzErr){
  int rc = sqlite3_exec(db, "SAVEPOINT sqlmig_check", 0, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlmigRunStep(db, zSql, 1, pFk, pzErr);
    if( rc!=SQLITE_OK ) sqlite3_exec(db, "ROLLBACK TO sqlmig_check", 0, 0, 0);
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

/* The tables of main named in pNames (all when bAll), for the row sums. */
static int snapTables(sqlite3 *db, const SqlmigNames *pNames, int bAll,
                      SqlmigNames *pTabs){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT name FROM main.sqlite_master WHERE "
      "type='table' AND sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE "
      "'\\' AND name<>'sqlmig' AND name NOT LIKE 'sqlmig\\_%' ESCAPE '\\' "
      "AND sql NOT LIKE 'CREATE VIRTUAL%'", -1, &pStmt, 0);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    rc = SQLITE_OK;
    if( zName && (bAll || sqlmigNamesHas(pNames, zName)) ){
      rc = sqlmigNamesAdd(pTabs, zName, -1);
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Up, down, compare, up again for one revision (phase 2). Sets *pbStop
** when the copy is no longer where the next revision should start.
*/
static int checkOne(sqlite3 *db, CheckState *p, const CheckRev *pRev,
                    SqlmigFk *pFk, int *pbStop){
  SqlmigNames names, tabs;
  SqlmigSnap *pBefore = 0, *pAfter = 0;
  TableSum *aBefore = 0, *aAfter = 0;
  SqlmigDeltas d;
  char *zErr = 0;
  int bAll = 0, bProbe = 0, nRowBefore = p->n, rc, i;
  memset(&names, 0, sizeof(names));
  memset(&tabs, 0, sizeof(tabs));
  memset(&d, 0, sizeof(d));
  *pbStop = 0;
  rc = revNames(pRev, &names, &bAll);
  if( rc==SQLITE_OK ) rc = sqlmigSnapTake(db, bAll ? 0 : &names, &pBefore);
  if( rc==SQLITE_OK ) rc = snapTables(db, &names, bAll, &tabs);
  if( rc==SQLITE_OK ) rc = sumsTake(db, tabs.az, tabs.n, &aBefore);
  if( rc!=SQLITE_OK ) goto done;

  rc = runScript(db, pRev->zUp, pFk, &zErr);
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
  /* Down and up again are a probe: when up again fails, the copy goes
  ** back to where up left it, for the next revision */
  rc = sqlite3_exec(db, "SAVEPOINT sqlmig_probe", 0, 0, 0);
  if( rc!=SQLITE_OK ) goto done;
  bProbe = 1;
  rc = runScript(db, pRev->zDown, pFk, &zErr);
  if( rc!=SQLITE_OK ){
    /* rolled back: the copy is after up, where the next one starts */
    if( rc!=SQLITE_NOMEM ) rc = rowAdd(p, pRev, "down fails", zErr);
    zErr = 0;
    goto done;
  }

  rc = sqlmigSnapTake(db, bAll ? 0 : &names, &pAfter);
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
  if( rc==SQLITE_OK ){
    /* The same tables, now: a table gone or new has no sums to compare */
    aAfter = sqlite3_malloc64(sizeof(TableSum)*(tabs.n+1));
    if( aAfter==0 ) rc = SQLITE_NOMEM;
    else memset(aAfter, 0, sizeof(TableSum)*(tabs.n+1));
    for(i=0; rc==SQLITE_OK && i<tabs.n; i++){
      rc = sqlmigTableExists(db, tabs.az[i]);
      if( rc==1 ) rc = tableSum(db, tabs.az[i], &aAfter[i]);
      else if( rc==0 ) rc = SQLITE_OK;
      else rc = -rc;
    }
  }
  if( rc==SQLITE_OK ) rc = sumsCompare(p, pRev, aBefore, aAfter, tabs.n);
  if( rc!=SQLITE_OK ) goto done;

  rc = runScript(db, pRev->zUp, pFk, &zErr);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    rc = rowAdd(p, pRev, "up again fails", zErr);
    zErr = 0;
  }

done:
  if( bProbe ){
    /* A round trip that went wrong may have left the copy elsewhere (rows
    ** lost, a column left behind): back to where up left it */
    int rc2 = p->n>nRowBefore ? sqlite3_exec(db, "ROLLBACK TO sqlmig_probe",
                                             0, 0, 0) : SQLITE_OK;
    if( rc2==SQLITE_OK ) rc2 = sqlite3_exec(db, "RELEASE sqlmig_probe", 0, 0, 0);
    if( rc==SQLITE_OK ) rc = rc2;
  }
  sqlite3_free(zErr);
  sqlmigDeltasFree(&d);
  sqlmigSnapFree(pBefore);
  sqlmigSnapFree(pAfter);
  sumsFree(aBefore, aBefore ? tabs.n : 0);
  sumsFree(aAfter, aAfter ? tabs.n : 0);
  sqlmigNamesFree(&names);
  sqlmigNamesFree(&tabs);
  return rc;
}

/* Reads the store's revisions from db (the copy), ascending. */
static int checkRevsRead(sqlite3 *db, CheckRev **paRev, int *pnRev){
  sqlite3_stmt *pStmt = 0;
  CheckRev *a = 0;
  int n = 0, nAlloc = 0, rc;
  *paRev = 0;
  *pnRev = 0;
  rc = sqlmigStoreExists(db);
  if( rc<=0 ) return rc<0 ? -rc : SQLITE_OK;
  rc = sqlite3_prepare_v2(db, "SELECT version, name, up, down, applied_at IS "
      "NOT NULL FROM main." SQLMIG_STORE " ORDER BY version", -1, &pStmt, 0);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zUp = (const char*)sqlite3_column_text(pStmt, 2);
    const char *zDown = (const char*)sqlite3_column_text(pStmt, 3);
    rc = SQLITE_OK;
    if( n==nAlloc ){
      CheckRev *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      aNew = sqlite3_realloc64(a, nAlloc*sizeof(CheckRev));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      a = aNew;
    }
    memset(&a[n], 0, sizeof(CheckRev));
    a[n].iVersion = sqlite3_column_int64(pStmt, 0);
    a[n].bApplied = sqlite3_column_int(pStmt, 4);
    a[n].zName = zName ? sqlite3_mprintf("%s", zName) : 0;
    a[n].zUp = sqlite3_mprintf("%s", zUp ? zUp : "");
    a[n].zDown = zDown ? sqlite3_mprintf("%s", zDown) : 0;
    n++;
    if( (zName && !a[n-1].zName) || !a[n-1].zUp || (zDown && !a[n-1].zDown) ){
      rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(pStmt);
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

/* A private in-memory copy of db's main, with db's foreign_keys. */
static int copyOpen(sqlite3 *db, sqlite3 **ppCopy){
  sqlite3 *pCopy = 0;
  sqlite3_backup *pB;
  int bFk = 0;
  int rc = sqlite3_open_v2(":memory:", &pCopy,
                           SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  if( rc==SQLITE_OK ){
    pB = sqlite3_backup_init(pCopy, "main", db, "main");
    if( pB==0 ){
      rc = sqlmigErrcode(pCopy, sqlite3_errcode(pCopy));
    }else{
      rc = sqlite3_backup_step(pB, -1);
      if( rc==SQLITE_DONE ) rc = SQLITE_OK;
      sqlite3_backup_finish(pB);
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
  sqlite3_int64 iOnly = 0;
  int nRev = 0, iFloor, i, rc, bFk = 0, bStop = 0;

  if( argc>0 ){
    if( sqlite3_value_numeric_type(argv[0])!=SQLITE_INTEGER
     || (iOnly = sqlite3_value_int64(argv[0]))<=0 ){
      char *zGot = sqlmigValueShown(argv[0]);
      *pzErr = zGot ? sqlite3_mprintf("migrate_check: the version must be a "
                                      "positive integer, got %s", zGot) : 0;
      sqlite3_free(zGot);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  rc = copyOpen(db, &pCopy);
  if( rc==SQLITE_OK ) rc = checkRevsRead(pCopy, &aRev, &nRev);
  if( rc==SQLITE_OK && iOnly ){
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
    if( !aRev[i].bApplied || (iOnly && aRev[i].iVersion<iOnly) ) continue;
    if( aRev[i].zDown==0 ){
      if( !iOnly || aRev[i].iVersion==iOnly ){
        rc = rowAdd(p, &aRev[i], "irreversible", sqlite3_mprintf("down is "
            "NULL: it and the revisions below it are not checked"));
      }
      iFloor = i;
      break;
    }
    rc = runScript(pCopy, aRev[i].zDown, pFk, &zErr);
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
    if( iOnly && aRev[i].iVersion>iOnly ) break;
    if( iOnly && aRev[i].iVersion<iOnly ){
      /* Below the one to check: bring the copy up to it */
      char *zErr = 0;
      if( aRev[i].bApplied ) continue;          /* never reverted */
      rc = runScript(pCopy, aRev[i].zUp, pFk, &zErr);
      if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
        rc = rowAdd(p, &aRev[i], "up fails", sqlite3_mprintf("%s (revision "
            "%lld was not checked)", zErr, iOnly));
        bStop = 1;
      }
      sqlite3_free(zErr);
      continue;
    }
    rc = checkOne(pCopy, p, &aRev[i], pFk, &bStop);
  }

  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("migrate_check: %s", pCopy
        ? sqlite3_errmsg(pCopy) : sqlite3_errstr(rc));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlmigFkFree(pFk);
  checkRevsFree(aRev, nRev);
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
    case 0: sqlite3_result_int64(ctx, r->iVersion); break;
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
