/*
** sqlmig: the foreign-key check after each script, sized to what the
** script changed.
**
** With foreign keys on, migrate() pauses enforcement around each script
** (migrate.c) and then must prove the script introduced no violation. A
** full PRAGMA foreign_key_check reads every child row of the database for
** every revision, and it blames the revision for orphans that were there
** before (SQLite's default is foreign keys off, so old databases have
** them). Here the check covers what the script changed, and only new
** violations fail it:
**
**   1. Before the script runs, its statements are read (writes.c) for the
**      tables they write: INSERT/REPLACE/UPDATE/DELETE targets (and, through
**      the triggers on them, the tables those write), CREATE/ALTER/DROP
**      TABLE, and the tables of CREATE/DROP INDEX (whose rows stay, so
**      they count as parents only). A statement that writes and is none of
**      these makes the check whole-database.
**   2. From the schema's foreign keys (pragma_foreign_key_list, read once
**      per migrate() call and again after a script changed tables): a
**      written table that is a child has its orphans recorded before the
**      script (PRAGMA foreign_key_check(t); each orphan as child, parent,
**      key and its key values), and after; the ones not there before are
**      the script's. Its cost follows the tables the script writes.
**   3. A written table that is a parent of children the script does not
**      write: the multiset of its key values is hashed before and after
**      (one sequential scan each). Equal: no child can have lost its
**      parent (a rebuild that keeps every key, the common case, reads no
**      child row). Different: only child rows whose key hashes to a
**      removed parent key are candidates, each confirmed by a lookup in
**      the parent. Text keys are hashed case-folded and without trailing
**      spaces and child values converted to the parent column's affinity
**      first, so NOCASE and RTRIM keys and affinity conversions yield
**      extra candidates, never missed ones.
**   4. Renaming a parent that has children makes its children's check
**      the full before/after one of step 2.
**
** A violation list reads like PRAGMA foreign_key_check's: child, rowid,
** parent.
*/
#include "sqlmig_int.h"
#include <stdlib.h>

/* ----------------------------------------------------- foreign keys --- */

/* One foreign key of the schema: child(from...) -> parent(to...). */
typedef struct FkEdge FkEdge;
struct FkEdge {
  char *zChild;
  char *zParent;
  int iId;                 /* its id in pragma_foreign_key_list */
  int nCol;
  char **azFrom;
  char **azTo;             /* NULL entries: the parent's primary key */
};

static void edgesFree(FkEdge *a, int n){
  int i, k;
  for(i=0; i<n; i++){
    sqlite3_free(a[i].zChild);
    sqlite3_free(a[i].zParent);
    for(k=0; k<a[i].nCol; k++){
      sqlite3_free(a[i].azFrom[k]);
      sqlite3_free(a[i].azTo[k]);
    }
    sqlite3_free(a[i].azFrom);
    sqlite3_free(a[i].azTo);
  }
  sqlite3_free(a);
}

/* Reads every foreign key of main into *paEdge. */
static int edgesRead(sqlite3 *db, FkEdge **paEdge, int *pnEdge){
  sqlite3_stmt *pStmt = 0;
  FkEdge *a = 0;
  int n = 0, rc;
  *paEdge = 0;
  *pnEdge = 0;
  rc = sqlite3_prepare_v2(db, "SELECT m.name, f.id, f.seq, f.\"table\", "
      "f.\"from\", f.\"to\" FROM main.sqlite_master m, "
      "pragma_foreign_key_list(m.name, 'main') f WHERE m.type='table' "
      "ORDER BY m.name, f.id, f.seq", -1, &pStmt, 0);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zChild = (const char*)sqlite3_column_text(pStmt, 0);
    int iId = sqlite3_column_int(pStmt, 1);
    const char *zTo = (const char*)sqlite3_column_text(pStmt, 5);
    FkEdge *e;
    rc = SQLITE_OK;
    if( n==0 || a[n-1].iId!=iId || sqlite3_stricmp(a[n-1].zChild, zChild) ){
      FkEdge *aNew = sqlite3_realloc64(a, sizeof(FkEdge)*(sqlite3_uint64)(n+1));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      a = aNew;
      e = &a[n++];
      memset(e, 0, sizeof(*e));
      e->iId = iId;
      e->zChild = sqlite3_mprintf("%s", zChild);
      e->zParent = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
      if( e->zChild==0 || e->zParent==0 ){ rc = SQLITE_NOMEM; break; }
    }
    e = &a[n-1];
    {
      char **azF = sqlite3_realloc64(e->azFrom, sizeof(char*)*(e->nCol+1));
      char **azT = azF ? sqlite3_realloc64(e->azTo, sizeof(char*)*(e->nCol+1))
                       : 0;
      if( azF ) e->azFrom = azF;
      if( azT ) e->azTo = azT;
      if( azF==0 || azT==0 ){ rc = SQLITE_NOMEM; break; }
      e->azFrom[e->nCol] = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 4));
      e->azTo[e->nCol] = zTo ? sqlite3_mprintf("%s", zTo) : 0;
      e->nCol++;
      if( e->azFrom[e->nCol-1]==0 || (zTo && e->azTo[e->nCol-1]==0) ){
        rc = SQLITE_NOMEM;
        break;
      }
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){
    edgesFree(a, n);
    return rc;
  }
  *paEdge = a;
  *pnEdge = n;
  return SQLITE_OK;
}

