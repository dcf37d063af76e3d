/*
** sqlmig: what a write to `migrations` may hold.
**
** The checks migrations.c runs on each written row before it touches the
** store: the version (an integer of 0 or more, or an integral real or text
** that converts to one exactly), the up and down scripts (text, or a BLOB
** of UTF-8 text as readfile() gives; a leading byte order mark dropped;
** then the script guard of script.c), and whether the statement writing
** the row named another schema's `migrations`. Each returns SQLITE_OK,
** SQLITE_NOMEM, or an error with *pzErr set to the whole message
** (sqlite3_malloc).
*/
#include "sqlmig_int.h"

int sqlmigVersionArg(sqlite3_value *v, sqlite3_int64 *piVersion,
                     char **pzErr){
  int eType = sqlite3_value_numeric_type(v);
  sqlite3_int64 i = 0;
  int bOk = 0;
  if( eType==SQLITE_INTEGER ){
    i = sqlite3_value_int64(v);
    bOk = 1;
  }else if( eType==SQLITE_FLOAT ){
    double r = sqlite3_value_double(v);
    if( r>=0.0 && r<9.2e18 && (double)(sqlite3_int64)r==r ){
      i = (sqlite3_int64)r;
      bOk = 1;
    }
  }
  if( bOk && i>=0 ){
    *piVersion = i;
    return SQLITE_OK;
  }
  if( sqlite3_value_type(v)==SQLITE_NULL ){
    *pzErr = sqlite3_mprintf("migrations: version must not be NULL");
  }else{
    char *zGot = sqlmigValueShown(v);
    *pzErr = zGot ? sqlite3_mprintf("migrations: version must be an integer "
                                    "of 0 or more, got %s", zGot) : 0;
    sqlite3_free(zGot);
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** Index of the first byte of z[0..n) that is not part of valid UTF-8 text
** (a NUL byte, a malformed or overlong sequence, a surrogate), or -1.
*/
int sqlmigUtf8Invalid(const unsigned char *z, int n){
  int i = 0;
  while( i<n ){
    unsigned char c = z[i];
    int nCont, k;
    unsigned int cp;
    if( c==0 ) return i;
    if( c<0x80 ){ i++; continue; }
    if( c>=0xc2 && c<=0xdf ){ nCont = 1; cp = c & 0x1f; }
    else if( c>=0xe0 && c<=0xef ){ nCont = 2; cp = c & 0x0f; }
    else if( c>=0xf0 && c<=0xf4 ){ nCont = 3; cp = c & 0x07; }
    else return i;
    for(k=1; k<=nCont; k++){
      if( i+k>=n || (z[i+k]&0xc0)!=0x80 ) return i;
      cp = (cp<<6) | (z[i+k] & 0x3f);
    }
    if( (nCont==2 && (cp<0x800 || (cp>=0xd800 && cp<=0xdfff)))
     || (nCont==3 && (cp<0x10000 || cp>0x10ffff)) ){
      return i;
    }
    i += nCont+1;
  }
  return -1;
}

int sqlmigScriptArg(sqlite3_int64 iVersion, const char *zWhich,
                    sqlite3_value *v, SqlmigScript *pOut, char **pzErr){
  int eType = sqlite3_value_type(v);
  int bUp = zWhich[0]=='u';
  const unsigned char *z;
  int n;
  memset(pOut, 0, sizeof(*pOut));
  if( eType==SQLITE_NULL ){
    if( !bUp ) return SQLITE_OK;
    *pzErr = sqlite3_mprintf("revision %lld: up script must not be NULL",
                             iVersion);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( eType==SQLITE_BLOB ){
    int iBad;
    z = (const unsigned char*)sqlite3_value_blob(v);
    n = sqlite3_value_bytes(v);
    if( z==0 && n>0 ) return SQLITE_NOMEM;
    if( n>=2 && ((z[0]==0xff && z[1]==0xfe) || (z[0]==0xfe && z[1]==0xff)) ){
      *pzErr = sqlite3_mprintf("revision %lld: %s script is a blob of UTF-16 "
          "text: scripts must be UTF-8", iVersion, zWhich);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    iBad = sqlmigUtf8Invalid(z, n);
    if( iBad>=0 ){
      *pzErr = sqlite3_mprintf("revision %lld: %s script is a blob that is not "
          "UTF-8 text (byte %d): scripts must be UTF-8", iVersion, zWhich,
          iBad+1);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }else if( eType==SQLITE_TEXT ){
    z = sqlite3_value_text(v);
    n = sqlite3_value_bytes(v);
    if( z==0 ) return SQLITE_NOMEM;
  }else{
    *pzErr = sqlite3_mprintf("revision %lld: %s script must be text%s",
                             iVersion, zWhich, bUp ? "" : " or NULL");
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( n>=3 && z[0]==0xef && z[1]==0xbb && z[2]==0xbf ){
    z += 3;
    n -= 3;
  }
  pOut->z = (const char*)(z ? z : (const unsigned char*)"");
  pOut->n = n;
  return SQLITE_OK;
}

int sqlmigScriptCheck(sqlite3_int64 iVersion, const char *zWhich,
                      const SqlmigScript *s, char **pzErr){
  char *zWhy = 0;
  int rc;
  if( s->z==0 ) return SQLITE_OK;
  rc = sqlmigScriptGuard(s->z, s->n, &zWhy);
  if( rc==SQLITE_ERROR ){
    *pzErr = sqlite3_mprintf("revision %lld: %s script: %s", iVersion, zWhich,
                             zWhy);
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_free(zWhy);
  return rc;
}

int sqlmigBindScript(sqlite3_stmt *pStmt, int i, const SqlmigScript *s){
  if( s->z==0 ) return sqlite3_bind_null(pStmt, i);
  return sqlite3_bind_text(pStmt, i, s->z, s->n, SQLITE_TRANSIENT);
}

/*
** If the SQL text z[0..n) names "<schema>.migrations" or
** "<schema>.sqlmig_migrations" with a schema other than main, returns the
** index of that schema token and sets *pnName to the length of the whole
** qualified name; else -1.
*/
int sqlmigOtherSchemaName(const unsigned char *z, int n, int *pnName){
  int i = 0;
  if( memchr(z, '.', (size_t)n)==0 ) return -1;    /* no qualified name */
  int iPrev = -1, nPrev = 0;         /* the name token before a '.' */
  int iDot = -1;                     /* the '.' right after it */
  while( i<n ){
    int eType, nTok;
    i = sqlmigNextToken(z, n, i, 0, &eType, &nTok);
    if( eType==0 ) break;
    if( eType==SQLMIG_TK_WORD || eType==SQLMIG_TK_QUOTED ){
      if( iDot>=0 && (sqlmigNameIs(z+i, nTok, "migrations")
                      || sqlmigNameIs(z+i, nTok, "sqlmig_migrations"))
       && !sqlmigNameIs(z+iPrev, nPrev, "main") ){
        *pnName = i+nTok-iPrev;
        return iPrev;
      }
      iPrev = i;
      nPrev = nTok;
      iDot = -1;
    }else if( eType==SQLMIG_TK_DOT && iPrev>=0 && iPrev+nPrev<=i ){
      iDot = i;
    }else{
      iPrev = iDot = -1;
    }
    i += nTok;
  }
  return -1;
}
