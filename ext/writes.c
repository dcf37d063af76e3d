/*
** sqlmig: what a script writes, read from its text.
**
** The foreign-key check (fkcheck.c) needs, before a script runs, the tables
** its statements will write. Each statement is read with the tokenizer
** (token.c): INSERT/REPLACE/UPDATE/DELETE targets (after any WITH clause),
** CREATE/ALTER/DROP TABLE (and the new name of a RENAME), the table of a
** CREATE INDEX and, from the schema, of a DROP INDEX; CREATE TRIGGER texts
** are kept. Then the triggers on the tables written (the schema's and the
** script's) are read the same way, to a fixed point, for the tables they
** write in turn. A statement that writes and is none of these sets
** bUnknown. Names are unquoted and compared ignoring ASCII case; only
** main's tables count (temp's have no foreign keys into main).
*/
#include "sqlmig_int.h"

/* ------------------------------------------------------------ names --- */

void sqlmigNamesFree(SqlmigNames *p){
  int i;
  for(i=0; i<p->n; i++) sqlite3_free(p->az[i]);
  sqlite3_free(p->az);
  memset(p, 0, sizeof(*p));
}

int sqlmigNamesHas(const SqlmigNames *p, const char *z){
  int i;
  for(i=0; i<p->n; i++){
    if( sqlite3_stricmp(p->az[i], z)==0 ) return 1;
  }
  return 0;
}

/* Adds a copy of z (n bytes, -1: NUL-terminated) unless it is there. */
int sqlmigNamesAdd(SqlmigNames *p, const char *z, int n){
  char *zCopy = n<0 ? sqlite3_mprintf("%s", z) : sqlite3_mprintf("%.*s", n, z);
  if( zCopy==0 ) return SQLITE_NOMEM;
  if( sqlmigNamesHas(p, zCopy) ){
    sqlite3_free(zCopy);
    return SQLITE_OK;
  }
  if( p->n==p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 8;
    char **azNew = sqlite3_realloc64(p->az, sizeof(char*)*(sqlite3_uint64)nNew);
    if( azNew==0 ){
      sqlite3_free(zCopy);
      return SQLITE_NOMEM;
    }
    p->az = azNew;
    p->nAlloc = nNew;
  }
  p->az[p->n++] = zCopy;
  return SQLITE_OK;
}

/* Adds the name token z[0..n) unquoted. */
static int namesAddToken(SqlmigNames *p, const unsigned char *z, int n){
  sqlite3_str *pStr = sqlite3_str_new(0);
  char *zName;
  int rc;
  if( n>0 && (z[0]=='"' || z[0]=='`' || z[0]=='[' || z[0]=='\'') ){
    unsigned char q = z[0]=='[' ? ']' : z[0];
    int i, iEnd = (n>=2 && z[n-1]==q) ? n-1 : n;
    for(i=1; i<iEnd; i++){
      if( q!=']' && z[i]==q && i+1<iEnd && z[i+1]==q ) i++;
      sqlite3_str_appendchar(pStr, 1, (char)z[i]);
    }
  }else{
    sqlite3_str_append(pStr, (const char*)z, n);
  }
  rc = sqlite3_str_errcode(pStr);
  zName = sqlite3_str_finish(pStr);
  if( rc==SQLITE_OK && zName ) rc = sqlmigNamesAdd(p, zName, -1);
  else if( rc==SQLITE_OK ) rc = SQLITE_OK;      /* empty name: nothing */
  sqlite3_free(zName);
  return rc;
}

/* ------------------------------------------------- reading statements --- */

void sqlmigWritesFree(SqlmigWrites *p){
  int i;
  sqlmigNamesFree(&p->dml);
  sqlmigNamesFree(&p->ddl);
  sqlmigNamesFree(&p->renamed);
  sqlmigNamesFree(&p->idx);
  sqlmigNamesFree(&p->dropIdx);
  for(i=0; i<p->nTrigger; i++) sqlite3_free(p->azTrigger[i]);
  sqlite3_free(p->azTrigger);
  memset(p, 0, sizeof(*p));
}

/* A cursor over the tokens of one statement, white space skipped. */
typedef struct FkTok FkTok;
struct FkTok {
  const unsigned char *z;
  int n;
  int i;                   /* the current token */
  int nTok, eType;
};