/* ------------------------------------------------------------ orphans --- */

/*
** The orphans of a child: one string per violating row, "<foreign key
** id>|<key values>" (for a WITHOUT ROWID child, which foreign_key_check
** gives no rowid, "<id>|#-1": all its orphans of one key look alike), with
** the rowid and parent of each for the message.
*/
typedef struct FkOrphans FkOrphans;
struct FkOrphans {
  char **az;
  sqlite3_int64 *aRowid;   /* -1: none */
  char **azParent;
  int n, nAlloc;
};

static void orphansFree(FkOrphans *p){
  int i;
  for(i=0; i<p->n; i++){
    sqlite3_free(p->az[i]);
    sqlite3_free(p->azParent[i]);
  }
  sqlite3_free(p->az);
  sqlite3_free(p->aRowid);
  sqlite3_free(p->azParent);
  memset(p, 0, sizeof(*p));
}

static int orphanCmp(const void *a, const void *b){
  return strcmp(*(char*const*)a, *(char*const*)b);
}

/* The edge of child zChild with id iId, or NULL. */
static const FkEdge *edgeFind(const FkEdge *a, int n, const char *zChild,
                              int iId){
  int i;
  for(i=0; i<n; i++){
    if( a[i].iId==iId && sqlite3_stricmp(a[i].zChild, zChild)==0 ) return &a[i];
  }
  return 0;
}

/*
** Reads the orphans of child zChild (PRAGMA foreign_key_check(zChild))
** into *p; aEdge describes its foreign keys. Returns SQLITE_OK or an
** error; "foreign key mismatch" and the like come back as errors.
*/
static int orphansRead(sqlite3 *db, const char *zChild, const FkEdge *aEdge,
                       int nEdge, FkOrphans *p){
  sqlite3_stmt *pCheck = 0;
  char *zSql = sqlite3_mprintf("PRAGMA main.foreign_key_check(\"%w\")", zChild);
  int rc;
  memset(p, 0, sizeof(*p));
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pCheck, 0);
  sqlite3_free(zSql);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pCheck))==SQLITE_ROW ){
    const char *zParent = (const char*)sqlite3_column_text(pCheck, 2);
    int bRowid = sqlite3_column_type(pCheck, 1)!=SQLITE_NULL;
    sqlite3_int64 iRowid = sqlite3_column_int64(pCheck, 1);
    int iId = sqlite3_column_int(pCheck, 3);
    const FkEdge *e = edgeFind(aEdge, nEdge, zChild, iId);
    sqlite3_str *pKey = sqlite3_str_new(db);
    char *zKey;
    rc = SQLITE_OK;
    /* Not the parent's name: a renamed parent keeps its old orphans */
    sqlite3_str_appendf(pKey, "%d|", iId);
    if( e && bRowid ){
      /* The key values identify the orphan across a rebuild */
      sqlite3_stmt *pVal = 0;
      sqlite3_str *pSel = sqlite3_str_new(db);
      char *zSel;
      int k;
      sqlite3_str_appendall(pSel, "SELECT ''");
      for(k=0; k<e->nCol; k++){
        sqlite3_str_appendf(pSel, "||quote(\"%w\")||','", e->azFrom[k]);
      }
      sqlite3_str_appendf(pSel, " FROM main.\"%w\" WHERE rowid=?1", zChild);
      zSel = sqlite3_str_finish(pSel);
      if( zSel==0 ) rc = SQLITE_NOMEM;
      else rc = sqlite3_prepare_v2(db, zSel, -1, &pVal, 0);
      sqlite3_free(zSel);
      if( rc==SQLITE_OK ){
        sqlite3_bind_int64(pVal, 1, iRowid);
        if( sqlite3_step(pVal)==SQLITE_ROW ){
          sqlite3_str_appendf(pKey, "%s", sqlite3_column_text(pVal, 0));
        }
        rc = sqlite3_finalize(pVal);
      }
    }else{
      sqlite3_str_appendf(pKey, "#%lld", bRowid ? iRowid : -1);
    }
    zKey = sqlite3_str_finish(pKey);
    if( rc==SQLITE_OK && zKey==0 ) rc = SQLITE_NOMEM;
    if( rc==SQLITE_OK && p->n==p->nAlloc ){
      int nNew = p->nAlloc ? p->nAlloc*2 : 16;
      char **a1 = sqlite3_realloc64(p->az, sizeof(char*)*(sqlite3_uint64)nNew);
      sqlite3_int64 *a2 = a1 ? sqlite3_realloc64(p->aRowid,
                              sizeof(sqlite3_int64)*(sqlite3_uint64)nNew) : 0;
      char **a3 = a2 ? sqlite3_realloc64(p->azParent,
                              sizeof(char*)*(sqlite3_uint64)nNew) : 0;
      if( a1 ) p->az = a1;
      if( a2 ) p->aRowid = a2;
      if( a3 ) p->azParent = a3;
      if( a3 ) p->nAlloc = nNew;
      else rc = SQLITE_NOMEM;
    }
    if( rc==SQLITE_OK ){
      p->az[p->n] = zKey;
      p->aRowid[p->n] = bRowid ? iRowid : -1;
      p->azParent[p->n] = sqlite3_mprintf("%s", zParent ? zParent : "");
      p->n++;
      if( p->azParent[p->n-1]==0 ) rc = SQLITE_NOMEM;
    }else{
      sqlite3_free(zKey);
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK ) rc = sqlmigErrcode(db, rc);
  sqlite3_finalize(pCheck);
  return rc;
}

