/*
** sqlmig: migrate_data_diff(from, to [, tables]), the rows that differ.
**
**   SELECT migrate_data_diff('main', 'ref');
**   SELECT migrate_data_diff('main', 'ref', 'countries, flags(rowid)');
**
** Returns the DELETE, UPDATE and INSERT statements that make the rows of
** `from`'s tables equal to `to`'s ('' when they are), for the tables
** present in both (or the ones named), matched by primary key: a table
** compared by rowid must say so, as `name(rowid)`; one without a primary
** key, or whose primary key differs between the two, is an error naming
** it. Columns present in both are compared (generated ones left out).
**
** Exact for every value: two values are the same when their types and
** bytes are (a REAL bit for bit, so -0.0 is not 0.0; text and blobs byte
** for byte, whatever the collation). Each table is read with three
** queries that SQLite answers through the key's index: rows of from
** missing in to (DELETE), rows of to missing in from (INSERT), and pairs
** whose columns may differ (a filter in SQL that can only let through
** too many, never too few; the values are then compared here). Values
** are written as literals that SQLite reads back to the same value: a
** REAL as the shortest of 15, 16 or 17 digits that this SQLite's own
** parser turns back into the same bits (checked), else as an exact
** product of an integer and powers of two; text that is not valid UTF-8
** (or holds NUL) as CAST(X'..' AS TEXT).
**
** Order: deletes children first, then updates and inserts parents first
** (foreign keys of from), each table by key: deterministic.
*/
#include "sqlmig_int.h"

/* Left out of the build for apps that only migrate (-DSQLMIG_OMIT_DIFF). */
#ifndef SQLMIG_OMIT_DIFF
#include <stdio.h>

typedef struct DataDiff DataDiff;
struct DataDiff {
  sqlite3 *db;
  const char *zFrom, *zTo;
  char *zErr;
  sqlite3_stmt *pReal;          /* SELECT CAST(?1 AS REAL) */
  sqlite3_stmt *pXinfo;
  sqlite3_str *pUp;             /* updates and inserts, in table order */
};

/* A table to compare: its common columns (keys first) and key count. */
typedef struct DdTable DdTable;
struct DdTable {
  const char *zName;
  char **azCol;                 /* names (from's spelling) */
  char *aLoose;                 /* 1: may hold mixed types (BLOB affinity) */
  int nCol;
  int nKey;                     /* azCol[0..nKey) are the key */
  const char *azMark[2];        /* never NULL in a row of from / to: the
                                ** rowid, or a WITHOUT ROWID key column */
};

#define DD_POW60 "1152921504606846976"

