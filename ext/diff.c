/*
** sqlmig: schema diff, migrate_diff() and the migrate_changes table.
**
**   SELECT migrate_diff('main', 'desired');             -- the script
**   SELECT * FROM migrate_changes('main', 'desired');   -- one row a change
**
** Both compare two attached schemas and describe how to turn the first
** (`from`) into the second (`to`) while keeping the data of every column
** present in both. migrate_diff() returns the script ('' when the schemas
** are equal); migrate_changes() returns (seq, kind, object, change,
** destructive, detail, sql), one row per change in script order, and the
** script is exactly the concatenation of its sql column.
**
** How it works. Each schema is read from its sqlite_master (tables,
** indexes, views and triggers; internal sqlite_* objects, sqlmig's own
** store (sqlmig, sqlmig_*) and the shadow tables of virtual tables left
** out; names that differ only in ASCII case are one object) and every CREATE
** text is cut into tokens by the tokenizer of token.c. Two objects are equal
** when their canonical token streams are equal: comments and white space
** dropped, identifiers and keywords unquoted and ASCII case-folded,
** literals kept as written. A table that differs is parsed into column
** definitions and table constraints (token ranges of its CREATE text),
** joined with pragma_table_xinfo; ALTER TABLE RENAME/ADD/DROP COLUMN is
** used when applying it to the old text yields exactly the new text
** (SQLite appends added columns after the last column and removes dropped
** ones) and safe (RENAME/DROP COLUMN re-check the whole schema, so they
** need one whose views and triggers resolve), else SQLite's generalized
** rebuild: create "sqlmig_new_<name>", copy the columns present in both
** (and the rowid), carry the sqlite_sequence value over, drop, rename (in
** legacy_alter_table mode, which checks and rewrites nothing), recreate
** indexes and triggers. Views and triggers that name a changed table are
** dropped first and created again at the end, so no ALTER ever trips over
** them and they keep working. Tables come
** in foreign-key order (pragma_foreign_key_list), views in dependency
** order, everything else by name: the output is deterministic.
**
** The script is meant to run on `from` as the main database through
** migrate(), which pauses foreign-key enforcement around it; run by hand,
** do it with PRAGMA foreign_keys=OFF.
*/
#include "sqlmig_int.h"
#include <stdlib.h>

/* ============================================================ tokens */

/* Token kinds. White space and comments produce no token. */
#define DT_WORD   1     /* bare identifier or keyword */
#define DT_ID     2     /* "quoted", [bracketed] or `backticked` name */
#define DT_STRING 3     /* 'literal' */
#define DT_NUMBER 4
#define DT_BLOB   5     /* x'..' */
#define DT_PUNCT  6     /* punctuation, operators, parameters */

typedef struct DiffTok DiffTok;
struct DiffTok {
  int eType;
  int iOff;           /* byte offset in the SQL text */
  int n;              /* length in bytes */
};

/* ASCII lower case, as SQLite folds names. */
static unsigned char diffLower(unsigned char c){
  return (c>='A' && c<='Z') ? (unsigned char)(c+32) : c;
}

/*
** Length of the token or run of white space / comment at z[0..n) (n>0),
** read by sqlmig's tokenizer (token.c); *peType is its DT_ kind, 0 for
** white space and comments. An unterminated literal or comment runs to
** the end of the text.
*/
static int diffTokLen(const unsigned char *z, int n, int *peType){
  int eType, eOpen;
  int len = sqlmigToken(z, n, &eType, &eOpen);
  switch( eType ){
    case SQLMIG_TK_SPACE:
    case SQLMIG_TK_COMMENT: *peType = 0;         break;
    case SQLMIG_TK_WORD:    *peType = DT_WORD;   break;
    case SQLMIG_TK_QUOTED:  *peType = DT_ID;     break;
    case SQLMIG_TK_STRING:  *peType = DT_STRING; break;
    case SQLMIG_TK_NUMBER:  *peType = DT_NUMBER; break;
    case SQLMIG_TK_BLOB:    *peType = DT_BLOB;   break;
    default:                *peType = DT_PUNCT;  break;
  }
  return len;
}

/*
** Cuts zSql into tokens. *paTok (sqlite3_malloc, caller frees) receives
** *pnTok tokens. Returns SQLITE_OK or SQLITE_NOMEM.
*/
static int diffTokenize(const char *zSql, DiffTok **paTok, int *pnTok){
  const unsigned char *z = (const unsigned char*)zSql;
  DiffTok *a = 0;
  int n = 0, nAlloc = 0, i = 0;
  int nSql = (int)strlen(zSql);
  while( i<nSql ){
    int eType;
    int len = diffTokLen(&z[i], nSql-i, &eType);
    if( eType ){
      if( n==nAlloc ){
        int nNew = nAlloc ? nAlloc*2 : 64;
        DiffTok *aNew = sqlite3_realloc64(a, sizeof(DiffTok)*nNew);
        if( aNew==0 ){ sqlite3_free(a); return SQLITE_NOMEM; }
        a = aNew;
        nAlloc = nNew;
      }
      a[n].eType = eType;
      a[n].iOff = i;
      a[n].n = len;
      n++;
    }
    i += len;
  }
  *paTok = a;
  *pnTok = n;
  return SQLITE_OK;
}

/* True if token t of z is the bare word zWord (ASCII case-insensitive). */
static int diffIsWord(const char *z, const DiffTok *t, const char *zWord){
  int n = (int)strlen(zWord);
  return t->eType==DT_WORD && t->n==n && sqlite3_strnicmp(&z[t->iOff], zWord, n)==0;
}

/* True if token t of z is the punctuation character c. */
static int diffIsPunct(const char *z, const DiffTok *t, char c){
  return t->eType==DT_PUNCT && t->n==1 && z[t->iOff]==c;
}

/*
** Appends the name held by word or quoted-identifier token t of z to p,
** unquoted; folded to ASCII lower case if bFold.
*/
static void diffAppendName(sqlite3_str *p, const char *z, const DiffTok *t,
                           int bFold){
  const char *zTok = &z[t->iOff];
  int i, n = t->n;
  char q = 0;
  if( t->eType==DT_ID ){
    q = zTok[0]=='[' ? ']' : zTok[0];
    zTok++;
    n -= (n>=2 && zTok[n-2]==q) ? 2 : 1;
  }
  for(i=0; i<n; i++){
    char c = zTok[i];
    if( q && q!=']' && c==q ) i++;      /* "" -> " */
    sqlite3_str_appendchar(p, 1, bFold ? (char)diffLower((unsigned char)c) : c);
  }
}

/*
** A string built with sqlite3_str, or NULL with *pRc set to SQLITE_NOMEM
** (also NULL, the string freed, when *pRc was already an error). Never
** NULL for an empty string (unlike sqlite3_str_finish).
*/
static char *diffFinish(sqlite3_str *p, int *pRc){
  int rc = sqlite3_str_errcode(p);
  char *z = sqlite3_str_finish(p);
  if( rc==SQLITE_OK && z==0 ) z = sqlite3_mprintf("%s", "");
  if( z==0 || rc!=SQLITE_OK || *pRc!=SQLITE_OK ){
    sqlite3_free(z);
    z = 0;
    if( *pRc==SQLITE_OK ) *pRc = SQLITE_NOMEM;
  }
  return z;
}

/* The unquoted name of token t (exact case), or NULL on OOM (*pRc set). */
static char *diffTokName(const char *z, const DiffTok *t, int *pRc){
  sqlite3_str *p = sqlite3_str_new(0);
  diffAppendName(p, z, t, 0);
  return diffFinish(p, pRc);
}

/*
** Canonical text of tokens a[i0..i1) of z: names and keywords as
** "lowercase" (quotes doubled), everything else as written, one space
** between tokens. NULL on OOM (*pRc set).
*/
static char *diffCanon(const char *z, const DiffTok *a, int i0, int i1,
                       int *pRc){
  sqlite3_str *p = sqlite3_str_new(0);
  int i;
  for(i=i0; i<i1; i++){
    if( i>i0 ) sqlite3_str_appendchar(p, 1, ' ');
    if( a[i].eType==DT_WORD || a[i].eType==DT_ID ){
      sqlite3_str *pName = sqlite3_str_new(0);
      char *zName;
      diffAppendName(pName, z, &a[i], 1);
      zName = diffFinish(pName, pRc);
      sqlite3_str_appendf(p, "\"%w\"", zName ? zName : "");
      sqlite3_free(zName);
    }else{
      sqlite3_str_append(p, &z[a[i].iOff], a[i].n);
    }
  }
  return diffFinish(p, pRc);
}

/* ============================================================ name hash */

/*
** A fixed-size open-addressing map from names (ASCII case-insensitive,
** borrowed pointers) to ints. Sized at creation for the most entries it
** will hold.
*/
typedef struct DiffHashEnt DiffHashEnt;
struct DiffHashEnt {
  const char *zKey;
  int nKey;
  int iVal;
};
typedef struct DiffHash DiffHash;
struct DiffHash {
  DiffHashEnt *a;
  unsigned nSlot;
};

/* FNV-1a hash of z[0..n), ASCII case-folded. */
static unsigned diffHashKey(const char *z, int n){
  unsigned h = 2166136261u;
  int i;
  for(i=0; i<n; i++){
    h = (h ^ diffLower((unsigned char)z[i])) * 16777619u;
  }
  return h;
}

/* Makes the map room for nMax entries. SQLITE_OK or SQLITE_NOMEM. */
static int diffHashInit(DiffHash *pH, int nMax){
  unsigned n = 16;
  while( n < (unsigned)nMax*2+2 ) n *= 2;
  pH->a = sqlite3_malloc64(sizeof(DiffHashEnt)*n);
  if( pH->a==0 ) return SQLITE_NOMEM;
  memset(pH->a, 0, sizeof(DiffHashEnt)*n);
  pH->nSlot = n;
  return SQLITE_OK;
}

/* Frees the map's slots (not the keys, which are borrowed). */
static void diffHashFree(DiffHash *pH){
  sqlite3_free(pH->a);
  pH->a = 0;
  pH->nSlot = 0;
}

/* Slot of key z[0..n) (n<0: NUL-terminated): its entry or an empty one. */
static DiffHashEnt *diffHashSlot(DiffHash *pH, const char *z, int n){
  unsigned h;
  if( n<0 ) n = (int)strlen(z);
  h = diffHashKey(z, n) & (pH->nSlot-1);
  while( pH->a[h].zKey ){
    DiffHashEnt *e = &pH->a[h];
    if( e->nKey==n && sqlite3_strnicmp(e->zKey, z, n)==0 ) break;
    h = (h+1) & (pH->nSlot-1);
  }
  return &pH->a[h];
}