/* ------------------------------------------------------- parent keys --- */

#define FK_H1 0x9e3779b97f4a7c15ULL
#define FK_H2 0xbf58476d1ce4e5b9ULL

static sqlite3_uint64 fkMix(sqlite3_uint64 h, sqlite3_uint64 w){
  h ^= w + FK_H1 + (h<<6) + (h>>2);
  h *= FK_H2;
  return h ^ (h>>31);
}

/*
** Hashes key value v (as the column value of a parent, or, when cAff is
** not 0, as a child value converted to parent affinity cAff) into h.
** Numbers hash by value (1 and 1.0 alike); text case-folded (ASCII) and
** without trailing spaces, so that NOCASE and RTRIM matches collide.
*/
static sqlite3_uint64 fkHashValue(sqlite3_uint64 h, int eType,
                                  sqlite3_int64 iVal, double rVal,
                                  const unsigned char *z, int n, char cAff){
  int i;
  if( cAff && eType==SQLITE_TEXT && cAff!='t' && cAff!='b' ){
    /* Numeric affinity turns number-like text into a number */
    char *zEnd = 0;
    char zBuf[64];
    double r;
    int a = 0, b = n;
    while( a<b && sqlmigIsSpace(z[a]) ) a++;
    while( b>a && sqlmigIsSpace(z[b-1]) ) b--;
    if( b>a && b-a<(int)sizeof(zBuf) ){
      memcpy(zBuf, z+a, (size_t)(b-a));
      zBuf[b-a] = 0;
      r = strtod(zBuf, &zEnd);
      if( zEnd && *zEnd==0 && !(zBuf[0]=='0' && (zBuf[1]=='x' || zBuf[1]=='X')) ){
        eType = SQLITE_FLOAT;
        rVal = r;
      }
    }
  }else if( cAff=='t' && (eType==SQLITE_INTEGER || eType==SQLITE_FLOAT) ){
    eType = SQLITE_TEXT;          /* z holds the text form already */
  }
  if( eType==SQLITE_FLOAT && rVal>=-9.2e18 && rVal<=9.2e18
   && (double)(sqlite3_int64)rVal==rVal ){
    eType = SQLITE_INTEGER;
    iVal = (sqlite3_int64)rVal;
  }
  switch( eType ){
    case SQLITE_INTEGER:
      return fkMix(fkMix(h, 1), (sqlite3_uint64)iVal);
    case SQLITE_FLOAT: {
      sqlite3_uint64 u;
      memcpy(&u, &rVal, sizeof(u));
      return fkMix(fkMix(h, 2), u);
    }
    case SQLITE_TEXT:
      while( n>0 && z[n-1]==' ' ) n--;
      h = fkMix(h, 3);
      for(i=0; i<n; i++){
        unsigned char c = z[i];
        if( c>='A' && c<='Z' ) c = (unsigned char)(c+32);
        h = fkMix(h, c);
      }
      return fkMix(h, (sqlite3_uint64)n);
    default:
      h = fkMix(h, 4);
      for(i=0; i<n; i++) h = fkMix(h, z[i]);
      return fkMix(h, (sqlite3_uint64)n);
  }
}