static void tokNext(FkTok *t){
  t->i = sqlmigNextToken(t->z, t->n, t->i+t->nTok, 0, &t->eType, &t->nTok);
}
static int tokIs(FkTok *t, const char *zKw){
  return t->eType==SQLMIG_TK_WORD && sqlmigWordIs(t->z+t->i, t->nTok, zKw);
}
static int tokName(FkTok *t){
  return t->eType==SQLMIG_TK_WORD || t->eType==SQLMIG_TK_QUOTED
      || t->eType==SQLMIG_TK_STRING;
}

/*
** Reads "[schema.]name" at t into p when the schema is main (or none);
** leaves t after it. Returns SQLITE_OK or SQLITE_NOMEM.
*/
static int tokTable(FkTok *t, SqlmigNames *p){
  int iName = t->i, nName = t->nTok;
  int bMain = 1;
  if( !tokName(t) ) return SQLITE_OK;
  tokNext(t);
  if( t->eType==SQLMIG_TK_DOT ){
    bMain = sqlmigNameIs(t->z+iName, nName, "main");
    tokNext(t);
    if( !tokName(t) ) return SQLITE_OK;
    iName = t->i;
    nName = t->nTok;
    tokNext(t);
  }
  return bMain ? namesAddToken(p, t->z+iName, nName) : SQLITE_OK;
}

/* Skips "IF EXISTS" / "IF NOT EXISTS". */
static void tokIfExists(FkTok *t){
  if( tokIs(t, "IF") ){
    tokNext(t);
    if( tokIs(t, "NOT") ) tokNext(t);
    if( tokIs(t, "EXISTS") ) tokNext(t);
  }
}

/* Adds what statement z[0..n) writes to pW. */
static int writesOfStmt(SqlmigWrites *pW, const char *zIn, int n){
  FkTok t;
  memset(&t, 0, sizeof(t));
  t.z = (const unsigned char*)zIn;
  t.n = n;
  t.i = sqlmigNextToken(t.z, n, 0, 1, &t.eType, &t.nTok);
  if( t.eType==0 ) return SQLITE_OK;
  if( tokIs(&t, "WITH") ){
    /* The main statement is the first verb at depth 0 */
    int nDepth = 0;
    for(tokNext(&t); t.eType; tokNext(&t)){
      if( t.eType==SQLMIG_TK_LP ) nDepth++;
      else if( t.eType==SQLMIG_TK_RP ){ if( nDepth ) nDepth--; }
      else if( nDepth==0 && (tokIs(&t, "SELECT") || tokIs(&t, "VALUES")
            || tokIs(&t, "INSERT") || tokIs(&t, "REPLACE")
            || tokIs(&t, "UPDATE") || tokIs(&t, "DELETE")) ) break;
    }
  }
  if( tokIs(&t, "INSERT") || tokIs(&t, "REPLACE") ){
    while( t.eType && !tokIs(&t, "INTO") ) tokNext(&t);
    tokNext(&t);
    return tokTable(&t, &pW->dml);
  }
  if( tokIs(&t, "UPDATE") ){
    tokNext(&t);
    if( tokIs(&t, "OR") ){ tokNext(&t); tokNext(&t); }
    return tokTable(&t, &pW->dml);
  }
  if( tokIs(&t, "DELETE") ){
    tokNext(&t);
    if( tokIs(&t, "FROM") ) tokNext(&t);
    return tokTable(&t, &pW->dml);
  }
  if( tokIs(&t, "CREATE") ){
    tokNext(&t);
    if( tokIs(&t, "TEMP") || tokIs(&t, "TEMPORARY") ) return SQLITE_OK;
    if( tokIs(&t, "UNIQUE") ) tokNext(&t);
    if( tokIs(&t, "TABLE") ){
      int rc;
      tokNext(&t);
      tokIfExists(&t);
      rc = tokTable(&t, &pW->ddl);
      /* A new table that references another changes the foreign keys */
      for(; rc==SQLITE_OK && t.eType; tokNext(&t)){
        if( tokIs(&t, "REFERENCES") ) pW->bSchema = 1;
      }
      return rc;
    }
    if( tokIs(&t, "INDEX") ){
      tokNext(&t);
      tokIfExists(&t);
      while( t.eType && !tokIs(&t, "ON") ) tokNext(&t);
      tokNext(&t);
      return tokTable(&t, &pW->idx);
    }
    if( tokIs(&t, "TRIGGER") ){
      char **az = sqlite3_realloc64(pW->azTrigger,
          sizeof(char*)*(sqlite3_uint64)(pW->nTrigger+1));
      if( az==0 ) return SQLITE_NOMEM;
      pW->azTrigger = az;
      az[pW->nTrigger] = sqlite3_mprintf("%.*s", n, zIn);
      if( az[pW->nTrigger]==0 ) return SQLITE_NOMEM;
      pW->nTrigger++;
      return SQLITE_OK;
    }
    return SQLITE_OK;        /* views, virtual tables */
  }
  if( tokIs(&t, "DROP") ){
    tokNext(&t);
    if( tokIs(&t, "TABLE") ){
      tokNext(&t);
      tokIfExists(&t);
      pW->bSchema = 1;
      return tokTable(&t, &pW->ddl);
    }
    if( tokIs(&t, "INDEX") ){
      tokNext(&t);
      tokIfExists(&t);
      return tokTable(&t, &pW->dropIdx);
    }
    return SQLITE_OK;        /* views, triggers */
  }
  if( tokIs(&t, "ALTER") ){
    int rc;
    SqlmigNames one;
    memset(&one, 0, sizeof(one));
    tokNext(&t);
    if( tokIs(&t, "TABLE") ) tokNext(&t);
    pW->bSchema = 1;
    rc = tokTable(&t, &one);
    if( rc==SQLITE_OK && one.n==1 ){
      rc = sqlmigNamesAdd(&pW->ddl, one.az[0], -1);
      if( rc==SQLITE_OK && tokIs(&t, "RENAME") ){
        tokNext(&t);
        if( tokIs(&t, "TO") ){
          tokNext(&t);
          rc = sqlmigNamesAdd(&pW->renamed, one.az[0], -1);
          if( rc==SQLITE_OK ) rc = tokTable(&t, &pW->ddl);
        }
      }
    }
    sqlmigNamesFree(&one);
    return rc;
  }
  if( tokIs(&t, "SELECT") || tokIs(&t, "VALUES") || tokIs(&t, "EXPLAIN")
   || tokIs(&t, "PRAGMA") || tokIs(&t, "ANALYZE") || tokIs(&t, "REINDEX")
   || tokIs(&t, "BEGIN") || tokIs(&t, "COMMIT") || tokIs(&t, "END")
   || tokIs(&t, "SAVEPOINT") || tokIs(&t, "RELEASE")
   || tokIs(&t, "ROLLBACK") ){
    return SQLITE_OK;
  }
  pW->bUnknown = 1;
  return SQLITE_OK;
}