/* Appends REAL d as a literal SQLite reads back bit for bit. */
static int ddReal(DataDiff *p, sqlite3_str *pOut, double d){
  sqlite3_uint64 u, uMag, m;
  double mag;
  int e, prec, rc;
  memcpy(&u, &d, 8);
  uMag = u & ~((sqlite3_uint64)1<<63);
  memcpy(&mag, &uMag, 8);
  if( (u>>63) ) sqlite3_str_appendchar(pOut, 1, '-');
  if( (uMag>>52)==0x7ff ){
    sqlite3_str_appendall(pOut, "1e999");
    return SQLITE_OK;
  }
  for(prec=15; prec<=17; prec++){
    char z[48];
    int i, bFloat = 0;
    double back;
    snprintf(z, sizeof(z)-2, "%.*g", prec, mag);
    for(i=0; z[i]; i++){
      if( z[i]=='e' || z[i]=='E' ) bFloat = 1;
      else if( (z[i]<'0' || z[i]>'9') && z[i]!='-' && z[i]!='+' ){
        z[i] = '.';             /* whatever the locale's decimal point */
        bFloat = 1;
      }
    }
    if( !bFloat ) memcpy(&z[i], ".0", 3);
    sqlite3_bind_text(p->pReal, 1, z, -1, SQLITE_STATIC);
    rc = sqlite3_step(p->pReal);
    back = sqlite3_column_double(p->pReal, 0);
    if( rc!=SQLITE_ROW ){
      rc = sqlite3_reset(p->pReal);
      return sqlmigErrcode(p->db, rc ? rc : SQLITE_ERROR);
    }
    sqlite3_reset(p->pReal);
    if( memcmp(&back, &mag, 8)==0 ){
      sqlite3_str_appendall(pOut, z);
      return SQLITE_OK;
    }
  }
  /* mag = m * 2^e exactly; multiplying and dividing by powers of two is
  ** exact while the result is representable, and every step's is. */
  e = (int)(uMag>>52);
  m = uMag & (((sqlite3_uint64)1<<52)-1);
  if( e ){ m |= (sqlite3_uint64)1<<52; e -= 1075; }else{ e = -1074; }
  while( m && (m&1)==0 ){ m >>= 1; e++; }
  sqlite3_str_appendf(pOut, "(CAST(%llu AS REAL)", m);
  for(; e>=60; e-=60) sqlite3_str_appendall(pOut, "*" DD_POW60);
  for(; e<=-60; e+=60) sqlite3_str_appendall(pOut, "/" DD_POW60);
  if( e ){
    sqlite3_str_appendf(pOut, "%c%llu", e>0 ? '*' : '/',
                        (sqlite3_uint64)1<<(e>0 ? e : -e));
  }
  sqlite3_str_appendchar(pOut, 1, ')');
  return SQLITE_OK;
}

/* Appends bytes z[0..n) as hex digits. */
static void ddHex(sqlite3_str *pOut, const unsigned char *z, int n){
  static const char zDigit[] = "0123456789abcdef";
  char a[128];
  int i, k = 0;
  for(i=0; i<n; i++){
    a[k++] = zDigit[z[i]>>4];
    a[k++] = zDigit[z[i]&15];
    if( k==(int)sizeof(a) || i==n-1 ){
      sqlite3_str_append(pOut, a, k);
      k = 0;
    }
  }
}

/* Appends column i of pStmt as a literal that SQLite reads back exactly. */
static int ddLiteral(DataDiff *p, sqlite3_str *pOut, sqlite3_stmt *pStmt,
                     int i){
  const unsigned char *z;
  int n;
  switch( sqlite3_column_type(pStmt, i) ){
    case SQLITE_NULL:
      sqlite3_str_appendall(pOut, "NULL");
      return SQLITE_OK;
    case SQLITE_INTEGER:
      sqlite3_str_appendf(pOut, "%lld", sqlite3_column_int64(pStmt, i));
      return SQLITE_OK;
    case SQLITE_FLOAT:
      return ddReal(p, pOut, sqlite3_column_double(pStmt, i));
    case SQLITE_TEXT:
      z = sqlite3_column_text(pStmt, i);
      n = sqlite3_column_bytes(pStmt, i);
      if( z==0 ) return SQLITE_NOMEM;
      if( sqlmigUtf8Invalid(z, n)<0 ){
        sqlite3_str_appendf(pOut, "%Q", z);
      }else{
        sqlite3_str_appendall(pOut, "CAST(X'");
        ddHex(pOut, z, n);
        sqlite3_str_appendall(pOut, "' AS TEXT)");
      }
      return SQLITE_OK;
    default:
      z = sqlite3_column_blob(pStmt, i);
      n = sqlite3_column_bytes(pStmt, i);
      if( z==0 && n>0 ) return SQLITE_NOMEM;
      sqlite3_str_appendall(pOut, "X'");
      ddHex(pOut, z, n);
      sqlite3_str_appendchar(pOut, 1, '\'');
      return SQLITE_OK;
  }
}