/*
** Hashes column iCol of the current row of pStmt into h (child values
** converted to affinity cAff first; 0 for a parent's own values). Sets
** *pbNull when the value is NULL.
*/
static sqlite3_uint64 fkHashColumn(sqlite3_stmt *pStmt, int iCol,
                                   sqlite3_uint64 h, char cAff, int *pbNull){
  /* One call into the statement per value: the value accessors after it
  ** take no mutex (this is the hot loop of a parent's key scan) */
  sqlite3_value *v = sqlite3_column_value(pStmt, iCol);
  int eType = sqlite3_value_type(v);
  switch( eType ){
    case SQLITE_NULL:
      *pbNull = 1;
      return h;
    case SQLITE_INTEGER:
      if( cAff!='t' ){
        return fkMix(fkMix(h, 1), (sqlite3_uint64)sqlite3_value_int64(v));
      }
      break;
    case SQLITE_FLOAT:
      if( cAff!='t' ){
        return fkHashValue(h, eType, 0, sqlite3_value_double(v), 0, 0, cAff);
      }
      break;
    default:
      break;
  }
  {
    const unsigned char *z = eType==SQLITE_BLOB
        ? (const unsigned char*)sqlite3_value_blob(v) : sqlite3_value_text(v);
    int n = sqlite3_value_bytes(v);
    return fkHashValue(h, eType, 0, 0.0, z, n, cAff);
  }
}

/* The key columns of edge e in its parent (its azTo, or the parent's
** primary key, or "rowid" when it declares none) as a SQL column list
** (sqlite3_malloc'd); NULL with *pRc set on failure. */
static char *parentCols(sqlite3 *db, const FkEdge *e, int *pRc){
  sqlite3_str *p = sqlite3_str_new(db);
  int k;
  char *z;
  if( e->azTo[0] ){
    for(k=0; k<e->nCol; k++){
      sqlite3_str_appendf(p, "%s\"%w\"", k ? ", " : "", e->azTo[k]);
    }
  }else{
    sqlite3_stmt *pPk = 0;
    int nPk = 0;
    int rc = sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1, "
        "'main') WHERE pk>0 ORDER BY pk", -1, &pPk, 0);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pPk, 1, e->zParent, -1, SQLITE_STATIC);
      while( sqlite3_step(pPk)==SQLITE_ROW ){
        sqlite3_str_appendf(p, "%s\"%w\"", nPk ? ", " : "",
                            sqlite3_column_text(pPk, 0));
        nPk++;
      }
      rc = sqlite3_finalize(pPk);
    }
    if( rc!=SQLITE_OK ) *pRc = rc;
    if( nPk==0 ){
      /* No declared key: SQLite matches the rowid */
      sqlite3_str_appendall(p, "rowid");
    }
  }
  z = sqlite3_str_finish(p);
  if( z==0 && *pRc==SQLITE_OK ) *pRc = SQLITE_NOMEM;
  return z;
}

/* 1 if table zName exists in main. */
static int tableExists(sqlite3 *db, const char *zName, int *pRc){
  sqlite3_stmt *p = 0;
  int bYes = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_master WHERE "
      "type='table' AND name=?1 COLLATE NOCASE", -1, &p, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(p, 1, zName, -1, SQLITE_STATIC);
    bYes = sqlite3_step(p)==SQLITE_ROW;
    rc = sqlite3_finalize(p);
  }
  if( rc!=SQLITE_OK && *pRc==SQLITE_OK ) *pRc = rc;
  return bYes;
}

/*
** The hashes of parent keys, a multiset: in read order, with a sum and an
** xor of their mixes that tell two multisets apart without sorting.
*/
typedef struct FkKeys FkKeys;
struct FkKeys {
  sqlite3_uint64 *a;
  sqlite3_int64 n, nAlloc;
  sqlite3_uint64 uSum, uXor;
  int bAbsent;             /* the parent did not exist */
  int bSorted;
};

static int u64Cmp(const void *pA, const void *pB){
  sqlite3_uint64 a = *(const sqlite3_uint64*)pA, b = *(const sqlite3_uint64*)pB;
  return a<b ? -1 : a>b;
}

