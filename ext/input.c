/*
** sqlmig: what a write to `migrations` may hold.
**
** The checks migrations.c runs on each written row before it touches the
** store: the version (an integer of 0 or more, or an integral real or text
** that converts to one exactly), the up and down scripts (text, or a BLOB
** of UTF-8 text as readfile() gives; a leading byte order mark dropped;
** no NUL byte; then the script guard of script.c), and whether the
** statement writing the row named another schema's `migrations`. Each
** returns SQLITE_OK, SQLITE_NOMEM, or an error with *pzErr set to the
** whole message (sqlite3_malloc).
**
** Also here: versions of 19 to 40 digits ("long"), kept as written in
** sqlmig_versions beside the order-preserving key the store uses for
** them (see the section at the end), and shown as written everywhere.
*/
#include "sqlmig_int.h"

static int longQuery(sqlite3 *db, const char *zSql, const char *zText,
                     sqlite3_int64 *pi);

/* The largest key. */
#define LONG_MAX_KEY ((sqlite3_int64)(((sqlite3_uint64)1<<63)-1))

/*
** The digits of a long version in v (text of 19 digits or more once
** leading zeros are dropped, or an integer from SQLMIG_LONG_MIN up) into
** zDigits: 1; 0 when v is not one; -2 when it has too many digits.
*/
static int longDigits(sqlite3_value *v, char *zDigits){
  int eType = sqlite3_value_type(v), n;
  if( eType==SQLITE_INTEGER ){
    sqlite3_int64 i = sqlite3_value_int64(v);
    if( i<SQLMIG_LONG_MIN ) return 0;
    sqlite3_snprintf(SQLMIG_VERSION_BUF, zDigits, "%lld", i);
    return 1;
  }
  if( eType!=SQLITE_TEXT ) return 0;
  {
    const char *z = (const char*)sqlite3_value_text(v);
    n = z ? sqlmigVersionDigits(z, sqlite3_value_bytes(v), zDigits) : -1;
    if( n==-2 ) return -2;
    return n>18 ? 1 : 0;
  }
}