/* Adds what every statement of script z writes to pW. */
static int writesOfScript(SqlmigWrites *pW, const char *z){
  int n = (int)strlen(z), i = 0, rc = SQLITE_OK;
  while( rc==SQLITE_OK && i<n ){
    int bOpen;
    int nStmt = sqlmigStmtLength(z+i, n-i, &bOpen);
    rc = writesOfStmt(pW, z+i, nStmt);
    i += nStmt;
  }
  return rc;
}

/*
** The body statements of trigger text zSql (after its BEGIN) that write
** a table: adds them to pDml.
*/
static int writesOfTrigger(SqlmigNames *pDml, const char *zSql){
  SqlmigWrites w;
  const unsigned char *z = (const unsigned char*)zSql;
  int n = (int)strlen(zSql), i = 0, rc;
  memset(&w, 0, sizeof(w));
  /* The body starts after the first BEGIN word */
  while( i<n ){
    int eType, nTok;
    i = sqlmigNextToken(z, n, i, 0, &eType, &nTok);
    if( eType==0 ) break;
    i += nTok;
    if( eType==SQLMIG_TK_WORD && sqlmigWordIs(z+i-nTok, nTok, "BEGIN") ) break;
  }
  rc = i<n ? writesOfScript(&w, zSql+i) : SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<w.dml.n; i++) rc = sqlmigNamesAdd(pDml, w.dml.az[i], -1);
  sqlmigWritesFree(&w);
  return rc;
}

/* The trigger's table: the name after ON in CREATE TRIGGER text z. */
static int triggerTable(const char *zSql, SqlmigNames *p){
  FkTok t;
  memset(&t, 0, sizeof(t));
  t.z = (const unsigned char*)zSql;
  t.n = (int)strlen(zSql);
  for(t.i = sqlmigNextToken(t.z, t.n, 0, 1, &t.eType, &t.nTok);
      t.eType && !tokIs(&t, "ON"); tokNext(&t)){}
  if( t.eType==0 ) return SQLITE_OK;
  tokNext(&t);
  return tokTable(&t, p);
}