static int keysAppend(FkKeys *p, sqlite3_uint64 h){
  if( p->n==p->nAlloc ){
    sqlite3_int64 nNew = p->nAlloc ? p->nAlloc*2 : 1024;
    sqlite3_uint64 *aNew = sqlite3_realloc64(p->a, sizeof(sqlite3_uint64)
                                                   *(sqlite3_uint64)nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->a = aNew;
    p->nAlloc = nNew;
  }
  p->a[p->n++] = h;
  p->uSum += fkMix(h, 0x5bd1e995);
  p->uXor ^= fkMix(h, 0x27d4eb2f);
  return SQLITE_OK;
}

/* Reads the key hashes of edge e's parent into *pK (sorted). */
static int keysRead(sqlite3 *db, const FkEdge *e, FkKeys *pK){
  sqlite3_stmt *pStmt = 0;
  char *zCols, *zSql;
  int rc = SQLITE_OK, nCol = e->nCol, k;
  memset(pK, 0, sizeof(*pK));
  if( !tableExists(db, e->zParent, &rc) ){
    pK->bAbsent = 1;
    return rc;
  }
  zCols = parentCols(db, e, &rc);
  if( zCols==0 ) return rc;
  zSql = sqlite3_mprintf("SELECT %s FROM main.\"%w\"", zCols, e->zParent);
  sqlite3_free(zCols);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc==SQLITE_OK && sqlite3_column_count(pStmt)!=nCol ) nCol = 0;
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    sqlite3_uint64 h = 0;
    int bNull = 0;
    for(k=0; k<nCol; k++) h = fkHashColumn(pStmt, k, h, 0, &bNull);
    if( !bNull ) rc = keysAppend(pK, h);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  return rc;
}

/* Sorts the hashes (once). */
static void keysSort(FkKeys *p){
  if( !p->bSorted && p->n>1 ){
    qsort(p->a, (size_t)p->n, sizeof(p->a[0]), u64Cmp);
  }
  p->bSorted = 1;
}

/* 1 when the two multisets are the same (the common case of a rebuild). */
static int keysSame(const FkKeys *pA, const FkKeys *pB){
  return pA->n==pB->n && pA->uSum==pB->uSum && pA->uXor==pB->uXor;
}

/* Removes from pBefore the hashes in pAfter, as multisets: pBefore keeps
** the removed keys, sorted. */
static void keysSubtract(FkKeys *pBefore, FkKeys *pAfter){
  sqlite3_int64 i = 0, j = 0, n = 0;
  keysSort(pBefore);
  keysSort(pAfter);
  while( i<pBefore->n ){
    if( j<pAfter->n && pAfter->a[j]<pBefore->a[i] ){
      j++;
    }else if( j<pAfter->n && pAfter->a[j]==pBefore->a[i] ){
      i++;
      j++;
    }else{
      pBefore->a[n++] = pBefore->a[i++];
    }
  }
  pBefore->n = n;
}

static int keysHas(const FkKeys *p, sqlite3_uint64 h){
  return bsearch(&h, p->a, (size_t)p->n, sizeof(h), u64Cmp)!=0;
}

/* --------------------------------------------------------- the check --- */

struct SqlmigFk {
  FkEdge *aEdge;           /* the schema's foreign keys, when bEdges */
  int nEdge;
  int bEdges;
  /* for the script being checked */
  SqlmigWrites w;
  int bFull;               /* a statement of unknown effect: check all */
  SqlmigNames children;        /* children checked in full, before and after */
  FkOrphans *aOrphan;      /* their orphans before (parallel) */
  int *aKeyEdge;           /* edges whose parent keys were hashed */
  FkKeys *aKeys;           /* ... and the hashes before */
  int nKeys;
};

SqlmigFk *sqlmigFkNew(void){
  SqlmigFk *p = sqlite3_malloc64(sizeof(*p));
  if( p ) memset(p, 0, sizeof(*p));
  return p;
}

/* Forgets what was recorded for one script. */
static void fkScriptReset(SqlmigFk *p){
  int i;
  sqlmigWritesFree(&p->w);
  for(i=0; i<p->children.n; i++) orphansFree(&p->aOrphan[i]);
  sqlite3_free(p->aOrphan);
  sqlmigNamesFree(&p->children);
  for(i=0; i<p->nKeys; i++) sqlite3_free(p->aKeys[i].a);
  sqlite3_free(p->aKeys);
  sqlite3_free(p->aKeyEdge);
  p->aOrphan = 0;
  p->aKeys = 0;
  p->aKeyEdge = 0;
  p->nKeys = 0;
  p->bFull = 0;
}

void sqlmigFkFree(SqlmigFk *p){
  if( p==0 ) return;
  fkScriptReset(p);
  edgesFree(p->aEdge, p->nEdge);
  sqlite3_free(p);
}