/* Value of key z (NUL-terminated, or n bytes), or -1. */
static int diffHashFind(DiffHash *pH, const char *z, int n){
  DiffHashEnt *e;
  if( pH->nSlot==0 ) return -1;
  e = diffHashSlot(pH, z, n);
  return e->zKey ? e->iVal : -1;
}

/* Sets key z (kept by pointer, must outlive the map) to iVal. */
static void diffHashSet(DiffHash *pH, const char *z, int iVal){
  DiffHashEnt *e = diffHashSlot(pH, z, -1);
  e->zKey = z;
  e->nKey = (int)strlen(z);
  e->iVal = iVal;
}

/* ============================================================ schema */

#define DO_TABLE   0
#define DO_INDEX   1
#define DO_VIEW    2
#define DO_TRIGGER 3

/* Column flags, from its definition in the CREATE text. */
#define DC_PK        0x001
#define DC_UNIQUE    0x002
#define DC_NOTNULL   0x004
#define DC_CHECK     0x008
#define DC_DEFAULT   0x010   /* a DEFAULT other than NULL */
#define DC_DFLT_EXPR 0x020   /* DEFAULT (expr) or CURRENT_* */
#define DC_FK        0x040
#define DC_GENERATED 0x080
#define DC_STORED    0x100
#define DC_PKDESC    0x200

typedef struct DiffCol DiffCol;
struct DiffCol {
  char *zName;          /* exact, from pragma_table_xinfo */
  char *zType;          /* declared type, from pragma_table_xinfo */
  int bNotNull;
  int iPk;
  int eHidden;          /* 2, 3: generated */
  int iTok0, iTok1;     /* definition after the name: tokens [iTok0,iTok1) */
  char *zCanon;         /* canonical text of that definition */
  unsigned flags;
};

typedef struct DiffTable DiffTable;
struct DiffTable {
  DiffTok *aTok;
  int nTok;
  int bParsed;          /* CREATE text and pragma agree */
  int iNameTok;         /* token of the name (after any schema prefix) */
  int iFirstItem;       /* token after "(" */
  DiffCol *aCol;
  int nCol;
  int *aCons0;          /* table constraints: tokens [aCons0[i],aCons1[i]) */
  int *aCons1;
  char **azCons;        /* their canonical texts */
  int nCons;
  char *zOpts;          /* canonical text after the closing ")" */
  int bWithoutRowid;
  int bAutoinc;
  int bStrict;
  int bComment;         /* the CREATE text holds a comment */
};

typedef struct DiffObj DiffObj;
struct DiffObj {
  int eType;            /* DO_* */
  char *zName;
  char *zTbl;
  char *zSql;
  char *zCanon;
  int bVirtual;
  DiffTable *pTab;      /* tables that differ: parsed on demand */
  int iPeer;            /* same-type object of that name in the other schema */
  int eState;           /* DS_* */
};

/* What happens to an object. */
#define DS_KEEP    0
#define DS_DROP    1    /* from: dropped (explicitly or with its table) */
#define DS_CREATE  2    /* to: created */
#define DS_ALTER   3    /* to: table changed by ALTER TABLE */
#define DS_REBUILD 4    /* to: table rebuilt (or virtual table recreated) */

typedef struct DiffSchema DiffSchema;
struct DiffSchema {
  const char *zSchema;
  DiffObj *a;
  int n;
  DiffHash hName;       /* tables, views, indexes by name */
  DiffHash hTrig;       /* triggers by name */
  sqlite3_stmt *pXinfo;
  sqlite3_stmt *pFk;
};

typedef struct DiffChange DiffChange;
struct DiffChange {
  const char *zKind;
  char *zObject;
  const char *zChange;
  int bDestructive;
  char *zDetail;
  char *zSql;
};

typedef struct DiffCtx DiffCtx;
struct DiffCtx {
  sqlite3 *db;
  const char *zFunc;
  char *zErr;
  DiffSchema aS[2];     /* 0: from, 1: to */
  DiffChange *aCh;
  int nCh;
  int nChAlloc;
  int eSound;           /* from's views and triggers all resolve: 1 yes,
                        ** 0 no, -1 not checked yet */
};

/* Frees a parsed table and everything it owns; NULL is fine. */
static void diffTableFree(DiffTable *p){
  int i;
  if( p==0 ) return;
  for(i=0; i<p->nCol; i++){
    sqlite3_free(p->aCol[i].zName);
    sqlite3_free(p->aCol[i].zType);
    sqlite3_free(p->aCol[i].zCanon);
  }
  for(i=0; i<p->nCons; i++) sqlite3_free(p->azCons[i]);
  sqlite3_free(p->aCol);
  sqlite3_free(p->aCons0);
  sqlite3_free(p->aCons1);
  sqlite3_free(p->azCons);
  sqlite3_free(p->zOpts);
  sqlite3_free(p->aTok);
  sqlite3_free(p);
}

/* Frees a schema's objects, maps and statements; leaves pS zeroed. */
static void diffSchemaFree(DiffSchema *pS){
  int i;
  for(i=0; i<pS->n; i++){
    DiffObj *o = &pS->a[i];
    sqlite3_free(o->zName);
    sqlite3_free(o->zTbl);
    sqlite3_free(o->zSql);
    sqlite3_free(o->zCanon);
    diffTableFree(o->pTab);
  }
  sqlite3_free(pS->a);
  diffHashFree(&pS->hName);
  diffHashFree(&pS->hTrig);
  sqlite3_finalize(pS->pXinfo);
  sqlite3_finalize(pS->pFk);
  memset(pS, 0, sizeof(*pS));
}

/* Frees everything a diff run holds; leaves p zeroed (safe to repeat). */
static void diffCtxFree(DiffCtx *p){
  int i;
  diffSchemaFree(&p->aS[0]);
  diffSchemaFree(&p->aS[1]);
  for(i=0; i<p->nCh; i++){
    sqlite3_free(p->aCh[i].zObject);
    sqlite3_free(p->aCh[i].zDetail);
    sqlite3_free(p->aCh[i].zSql);
  }
  sqlite3_free(p->aCh);
  sqlite3_free(p->zErr);
  memset(p, 0, sizeof(*p));
}

/* Sets the context's error from the connection's, for schema zSchema. */
static int diffDbError(DiffCtx *p, int rc, const char *zSchema){
  if( rc==SQLITE_NOMEM ) return rc;
  rc = sqlmigErrcode(p->db, rc);
  sqlite3_free(p->zErr);
  p->zErr = sqlite3_mprintf("%s: cannot read schema \"%w\": %s",
                            p->zFunc, zSchema, sqlite3_errmsg(p->db));
  return p->zErr ? rc : SQLITE_NOMEM;
}

/* qsort order of objects: by name, ASCII case-insensitive, then exact. */
static int diffObjCmp(const void *pA, const void *pB){
  const DiffObj *a = (const DiffObj*)pA;
  const DiffObj *b = (const DiffObj*)pB;
  int c = sqlite3_stricmp(a->zName, b->zName);
  return c ? c : strcmp(a->zName, b->zName);
}

/* True if zSql holds a -- or C-style comment (outside literals). */
static int diffHasComment(const char *zSql){
  const unsigned char *z = (const unsigned char*)zSql;
  int i = 0, n = (int)strlen(zSql);
  while( i<n ){
    int eType, len = diffTokLen(&z[i], n-i, &eType);
    if( eType==0 && (z[i]=='-' || z[i]=='/') ) return 1;
    i += len;
  }
  return 0;
}

/* True if zSql is a CREATE VIRTUAL TABLE statement. */
static int diffIsVirtualSql(const char *zSql){
  const unsigned char *z = (const unsigned char*)zSql;
  int i = 0, nWord = 0, n = (int)strlen(zSql);
  while( i<n && nWord<2 ){
    int eType, len = diffTokLen(&z[i], n-i, &eType);
    if( eType ){
      if( nWord==1 ){
        return eType==DT_WORD && len==7
            && sqlite3_strnicmp((const char*)&z[i], "virtual", 7)==0;
      }
      nWord++;
    }
    i += len;
  }
  return 0;
}

/*
** Reads the objects of schema zSchema into pS, sorted by name, with their
** canonical texts and name maps. SQLITE_OK, SQLITE_NOMEM or SQLITE_ERROR
** (p->zErr set).
*/
static int diffReadSchema(DiffCtx *p, DiffSchema *pS, const char *zSchema){
  sqlite3_stmt *pStmt = 0;
  char *zSql;
  int rc = SQLITE_OK, nAlloc = 0, i, j;

  memset(pS, 0, sizeof(*pS));
  pS->zSchema = zSchema;
  zSql = sqlite3_mprintf(
      "SELECT type, name, tbl_name, sql FROM \"%w\".sqlite_master"
      " WHERE type IN ('table','index','view','trigger') AND sql IS NOT NULL"
      " AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'"
      " AND name NOT LIKE 'sqlmig\\_%%' ESCAPE '\\'"
      " AND tbl_name NOT LIKE 'sqlmig\\_%%' ESCAPE '\\'"
      " AND tbl_name NOT LIKE 'sqlmig'", zSchema);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ) return diffDbError(p, rc, zSchema);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    DiffObj *o;
    if( pS->n==nAlloc ){
      int nNew = nAlloc ? nAlloc*2 : 32;
      DiffObj *aNew = sqlite3_realloc64(pS->a, sizeof(DiffObj)*nNew);
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      pS->a = aNew;
      nAlloc = nNew;
    }
    o = &pS->a[pS->n];
    memset(o, 0, sizeof(*o));
    o->iPeer = -1;
    if( zType==0 ){ rc = SQLITE_NOMEM; break; }
    o->eType = zType[0]=='t' ? (zType[1]=='a' ? DO_TABLE : DO_TRIGGER)
             : zType[0]=='i' ? DO_INDEX : DO_VIEW;
    o->zName = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
    o->zTbl = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 2));
    o->zSql = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
    pS->n++;
    if( !o->zName || !o->zTbl || !o->zSql ){ rc = SQLITE_NOMEM; break; }
    o->bVirtual = o->eType==DO_TABLE && diffIsVirtualSql(o->zSql);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
    pStmt = 0;
    if( rc!=SQLITE_OK ) return diffDbError(p, rc, zSchema);
  }
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ) return rc;

  /* Shadow tables of virtual tables ("<vtab>_<suffix>", with the suffixes
  ** of SQLite's own FTS3/4, FTS5 and R*Tree modules) are the module's
  ** business, never compared. */
  for(i=0; i<pS->n; i++){
    static const char *const azSuffix[] = {
      "data", "idx", "content", "docsize", "config", "segments", "segdir",
      "stat", "node", "rowid", "parent"
    };
    if( !pS->a[i].bVirtual ) continue;
    for(j=0; j<pS->n; j++){
      DiffObj *o = &pS->a[j];
      size_t nV = strlen(pS->a[i].zName), k;
      if( o->eType!=DO_TABLE || o->bVirtual
       || sqlite3_strnicmp(o->zTbl, pS->a[i].zName, (int)nV)!=0
       || o->zTbl[nV]!='_' ){
        continue;
      }
      for(k=0; k<sizeof(azSuffix)/sizeof(azSuffix[0]); k++){
        if( sqlite3_stricmp(&o->zTbl[nV+1], azSuffix[k])==0 ) o->eState = -1;
      }
    }
  }
  for(i=j=0; i<pS->n; i++){
    if( pS->a[i].eState<0 ){
      DiffObj *o = &pS->a[i];
      sqlite3_free(o->zName); sqlite3_free(o->zTbl); sqlite3_free(o->zSql);
    }else{
      pS->a[j++] = pS->a[i];
    }
  }
  pS->n = j;
  if( pS->n>1 ) qsort(pS->a, pS->n, sizeof(DiffObj), diffObjCmp);

  rc = diffHashInit(&pS->hName, pS->n);
  if( rc==SQLITE_OK ) rc = diffHashInit(&pS->hTrig, pS->n);
  for(i=0; rc==SQLITE_OK && i<pS->n; i++){
    DiffObj *o = &pS->a[i];
    DiffTok *aTok = 0;
    int nTok = 0;
    rc = diffTokenize(o->zSql, &aTok, &nTok);
    if( rc==SQLITE_OK ) o->zCanon = diffCanon(o->zSql, aTok, 0, nTok, &rc);
    sqlite3_free(aTok);
    diffHashSet(o->eType==DO_TRIGGER ? &pS->hTrig : &pS->hName, o->zName, i);
  }
  return rc;
}