/*
** Completes pW->dml with the tables that triggers on its tables write, in
** turn (the schema's triggers and the script's), and pW->ddl with the
** tables of the indexes it drops.
*/
/* A trigger: the table it is on and its CREATE text. */
typedef struct WritesTrigger WritesTrigger;
struct WritesTrigger {
  char *zOn;               /* NULL once its writes were added */
  char *zSql;
};

/* Appends copies of zOn and zSql to *paTrig. SQLITE_OK or SQLITE_NOMEM. */
static int triggerAdd(WritesTrigger **paTrig, int *pnTrig, const char *zOn,
                      const char *zSql){
  WritesTrigger *a = sqlite3_realloc64(*paTrig,
      sizeof(WritesTrigger)*(sqlite3_uint64)(*pnTrig+1));
  if( a==0 ) return SQLITE_NOMEM;
  *paTrig = a;
  a[*pnTrig].zOn = sqlite3_mprintf("%s", zOn);
  a[*pnTrig].zSql = sqlite3_mprintf("%s", zSql);
  (*pnTrig)++;
  return a[*pnTrig-1].zOn && a[*pnTrig-1].zSql ? SQLITE_OK : SQLITE_NOMEM;
}

static int writesComplete(sqlite3 *db, SqlmigWrites *pW){
  sqlite3_stmt *pStmt = 0;
  WritesTrigger *aTrig = 0;
  int rc = SQLITE_OK, nBefore = -1, nTrig = 0, i;

  /* The tables of the indexes dropped */
  if( pW->dropIdx.n>0 ){
    rc = sqlite3_prepare_v2(db, "SELECT tbl_name FROM main.sqlite_master "
        "WHERE type='index' AND name=?1 COLLATE NOCASE", -1, &pStmt, 0);
  }
  for(i=0; rc==SQLITE_OK && i<pW->dropIdx.n; i++){
    sqlite3_bind_text(pStmt, 1, pW->dropIdx.az[i], -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      rc = sqlmigNamesAdd(&pW->idx, (const char*)sqlite3_column_text(pStmt, 0),
                          -1);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_reset(pStmt);
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if( rc!=SQLITE_OK || pW->dml.n==0 ) return rc;

  /* The triggers: the schema's, then the script's own */
  rc = sqlite3_prepare_v2(db, "SELECT tbl_name, sql FROM main.sqlite_master "
      "WHERE type='trigger' AND sql IS NOT NULL", -1, &pStmt, 0);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    rc = triggerAdd(&aTrig, &nTrig, (const char*)sqlite3_column_text(pStmt, 0),
                    (const char*)sqlite3_column_text(pStmt, 1));
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  for(i=0; rc==SQLITE_OK && i<pW->nTrigger; i++){
    SqlmigNames on;
    memset(&on, 0, sizeof(on));
    rc = triggerTable(pW->azTrigger[i], &on);
    if( rc==SQLITE_OK && on.n==1 ){
      rc = triggerAdd(&aTrig, &nTrig, on.az[0], pW->azTrigger[i]);
    }
    sqlmigNamesFree(&on);
  }
  /* To a fixed point: each round adds what triggers on known tables write */
  while( rc==SQLITE_OK && pW->dml.n!=nBefore ){
    nBefore = pW->dml.n;
    for(i=0; rc==SQLITE_OK && i<nTrig; i++){
      if( aTrig[i].zOn && sqlmigNamesHas(&pW->dml, aTrig[i].zOn) ){
        rc = writesOfTrigger(&pW->dml, aTrig[i].zSql);
        sqlite3_free(aTrig[i].zOn);
        aTrig[i].zOn = 0;                  /* each trigger once */
      }
    }
  }
  for(i=0; i<nTrig; i++){
    sqlite3_free(aTrig[i].zOn);
    sqlite3_free(aTrig[i].zSql);
  }
  sqlite3_free(aTrig);
  return rc;
}

int sqlmigScriptWrites(sqlite3 *db, SqlmigWrites *pW, const char *zScript){
  int rc = writesOfScript(pW, zScript ? zScript : "");
  if( rc==SQLITE_OK ) rc = writesComplete(db, pW);
  return rc;
}