/* 1 when the script writes table z (DML or DDL). */
static int fkWrites(const SqlmigFk *p, const char *z){
  return sqlmigNamesHas(&p->w.dml, z) || sqlmigNamesHas(&p->w.ddl, z);
}

/* 1 when the script may change the keys of table z: it writes it, or
** creates or drops an index on it (a parent key needs a unique one). */
static int fkKeysMayChange(const SqlmigFk *p, const char *z){
  return fkWrites(p, z) || sqlmigNamesHas(&p->w.idx, z);
}

/* Adds child z to the children checked in full, with its orphans now. */
static int fkAddChild(SqlmigFk *p, sqlite3 *db, const char *z, int bRead){
  FkOrphans *aNew;
  int rc = SQLITE_OK;
  if( sqlmigNamesHas(&p->children, z) ) return SQLITE_OK;
  aNew = sqlite3_realloc64(p->aOrphan,
                           sizeof(FkOrphans)*(sqlite3_uint64)(p->children.n+1));
  if( aNew==0 ) return SQLITE_NOMEM;
  p->aOrphan = aNew;
  memset(&aNew[p->children.n], 0, sizeof(FkOrphans));
  if( bRead && tableExists(db, z, &rc) ){
    rc = orphansRead(db, z, p->aEdge, p->nEdge, &aNew[p->children.n]);
    if( rc==SQLITE_OK && aNew[p->children.n].n>1 ){
      qsort(aNew[p->children.n].az, (size_t)aNew[p->children.n].n,
            sizeof(char*), orphanCmp);
    }
  }
  if( rc==SQLITE_OK ) rc = sqlmigNamesAdd(&p->children, z, -1);
  if( rc!=SQLITE_OK ) orphansFree(&aNew[p->children.n]);
  return rc;
}

int sqlmigFkBefore(SqlmigFk *p, sqlite3 *db, const char *zScript){
  int rc = SQLITE_OK, i;
  fkScriptReset(p);
  if( !p->bEdges ){
    rc = edgesRead(db, &p->aEdge, &p->nEdge);
    if( rc ) return rc;
    p->bEdges = 1;
  }
  rc = sqlmigScriptWrites(db, &p->w, zScript);
  p->bFull = p->w.bUnknown;
  for(i=0; rc==SQLITE_OK && i<p->nEdge; i++){
    const FkEdge *e = &p->aEdge[i];
    if( p->bFull || fkWrites(p, e->zChild)
     || sqlmigNamesHas(&p->w.renamed, e->zParent) ){
      rc = fkAddChild(p, db, e->zChild, 1);
    }
  }
  /* Parents written whose children are not: their keys, hashed */
  for(i=0; rc==SQLITE_OK && i<p->nEdge; i++){
    const FkEdge *e = &p->aEdge[i];
    if( fkKeysMayChange(p, e->zParent)
     && !sqlmigNamesHas(&p->children, e->zChild) ){
      int *a1 = sqlite3_realloc64(p->aKeyEdge, sizeof(int)*(p->nKeys+1));
      FkKeys *a2 = a1 ? sqlite3_realloc64(p->aKeys,
                               sizeof(FkKeys)*(sqlite3_uint64)(p->nKeys+1)) : 0;
      if( a1 ) p->aKeyEdge = a1;
      if( a2 ) p->aKeys = a2;
      if( a1==0 || a2==0 ) return SQLITE_NOMEM;
      p->aKeyEdge[p->nKeys] = i;
      rc = keysRead(db, e, &p->aKeys[p->nKeys]);
      p->nKeys++;
    }
  }
  return rc;
}

/* Appends one violation to the list. */
static void fkReport(sqlite3_str *pOut, int *pnFound, const char *zChild,
                     sqlite3_int64 iRowid, const char *zParent){
  if( *pnFound<10 ){
    sqlite3_str_appendf(pOut, "%s\"%w\"", *pnFound ? ", " : "", zChild);
    if( iRowid>=0 ) sqlite3_str_appendf(pOut, " rowid %lld", iRowid);
    sqlite3_str_appendf(pOut, " -> \"%w\"", zParent);
  }
  (*pnFound)++;
}