/* Scans a column definition (tokens [i0,i1) of z, after the name). */
static unsigned diffColFlags(const char *z, const DiffTok *a, int i0, int i1){
  unsigned f = 0;
  int i, depth = 0;
  for(i=i0; i<i1; i++){
    const DiffTok *t = &a[i];
    if( diffIsPunct(z, t, '(') ){ depth++; continue; }
    if( diffIsPunct(z, t, ')') ){ depth--; continue; }
    if( depth>0 || t->eType!=DT_WORD ) continue;
    if( diffIsWord(z, t, "primary") ){
      f |= DC_PK;
      if( i+2<i1 && diffIsWord(z, &a[i+2], "desc") ) f |= DC_PKDESC;
    }
    else if( diffIsWord(z, t, "unique") ) f |= DC_UNIQUE;
    else if( diffIsWord(z, t, "check") ) f |= DC_CHECK;
    else if( diffIsWord(z, t, "references") ) f |= DC_FK;
    else if( diffIsWord(z, t, "generated") || diffIsWord(z, t, "as") ){
      f |= DC_GENERATED;
    }
    else if( diffIsWord(z, t, "stored") ) f |= DC_STORED;
    else if( diffIsWord(z, t, "not") && i+1<i1
          && diffIsWord(z, &a[i+1], "null") ){
      f |= DC_NOTNULL;
    }
    else if( diffIsWord(z, t, "default") && i+1<i1 ){
      const DiffTok *v = &a[i+1];
      if( diffIsWord(z, v, "null") ) continue;
      f |= DC_DEFAULT;
      if( diffIsPunct(z, v, '(') || diffIsWord(z, v, "current_time")
       || diffIsWord(z, v, "current_date")
       || diffIsWord(z, v, "current_timestamp") ){
        f |= DC_DFLT_EXPR;
      }
    }
  }
  return f;
}

/* True if the first word of a table item is a table-constraint keyword. */
static int diffIsConstraintStart(const char *z, const DiffTok *t){
  return diffIsWord(z, t, "constraint") || diffIsWord(z, t, "primary")
      || diffIsWord(z, t, "unique") || diffIsWord(z, t, "check")
      || diffIsWord(z, t, "foreign");
}