/* True if columns i and j of pStmt hold the same value: type and bytes. */
static int ddSame(sqlite3_stmt *pStmt, int i, int j){
  int t = sqlite3_column_type(pStmt, i), n;
  if( t!=sqlite3_column_type(pStmt, j) ) return 0;
  if( t==SQLITE_NULL ) return 1;
  if( t==SQLITE_INTEGER ){
    return sqlite3_column_int64(pStmt, i)==sqlite3_column_int64(pStmt, j);
  }
  if( t==SQLITE_FLOAT ){
    double a = sqlite3_column_double(pStmt, i);
    double b = sqlite3_column_double(pStmt, j);
    return memcmp(&a, &b, 8)==0;
  }
  n = sqlite3_column_bytes(pStmt, i);
  return n==sqlite3_column_bytes(pStmt, j)
      && (n==0 || memcmp(sqlite3_column_blob(pStmt, i),
                         sqlite3_column_blob(pStmt, j), n)==0);
}

/* " WHERE k1 = lit AND k2 IS NULL" for the key in columns 0..nKey-1. */
static int ddWhere(DataDiff *p, sqlite3_str *pOut, const DdTable *t,
                   sqlite3_stmt *pStmt){
  int k, rc = SQLITE_OK;
  for(k=0; rc==SQLITE_OK && k<t->nKey; k++){
    sqlite3_str_appendf(pOut, "%s\"%w\"", k ? " AND " : " WHERE ",
                        t->azCol[k]);
    if( sqlite3_column_type(pStmt, k)==SQLITE_NULL ){
      sqlite3_str_appendall(pOut, " IS NULL");
    }else{
      sqlite3_str_appendall(pOut, " = ");
      rc = ddLiteral(p, pOut, pStmt, k);
    }
  }
  sqlite3_str_appendall(pOut, ";\n");
  return rc;
}