/*
** Child rows of edge e (whose parent lost the keys in pRemoved) that no
** longer have a parent: each appended to pOut.
*/
static int fkLostParents(sqlite3 *db, const FkEdge *e, const FkKeys *pRemoved,
                         sqlite3_str *pOut, int *pnFound){
  sqlite3_stmt *pScan = 0, *pFind = 0, *pAff = 0;
  sqlite3_str *pSql = sqlite3_str_new(db);
  char *zSql, *zCols = 0;
  char aAff[64];
  int rc = SQLITE_OK, k, bParent;
  memset(aAff, 'b', sizeof(aAff));
  bParent = tableExists(db, e->zParent, &rc);
  if( bParent ) zCols = parentCols(db, e, &rc);
  /* The parent columns' affinities, for the child values */
  if( rc==SQLITE_OK && zCols ){
    rc = sqlite3_prepare_v2(db, "SELECT name, type, pk FROM pragma_table_info("
                            "?1, 'main')", -1, &pAff, 0);
    if( rc==SQLITE_OK ) sqlite3_bind_text(pAff, 1, e->zParent, -1, SQLITE_STATIC);
    while( rc==SQLITE_OK && sqlite3_step(pAff)==SQLITE_ROW ){
      const char *zName = (const char*)sqlite3_column_text(pAff, 0);
      for(k=0; k<e->nCol && k<64; k++){
        int bMatch = e->azTo[k] ? sqlite3_stricmp(e->azTo[k], zName)==0
                                : sqlite3_column_int(pAff, 2)==k+1;
        if( bMatch ){
          const char *zType = (const char*)sqlite3_column_text(pAff, 1);
          aAff[k] = sqlmigAffinity(zType ? zType : "");
        }
      }
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pAff);
    else sqlite3_finalize(pAff);
    if( strcmp(zCols, "rowid")==0 ) aAff[0] = 'i';
  }
  /* "rowid" first; "NULL" for a WITHOUT ROWID child, which has none */
  for(k=0; k<e->nCol; k++){
    sqlite3_str_appendf(pSql, ", \"%w\"", e->azFrom[k]);
  }
  sqlite3_str_appendf(pSql, " FROM main.\"%w\"", e->zChild);
  zSql = sqlite3_str_finish(pSql);
  if( zSql==0 && rc==SQLITE_OK ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    char *zFull = sqlite3_mprintf("SELECT rowid%s", zSql);
    if( zFull && sqlite3_prepare_v2(db, zFull, -1, &pScan, 0)!=SQLITE_OK ){
      sqlite3_free(zFull);
      zFull = sqlite3_mprintf("SELECT NULL%s", zSql);
      if( zFull ) rc = sqlite3_prepare_v2(db, zFull, -1, &pScan, 0);
    }
    if( zFull==0 ) rc = SQLITE_NOMEM;
    sqlite3_free(zFull);
  }
  sqlite3_free(zSql);
  if( rc==SQLITE_OK && bParent ){
    /* A row of the parent with these key values: its own comparison
    ** (affinity and collation) decides */
    sqlite3_str *pF = sqlite3_str_new(db);
    sqlite3_str_appendf(pF, "SELECT 1 FROM main.\"%w\" WHERE (%s)=(",
                        e->zParent, zCols);
    for(k=0; k<e->nCol; k++) sqlite3_str_appendf(pF, "%s?%d", k ? "," : "", k+1);
    sqlite3_str_appendall(pF, ") LIMIT 1");
    zSql = sqlite3_str_finish(pF);
    if( zSql==0 ) rc = SQLITE_NOMEM;
    else rc = sqlite3_prepare_v2(db, zSql, -1, &pFind, 0);
    sqlite3_free(zSql);
  }
  while( rc==SQLITE_OK && sqlite3_step(pScan)==SQLITE_ROW ){
    sqlite3_uint64 h = 0;
    int bNull = 0, bLost = 1;
    for(k=0; k<e->nCol; k++){
      h = fkHashColumn(pScan, k+1, h, k<64 ? aAff[k] : 'b', &bNull);
    }
    if( bNull || !keysHas(pRemoved, h) ) continue;
    if( pFind ){
      for(k=0; k<e->nCol; k++){
        sqlite3_bind_value(pFind, k+1, sqlite3_column_value(pScan, k+1));
      }
      bLost = sqlite3_step(pFind)!=SQLITE_ROW;
      rc = sqlite3_reset(pFind);
    }
    if( rc==SQLITE_OK && bLost ){
      fkReport(pOut, pnFound, e->zChild,
               sqlite3_column_type(pScan, 0)==SQLITE_NULL
                 ? -1 : sqlite3_column_int64(pScan, 0), e->zParent);
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pScan);
  else sqlite3_finalize(pScan);
  sqlite3_finalize(pFind);
  sqlite3_free(zCols);
  return rc;
}

/*
** With enforcement on, SQLite checks that a foreign key still has a usable
** parent key (a primary key or unique index on exactly its columns) when
** it compiles a write to the child: a statement that changes nothing is
** prepared for each foreign key whose parent's definition the script may
** have changed. Returns SQLITE_OK, or the error ("foreign key mismatch -
** ...") with *pzErr set.
*/
static int fkKeysUsable(SqlmigFk *p, sqlite3 *db, char **pzErr){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<p->nEdge; i++){
    const FkEdge *e = &p->aEdge[i];
    sqlite3_stmt *pStmt = 0;
    char *zSql;
    if( !fkKeysMayChange(p, e->zParent) && !fkWrites(p, e->zChild) ) continue;
    if( !tableExists(db, e->zParent, &rc) || rc ) continue;
    zSql = sqlite3_mprintf("UPDATE main.\"%w\" SET \"%w\"=\"%w\" WHERE 0",
                           e->zChild, e->azFrom[0], e->azFrom[0]);
    if( zSql==0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
    sqlite3_free(zSql);
    sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
      if( *pzErr==0 ) rc = SQLITE_NOMEM;
    }
  }
  return rc;
}