/*
** Parses table o of schema pS into o->pTab: columns from
** pragma_table_xinfo joined with their definitions in the CREATE text.
** When the two disagree (or the text has an unexpected shape) bParsed is
** 0 and only the pragma columns and the name token are reliable.
*/
static int diffParseTable(DiffCtx *p, DiffSchema *pS, DiffObj *o){
  DiffTable *t;
  const char *z = o->zSql;
  int rc = SQLITE_OK, i, nAlloc = 0, nColAlloc = 0, nItemCol = 0, bOk = 1;

  if( o->pTab ) return SQLITE_OK;
  t = sqlite3_malloc64(sizeof(*t));
  if( t==0 ) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  o->pTab = t;
  t->iNameTok = -1;

  /* Columns, from SQLite itself. */
  if( pS->pXinfo==0 ){
    rc = sqlite3_prepare_v2(p->db,
        "SELECT name, type, \"notnull\", pk, hidden"
        " FROM pragma_table_xinfo(?1, ?2)", -1, &pS->pXinfo, 0);
    if( rc!=SQLITE_OK ) return diffDbError(p, rc, pS->zSchema);
  }
  sqlite3_bind_text(pS->pXinfo, 1, o->zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pS->pXinfo, 2, pS->zSchema, -1, SQLITE_STATIC);
  while( rc==SQLITE_OK && sqlite3_step(pS->pXinfo)==SQLITE_ROW ){
    DiffCol *c;
    if( t->nCol==nColAlloc ){
      int nNew = nColAlloc ? nColAlloc*2 : 16;
      DiffCol *aNew = sqlite3_realloc64(t->aCol, sizeof(DiffCol)*nNew);
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      t->aCol = aNew;
      nColAlloc = nNew;
    }
    c = &t->aCol[t->nCol++];
    memset(c, 0, sizeof(*c));
    c->zName = sqlite3_mprintf("%s", sqlite3_column_text(pS->pXinfo, 0));
    c->zType = sqlite3_mprintf("%s", sqlite3_column_text(pS->pXinfo, 1));
    c->bNotNull = sqlite3_column_int(pS->pXinfo, 2);
    c->iPk = sqlite3_column_int(pS->pXinfo, 3);
    c->eHidden = sqlite3_column_int(pS->pXinfo, 4);
    if( c->zName==0 || c->zType==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_reset(pS->pXinfo);
    if( rc!=SQLITE_OK ) rc = diffDbError(p, rc, pS->zSchema);
  }else{
    sqlite3_reset(pS->pXinfo);
  }
  if( rc!=SQLITE_OK ) return rc;

  /* The CREATE text: CREATE [TEMP] TABLE [IF NOT EXISTS] [s.]name ( ... ) */
  rc = diffTokenize(z, &t->aTok, &t->nTok);
  if( rc!=SQLITE_OK ) return rc;
  t->bComment = diffHasComment(z);
  for(i=0; i<t->nTok && t->aTok[i].eType==DT_WORD; i++){
    const DiffTok *k = &t->aTok[i];
    if( diffIsWord(z, k, "create") || diffIsWord(z, k, "temp")
     || diffIsWord(z, k, "temporary") || diffIsWord(z, k, "table")
     || diffIsWord(z, k, "if") || diffIsWord(z, k, "not")
     || diffIsWord(z, k, "exists") ){
      continue;
    }
    break;
  }
  if( i+2<t->nTok && diffIsPunct(z, &t->aTok[i+1], '.') ) i += 2;
  if( i>=t->nTok ) return SQLITE_OK;
  t->iNameTok = i;
  i++;
  if( o->bVirtual ) return SQLITE_OK;
  if( i>=t->nTok || !diffIsPunct(z, &t->aTok[i], '(') ) return SQLITE_OK;
  i++;
  t->iFirstItem = i;
  while( bOk && i<t->nTok ){
    int s = i, depth = 0;
    for(; i<t->nTok; i++){
      if( diffIsPunct(z, &t->aTok[i], '(') ) depth++;
      else if( diffIsPunct(z, &t->aTok[i], ')') ){
        if( depth==0 ) break;
        depth--;
      }else if( depth==0 && diffIsPunct(z, &t->aTok[i], ',') ) break;
    }
    if( i>=t->nTok || s==i ){ bOk = 0; break; }
    if( diffIsConstraintStart(z, &t->aTok[s]) ){
      if( t->nCons==nAlloc ){
        int nNew = nAlloc ? nAlloc*2 : 8;
        int *a0 = sqlite3_realloc64(t->aCons0, sizeof(int)*nNew);
        int *a1 = a0 ? sqlite3_realloc64(t->aCons1, sizeof(int)*nNew) : 0;
        char **az = a1 ? sqlite3_realloc64(t->azCons, sizeof(char*)*nNew) : 0;
        if( a0 ) t->aCons0 = a0;
        if( a1 ) t->aCons1 = a1;
        if( az==0 ) return SQLITE_NOMEM;
        t->azCons = az;
        nAlloc = nNew;
      }
      t->aCons0[t->nCons] = s;
      t->aCons1[t->nCons] = i;
      t->azCons[t->nCons] = diffCanon(z, t->aTok, s, i, &rc);
      if( rc ) return rc;
      t->nCons++;
    }else if( t->nCons>0 || nItemCol>=t->nCol ){
      bOk = 0;            /* a column after the constraints, or too many */
    }else{
      DiffCol *c = &t->aCol[nItemCol++];
      const DiffTok *k = &t->aTok[s];
      char *zItemName;
      if( k->eType!=DT_WORD && k->eType!=DT_ID && k->eType!=DT_STRING ){
        bOk = 0;
        break;
      }
      if( k->eType==DT_STRING ){
        DiffTok k2 = *k;
        k2.eType = DT_ID;
        zItemName = diffTokName(z, &k2, &rc);
      }else{
        zItemName = diffTokName(z, k, &rc);
      }
      if( rc ) return rc;
      if( strcmp(zItemName, c->zName)!=0 ) bOk = 0;
      sqlite3_free(zItemName);
      c->iTok0 = s+1;
      c->iTok1 = i;
      c->zCanon = diffCanon(z, t->aTok, s+1, i, &rc);
      if( rc ) return rc;
      c->flags = diffColFlags(z, t->aTok, s+1, i);
    }
    if( diffIsPunct(z, &t->aTok[i], ')') ){ i++; break; }
    i++;
  }
  if( !bOk || nItemCol!=t->nCol ) return SQLITE_OK;
  t->zOpts = diffCanon(z, t->aTok, i, t->nTok, &rc);
  if( rc ) return rc;
  for(; i<t->nTok; i++){
    if( diffIsWord(z, &t->aTok[i], "rowid") ) t->bWithoutRowid = 1;
    if( diffIsWord(z, &t->aTok[i], "strict") ) t->bStrict = 1;
  }
  for(i=0; i<t->nTok; i++){
    if( diffIsWord(z, &t->aTok[i], "autoincrement") ) t->bAutoinc = 1;
  }
  t->bParsed = 1;
  return SQLITE_OK;
}

/* ============================================================ changes */

/*
** Appends a change. Takes ownership of zDetail and zSql (sqlite3_malloc),
** which may be NULL only after an allocation failure. zObject is copied.
*/
static int diffAdd(DiffCtx *p, const char *zKind, const char *zObject,
                   const char *zChange, int bDestructive,
                   char *zDetail, char *zSql){
  DiffChange *c;
  int rc = SQLITE_OK;
  if( zDetail==0 || zSql==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK && p->nCh==p->nChAlloc ){
    int nNew = p->nChAlloc ? p->nChAlloc*2 : 32;
    DiffChange *aNew = sqlite3_realloc64(p->aCh, sizeof(DiffChange)*nNew);
    if( aNew==0 ) rc = SQLITE_NOMEM;
    else{ p->aCh = aNew; p->nChAlloc = nNew; }
  }
  if( rc==SQLITE_OK ){
    c = &p->aCh[p->nCh];
    c->zObject = sqlite3_mprintf("%s", zObject);
    if( c->zObject==0 ) rc = SQLITE_NOMEM;
  }
  if( rc!=SQLITE_OK ){
    sqlite3_free(zDetail);
    sqlite3_free(zSql);
    return rc;
  }
  c->zKind = zKind;
  c->zChange = zChange;
  c->bDestructive = bDestructive;
  c->zDetail = zDetail;
  c->zSql = zSql;
  p->nCh++;
  return SQLITE_OK;
}

/* The text of tokens [i0,i1) of z as written (for details). */
static char *diffRawText(const char *z, const DiffTok *a, int i0, int i1){
  if( i0>=i1 ) return sqlite3_mprintf("%s", "");
  return sqlite3_mprintf("%.*s", a[i1-1].iOff + a[i1-1].n - a[i0].iOff,
                         &z[a[i0].iOff]);
}

/* Index in t->aCol of the column named zName (case-insensitive), or -1. */
static int diffColIndex(const DiffTable *t, const char *zName){
  int i;
  for(i=0; i<t->nCol; i++){
    if( sqlite3_stricmp(t->aCol[i].zName, zName)==0 ) return i;
  }
  return -1;
}

/* Said of a dropped column when the table also gains one. */
#define DIFF_RENAME_HINT " (if it was renamed, write that ALTER TABLE ..." \
  " RENAME COLUMN as a revision of its own first: the diff never guesses" \
  " renames)"

/* Type affinity of a declared type, as SQLite derives it: 'i' INTEGER,
** 't' TEXT, 'b' BLOB, 'r' REAL, 'n' NUMERIC. */
char sqlmigAffinity(const char *zType){
  char aff = 'n';
  int i, n = (int)strlen(zType);
  if( n==0 ) return 'b';
  for(i=0; i+3<=n; i++){
    if( sqlite3_strnicmp(&zType[i], "int", 3)==0 ) return 'i';
  }
  for(i=0; i+4<=n; i++){
    if( sqlite3_strnicmp(&zType[i], "char", 4)==0
     || sqlite3_strnicmp(&zType[i], "clob", 4)==0
     || sqlite3_strnicmp(&zType[i], "text", 4)==0 ) return 't';
  }
  for(i=0; i+4<=n; i++){
    if( sqlite3_strnicmp(&zType[i], "blob", 4)==0 ) return 'b';
  }
  for(i=0; i+4<=n; i++){
    if( sqlite3_strnicmp(&zType[i], "real", 4)==0
     || sqlite3_strnicmp(&zType[i], "floa", 4)==0
     || sqlite3_strnicmp(&zType[i], "doub", 4)==0 ) aff = 'r';
  }
  return aff;
}

/*
** Why column c (in from) becoming d (in to) may lose data or fail, as
** "; "-separated phrases appended to pStr; returns 1 if there is any.
*/
static int diffColRisk(sqlite3_str *pStr, const DiffCol *c, const DiffCol *d){
  int bRisk = 0;
  char fa = sqlmigAffinity(c->zType), da = sqlmigAffinity(d->zType);
  if( fa!=da && da!='b' && !(fa=='i' && (da=='r' || da=='n'))
   && !(da=='t' && fa=='t') ){
    sqlite3_str_appendf(pStr, "; column \"%w\" changes type from %s to %s:"
        " values may be converted", d->zName,
        c->zType[0] ? c->zType : "(none)", d->zType[0] ? d->zType : "(none)");
    bRisk = 1;
  }
  if( d->bNotNull && !c->bNotNull ){
    sqlite3_str_appendf(pStr, "; column \"%w\" becomes NOT NULL:"
        " rows holding NULL make it fail", d->zName);
    bRisk = 1;
  }
  if( (d->flags & DC_UNIQUE) && !(c->flags & DC_UNIQUE) ){
    sqlite3_str_appendf(pStr, "; column \"%w\" becomes UNIQUE:"
        " duplicate values make it fail", d->zName);
    bRisk = 1;
  }
  if( d->iPk && !c->iPk ){
    sqlite3_str_appendf(pStr, "; column \"%w\" joins the PRIMARY KEY:"
        " duplicate values make it fail", d->zName);
    bRisk = 1;
  }
  if( (d->flags & DC_CHECK) && strcmp(c->zCanon, d->zCanon)!=0 ){
    sqlite3_str_appendf(pStr, "; column \"%w\" gets a new CHECK:"
        " existing rows may violate it", d->zName);
    bRisk = 1;
  }
  return bRisk;
}

/*
** True if every view and trigger of from resolves: views compile, and
** every table a trigger body writes or reads (the name after UPDATE,
** INTO, FROM, JOIN) exists. ALTER TABLE RENAME COLUMN and DROP COLUMN
** re-check them all and fail on any that does not, so those are used
** only on a sound schema (else: rebuild). Checked once per diff; errors
** (out of memory) in *pRc.
*/
static int diffSound(DiffCtx *p, int *pRc){
  DiffSchema *pS = &p->aS[0];
  int i;
  if( p->eSound>=0 || *pRc ) return p->eSound>0;
  p->eSound = 1;
  for(i=0; p->eSound && i<pS->n; i++){
    DiffObj *o = &pS->a[i];
    if( o->eType==DO_VIEW ){
      sqlite3_stmt *pStmt = 0;
      char *zSql = sqlite3_mprintf("SELECT * FROM \"%w\".\"%w\"",
                                   pS->zSchema, o->zName);
      int rc;
      if( zSql==0 ){ *pRc = SQLITE_NOMEM; return 0; }
      rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
      sqlite3_finalize(pStmt);
      sqlite3_free(zSql);
      if( rc==SQLITE_NOMEM ){ *pRc = rc; return 0; }
      if( rc!=SQLITE_OK ) p->eSound = 0;
    }else if( o->eType==DO_TRIGGER ){
      DiffTok *a = 0;
      int n = 0, k;
      *pRc = diffTokenize(o->zSql, &a, &n);
      for(k=0; *pRc==SQLITE_OK && p->eSound && k+1<n; k++){
        const char *z = o->zSql;
        int m = k+1, v;
        if( !diffIsWord(z, &a[k], "update") && !diffIsWord(z, &a[k], "into")
         && !diffIsWord(z, &a[k], "from") && !diffIsWord(z, &a[k], "join") ){
          continue;
        }
        if( diffIsWord(z, &a[k], "update") && k>0
         && diffIsWord(z, &a[k-1], "after") ) continue;    /* AFTER UPDATE */
        if( diffIsWord(z, &a[k], "update") && diffIsWord(z, &a[m], "of") ){
          continue;                                         /* UPDATE OF */
        }
        if( diffIsWord(z, &a[m], "or") ) m += 2;            /* UPDATE OR x */
        if( m+2<n && diffIsPunct(z, &a[m+1], '.') ) m += 2; /* schema. */
        if( m>=n || (a[m].eType!=DT_WORD && a[m].eType!=DT_ID) ) continue;
        if( m+1<n && diffIsPunct(z, &a[m+1], '(') ) continue; /* function */
        if( a[m].eType==DT_WORD ){
          v = diffHashFind(&pS->hName, &z[a[m].iOff], a[m].n);
        }else{
          char *zName = diffTokName(z, &a[m], pRc);
          v = zName ? diffHashFind(&pS->hName, zName, -1) : -1;
          sqlite3_free(zName);
        }
        if( *pRc==SQLITE_OK && (v<0 || pS->a[v].eType==DO_INDEX) ){
          p->eSound = 0;
        }
      }
      sqlite3_free(a);
      if( *pRc ) return 0;
    }
  }
  return p->eSound;
}

/*
** If table f (from) can become d (to) by ALTER TABLE RENAME/ADD/DROP
** COLUMN such that the stored CREATE text ends up equal to d's, returns 1
** and, when bEmit, appends those changes. Else returns 0. Errors in *pRc.
*/
static int diffTryAlter(DiffCtx *p, DiffObj *f, DiffObj *d, int bEmit,
                        int *pRc){
  const DiffTable *ft = f->pTab, *dt = d->pTab;
  int i, j = 0, k;
  if( f->bVirtual || d->bVirtual || !ft->bParsed || !dt->bParsed ) return 0;
  if( strcmp(ft->zOpts, dt->zOpts)!=0 || ft->nCons!=dt->nCons ) return 0;
  for(i=0; i<ft->nCons; i++){
    if( strcmp(ft->azCons[i], dt->azCons[i])!=0 ) return 0;
  }
  /* Kept columns in order (drops in between), then the added ones. */
  for(i=0; i<ft->nCol; i++){
    const DiffCol *c = &ft->aCol[i];
    if( j<dt->nCol && sqlite3_stricmp(c->zName, dt->aCol[j].zName)==0 ){
      if( strcmp(c->zCanon, dt->aCol[j].zCanon)!=0 ) return 0;
      if( strcmp(c->zName, dt->aCol[j].zName)!=0 && !diffSound(p, pRc) ){
        return 0;                 /* RENAME COLUMN re-checks every view */
      }
      j++;
      continue;
    }
    if( diffColIndex(dt, c->zName)>=0 ) return 0;       /* moved */
    /* DROP COLUMN: 3.35+, a plain column nothing else names, in a schema
    ** whose views and triggers all resolve (it re-checks them). */
    if( sqlite3_libversion_number()<3035000 ) return 0;
    if( !diffSound(p, pRc) ) return 0;
    if( ft->bComment ) return 0;  /* SQLite cuts the text badly around them */
    if( c->flags & (DC_PK|DC_UNIQUE|DC_FK|DC_GENERATED) ) return 0;
    if( c->iPk || c->eHidden ) return 0;
    for(k=0; k<ft->nCol; k++){
      const DiffCol *o = &ft->aCol[k];
      int m;
      if( k==i ) continue;
      for(m=o->iTok0; m<o->iTok1; m++){
        const DiffTok *tk = &ft->aTok[m];
        if( tk->eType==DT_WORD || tk->eType==DT_ID ){
          char *zW = diffTokName(f->zSql, tk, pRc);
          int bSame = zW && sqlite3_stricmp(zW, c->zName)==0;
          sqlite3_free(zW);
          if( *pRc || bSame ) return 0;
        }
      }
    }
  }
  for(k=j; k<dt->nCol; k++){
    const DiffCol *c = &dt->aCol[k];
    if( diffColIndex(ft, c->zName)>=0 ) return 0;
    if( c->flags & (DC_PK|DC_UNIQUE|DC_DFLT_EXPR|DC_STORED) ) return 0;
    if( c->iPk || c->eHidden==3 ) return 0;
    if( (c->flags & DC_NOTNULL) && !(c->flags & DC_DEFAULT) ) return 0;
    if( (c->flags & DC_GENERATED) && (c->flags & DC_NOTNULL) ) return 0;
    if( (c->flags & DC_FK) && (c->flags & DC_DEFAULT) ) return 0;
  }
  if( !bEmit ) return 1;

  /* Emit: renames (case only), then adds, then drops (adding first, so the
  ** table never runs out of columns; the end result is the same). */
  j = 0;
  for(i=0; *pRc==SQLITE_OK && i<ft->nCol; i++){
    const DiffCol *c = &ft->aCol[i];
    if( j<dt->nCol && sqlite3_stricmp(c->zName, dt->aCol[j].zName)==0 ){
      const DiffCol *e = &dt->aCol[j++];
      if( strcmp(c->zName, e->zName)!=0 ){
        *pRc = diffAdd(p, "table", d->zName, "rename column", 0,
            sqlite3_mprintf("renames column \"%w\" to \"%w\"",
                            c->zName, e->zName),
            sqlite3_mprintf("ALTER TABLE \"%w\" RENAME COLUMN \"%w\" TO"
                            " \"%w\";\n", f->zName, c->zName, e->zName));
      }
    }
  }
  for(k=j; *pRc==SQLITE_OK && k<dt->nCol; k++){
    const DiffCol *c = &dt->aCol[k];
    char *zDef = diffRawText(d->zSql, dt->aTok, c->iTok0, c->iTok1);
    int bRisk = (c->flags & DC_CHECK)!=0;
    *pRc = diffAdd(p, "table", d->zName, "add column", bRisk,
        sqlite3_mprintf("adds column \"%w\"%s", c->zName,
            bRisk ? ", whose CHECK existing rows may violate" : ""),
        zDef ? sqlite3_mprintf("ALTER TABLE \"%w\" ADD COLUMN \"%w\"%s%s;\n",
                               f->zName, c->zName, zDef[0] ? " " : "", zDef)
             : 0);
    sqlite3_free(zDef);
  }
  for(i=0; *pRc==SQLITE_OK && i<ft->nCol; i++){
    const DiffCol *c = &ft->aCol[i];
    if( diffColIndex(dt, c->zName)>=0 ) continue;
    *pRc = diffAdd(p, "table", d->zName, "drop column", 1,
        sqlite3_mprintf("drops column \"%w\": its values are lost%s",
                        c->zName, j<dt->nCol ? DIFF_RENAME_HINT : ""),
        sqlite3_mprintf("ALTER TABLE \"%w\" DROP COLUMN \"%w\";\n",
                        f->zName, c->zName));
  }
  return 1;
}

/*
** Appends the rebuild of table f (from) into d (to): create
** "sqlmig_new_<name>", copy rows, keep sqlite_sequence, drop, rename.
*/
static int diffRebuild(DiffCtx *p, DiffObj *f, DiffObj *d){
  const DiffTable *ft = f->pTab, *dt = d->pTab;
  sqlite3_str *pSql = sqlite3_str_new(0);
  sqlite3_str *pWhy = sqlite3_str_new(0);
  sqlite3_str *pCols = sqlite3_str_new(0);
  int rc = SQLITE_OK, i, nCommon = 0, bRisk = 0, bIpkCommon = 0;
  int bReorder = 0, iLast = -1, nNew = 0;
  char *zNew, *zWhy, *zCols;
  const char *zRowid = 0;

  zNew = sqlite3_mprintf("sqlmig_new_%s", d->zName);
  if( zNew==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK && dt->iNameTok<0 ){
    sqlite3_free(p->zErr);
    p->zErr = sqlite3_mprintf("%s: cannot parse the CREATE text of table"
                              " \"%w\"", p->zFunc, d->zName);
    rc = p->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }

  /* Columns present in both (not generated in the new table), and why. */
  for(i=0; i<dt->nCol; i++){
    const DiffCol *e = &dt->aCol[i];
    int k = diffColIndex(ft, e->zName);
    if( k<0 ){
      int bFail = e->bNotNull && !(e->flags & DC_DEFAULT) && e->eHidden<2;
      sqlite3_str_appendf(pWhy, "; adds column \"%w\"%s", e->zName,
          bFail ? " (NOT NULL without DEFAULT: fails if the table has rows)"
                : "");
      bRisk |= bFail;
      nNew++;
      continue;
    }
    if( k<iLast ) bReorder = 1;
    iLast = k;
    if( strcmp(ft->aCol[k].zName, e->zName)!=0 ){
      sqlite3_str_appendf(pWhy, "; renames column \"%w\" to \"%w\"",
                          ft->aCol[k].zName, e->zName);
    }
    if( ft->aCol[k].zCanon && e->zCanon
     && strcmp(ft->aCol[k].zCanon, e->zCanon)!=0 ){
      char *zA = diffRawText(f->zSql, ft->aTok, ft->aCol[k].iTok0,
                             ft->aCol[k].iTok1);
      char *zB = diffRawText(d->zSql, dt->aTok, e->iTok0, e->iTok1);
      if( zA==0 || zB==0 ) rc = SQLITE_NOMEM;
      sqlite3_str_appendf(pWhy, "; column \"%w\" changes from \"%s\" to"
          " \"%s\"", e->zName, zA ? zA : "", zB ? zB : "");
      sqlite3_free(zA);
      sqlite3_free(zB);
      bRisk |= diffColRisk(pWhy, &ft->aCol[k], e);
    }
    if( e->eHidden>=2 ) continue;
    if( e->iPk==1 && !dt->bWithoutRowid
     && sqlite3_stricmp(e->zType, "integer")==0 && !(e->flags & DC_PKDESC) ){
      int nPk = 0, m;
      for(m=0; m<dt->nCol; m++) nPk += dt->aCol[m].iPk>0;
      if( nPk==1 ) bIpkCommon = 1;
    }
    sqlite3_str_appendf(pCols, "%s\"%w\"", nCommon ? ", " : "", e->zName);
    nCommon++;
  }
  for(i=0; i<ft->nCol; i++){
    if( diffColIndex(dt, ft->aCol[i].zName)<0 ){
      sqlite3_str_appendf(pWhy, "; drops column \"%w\": its values are lost%s",
                          ft->aCol[i].zName,
                          nNew>0 ? DIFF_RENAME_HINT : "");
      bRisk = 1;
    }
  }
  if( bReorder ) sqlite3_str_appendf(pWhy, "; reorders columns");
  if( ft->bParsed && dt->bParsed ){
    int m, n;
    for(m=0; m<dt->nCons; m++){
      for(n=0; n<ft->nCons && strcmp(ft->azCons[n], dt->azCons[m]); n++){}
      if( n==ft->nCons ){
        char *zC = diffRawText(d->zSql, dt->aTok, dt->aCons0[m],
                               dt->aCons1[m]);
        const char *zFirst = &d->zSql[dt->aTok[dt->aCons0[m]].iOff];
        int bFk = sqlite3_strnicmp(zFirst, "foreign", 7)==0;
        if( zC==0 ) rc = SQLITE_NOMEM;
        sqlite3_str_appendf(pWhy, "; adds %s", zC ? zC : "");
        if( !bFk ){
          sqlite3_str_appendf(pWhy, ": existing rows may violate it");
          bRisk = 1;
        }
        sqlite3_free(zC);
      }
    }
    for(m=0; m<ft->nCons; m++){
      for(n=0; n<dt->nCons && strcmp(ft->azCons[m], dt->azCons[n]); n++){}
      if( n==dt->nCons ){
        char *zC = diffRawText(f->zSql, ft->aTok, ft->aCons0[m],
                               ft->aCons1[m]);
        if( zC==0 ) rc = SQLITE_NOMEM;
        sqlite3_str_appendf(pWhy, "; drops %s", zC ? zC : "");
        sqlite3_free(zC);
      }
    }
    if( strcmp(ft->zOpts, dt->zOpts)!=0 ){
      sqlite3_str_appendf(pWhy, "; table options change");
      if( dt->bStrict && !ft->bStrict ){
        sqlite3_str_appendf(pWhy, " (STRICT: values of the wrong type"
                                  " make it fail)");
        bRisk = 1;
      }
    }
  }
  if( sqlite3_str_length(pWhy)==0 ){
    sqlite3_str_appendf(pWhy, "; the definition changes");
  }

  /* Keep the rowid when both tables have one and no copied column is the
  ** new table's rowid alias. */
  if( !ft->bWithoutRowid && !dt->bWithoutRowid && !bIpkCommon ){
    static const char *const azAlias[] = { "rowid", "_rowid_", "oid" };
    int m;
    for(m=0; m<3 && zRowid==0; m++){
      if( diffColIndex(ft, azAlias[m])<0 && diffColIndex(dt, azAlias[m])<0 ){
        zRowid = azAlias[m];
      }
    }
  }

  zCols = diffFinish(pCols, &rc);
  zWhy = diffFinish(pWhy, &rc);
  if( rc==SQLITE_OK ){
    int iName = dt->iNameTok;
    const char *zRest = &d->zSql[dt->aTok[iName].iOff + dt->aTok[iName].n];
    sqlite3_str_appendf(pSql, "CREATE TABLE \"%w\"%s;\n", zNew, zRest);
    if( nCommon>0 || zRowid ){
      sqlite3_str_appendf(pSql, "INSERT INTO \"%w\"(%s%s%s) SELECT %s%s%s"
          " FROM \"%w\";\n", zNew, zRowid ? zRowid : "",
          zRowid && nCommon ? ", " : "", zCols,
          zRowid ? zRowid : "", zRowid && nCommon ? ", " : "", zCols,
          f->zName);
    }
    if( ft->bAutoinc && dt->bAutoinc ){
      sqlite3_str_appendf(pSql,
          "DELETE FROM sqlite_sequence WHERE name = %Q;\n"
          "INSERT INTO sqlite_sequence(name, seq)"
          " SELECT %Q, seq FROM sqlite_sequence WHERE name = %Q;\n",
          zNew, zNew, f->zName);
    }
    sqlite3_str_appendf(pSql, "DROP TABLE \"%w\";\n", f->zName);
    /* Legacy mode: the rename checks no view or trigger (one naming a
    ** table that no longer exists would fail it) and rewrites no
    ** reference; migrate() restores the setting after every script. */
    sqlite3_str_appendf(pSql, "PRAGMA legacy_alter_table = ON;\n"
        "ALTER TABLE \"%w\" RENAME TO \"%w\";\n"
        "PRAGMA legacy_alter_table = OFF;\n", zNew, d->zName);
    rc = diffAdd(p, "table", d->zName, "rebuild", bRisk,
                 sqlite3_mprintf("rebuilds the table: %s", zWhy+2),
                 diffFinish(pSql, &rc));
    pSql = 0;
  }
  if( pSql ) sqlite3_free(sqlite3_str_finish(pSql));
  sqlite3_free(zCols);
  sqlite3_free(zWhy);
  sqlite3_free(zNew);
  return rc;
}

/* ============================================================ ordering */

/*
** Orders nodes 0..n-1 so that each comes after the nodes it depends on
** (edges aFrom[i] depends on aTo[i]); among independent nodes, and to
** break cycles, lower numbers first. aOrder receives the permutation.
*/
static int diffTopo(int n, const int *aFrom, const int *aTo, int nEdge,
                    int *aOrder){
  int *aStart = sqlite3_malloc64(sizeof(int)*(n+1)*3 + sizeof(int)*(nEdge+1));
  int *aState, *aStack, *aAdj;
  int i, nOut = 0;
  if( aStart==0 ) return SQLITE_NOMEM;
  aState = &aStart[n+1];
  aStack = &aState[n+1];
  aAdj = &aStack[n+1];
  memset(aStart, 0, sizeof(int)*(n+1)*2);
  for(i=0; i<nEdge; i++) aStart[aFrom[i]+1]++;
  for(i=0; i<n; i++) aStart[i+1] += aStart[i];
  /* Fill adjacency in edge order, then sort each node's list. */
  {
    int *aFill = aStack;          /* borrowed as a cursor array */
    for(i=0; i<n; i++) aFill[i] = aStart[i];
    for(i=0; i<nEdge; i++) aAdj[aFill[aFrom[i]]++] = aTo[i];
    for(i=0; i<n; i++){
      int a, b;
      for(a=aStart[i]+1; a<aStart[i+1]; a++){
        int v = aAdj[a];
        for(b=a; b>aStart[i] && aAdj[b-1]>v; b--) aAdj[b] = aAdj[b-1];
        aAdj[b] = v;
      }
    }
  }
  /* Iterative depth-first search; aState: 0 new, 1 on stack (with the
  ** next edge to follow kept in aStart walk), 2 done. */
  for(i=0; i<n; i++){
    int nStack = 0;
    if( aState[i] ) continue;
    aStack[nStack++] = i;
    aState[i] = 1;
    while( nStack>0 ){
      int v = aStack[nStack-1];
      int bPushed = 0;
      while( aStart[v] < aStart[v+1] ){
        int w = aAdj[aStart[v]];
        if( w<0 ){ aStart[v]++; continue; }
        aStart[v]++;
        if( aState[w]==0 ){
          aState[w] = 1;
          aStack[nStack++] = w;
          bPushed = 1;
          break;
        }
      }
      if( !bPushed ){
        aState[v] = 2;
        aOrder[nOut++] = v;
        nStack--;
      }
    }
  }
  sqlite3_free(aStart);
  return SQLITE_OK;
}

/* A growable list of edges. */
typedef struct DiffEdges DiffEdges;
struct DiffEdges {
  int *aFrom;
  int *aTo;
  int n;
  int nAlloc;
};

/* Appends edge iFrom -> iTo (self edges are dropped). SQLITE_OK or
** SQLITE_NOMEM. */
static int diffEdgeAdd(DiffEdges *e, int iFrom, int iTo){
  if( iFrom==iTo ) return SQLITE_OK;
  if( e->n==e->nAlloc ){
    int nNew = e->nAlloc ? e->nAlloc*2 : 32;
    int *a = sqlite3_realloc64(e->aFrom, sizeof(int)*nNew);
    int *b = a ? sqlite3_realloc64(e->aTo, sizeof(int)*nNew) : 0;
    if( a ) e->aFrom = a;
    if( b==0 ) return SQLITE_NOMEM;
    e->aTo = b;
    e->nAlloc = nNew;
  }
  e->aFrom[e->n] = iFrom;
  e->aTo[e->n] = iTo;
  e->n++;
  return SQLITE_OK;
}

/* Frees the edge arrays; leaves e empty. */
static void diffEdgeFree(DiffEdges *e){
  sqlite3_free(e->aFrom);
  sqlite3_free(e->aTo);
  memset(e, 0, sizeof(*e));
}

/*
** For each name token of zSql found in map pH, appends an edge from iSelf
** to the name's value to *pe (for a view: what it reads; with pH a set of
** changed names: whether zSql names any). Over-approximates on purpose: a
** column or alias spelled like a table counts too.
*/
static int diffMentions(const char *zSql, DiffHash *pH, int iSelf,
                        DiffEdges *pe){
  DiffTok *a = 0;
  int n = 0, i, rc;
  rc = diffTokenize(zSql, &a, &n);
  for(i=0; rc==SQLITE_OK && i<n; i++){
    if( a[i].eType==DT_WORD || a[i].eType==DT_ID ){
      int v;
      if( a[i].eType==DT_WORD ){
        v = diffHashFind(pH, &zSql[a[i].iOff], a[i].n);
      }else{
        char *zName = diffTokName(zSql, &a[i], &rc);
        v = zName ? diffHashFind(pH, zName, -1) : -1;
        sqlite3_free(zName);
      }
      if( v>=0 ) rc = diffEdgeAdd(pe, iSelf, v);
    }
  }
  sqlite3_free(a);
  return rc;
}

/*
** Orders the tables listed in aIdx[0..n) (indexes into pS->a) so that
** parents come before children, by pragma_foreign_key_list; *aOut gets
** the reordered indexes.
*/
static int diffFkOrder(DiffCtx *p, DiffSchema *pS, const int *aIdx, int n,
                       int *aOut){
  DiffHash h;
  DiffEdges e;
  int *aOrder = 0;
  int rc, i;
  memset(&e, 0, sizeof(e));
  memset(&h, 0, sizeof(h));
  if( n==0 ) return SQLITE_OK;
  rc = diffHashInit(&h, n);
  for(i=0; rc==SQLITE_OK && i<n; i++) diffHashSet(&h, pS->a[aIdx[i]].zName, i);
  if( rc==SQLITE_OK && pS->pFk==0 ){
    rc = sqlite3_prepare_v2(p->db,
        "SELECT \"table\" FROM pragma_foreign_key_list(?1, ?2)", -1,
        &pS->pFk, 0);
    if( rc!=SQLITE_OK ) rc = diffDbError(p, rc, pS->zSchema);
  }
  for(i=0; rc==SQLITE_OK && i<n; i++){
    sqlite3_bind_text(pS->pFk, 1, pS->a[aIdx[i]].zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(pS->pFk, 2, pS->zSchema, -1, SQLITE_STATIC);
    while( rc==SQLITE_OK && sqlite3_step(pS->pFk)==SQLITE_ROW ){
      const char *zParent = (const char*)sqlite3_column_text(pS->pFk, 0);
      int v = zParent ? diffHashFind(&h, zParent, -1) : -1;
      if( v>=0 ) rc = diffEdgeAdd(&e, i, v);
    }
    if( rc==SQLITE_OK ){
      rc = sqlite3_reset(pS->pFk);
      if( rc!=SQLITE_OK ) rc = diffDbError(p, rc, pS->zSchema);
    }else{
      sqlite3_reset(pS->pFk);
    }
  }
  if( rc==SQLITE_OK ){
    aOrder = sqlite3_malloc64(sizeof(int)*n);
    if( aOrder==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) rc = diffTopo(n, e.aFrom, e.aTo, e.n, aOrder);
  if( rc==SQLITE_OK ){
    for(i=0; i<n; i++) aOut[i] = aIdx[aOrder[i]];
  }
  sqlite3_free(aOrder);
  diffEdgeFree(&e);
  diffHashFree(&h);
  return rc;
}

/*
** Orders the views of pS (all of them) so that each comes after the views
** it names. *paOut (sqlite3_malloc) receives *pnOut indexes into pS->a.
*/
static int diffViewOrder(DiffSchema *pS, int **paOut, int *pnOut){
  DiffHash h;
  DiffEdges e;
  int *aIdx = 0, *aOrder = 0;
  int n = 0, i, rc;
  memset(&e, 0, sizeof(e));
  memset(&h, 0, sizeof(h));
  *paOut = 0;
  *pnOut = 0;
  aIdx = sqlite3_malloc64(sizeof(int)*(pS->n+1)*2);
  if( aIdx==0 ) return SQLITE_NOMEM;
  aOrder = &aIdx[pS->n+1];
  for(i=0; i<pS->n; i++){
    if( pS->a[i].eType==DO_VIEW ) aIdx[n++] = i;
  }
  rc = diffHashInit(&h, n);
  for(i=0; rc==SQLITE_OK && i<n; i++) diffHashSet(&h, pS->a[aIdx[i]].zName, i);
  for(i=0; rc==SQLITE_OK && i<n; i++){
    rc = diffMentions(pS->a[aIdx[i]].zSql, &h, i, &e);
  }
  if( rc==SQLITE_OK ) rc = diffTopo(n, e.aFrom, e.aTo, e.n, aOrder);
  if( rc==SQLITE_OK ){
    for(i=0; i<n; i++) aOrder[i] = aIdx[aOrder[i]];
    memmove(aIdx, aOrder, sizeof(int)*n);
    *paOut = aIdx;
    *pnOut = n;
  }else{
    sqlite3_free(aIdx);
  }
  diffEdgeFree(&e);
  diffHashFree(&h);
  return rc;
}

/* ============================================================ the diff */

/* Peer of object o of one schema in the other (same type), or -1. */
static int diffFindPeer(DiffSchema *pOther, const DiffObj *o){
  int i = diffHashFind(o->eType==DO_TRIGGER ? &pOther->hTrig : &pOther->hName,
                       o->zName, -1);
  if( i>=0 && pOther->a[i].eType!=o->eType ) i = -1;
  return i;
}

/* True if two tables are the same, exactly: canonical text and the exact
** spelling of every column name. Parses both when the texts differ. */
static int diffTableSame(DiffCtx *p, DiffObj *f, DiffObj *d, int *pRc){
  int i;
  if( strcmp(f->zCanon, d->zCanon)!=0 ) return 0;
  if( strcmp(f->zSql, d->zSql)==0 ) return 1;
  if( f->bVirtual ) return 1;
  *pRc = diffParseTable(p, &p->aS[0], f);
  if( *pRc==SQLITE_OK ) *pRc = diffParseTable(p, &p->aS[1], d);
  if( *pRc ) return 0;
  if( f->pTab->nCol!=d->pTab->nCol ) return 0;
  for(i=0; i<f->pTab->nCol; i++){
    if( strcmp(f->pTab->aCol[i].zName, d->pTab->aCol[i].zName)!=0 ) return 0;
  }
  return 1;
}

/* "DROP <TYPE> "name";\n" */
static char *diffDropSql(const DiffObj *o){
  static const char *const azType[] = { "TABLE", "INDEX", "VIEW", "TRIGGER" };
  return sqlite3_mprintf("DROP %s \"%w\";\n", azType[o->eType], o->zName);
}

/*
** Computes the whole list of changes from p->aS[0] to p->aS[1] into
** p->aCh, in script order.
*/
static int diffCompute(DiffCtx *p){
  DiffSchema *pF = &p->aS[0], *pD = &p->aS[1];
  DiffHash hTouched;             /* names of changed tables and views */
  DiffEdges eDummy;
  int *aF = 0, *aD = 0, *aTmp = 0, *aView = 0;
  int nF = 0, nD = 0, nView = 0, i, k, rc = SQLITE_OK;
  const char *azWhy[2];

  memset(&hTouched, 0, sizeof(hTouched));
  memset(&eDummy, 0, sizeof(eDummy));
  for(i=0; i<pF->n; i++) pF->a[i].iPeer = diffFindPeer(pD, &pF->a[i]);
  for(i=0; i<pD->n; i++) pD->a[i].iPeer = diffFindPeer(pF, &pD->a[i]);
  aF = sqlite3_malloc64(sizeof(int)*(pF->n + pD->n + 1)*2);
  if( aF==0 ) return SQLITE_NOMEM;
  aD = &aF[pF->n];
  aTmp = &aD[pD->n];
  rc = diffHashInit(&hTouched, pF->n + pD->n);

  /* Tables: decide the fate of each. */
  for(i=0; rc==SQLITE_OK && i<pD->n; i++){
    DiffObj *d = &pD->a[i], *f;
    if( d->eType!=DO_TABLE ) continue;
    if( d->iPeer<0 ){ d->eState = DS_CREATE; continue; }
    f = &pF->a[d->iPeer];
    if( diffTableSame(p, f, d, &rc) || rc ) continue;
    if( f->bVirtual || d->bVirtual ){
      d->eState = DS_REBUILD;
    }else{
      rc = diffParseTable(p, pF, f);
      if( rc==SQLITE_OK ) rc = diffParseTable(p, pD, d);
      if( rc ) break;
      d->eState = diffTryAlter(p, f, d, 0, &rc) ? DS_ALTER : DS_REBUILD;
    }
    diffHashSet(&hTouched, f->zName, 1);
  }
  for(i=0; rc==SQLITE_OK && i<pF->n; i++){
    DiffObj *f = &pF->a[i];
    if( f->eType==DO_TABLE && f->iPeer<0 ){
      f->eState = DS_DROP;
      diffHashSet(&hTouched, f->zName, 1);
    }
  }

  /* Views of from, dependencies first: dropped when gone, changed, or
  ** naming anything touched (which they then join). */
  if( rc==SQLITE_OK ) rc = diffViewOrder(pF, &aView, &nView);
  for(k=0; rc==SQLITE_OK && k<nView; k++){
    DiffObj *f = &pF->a[aView[k]];
    int bDrop = f->iPeer<0 || strcmp(f->zCanon, pD->a[f->iPeer].zCanon)!=0;
    if( !bDrop ){
      eDummy.n = 0;
      rc = diffMentions(f->zSql, &hTouched, 0, &eDummy);
      bDrop = eDummy.n>0;
    }
    if( bDrop ){
      f->eState = DS_DROP;
      diffHashSet(&hTouched, f->zName, 1);
    }
  }
  /* Triggers and indexes of from. */
  for(i=0; rc==SQLITE_OK && i<pF->n; i++){
    DiffObj *f = &pF->a[i];
    int bDrop;
    if( f->eType!=DO_TRIGGER && f->eType!=DO_INDEX ) continue;
    bDrop = f->iPeer<0 || strcmp(f->zCanon, pD->a[f->iPeer].zCanon)!=0;
    if( f->eType==DO_INDEX ){
      int iT = diffHashFind(&pD->hName, f->zTbl, -1);
      if( iT<0 || pD->a[iT].eType!=DO_TABLE
       || pD->a[iT].eState==DS_REBUILD || pD->a[iT].eState==DS_CREATE ){
        bDrop = 2;            /* goes with its table */
      }
    }else if( !bDrop ){
      eDummy.n = 0;
      bDrop = diffHashFind(&hTouched, f->zTbl, -1)>=0;
      if( !bDrop ) rc = diffMentions(f->zSql, &hTouched, 0, &eDummy);
      if( eDummy.n>0 ) bDrop = 1;
    }
    if( bDrop ) f->eState = bDrop==2 ? -2 : DS_DROP;
  }
  /* What to create in to: whatever has no peer kept in from. */
  for(i=0; rc==SQLITE_OK && i<pD->n; i++){
    DiffObj *d = &pD->a[i];
    if( d->eType==DO_TABLE ) continue;
    if( d->iPeer<0 || pF->a[d->iPeer].eState!=DS_KEEP ) d->eState = DS_CREATE;
  }
  if( rc ) goto diff_done;

  /* 1. Drop triggers, by name. */
  for(i=0; rc==SQLITE_OK && i<pF->n; i++){
    DiffObj *f = &pF->a[i];
    if( f->eType!=DO_TRIGGER || f->eState!=DS_DROP ) continue;
    azWhy[0] = f->iPeer<0 ? "the trigger is removed"
             : strcmp(f->zCanon, pD->a[f->iPeer].zCanon)
             ? "the trigger changes; created again below"
             : "names a table or view that changes; created again below";
    rc = diffAdd(p, "trigger", f->zName, "drop", 0,
                 sqlite3_mprintf("%s", azWhy[0]), diffDropSql(f));
  }
  /* 2. Drop views, dependents first. */
  for(k=nView-1; rc==SQLITE_OK && k>=0; k--){
    DiffObj *f = &pF->a[aView[k]];
    if( f->eState!=DS_DROP ) continue;
    azWhy[0] = f->iPeer<0 ? "the view is removed"
             : strcmp(f->zCanon, pD->a[f->iPeer].zCanon)
             ? "the view changes; created again below"
             : "names a table or view that changes; created again below";
    rc = diffAdd(p, "view", f->zName, "drop", 0,
                 sqlite3_mprintf("%s", azWhy[0]), diffDropSql(f));
  }
  /* 3. Drop indexes of tables that stay. */
  for(i=0; rc==SQLITE_OK && i<pF->n; i++){
    DiffObj *f = &pF->a[i];
    if( f->eType!=DO_INDEX || f->eState!=DS_DROP ) continue;
    rc = diffAdd(p, "index", f->zName, "drop", 0,
        sqlite3_mprintf("%s", f->iPeer<0 ? "the index is removed"
                        : "the index changes; created again below"),
        diffDropSql(f));
  }
  /* 4. Drop tables, children first. */
  for(i=0; i<pF->n; i++){
    DiffObj *f = &pF->a[i];
    if( f->eType==DO_TABLE && (f->eState==DS_DROP
        || (f->iPeer>=0 && pD->a[f->iPeer].eState==DS_REBUILD
            && (f->bVirtual || pD->a[f->iPeer].bVirtual))) ){
      aTmp[nF++] = i;
    }
  }
  if( rc==SQLITE_OK ) rc = diffFkOrder(p, pF, aTmp, nF, aF);
  for(k=nF-1; rc==SQLITE_OK && k>=0; k--){
    DiffObj *f = &pF->a[aF[k]];
    rc = diffAdd(p, "table", f->zName, "drop", 1,
        sqlite3_mprintf("%s", f->eState==DS_DROP
            ? "drops the table and all its rows"
            : "the virtual table changes: dropped and created again, its"
              " rows are lost"),
        diffDropSql(f));
  }
  /* 5. Tables of to, parents first. */
  for(i=0; i<pD->n; i++){
    DiffObj *d = &pD->a[i];
    if( d->eType==DO_TABLE && d->eState!=DS_KEEP ) aTmp[nD++] = i;
  }
  if( rc==SQLITE_OK ) rc = diffFkOrder(p, pD, aTmp, nD, aD);
  for(k=0; rc==SQLITE_OK && k<nD; k++){
    DiffObj *d = &pD->a[aD[k]];
    DiffObj *f = d->iPeer>=0 ? &pF->a[d->iPeer] : 0;
    if( d->eState==DS_CREATE || (f && (f->bVirtual || d->bVirtual)) ){
      rc = diffAdd(p, "table", d->zName, "create", 0,
          sqlite3_mprintf("%s", d->eState==DS_CREATE ? "a new table"
                          : "the virtual table is created again"),
          sqlite3_mprintf("%s;\n", d->zSql));
    }else if( d->eState==DS_ALTER ){
      diffTryAlter(p, f, d, 1, &rc);
    }else{
      rc = diffRebuild(p, f, d);
    }
  }
  /* 6. Create indexes, by name. */
  for(i=0; rc==SQLITE_OK && i<pD->n; i++){
    DiffObj *d = &pD->a[i];
    const char *zWhy;
    if( d->eType!=DO_INDEX || d->eState!=DS_CREATE ) continue;
    zWhy = d->iPeer<0 ? "a new index" : "the index is created again";
    k = diffHashFind(&pF->hName, d->zTbl, -1);
    if( d->iPeer>=0 && pF->a[d->iPeer].eState==-2 ){
      zWhy = "the index is created again with its table";
    }
    if( d->zSql && sqlite3_strnicmp(d->zSql, "create unique", 13)==0
     && (k>=0 && pF->a[k].eType==DO_TABLE)
     && (d->iPeer<0 || strcmp(d->zCanon, pF->a[d->iPeer].zCanon)!=0) ){
      rc = diffAdd(p, "index", d->zName, "create", 1,
          sqlite3_mprintf("a new unique index: duplicate values in existing"
                          " rows make it fail"),
          sqlite3_mprintf("%s;\n", d->zSql));
    }else{
      rc = diffAdd(p, "index", d->zName, "create", 0,
                   sqlite3_mprintf("%s", zWhy),
                   sqlite3_mprintf("%s;\n", d->zSql));
    }
  }
  /* 7. Create views, dependencies first. */
  sqlite3_free(aView);
  aView = 0;
  if( rc==SQLITE_OK ) rc = diffViewOrder(pD, &aView, &nView);
  for(k=0; rc==SQLITE_OK && k<nView; k++){
    DiffObj *d = &pD->a[aView[k]];
    if( d->eState!=DS_CREATE ) continue;
    rc = diffAdd(p, "view", d->zName, "create", 0,
        sqlite3_mprintf("%s", d->iPeer<0 ? "a new view"
                        : "the view is created again"),
        sqlite3_mprintf("%s;\n", d->zSql));
  }
  /* 8. Create triggers, by name. */
  for(i=0; rc==SQLITE_OK && i<pD->n; i++){
    DiffObj *d = &pD->a[i];
    if( d->eType!=DO_TRIGGER || d->eState!=DS_CREATE ) continue;
    rc = diffAdd(p, "trigger", d->zName, "create", 0,
        sqlite3_mprintf("%s", d->iPeer<0 ? "a new trigger"
                        : "the trigger is created again"),
        sqlite3_mprintf("%s;\n", d->zSql));
  }

diff_done:
  sqlite3_free(aView);
  sqlite3_free(aF);
  diffEdgeFree(&eDummy);
  diffHashFree(&hTouched);
  return rc;
}

/* ============================================================ arguments */

/* See sqlmig_int.h. The schema list comes from pragma_database_list. */
int sqlmigSchemaArg(sqlite3 *db, const char *zFunc, sqlite3_value *pVal,
                    int iArg, const char **pzName, char **pzErr){
  static const char *const azType[] = {
    "", "an integer", "a real", "text", "a blob", "null"
  };
  sqlite3_stmt *pStmt = 0;
  const char *zName;
  int rc, bFound = 0;
  *pzName = 0;
  if( sqlite3_value_type(pVal)!=SQLITE_TEXT ){
    *pzErr = sqlite3_mprintf("%s: argument %d must be a schema name, not %s",
                             zFunc, iArg, azType[sqlite3_value_type(pVal)]);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  zName = (const char*)sqlite3_value_text(pVal);
  if( zName==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, "SELECT name FROM pragma_database_list",
                          -1, &pStmt, 0);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( z && sqlite3_stricmp(z, zName)==0 ) bFound = 1;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc==SQLITE_NOMEM ) return rc;
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("%s: cannot list schemas: %s", zFunc,
                             sqlite3_errmsg(db));
  }else if( !bFound ){
    *pzErr = sqlite3_mprintf("%s: no such schema: \"%w\"", zFunc, zName);
  }else{
    *pzName = zName;
    return SQLITE_OK;
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** Runs the whole diff for the two schema arguments into p. On error
** returns the code with p->zErr set (unless SQLITE_NOMEM).
*/
static int diffRun(DiffCtx *p, sqlite3 *db, const char *zFunc,
                   sqlite3_value *pFrom, sqlite3_value *pTo){
  const char *zFrom = 0, *zTo = 0;
  int rc;
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->zFunc = zFunc;
  p->eSound = -1;
  rc = sqlmigSchemaArg(db, zFunc, pFrom, 1, &zFrom, &p->zErr);
  if( rc==SQLITE_OK ) rc = sqlmigSchemaArg(db, zFunc, pTo, 2, &zTo, &p->zErr);
  if( rc==SQLITE_OK ) rc = diffReadSchema(p, &p->aS[0], zFrom);
  if( rc==SQLITE_OK ) rc = diffReadSchema(p, &p->aS[1], zTo);
  if( rc==SQLITE_OK ) rc = diffCompute(p);
  return rc;
}

/* migrate_diff(from, to): the script, '' when equal. */
static void diffFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  DiffCtx d;
  int rc;
  (void)argc;
  rc = diffRun(&d, sqlite3_context_db_handle(ctx), "migrate_diff",
               argv[0], argv[1]);
  if( rc==SQLITE_OK ){
    sqlite3_str *p = sqlite3_str_new(0);
    char *z;
    int i;
    for(i=0; i<d.nCh; i++) sqlite3_str_appendall(p, d.aCh[i].zSql);
    z = diffFinish(p, &rc);
    if( z ) sqlite3_result_text(ctx, z, -1, sqlite3_free);
  }
  if( rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else if( rc!=SQLITE_OK ){
    sqlite3_result_error(ctx, d.zErr ? d.zErr : sqlite3_errstr(rc), -1);
    if( rc!=SQLITE_ERROR ) sqlite3_result_error_code(ctx, rc);
  }
  diffCtxFree(&d);
}

/* See sqlmig_int.h: the diff's own schema reader and foreign-key order. */
int sqlmigTableList(sqlite3 *db, const char *zFunc, const char *zSchema,
                    char ***pazName, int *pnName, char **pzErr){
  DiffCtx d;
  int *aIdx = 0;
  char **az = 0;
  int rc, i, n = 0;
  memset(&d, 0, sizeof(d));
  d.db = db;
  d.zFunc = zFunc;
  *pazName = 0;
  *pnName = 0;
  rc = diffReadSchema(&d, &d.aS[0], zSchema);
  if( rc==SQLITE_OK ){
    aIdx = sqlite3_malloc64(sizeof(int)*(d.aS[0].n+1)*2);
    az = sqlite3_malloc64(sizeof(char*)*(d.aS[0].n+1));
    if( aIdx==0 || az==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    for(i=0; i<d.aS[0].n; i++){
      const DiffObj *o = &d.aS[0].a[i];
      if( o->eType==DO_TABLE && !o->bVirtual ) aIdx[n++] = i;
    }
    rc = diffFkOrder(&d, &d.aS[0], aIdx, n, &aIdx[d.aS[0].n+1]);
  }
  if( rc==SQLITE_OK ){
    for(i=0; i<n; i++){
      DiffObj *o = &d.aS[0].a[aIdx[d.aS[0].n+1+i]];
      az[i] = o->zName;        /* ownership moves to the list */
      o->zName = 0;
    }
    az[n] = 0;
    *pazName = az;
    *pnName = n;
    az = 0;
  }
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    *pzErr = d.zErr;
    d.zErr = 0;
  }
  sqlite3_free(az);
  sqlite3_free(aIdx);
  diffCtxFree(&d);
  return rc;
}

/* Frees n names and the array; NULL is fine. */
void sqlmigFreeNames(char **az, int n){
  int i;
  if( az==0 ) return;
  for(i=0; i<n; i++) sqlite3_free(az[i]);
  sqlite3_free(az);
}

/* ============================================================ migrate_changes */

/*
** migrate_changes(from, to): a table-valued function (tvf.c) whose rows
** are the diff's steps. Its state is the DiffCtx.
*/
static int changesFilter(sqlite3 *db, void *pState, int argc,
                         sqlite3_value **argv, int *pnRow, char **pzErr){
  DiffCtx *pD = (DiffCtx*)pState;
  int rc;
  (void)argc;
  rc = diffRun(pD, db, "migrate_changes", argv[0], argv[1]);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    *pzErr = pD->zErr;
    pD->zErr = 0;
  }
  *pnRow = pD->nCh;
  return rc;
}

/* seq is 1-based */
static void changesColumn(void *pState, int iRow, int iCol,
                          sqlite3_context *ctx){
  const DiffChange *c = &((DiffCtx*)pState)->aCh[iRow];
  switch( iCol ){
    case 0: sqlite3_result_int(ctx, iRow+1); break;
    case 1: sqlite3_result_text(ctx, c->zKind, -1, SQLITE_STATIC); break;
    case 2: sqlite3_result_text(ctx, c->zObject, -1, SQLITE_TRANSIENT); break;
    case 3: sqlite3_result_text(ctx, c->zChange, -1, SQLITE_STATIC); break;
    case 4: sqlite3_result_int(ctx, c->bDestructive); break;
    case 5: sqlite3_result_text(ctx, c->zDetail, -1, SQLITE_TRANSIENT); break;
    default: sqlite3_result_text(ctx, c->zSql, -1, SQLITE_TRANSIENT); break;
  }
}

static void changesFree(void *pState){
  diffCtxFree((DiffCtx*)pState);
}

static const SqlmigTvf changesTvf = {
  "migrate_changes",
  "CREATE TABLE x(seq INTEGER, kind TEXT, object TEXT, change TEXT,"
  " destructive INTEGER, detail TEXT, sql TEXT,"
  " from_schema HIDDEN, to_schema HIDDEN)",
  7, 2, 2, "needs two arguments, from and to",
  sizeof(DiffCtx), changesFilter, changesColumn, changesFree
};

/* See sqlmig_int.h. migrate_diff holds a reference to pConn. */
int sqlmigDiffRegister(sqlite3 *db, SqlmigConn *pConn){
  int rc = sqlite3_create_function_v2(db, "migrate_diff", 2,
      SQLITE_UTF8|SQLITE_DIRECTONLY, sqlmigConnRef(pConn), diffFunc, 0, 0,
      sqlmigConnUnref);
  if( rc==SQLITE_OK ) rc = sqlmigTvfRegister(db, &changesTvf);
  return rc;
}