/* Finalizes pStmt after a step loop that ended with rc; on an error, sets
** p->zErr from the connection (once). Returns SQLITE_OK or the error. */
static int ddDone(DataDiff *p, sqlite3_stmt *pStmt, int rc){
  if( rc==SQLITE_DONE || rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && p->zErr==0 ){
    rc = sqlmigErrcode(p->db, rc);
    p->zErr = sqlite3_mprintf("migrate_data_diff: %s", sqlite3_errmsg(p->db));
    if( p->zErr==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/* "a.k1 IS b.k1 AND ..." */
static void ddMatch(sqlite3_str *pSql, const DdTable *t, char x, char y){
  int k;
  for(k=0; k<t->nKey; k++){
    sqlite3_str_appendf(pSql, "%s%c.\"%w\" IS %c.\"%w\"", k ? " AND " : "",
                        x, t->azCol[k], y, t->azCol[k]);
  }
}

/* " ORDER BY x.k1, ..." */
static void ddOrder(sqlite3_str *pSql, const DdTable *t, char x){
  int k;
  for(k=0; k<t->nKey; k++){
    sqlite3_str_appendf(pSql, "%s%c.\"%w\"", k ? ", " : " ORDER BY ", x,
                        t->azCol[k]);
  }
}

/* Prepares the text of pSql (freed) into *ppStmt. */
static int ddPrepare(DataDiff *p, sqlite3_str *pSql, sqlite3_stmt **ppStmt){
  int rc = SQLITE_OK;
  char *zSql = sqlmigDiffFinish(pSql, &rc);
  *ppStmt = 0;
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
    if( rc!=SQLITE_OK ) rc = ddDone(p, 0, rc);
  }
  sqlite3_free(zSql);
  return rc;
}

/*
** Prepares the rows of one side that the other lacks, ordered by key:
** from's key columns (bIns 0: to delete) or to's columns (bIns 1: to
** insert). A LEFT JOIN whose partner's marker is NULL: SQLite answers it
** through the key's index, three times faster than NOT EXISTS.
*/
static int ddOrphans(DataDiff *p, const DdTable *t, int bIns,
                     sqlite3_stmt **ppStmt){
  sqlite3_str *pSql = sqlite3_str_new(0);
  char x = bIns ? 'b' : 'a', y = bIns ? 'a' : 'b';
  int i;
  sqlite3_str_appendall(pSql, "SELECT ");
  for(i=0; i<(bIns ? t->nCol : t->nKey); i++){
    sqlite3_str_appendf(pSql, "%s%c.\"%w\"", i ? ", " : "", x, t->azCol[i]);
  }
  sqlite3_str_appendf(pSql, " FROM \"%w\".\"%w\" AS %c LEFT JOIN"
      " \"%w\".\"%w\" AS %c ON ", bIns ? p->zTo : p->zFrom, t->zName, x,
      bIns ? p->zFrom : p->zTo, t->zName, y);
  ddMatch(pSql, t, y, x);
  sqlite3_str_appendf(pSql, " WHERE %c.\"%w\" IS NULL", y, t->azMark[!bIns]);
  ddOrder(pSql, t, x);
  return ddPrepare(p, pSql, ppStmt);
}

/*
** Compares table t: its deletes into pDel, its updates and inserts
** appended to p->pUp.
*/
static int ddTable(DataDiff *p, const DdTable *t, sqlite3_str *pDel){
  sqlite3_str *pSql;
  sqlite3_stmt *pStmt = 0;
  int rc, i, n = t->nCol;

  /* rows of from that to lacks */
  rc = ddOrphans(p, t, 0, &pStmt);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    int rc2 = SQLITE_OK;
    sqlite3_str_appendf(pDel, "DELETE FROM \"%w\"", t->zName);
    rc2 = ddWhere(p, pDel, t, pStmt);
    rc = rc2 ? rc2 : SQLITE_OK;
  }
  rc = ddDone(p, pStmt, rc);
  if( rc ) return rc;

  /* pairs that may differ: a filter that lets too many through */
  pSql = sqlite3_str_new(0);
  sqlite3_str_appendall(pSql, "SELECT ");
  for(i=0; i<2*n; i++){
    sqlite3_str_appendf(pSql, "%s%c.\"%w\"", i ? ", " : "", i<n ? 'a' : 'b',
                        t->azCol[i%n]);
  }
  sqlite3_str_appendf(pSql, " FROM \"%w\".\"%w\" AS a JOIN \"%w\".\"%w\""
      " AS b ON ", p->zFrom, t->zName, p->zTo, t->zName);
  ddMatch(pSql, t, 'b', 'a');
  sqlite3_str_appendall(pSql, " WHERE 0");
  for(i=0; i<n; i++){
    const char *z = t->azCol[i];
    sqlite3_str_appendf(pSql, " OR a.\"%w\" IS NOT b.\"%w\" COLLATE BINARY",
                        z, z);
    if( t->aLoose[i] ){
      sqlite3_str_appendf(pSql, " OR typeof(a.\"%w\") <> typeof(b.\"%w\")"
          " OR (typeof(a.\"%w\") = 'real' AND a.\"%w\" = 0)", z, z, z, z);
    }
  }
  ddOrder(pSql, t, 'a');
  rc = ddPrepare(p, pSql, &pStmt);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    int nSet = 0, rc2 = SQLITE_OK;
    for(i=0; rc2==SQLITE_OK && i<n; i++){
      if( ddSame(pStmt, i, n+i) ) continue;
      if( nSet++==0 ){
        sqlite3_str_appendf(p->pUp, "UPDATE \"%w\" SET ", t->zName);
      }else{
        sqlite3_str_appendall(p->pUp, ", ");
      }
      sqlite3_str_appendf(p->pUp, "\"%w\" = ", t->azCol[i]);
      rc2 = ddLiteral(p, p->pUp, pStmt, n+i);
    }
    if( rc2==SQLITE_OK && nSet ) rc2 = ddWhere(p, p->pUp, t, pStmt);
    rc = rc2 ? rc2 : SQLITE_OK;
  }
  rc = ddDone(p, pStmt, rc);
  if( rc ) return rc;

  /* rows of to that from lacks */
  rc = ddOrphans(p, t, 1, &pStmt);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    int rc2 = SQLITE_OK;
    sqlite3_str_appendf(p->pUp, "INSERT INTO \"%w\"(", t->zName);
    for(i=0; i<n; i++){
      sqlite3_str_appendf(p->pUp, "%s\"%w\"", i ? ", " : "", t->azCol[i]);
    }
    sqlite3_str_appendall(p->pUp, ") VALUES(");
    for(i=0; rc2==SQLITE_OK && i<n; i++){
      if( i ) sqlite3_str_appendall(p->pUp, ", ");
      rc2 = ddLiteral(p, p->pUp, pStmt, i);
    }
    sqlite3_str_appendall(p->pUp, ");\n");
    rc = rc2 ? rc2 : SQLITE_OK;
  }
  return ddDone(p, pStmt, rc);
}