int sqlmigFkAfter(SqlmigFk *p, sqlite3 *db, char **pzErr){
  sqlite3_str *pOut = sqlite3_str_new(db);
  FkEdge *aBefore = p->aEdge;
  int nBefore = p->nEdge;
  int rc = SQLITE_OK, nFound = 0, i, j;

  /* The foreign keys now, when the script may have changed them */
  if( p->w.bSchema || p->bFull ){
    rc = edgesRead(db, &p->aEdge, &p->nEdge);
    if( rc!=SQLITE_OK ){
      p->aEdge = aBefore;
      p->nEdge = nBefore;
      aBefore = 0;
    }
  }else{
    aBefore = 0;           /* the same array: nothing to free below */
  }
  if( rc==SQLITE_OK ) rc = fkKeysUsable(p, db, pzErr);
  if( rc!=SQLITE_OK ){
    edgesFree(aBefore, aBefore ? nBefore : 0);
    sqlite3_free(sqlite3_str_finish(pOut));
    fkScriptReset(p);
    return rc==SQLITE_NOMEM || *pzErr ? rc : SQLITE_NOMEM;
  }
  /* New children among the tables written (a table created with its
  ** REFERENCES): every orphan is new */
  for(i=0; rc==SQLITE_OK && i<p->nEdge; i++){
    if( p->bFull || fkWrites(p, p->aEdge[i].zChild) ){
      rc = fkAddChild(p, db, p->aEdge[i].zChild, 0);
    }
  }
  /* Children checked in full: orphans that were not there before */
  for(i=0; rc==SQLITE_OK && i<p->children.n; i++){
    FkOrphans now;
    const FkOrphans *pWas = &p->aOrphan[i];
    if( !tableExists(db, p->children.az[i], &rc) ) continue;
    rc = orphansRead(db, p->children.az[i], p->aEdge, p->nEdge, &now);
    for(j=0; rc==SQLITE_OK && j<now.n; j++){
      if( pWas->n==0 || bsearch(&now.az[j], pWas->az, (size_t)pWas->n,
                                sizeof(char*), orphanCmp)==0 ){
        fkReport(pOut, &nFound, p->children.az[i], now.aRowid[j],
                 now.azParent[j]);
      }
    }
    orphansFree(&now);
  }
  /* Parents written: children whose parent key went away */
  for(i=0; rc==SQLITE_OK && i<p->nKeys; i++){
    const FkEdge *e = aBefore ? &aBefore[p->aKeyEdge[i]]
                              : &p->aEdge[p->aKeyEdge[i]];
    FkKeys now;
    if( p->aKeys[i].bAbsent ) continue;     /* it had no keys to lose */
    if( !tableExists(db, e->zChild, &rc) ) continue;
    rc = keysRead(db, e, &now);
    if( rc==SQLITE_OK && !keysSame(&p->aKeys[i], &now) ){
      keysSubtract(&p->aKeys[i], &now);
      if( p->aKeys[i].n>0 ){
        rc = fkLostParents(db, e, &p->aKeys[i], pOut, &nFound);
      }
    }
    sqlite3_free(now.a);
  }
  edgesFree(aBefore, aBefore ? nBefore : 0);
  if( rc==SQLITE_OK && sqlite3_str_errcode(pOut) ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK && nFound>0 ){
    if( nFound>10 ) sqlite3_str_appendf(pOut, " and %d more", nFound-10);
    *pzErr = sqlite3_mprintf("foreign key violations: %s",
                             sqlite3_str_value(pOut));
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }else if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    rc = sqlmigErrcode(db, rc);
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_free(sqlite3_str_finish(pOut));
  fkScriptReset(p);
  return rc;
}
