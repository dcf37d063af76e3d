/*
** sqlmig: reading a schema for the diff (see diff.c for how the diff works).
**
** Every CREATE text of a schema's sqlite_master is cut into tokens (by the
** tokenizer of token.c, mapped to the diff's DT_ kinds), given a canonical
** text (comments and white space dropped, names unquoted and case-folded,
** literals as written) and, for tables, parsed into column definitions and
** table constraints joined with pragma_table_xinfo. Objects are kept
** sorted by name, with a map from name to object.
*/
#include "sqlmig_int.h"

/* Left out of the build for apps that only migrate (-DSQLMIG_OMIT_DIFF). */
#ifndef SQLMIG_OMIT_DIFF
#include <stdlib.h>

/* ============================================================ tokens */


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
int sqlmigDiffTokenize(const char *zSql, DiffTok **paTok, int *pnTok){
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
int sqlmigDiffIsWord(const char *z, const DiffTok *t, const char *zWord){
  int n = (int)strlen(zWord);
  return t->eType==DT_WORD && t->n==n && sqlite3_strnicmp(&z[t->iOff], zWord, n)==0;
}

/* True if token t of z is the punctuation character c. */
int sqlmigDiffIsPunct(const char *z, const DiffTok *t, char c){
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
char *sqlmigDiffFinish(sqlite3_str *p, int *pRc){
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
char *sqlmigDiffTokName(const char *z, const DiffTok *t, int *pRc){
  sqlite3_str *p = sqlite3_str_new(0);
  diffAppendName(p, z, t, 0);
  return sqlmigDiffFinish(p, pRc);
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
      zName = sqlmigDiffFinish(pName, pRc);
      sqlite3_str_appendf(p, "\"%w\"", zName ? zName : "");
      sqlite3_free(zName);
    }else{
      sqlite3_str_append(p, &z[a[i].iOff], a[i].n);
    }
  }
  return sqlmigDiffFinish(p, pRc);
}

/* ============================================================ name hash */


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
int sqlmigDiffHashInit(DiffHash *pH, int nMax){
  unsigned n = 16;
  while( n < (unsigned)nMax*2+2 ) n *= 2;
  pH->a = sqlite3_malloc64(sizeof(DiffHashEnt)*n);
  if( pH->a==0 ) return SQLITE_NOMEM;
  memset(pH->a, 0, sizeof(DiffHashEnt)*n);
  pH->nSlot = n;
  return SQLITE_OK;
}

/* Frees the map's slots (not the keys, which are borrowed). */
void sqlmigDiffHashFree(DiffHash *pH){
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
int sqlmigDiffHashFind(DiffHash *pH, const char *z, int n){
  DiffHashEnt *e;
  if( pH->nSlot==0 ) return -1;
  e = diffHashSlot(pH, z, n);
  return e->zKey ? e->iVal : -1;
}

/* Sets key z (kept by pointer, must outlive the map) to iVal. */
void sqlmigDiffHashSet(DiffHash *pH, const char *z, int iVal){
  DiffHashEnt *e = diffHashSlot(pH, z, -1);
  e->zKey = z;
  e->nKey = (int)strlen(z);
  e->iVal = iVal;
}

/* ============================================================ schema */


/* Frees a parsed table and everything it owns; NULL is fine. */
static void diffTableFree(DiffTable *p){
  int i;
  if( p==0 ) return;
  for(i=0; i<p->nCol; i++){
    sqlite3_free(p->aCol[i].zName);
    sqlite3_free(p->aCol[i].zType);
    sqlite3_free(p->aCol[i].zCanon);
    sqlite3_free(p->aCol[i].zDflt);
    sqlite3_free(p->aCol[i].zFk);
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
  sqlmigDiffHashFree(&pS->hName);
  sqlmigDiffHashFree(&pS->hTrig);
  sqlite3_finalize(pS->pXinfo);
  sqlite3_finalize(pS->pFk);
  memset(pS, 0, sizeof(*pS));
}

/* Frees everything a diff run holds; leaves p zeroed (safe to repeat). */
void sqlmigDiffCtxFree(DiffCtx *p){
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
  for(i=0; i<p->nRen; i++){       /* the hints (diffinput.c) */
    DiffRename *r = &p->aRen[i];
    sqlite3_free(r->zTbl[0]); sqlite3_free(r->zTbl[1]);
    sqlite3_free(r->zCol[0]); sqlite3_free(r->zCol[1]);
    sqlite3_free(r->zText);
  }
  sqlite3_free(p->aRen);
  sqlite3_close(p->aPriv[0]);     /* the private databases of script inputs */
  sqlite3_close(p->aPriv[1]);
  memset(p, 0, sizeof(*p));
}

/* Replaces the context's error with zErr (sqlite3_malloc, may be NULL
** after OOM); returns SQLITE_ERROR, or SQLITE_NOMEM when zErr is NULL. */
int sqlmigDiffSetError(DiffCtx *p, char *zErr){
  sqlite3_free(p->zErr);
  p->zErr = zErr;
  return zErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* Sets the context's error from the connection's, for schema pS. */
int sqlmigDiffDbError(DiffCtx *p, int rc, const DiffSchema *pS){
  if( rc==SQLITE_NOMEM ) return rc;
  rc = sqlmigErrcode(pS->db, rc);
  sqlite3_free(p->zErr);
  p->zErr = sqlite3_mprintf("%s: cannot read schema \"%w\": %s",
                            p->zFunc, pS->zSchema, sqlite3_errmsg(pS->db));
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
int sqlmigDiffReadSchema(DiffCtx *p, DiffSchema *pS, sqlite3 *db,
                         const char *zSchema){
  sqlite3_stmt *pStmt = 0;
  char *zSql;
  int rc = SQLITE_OK, nAlloc = 0, i, j;

  memset(pS, 0, sizeof(*pS));
  pS->db = db;
  pS->zSchema = zSchema;
  zSql = sqlite3_mprintf(
      "SELECT type, name, tbl_name, sql FROM \"%w\".sqlite_master"
      " WHERE type IN ('table','index','view','trigger') AND sql IS NOT NULL"
      " AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'"
      " AND name NOT LIKE 'sqlmig\\_%%' ESCAPE '\\'"
      " AND tbl_name NOT LIKE 'sqlmig\\_%%' ESCAPE '\\'"
      " AND tbl_name NOT LIKE 'sqlmig'", zSchema);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ) return sqlmigDiffDbError(p, rc, pS);
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
    if( rc!=SQLITE_OK ) return sqlmigDiffDbError(p, rc, pS);
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

  rc = sqlmigDiffHashInit(&pS->hName, pS->n);
  if( rc==SQLITE_OK ) rc = sqlmigDiffHashInit(&pS->hTrig, pS->n);
  for(i=0; rc==SQLITE_OK && i<pS->n; i++){
    DiffObj *o = &pS->a[i];
    DiffTok *aTok = 0;
    int nTok = 0;
    rc = sqlmigDiffTokenize(o->zSql, &aTok, &nTok);
    if( rc==SQLITE_OK ) o->zCanon = diffCanon(o->zSql, aTok, 0, nTok, &rc);
    sqlite3_free(aTok);
    sqlmigDiffHashSet(o->eType==DO_TRIGGER ? &pS->hTrig : &pS->hName, o->zName, i);
  }
  return rc;
}

/* Scans a column definition (tokens [i0,i1) of z, after the name). */
static unsigned diffColFlags(const char *z, const DiffTok *a, int i0, int i1){
  unsigned f = 0;
  int i, depth = 0;
  for(i=i0; i<i1; i++){
    const DiffTok *t = &a[i];
    if( sqlmigDiffIsPunct(z, t, '(') ){ depth++; continue; }
    if( sqlmigDiffIsPunct(z, t, ')') ){ depth--; continue; }
    if( depth>0 || t->eType!=DT_WORD ) continue;
    if( sqlmigDiffIsWord(z, t, "primary") ){
      f |= DC_PK;
      if( i+2<i1 && sqlmigDiffIsWord(z, &a[i+2], "desc") ) f |= DC_PKDESC;
    }
    else if( sqlmigDiffIsWord(z, t, "unique") ) f |= DC_UNIQUE;
    else if( sqlmigDiffIsWord(z, t, "check") ) f |= DC_CHECK;
    else if( sqlmigDiffIsWord(z, t, "references") ) f |= DC_FK;
    else if( sqlmigDiffIsWord(z, t, "generated") || sqlmigDiffIsWord(z, t, "as") ){
      f |= DC_GENERATED;
    }
    else if( sqlmigDiffIsWord(z, t, "stored") ) f |= DC_STORED;
    else if( sqlmigDiffIsWord(z, t, "not") && i+1<i1
          && sqlmigDiffIsWord(z, &a[i+1], "null") ){
      f |= DC_NOTNULL;
    }
    else if( sqlmigDiffIsWord(z, t, "default") && i+1<i1 ){
      const DiffTok *v = &a[i+1];
      if( sqlmigDiffIsWord(z, v, "null") ) continue;
      f |= DC_DEFAULT;
      if( sqlmigDiffIsPunct(z, v, '(') || sqlmigDiffIsWord(z, v, "current_time")
       || sqlmigDiffIsWord(z, v, "current_date")
       || sqlmigDiffIsWord(z, v, "current_timestamp") ){
        f |= DC_DFLT_EXPR;
      }
    }
  }
  return f;
}

/* True if the first word of a table item is a table-constraint keyword. */
static int diffIsConstraintStart(const char *z, const DiffTok *t){
  return sqlmigDiffIsWord(z, t, "constraint") || sqlmigDiffIsWord(z, t, "primary")
      || sqlmigDiffIsWord(z, t, "unique") || sqlmigDiffIsWord(z, t, "check")
      || sqlmigDiffIsWord(z, t, "foreign");
}

/*
** Reads the columns of table o of schema pS into t (from SQLite itself,
** pragma_table_xinfo): name, type, NOT NULL, primary key position, hidden
** and default. SQLITE_OK or an error code, with p->zErr set.
*/
static int diffReadCols(DiffCtx *p, DiffSchema *pS, const DiffObj *o,
                        DiffTable *t){
  int rc = SQLITE_OK, nColAlloc = 0;
  if( pS->pXinfo==0 ){
    rc = sqlite3_prepare_v2(pS->db,
        "SELECT name, type, \"notnull\", pk, hidden, dflt_value"
        " FROM pragma_table_xinfo(?1, ?2)", -1, &pS->pXinfo, 0);
    if( rc!=SQLITE_OK ) return sqlmigDiffDbError(p, rc, pS);
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
    if( sqlite3_column_type(pS->pXinfo, 5)!=SQLITE_NULL ){
      c->zDflt = sqlite3_mprintf("%s", sqlite3_column_text(pS->pXinfo, 5));
      if( c->zDflt==0 ) rc = SQLITE_NOMEM;
    }
    if( c->zName==0 || c->zType==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_reset(pS->pXinfo);
    if( rc!=SQLITE_OK ) rc = sqlmigDiffDbError(p, rc, pS);
  }else{
    sqlite3_reset(pS->pXinfo);
  }
  return rc;
}

/*
** Parses table o of schema pS into o->pTab: columns from
** pragma_table_xinfo joined with their definitions in the CREATE text.
** When the two disagree (or the text has an unexpected shape) bParsed is
** 0 and only the pragma columns and the name token are reliable.
*/
int sqlmigDiffParseTable(DiffCtx *p, DiffSchema *pS, DiffObj *o){
  DiffTable *t;
  const char *z = o->zSql;
  int rc = SQLITE_OK, i, nAlloc = 0, nItemCol = 0, bOk = 1;

  if( o->pTab ) return SQLITE_OK;
  t = sqlite3_malloc64(sizeof(*t));
  if( t==0 ) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  o->pTab = t;
  t->iNameTok = -1;

  /* Columns, from SQLite itself. */
  rc = diffReadCols(p, pS, o, t);
  if( rc!=SQLITE_OK ) return rc;

  /* The CREATE text: CREATE [TEMP] TABLE [IF NOT EXISTS] [s.]name ( ... ) */
  rc = sqlmigDiffTokenize(z, &t->aTok, &t->nTok);
  if( rc!=SQLITE_OK ) return rc;
  t->bComment = diffHasComment(z);
  for(i=0; i<t->nTok && t->aTok[i].eType==DT_WORD; i++){
    const DiffTok *k = &t->aTok[i];
    if( sqlmigDiffIsWord(z, k, "create") || sqlmigDiffIsWord(z, k, "temp")
     || sqlmigDiffIsWord(z, k, "temporary") || sqlmigDiffIsWord(z, k, "table")
     || sqlmigDiffIsWord(z, k, "if") || sqlmigDiffIsWord(z, k, "not")
     || sqlmigDiffIsWord(z, k, "exists") ){
      continue;
    }
    break;
  }
  if( i+2<t->nTok && sqlmigDiffIsPunct(z, &t->aTok[i+1], '.') ) i += 2;
  if( i>=t->nTok ) return SQLITE_OK;
  t->iNameTok = i;
  i++;
  if( o->bVirtual ) return SQLITE_OK;
  if( i>=t->nTok || !sqlmigDiffIsPunct(z, &t->aTok[i], '(') ) return SQLITE_OK;
  i++;
  t->iFirstItem = i;
  while( bOk && i<t->nTok ){
    int s = i, depth = 0;
    for(; i<t->nTok; i++){
      if( sqlmigDiffIsPunct(z, &t->aTok[i], '(') ) depth++;
      else if( sqlmigDiffIsPunct(z, &t->aTok[i], ')') ){
        if( depth==0 ) break;
        depth--;
      }else if( depth==0 && sqlmigDiffIsPunct(z, &t->aTok[i], ',') ) break;
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
        zItemName = sqlmigDiffTokName(z, &k2, &rc);
      }else{
        zItemName = sqlmigDiffTokName(z, k, &rc);
      }
      if( rc ) return rc;
      if( strcmp(zItemName, c->zName)!=0 ) bOk = 0;
      sqlite3_free(zItemName);
      c->iTok0 = s+1;
      c->iTok1 = i;
      c->zCanon = diffCanon(z, t->aTok, s+1, i, &rc);
      if( rc ) return rc;
      c->flags = diffColFlags(z, t->aTok, s+1, i);
      if( c->flags & DC_FK ){
        int m = s+1;
        while( !sqlmigDiffIsWord(z, &t->aTok[m], "references") ) m++;
        c->zFk = diffCanon(z, t->aTok, m, i, &rc);
        if( rc ) return rc;
      }
    }
    if( sqlmigDiffIsPunct(z, &t->aTok[i], ')') ){ i++; break; }
    i++;
  }
  if( !bOk || nItemCol!=t->nCol ) return SQLITE_OK;
  t->zOpts = diffCanon(z, t->aTok, i, t->nTok, &rc);
  if( rc ) return rc;
  for(; i<t->nTok; i++){
    if( sqlmigDiffIsWord(z, &t->aTok[i], "rowid") ) t->bWithoutRowid = 1;
    if( sqlmigDiffIsWord(z, &t->aTok[i], "strict") ) t->bStrict = 1;
  }
  for(i=0; i<t->nTok; i++){
    if( sqlmigDiffIsWord(z, &t->aTok[i], "autoincrement") ) t->bAutoinc = 1;
  }
  t->bParsed = 1;
  return SQLITE_OK;
}

/* ============================================================ schema names */

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
    /* the I/O or lock code as SQLite gave it, behind sqlmig's words */
    rc = sqlmigErrcode(db, rc);
    *pzErr = sqlite3_mprintf("%s: cannot list schemas: %s", zFunc,
                             sqlite3_errmsg(db));
    return *pzErr ? rc : SQLITE_NOMEM;
  }else if( !bFound ){
    *pzErr = sqlite3_mprintf("%s: no such schema: \"%w\"", zFunc, zName);
  }else{
    *pzName = zName;
    return SQLITE_OK;
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

#endif /* SQLMIG_OMIT_DIFF */