/* ============================================================ tables */

static void ddTableFree(DdTable *t){
  sqlmigFreeNames(t->azCol, t->nCol);
  sqlite3_free(t->aLoose);
  memset(t, 0, sizeof(*t));
}

/* Sets p->zErr to "migrate_data_diff: table "T" <zWhy>". */
static int ddTableError(DataDiff *p, const char *zTab, const char *zWhy){
  sqlite3_free(p->zErr);
  p->zErr = sqlite3_mprintf("migrate_data_diff: table \"%w\" %s", zTab, zWhy);
  return p->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** The columns of zTab in schema iSide (0 from, 1 to): names in *pazCol,
** 1 in *paKey[i] for the i'th key column's position + 1 (pk order),
** affinity letters in *pzAff. Generated columns are left out.
*/
static int ddColumns(DataDiff *p, const char *zTab, int iSide,
                     char ***pazCol, int **paPk, char **pzAff, int *pnCol){
  char **az = 0, *zAff = 0;
  int *aPk = 0, n = 0, nAlloc = 0, rc;
  sqlite3_bind_text(p->pXinfo, 1, zTab, -1, SQLITE_STATIC);
  sqlite3_bind_text(p->pXinfo, 2, iSide ? p->zTo : p->zFrom, -1,
                    SQLITE_STATIC);
  while( (rc = sqlite3_step(p->pXinfo))==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(p->pXinfo, 1);
    if( sqlite3_column_int(p->pXinfo, 3)>=2 ) continue;    /* generated */
    if( n==nAlloc ){
      char **azNew = sqlite3_realloc64(az, sizeof(char*)*(nAlloc*2+8));
      int *aNew = azNew ? sqlite3_realloc64(aPk, sizeof(int)*(nAlloc*2+8)) : 0;
      char *zNew = aNew ? sqlite3_realloc64(zAff, nAlloc*2+8) : 0;
      if( azNew ) az = azNew;
      if( aNew ) aPk = aNew;
      if( zNew==0 ){ rc = SQLITE_NOMEM; break; }
      zAff = zNew;
      nAlloc = nAlloc*2+8;
    }
    az[n] = sqlite3_mprintf("%s", sqlite3_column_text(p->pXinfo, 0));
    aPk[n] = sqlite3_column_int(p->pXinfo, 2);
    zAff[n] = zType==0 || sqlite3_stricmp(zType, "any")==0 ? 'b'
            : sqlmigAffinity(zType);
    if( az[n++]==0 ){ rc = SQLITE_NOMEM; break; }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_reset(p->pXinfo);
  if( rc!=SQLITE_OK ){
    sqlmigFreeNames(az, n);
    az = 0;
    n = 0;
    rc = ddDone(p, 0, rc);
  }
  *pazCol = az;
  *paPk = aPk;
  *pzAff = zAff;
  *pnCol = n;
  return rc;
}

/*
** Sets up t for table zTab: columns of from that to also has, the key
** first (the primary key, the same in both; or the rowid when bRowid).
*/
static int ddTableInit(DataDiff *p, const char *zTab, int bRowid, DdTable *t){
  char **az[2] = {0, 0}, *zAff[2] = {0, 0};
  int *aPk[2] = {0, 0}, n[2] = {0, 0}, nKey[2] = {0, 0};
  int abRowid[2] = {0, 0};
  const char *zRowid = 0;
  int rc, i, j, k, s;
  memset(t, 0, sizeof(*t));
  t->zName = zTab;
  rc = ddColumns(p, zTab, 0, &az[0], &aPk[0], &zAff[0], &n[0]);
  if( rc==SQLITE_OK ) rc = ddColumns(p, zTab, 1, &az[1], &aPk[1], &zAff[1], &n[1]);
  for(s=0; s<2; s++){
    for(i=0; i<n[s]; i++) if( aPk[s][i]>nKey[s] ) nKey[s] = aPk[s][i];
  }
  if( rc==SQLITE_OK ){
    t->azCol = sqlite3_malloc64(sizeof(char*)*(n[0]+1));
    t->aLoose = sqlite3_malloc64(n[0]+1);
    if( t->azCol==0 || t->aLoose==0 ) rc = SQLITE_NOMEM;
    else memset(t->azCol, 0, sizeof(char*)*(n[0]+1));
  }
  if( rc==SQLITE_OK ){
    /* a name for the rowid that no column of either table takes */
    static const char *const azAlias[] = { "rowid", "_rowid_", "oid" };
    for(k=0; k<3; k++){
      for(i=0; i<n[0] && sqlite3_stricmp(az[0][i], azAlias[k]); i++){}
      for(j=0; j<n[1] && sqlite3_stricmp(az[1][j], azAlias[k]); j++){}
      if( i==n[0] && j==n[1] ) break;
    }
    zRowid = k<3 ? azAlias[k] : 0;
    for(s=0; s<2; s++){
      /* does this side have a rowid? (not WITHOUT ROWID) */
      sqlite3_stmt *pProbe = 0;
      char *zSql = zRowid ? sqlite3_mprintf("SELECT %s FROM \"%w\".\"%w\"",
          zRowid, s ? p->zTo : p->zFrom, zTab) : 0;
      if( zRowid && zSql==0 ){ rc = SQLITE_NOMEM; break; }
      abRowid[s] = zSql && sqlite3_prepare_v2(p->db, zSql, -1, &pProbe, 0)==SQLITE_OK;
      sqlite3_finalize(pProbe);
      sqlite3_free(zSql);
    }
  }
  if( rc==SQLITE_OK && bRowid ){
    if( zRowid==0 ){
      rc = ddTableError(p, zTab, "has columns named rowid, _rowid_ and oid:"
                        " no rowid to use");
    }else if( !abRowid[0] || !abRowid[1] ){
      rc = ddTableError(p, zTab, "has no rowid (WITHOUT ROWID)");
    }else{
      t->azCol[0] = sqlite3_mprintf("%s", zRowid);
      if( t->azCol[0]==0 ) rc = SQLITE_NOMEM;
    }
    t->aLoose[0] = 0;
    t->nCol = t->nKey = 1;
  }else if( rc==SQLITE_OK ){
    /* the primary key, in pk order, the same in both */
    int bSame = nKey[0]==nKey[1];
    for(k=1; bSame && k<=nKey[0]; k++){
      for(i=0; aPk[0][i]!=k; i++){}
      for(j=0; aPk[1][j]!=k; j++){}
      bSame = sqlite3_stricmp(az[0][i], az[1][j])==0;
      t->aLoose[t->nCol] = zAff[0][i]=='b' || zAff[1][j]=='b';
      t->azCol[t->nCol++] = az[0][i];
      az[0][i] = 0;
      aPk[0][i] = 0;
    }
    t->nKey = t->nCol;
    if( nKey[0]==0 && nKey[1]==0 ){
      rc = ddTableError(p, zTab, "has no PRIMARY KEY: to compare it by"
                        " rowid, name it as 'table(rowid)' in the third"
                        " argument");
    }else if( !bSame ){
      rc = ddTableError(p, zTab, "has different primary keys in from and"
                        " to");
    }
  }
  /* the other columns of from that to has */
  for(i=0; rc==SQLITE_OK && i<n[0]; i++){
    if( az[0][i]==0 ) continue;
    for(j=0; j<n[1] && sqlite3_stricmp(az[0][i], az[1][j]); j++){}
    if( j==n[1] ) continue;
    t->aLoose[t->nCol] = zAff[0][i]=='b' || zAff[1][j]=='b';
    t->azCol[t->nCol++] = az[0][i];
    az[0][i] = 0;
  }
  for(s=0; s<2; s++){
    t->azMark[s] = abRowid[s] ? zRowid : t->nKey ? t->azCol[0] : "";
    sqlmigFreeNames(az[s], n[s]);
    sqlite3_free(aPk[s]);
    sqlite3_free(zAff[s]);
  }
  return rc;
}

/* ============================================================ function */

/*
** The tables argument: comma-separated names, each optionally followed by
** "(rowid)". Fills abRowid/abSeen for the names of azTab (n) it lists;
** an unknown name or a bad form is an error.
*/
static int ddTablesArg(DataDiff *p, const char *z, char **azTab, int n,
                       char *abUse){
  DiffTok *a = 0;
  int nTok = 0, i = 0, rc = sqlmigDiffTokenize(z, &a, &nTok);
  while( rc==SQLITE_OK && i<nTok ){
    char *zName = 0;
    int k, bRowid = 0, i0 = i;
    if( a[i].eType==DT_WORD || a[i].eType==DT_ID ){
      zName = sqlmigDiffTokName(z, &a[i++], &rc);
      if( i+2<nTok && sqlmigDiffIsPunct(z, &a[i], '(')
       && sqlmigDiffIsWord(z, &a[i+1], "rowid")
       && sqlmigDiffIsPunct(z, &a[i+2], ')') ){
        bRowid = 1;
        i += 3;
      }
    }
    if( rc ) break;
    if( zName==0 || (i<nTok && !sqlmigDiffIsPunct(z, &a[i], ',')) ){
      sqlite3_free(zName);
      sqlite3_free(p->zErr);
      p->zErr = sqlite3_mprintf("migrate_data_diff: cannot read the table"
          " list at '%s': expected 'table, table(rowid), ...'",
          &z[a[i0].iOff]);
      rc = p->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
    for(k=0; k<n && sqlite3_stricmp(azTab[k], zName); k++){}
    if( k==n ){
      rc = ddTableError(p, zName, "is not a table of both from and to");
    }else{
      abUse[k] = (char)(1 + bRowid);
    }
    sqlite3_free(zName);
    i++;
  }
  sqlite3_free(a);
  return rc;
}

static void dataDiffFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  DataDiff d;
  char **azFrom = 0, **azTo = 0, **azDel = 0, *abUse = 0;
  int nFrom = 0, nTo = 0, i, j, rc;
  char *zOut = 0;

  memset(&d, 0, sizeof(d));
  d.db = sqlite3_context_db_handle(ctx);
  rc = sqlmigSchemaArg(d.db, "migrate_data_diff", argv[0], 1, &d.zFrom,
                       &d.zErr);
  if( rc==SQLITE_OK ){
    rc = sqlmigSchemaArg(d.db, "migrate_data_diff", argv[1], 2, &d.zTo,
                         &d.zErr);
  }
  if( rc==SQLITE_OK ){
    rc = sqlmigTableList(d.db, "migrate_data_diff", d.zFrom, &azFrom, &nFrom,
                         &d.zErr);
  }
  if( rc==SQLITE_OK ){
    rc = sqlmigTableList(d.db, "migrate_data_diff", d.zTo, &azTo, &nTo,
                         &d.zErr);
  }
  if( rc==SQLITE_OK ){
    /* the tables of both, in from's order (parents first) */
    int n = 0;
    for(i=0; i<nFrom; i++){
      for(j=0; j<nTo && sqlite3_stricmp(azFrom[i], azTo[j]); j++){}
      if( j<nTo ) azFrom[n++] = azFrom[i];
      else sqlite3_free(azFrom[i]);
    }
    nFrom = n;
    abUse = sqlite3_malloc64(nFrom+1);
    azDel = sqlite3_malloc64(sizeof(char*)*(nFrom+1));
    d.pUp = sqlite3_str_new(0);
    if( azDel ) memset(azDel, 0, sizeof(char*)*(nFrom+1));
    if( abUse==0 || azDel==0 ) rc = SQLITE_NOMEM;
    else{
      memset(abUse, argc>2 && sqlite3_value_type(argv[2])!=SQLITE_NULL
                    ? 0 : 1, nFrom+1);
    }
  }
  if( rc==SQLITE_OK && argc>2 && sqlite3_value_type(argv[2])!=SQLITE_NULL ){
    const char *z = (const char*)sqlite3_value_text(argv[2]);
    if( z==0 ) rc = SQLITE_NOMEM;
    else rc = ddTablesArg(&d, z, azFrom, nFrom, abUse);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(d.db, "SELECT CAST(?1 AS REAL)", -1, &d.pReal, 0);
    if( rc==SQLITE_OK ){
      rc = sqlite3_prepare_v2(d.db, "SELECT name, type, pk, hidden"
          " FROM pragma_table_xinfo(?1, ?2)", -1, &d.pXinfo, 0);
    }
    if( rc!=SQLITE_OK ) rc = ddDone(&d, 0, rc);
  }
  for(i=0; rc==SQLITE_OK && i<nFrom; i++){
    DdTable t;
    sqlite3_str *pDel;
    if( !abUse[i] ) continue;
    rc = ddTableInit(&d, azFrom[i], abUse[i]==2, &t);
    pDel = sqlite3_str_new(0);
    if( rc==SQLITE_OK ) rc = ddTable(&d, &t, pDel);
    azDel[i] = sqlmigDiffFinish(pDel, &rc);
    ddTableFree(&t);
  }
  if( rc==SQLITE_OK ){
    sqlite3_str *pOut = sqlite3_str_new(0);
    for(i=nFrom-1; i>=0; i--){
      if( azDel[i] ) sqlite3_str_appendall(pOut, azDel[i]);
    }
    zOut = sqlmigDiffFinish(d.pUp, &rc);
    d.pUp = 0;
    if( zOut ) sqlite3_str_appendall(pOut, zOut);
    sqlite3_free(zOut);
    zOut = sqlmigDiffFinish(pOut, &rc);
  }
  if( rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
  }else if( rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_error(ctx, d.zErr ? d.zErr : sqlite3_errstr(rc), -1);
    if( rc!=SQLITE_ERROR ) sqlite3_result_error_code(ctx, rc);
  }
  if( d.pUp ) sqlite3_free(sqlite3_str_finish(d.pUp));
  sqlmigFreeNames(azDel, nFrom);
  sqlmigFreeNames(azFrom, nFrom);
  sqlmigFreeNames(azTo, nTo);
  sqlite3_free(abUse);
  sqlite3_finalize(d.pReal);
  sqlite3_finalize(d.pXinfo);
  sqlite3_free(d.zErr);
}

/* See sqlmig_int.h. */
int sqlmigDataDiffRegister(sqlite3 *db, SqlmigConn *pConn){
  (void)pConn;
  int rc = sqlite3_create_function_v2(db, "migrate_data_diff", 2,
      SQLITE_UTF8|SQLITE_DIRECTONLY, 0, dataDiffFunc, 0, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, "migrate_data_diff", 3,
        SQLITE_UTF8|SQLITE_DIRECTONLY, 0, dataDiffFunc, 0, 0, 0);
  }
  return rc;
}

#endif /* SQLMIG_OMIT_DIFF */