int sqlmigVersionArg(sqlite3 *db, sqlite3_value *v, int bAssign,
                     sqlite3_int64 *piVersion, char **pzErr){
  char zDigits[SQLMIG_VERSION_BUF];
  int eType, eLong = longDigits(v, zDigits);
  sqlite3_int64 i = 0;
  int bOk = 0;
  if( eLong==1 ){
    int rc = sqlmigVersionLongKey(db, zDigits, bAssign, piVersion, pzErr);
    if( rc==SQLITE_OK && *piVersion<0 ){
      *pzErr = sqlite3_mprintf("revision %s is not registered", zDigits);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    return rc;
  }
  if( eLong==-2 ){
    *pzErr = sqlite3_mprintf("migrations: version has more than %d digits",
                             SQLMIG_VERSION_MAXDIGITS);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  eType = sqlite3_value_numeric_type(v);
  if( eType==SQLITE_INTEGER ){
    i = sqlite3_value_int64(v);
    bOk = 1;
  }else if( eType==SQLITE_FLOAT ){
    double r = sqlite3_value_double(v);
    if( r>=0.0 && r<1e18 && (double)(sqlite3_int64)r==r ){
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
        "of 0 or more (as text for 19 digits or more), got %s", zGot) : 0;
    sqlite3_free(zGot);
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

int sqlmigVersionFind(sqlite3 *db, sqlite3_value *v, sqlite3_int64 *piKey,
                      sqlite3_int64 *piPrev){
  char zDigits[SQLMIG_VERSION_BUF];
  int eLong = longDigits(v, zDigits);
  *piKey = *piPrev = -1;
  if( eLong<=0 ) return eLong==0 ? SQLITE_DONE : SQLITE_OK;
  return sqlmigVersionPlace(db, zDigits, piKey, piPrev);
}

int sqlmigVersionPlace(sqlite3 *db, const char *zDigits, sqlite3_int64 *piKey,
                       sqlite3_int64 *piPrev){
  char *zErr = 0;
  int rc = sqlmigVersionLongKey(db, zDigits, 0, piKey, &zErr);
  sqlite3_free(zErr);
  *piPrev = -1;
  if( rc==SQLITE_OK && *piKey<0 && sqlmigTableExists(db, SQLMIG_VERSIONS)==1 ){
    rc = longQuery(db, "SELECT max(version) FROM main." SQLMIG_VERSIONS
        " WHERE length(written)<length(?1) OR (length(written)=length(?1)"
        " AND written<?1)", zDigits, piPrev);
  }
  if( rc==SQLITE_OK && *piKey<0 && *piPrev<0 ){
    /* below every long key, or (no table) above every key up to it */
    *piPrev = SQLMIG_LONG_MIN-1;
    if( sqlmigTableExists(db, SQLMIG_VERSIONS)==0 ) *piPrev = LONG_MAX_KEY;
  }
  return rc;
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

/*
** A script holding a NUL byte: SQLite would run only the text before it
** (sqlite3_prepare stops at the NUL) and the revision would be recorded as
** applied, so it is refused naming the byte's offset (from 0, in the value
** as written).
*/
static int nulError(const char *zVersion, const char *zWhich,
                    const unsigned char *z, int n, char **pzErr){
  const unsigned char *pNul = memchr(z, 0, (size_t)n);
  *pzErr = sqlite3_mprintf("revision %s: %s script holds a NUL byte at "
      "offset %d: only the text before it would run", zVersion, zWhich,
      (int)(pNul-z));
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

int sqlmigScriptArg(const char *zVersion, const char *zWhich,
                    sqlite3_value *v, SqlmigScript *pOut, char **pzErr){
  int eType = sqlite3_value_type(v);
  int bUp = zWhich[0]=='u';
  const unsigned char *z;
  int n;
  memset(pOut, 0, sizeof(*pOut));
  if( eType==SQLITE_NULL ){
    if( !bUp ) return SQLITE_OK;
    *pzErr = sqlite3_mprintf("revision %s: up script must not be NULL",
                             zVersion);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( eType==SQLITE_BLOB ){
    int iBad;
    z = (const unsigned char*)sqlite3_value_blob(v);
    n = sqlite3_value_bytes(v);
    if( z==0 && n>0 ) return SQLITE_NOMEM;
    if( n>=2 && ((z[0]==0xff && z[1]==0xfe) || (z[0]==0xfe && z[1]==0xff)) ){
      *pzErr = sqlite3_mprintf("revision %s: %s script is a blob of UTF-16 "
          "text: scripts must be UTF-8", zVersion, zWhich);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if( memchr(z, 0, (size_t)n) ){
      return nulError(zVersion, zWhich, z, n, pzErr);
    }
    iBad = sqlmigUtf8Invalid(z, n);
    if( iBad>=0 ){
      *pzErr = sqlite3_mprintf("revision %s: %s script is a blob that is not "
          "UTF-8 text (byte %d): scripts must be UTF-8", zVersion, zWhich,
          iBad+1);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }else if( eType==SQLITE_TEXT ){
    z = sqlite3_value_text(v);
    n = sqlite3_value_bytes(v);
    if( z==0 ) return SQLITE_NOMEM;
    if( memchr(z, 0, (size_t)n) ){
      return nulError(zVersion, zWhich, z, n, pzErr);
    }
  }else{
    *pzErr = sqlite3_mprintf("revision %s: %s script must be text%s",
                             zVersion, zWhich, bUp ? "" : " or NULL");
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

int sqlmigScriptCheck(const char *zVersion, const char *zWhich,
                      const SqlmigScript *s, char **pzErr){
  char *zWhy = 0;
  int rc;
  if( s->z==0 ) return SQLITE_OK;
  rc = sqlmigScriptGuard(s->z, s->n, &zWhy);
  if( rc==SQLITE_ERROR ){
    *pzErr = sqlite3_mprintf("revision %s: %s script: %s", zVersion, zWhich,
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

/* ------------------------------------------- versions of 19 digits or more */

/*
** A version below SQLMIG_LONG_MIN (18 digits at most) is its own key in
** the store. A longer one ("long": Ory's 20-digit versions) is kept as
** written (digits, leading zeros dropped) in main.sqlmig_versions(version
** INTEGER PRIMARY KEY, written TEXT UNIQUE), whose key, from
** SQLMIG_LONG_MIN up, is the store's key for it: keys are handed out in
** the versions' numeric order (gaps of 2^32 when appending, halves when
** inserting between two), so that every ORDER BY version, every
** comparison of two keys and the rowid B-tree stay as they are. The table
** exists only once a long version was written; until then nothing reads
** it and a key at or above SQLMIG_LONG_MIN (a 19-digit integer written by
** an earlier release) shows as itself.
*/

/* The gap left after a long version appended after the others. */
#define LONG_GAP ((sqlite3_int64)1<<32)

/* Numeric order of two versions written as digits without leading zeros. */
int sqlmigDigitsCmp(const char *a, const char *b){
  size_t na = strlen(a), nb = strlen(b);
  if( na!=nb ) return na<nb ? -1 : 1;
  return strcmp(a, b);
}

/*
** Key iKey as written into zBuf; SQLITE_OK, or the error of the lookup
** (zBuf then holds the key's digits).
*/
static int versionShow(sqlite3 *db, sqlite3_int64 iKey, char *zBuf){
  sqlite3_stmt *pStmt = 0;
  int rc;
  sqlite3_snprintf(SQLMIG_VERSION_BUF, zBuf, "%lld", iKey);
  if( iKey<SQLMIG_LONG_MIN ) return SQLITE_OK;
  rc = sqlmigTableExists(db, SQLMIG_VERSIONS);
  if( rc<=0 ) return -rc;
  rc = sqlite3_prepare_v2(db, "SELECT written FROM main." SQLMIG_VERSIONS
                          " WHERE version=?1", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_int64(pStmt, 1, iKey);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ){
      const char *z = (const char*)sqlite3_column_text(pStmt, 0);
      if( z ) sqlite3_snprintf(SQLMIG_VERSION_BUF, zBuf, "%s", z);
      rc = z ? SQLITE_OK : SQLITE_NOMEM;
    }else if( rc==SQLITE_DONE ){
      rc = SQLITE_OK;                  /* an earlier release's key */
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

const char *sqlmigVersionShow(sqlite3 *db, sqlite3_int64 iKey, char *zBuf){
  versionShow(db, iKey, zBuf);
  return zBuf;
}

int sqlmigVersionText(sqlite3 *db, sqlite3_int64 iKey, char *zBuf){
  return versionShow(db, iKey, zBuf);
}

void sqlmigVersionResult(sqlite3_context *ctx, sqlite3 *db,
                         sqlite3_int64 iKey){
  char zBuf[SQLMIG_VERSION_BUF];
  int rc;
  if( iKey<SQLMIG_LONG_MIN ){
    sqlite3_result_int64(ctx, iKey);
  }else if( (rc = versionShow(db, iKey, zBuf))!=SQLITE_OK ){
    if( rc==SQLITE_NOMEM ) sqlite3_result_error_nomem(ctx);
    else sqlite3_result_error_code(ctx, rc);
  }else{
    sqlite3_result_text(ctx, zBuf, -1, SQLITE_TRANSIENT);
  }
}

int sqlmigVersionDigits(const char *z, int n, char *zOut){
  int i = 0, k = 0;
  if( n==0 ) return -1;
  for(k=0; k<n; k++){
    if( z[k]<'0' || z[k]>'9' ) return -1;
  }
  while( i<n-1 && z[i]=='0' ) i++;
  if( n-i>SQLMIG_VERSION_MAXDIGITS ) return -2;
  memcpy(zOut, z+i, n-i);
  zOut[n-i] = 0;
  return n-i;
}

/* Runs zSql with ?1 = zText and returns its one integer in *pi (NULL: -1). */
static int longQuery(sqlite3 *db, const char *zSql, const char *zText,
                     sqlite3_int64 *pi){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  *pi = -1;
  if( rc==SQLITE_OK ) rc = sqlite3_bind_text(pStmt, 1, zText, -1,
                                             SQLITE_STATIC);
  if( rc==SQLITE_OK ){
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ){
      if( sqlite3_column_type(pStmt, 0)!=SQLITE_NULL ){
        *pi = sqlite3_column_int64(pStmt, 0);
      }
      rc = SQLITE_OK;
    }else if( rc==SQLITE_DONE ){
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

int sqlmigVersionLongKey(sqlite3 *db, const char *zDigits, int bAssign,
                         sqlite3_int64 *piKey, char **pzErr){
  sqlite3_int64 iPrev, iNext, iKey;
  int rc = sqlmigTableExists(db, SQLMIG_VERSIONS);
  *piKey = -1;
  if( rc<0 ) return -rc;
  if( rc==0 && !bAssign ){
    /* An earlier release's 19-digit integer is its own key */
    sqlite3_int64 v = 0;
    const char *z;
    if( strlen(zDigits)>19 ) return SQLITE_OK;
    for(z=zDigits; *z; z++){
      if( v>(LONG_MAX_KEY-(*z-'0'))/10 ) return SQLITE_OK;
      v = v*10 + (*z-'0');
    }
    *piKey = v;
    return SQLITE_OK;
  }
  if( rc==0 ){
    rc = sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS main." SQLMIG_VERSIONS
        "(version INTEGER PRIMARY KEY, written TEXT NOT NULL UNIQUE)", 0, 0,
        0);
    if( rc==SQLITE_OK && sqlmigStoreExists(db)==1 ){
      rc = sqlite3_exec(db, "INSERT OR IGNORE INTO main." SQLMIG_VERSIONS
          " SELECT version, CAST(version AS TEXT) FROM main." SQLMIG_STORE
          " WHERE version>=1000000000000000000", 0, 0, 0);
    }
    if( rc!=SQLITE_OK ) goto failed;
  }
  rc = longQuery(db, "SELECT version FROM main." SQLMIG_VERSIONS
                 " WHERE written=?1", zDigits, &iKey);
  if( rc!=SQLITE_OK ) goto failed;
  if( iKey>=0 || !bAssign ){
    *piKey = iKey;
    return SQLITE_OK;
  }
  rc = longQuery(db, "SELECT max(version) FROM main." SQLMIG_VERSIONS
      " WHERE length(written)<length(?1) OR (length(written)=length(?1)"
      " AND written<?1)", zDigits, &iPrev);
  if( rc==SQLITE_OK ){
    rc = longQuery(db, "SELECT min(version) FROM main." SQLMIG_VERSIONS
        " WHERE length(written)>length(?1) OR (length(written)=length(?1)"
        " AND written>?1)", zDigits, &iNext);
  }
  if( rc!=SQLITE_OK ) goto failed;
  if( iPrev<0 ) iPrev = SQLMIG_LONG_MIN-1;
  if( iNext<0 ){
    iKey = LONG_MAX_KEY-iPrev>LONG_GAP ? iPrev+LONG_GAP
         : iPrev+(LONG_MAX_KEY-iPrev)/2;
    if( iKey<=iPrev ) iKey = -1;
  }else{
    iKey = iNext-iPrev>=2 ? iPrev+(iNext-iPrev)/2 : -1;
  }
  if( iKey<0 ){
    *pzErr = sqlite3_mprintf("revision %s: no room for its version between "
        "the versions around it (more than 32 versions of 19 digits or more "
        "were inserted between two others)", zDigits);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  {
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(db, "INSERT INTO main." SQLMIG_VERSIONS
                            "(version, written) VALUES (?1, ?2)", -1, &pStmt,
                            0);
    if( rc==SQLITE_OK ) rc = sqlite3_bind_int64(pStmt, 1, iKey);
    if( rc==SQLITE_OK ) rc = sqlite3_bind_text(pStmt, 2, zDigits, -1,
                                               SQLITE_STATIC);
    if( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_DONE ){
      rc = SQLITE_OK;
    }
    sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK ) goto failed;
  }
  *piKey = iKey;
  return SQLITE_OK;

failed:
  if( rc==SQLITE_NOMEM ) return rc;
  rc = sqlmigErrcode(db, rc);
  *pzErr = sqlite3_mprintf("cannot read or write " SQLMIG_VERSIONS ": %s",
                           sqlite3_errmsg(db));
  return *pzErr ? rc : SQLITE_NOMEM;
}
