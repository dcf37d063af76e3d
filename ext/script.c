/*
** sqlmig: script handling.
**
** migrate() runs revision scripts written by people: any number of
** statements, comments, triggers with BEGIN ... END bodies, semicolons
** inside literals. Before a script runs, sqlmigScriptGuard() walks all of
** it and refuses what must never run inside migrate(): transaction control
** (which would commit or roll back the caller's transaction), ATTACH,
** DETACH, VACUUM, the two pragmas migrate() itself manages, and anything
** that writes the history store. The same file computes the checksum of
** `up` scripts (a 64-bit checksum) and the short excerpt error messages quote.
**
** How it works: one tokenizer (scriptToken) knows the lexical shapes of
** SQL that matter for splitting: 'strings' and x'blobs', "identifiers",
** [identifiers], `identifiers`, -- and block comments, and bare words.
** sqlmigStmtLength() runs it up to the ';' that ends a statement; inside a
** CREATE TRIGGER body only an END that directly follows a ';' (or the
** body's BEGIN), outside any CASE ... END, closes the body. That is the
** only place SQLite's grammar allows the body's END, and counting CASE
** guards against `CASE ... END;` lines. Every function is one linear
** pass; nothing is allocated except the excerpt and the error message.
**
** The history rule: a statement naming sqlmig_history (bare or quoted,
** any case, or as a 'string' where SQLite takes a string for a table
** name, e.g. DELETE FROM 'sqlmig_history') is refused unless it only
** reads: SELECT, VALUES, EXPLAIN, PRAGMA, CREATE [TEMP] VIEW, or a WITH
** whose main statement is a SELECT. Other literals are never names.
*/
#include "sqlmig_int.h"
#include <stdint.h>

/* Token types returned by scriptToken(). */
enum {
  SCRIPT_TK_SPACE = 1,   /* white space */
  SCRIPT_TK_COMMENT,     /* -- or block comment */
  SCRIPT_TK_SEMI,        /* ; */
  SCRIPT_TK_WORD,        /* bare word: keyword, identifier or number */
  SCRIPT_TK_STRING,      /* 'string' or x'blob' */
  SCRIPT_TK_QUOTED,      /* "identifier", [identifier], `identifier` */
  SCRIPT_TK_LP,          /* ( */
  SCRIPT_TK_RP,          /* ) */
  SCRIPT_TK_DOT,         /* . */
  SCRIPT_TK_OTHER        /* operators, parameters, anything else */
};

/* Why a statement is left open at the end of the text. */
enum {
  SCRIPT_OPEN_NONE = 0,
  SCRIPT_OPEN_STRING,
  SCRIPT_OPEN_COMMENT,
  SCRIPT_OPEN_IDENT,
  SCRIPT_OPEN_TRIGGER
};

/* Most characters an excerpt keeps before it is cut with "...". */
#define SCRIPT_EXCERPT_CHARS 60

/* True for SQL white space (SQLite's set: space, \t \n \v \f \r). */
static int scriptIsSpace(unsigned char c){
  return c==' ' || (c>=9 && c<=13);
}

/* True for a byte that may continue a bare word. */
static int scriptIsWordChar(unsigned char c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || c=='$' || c>=0x80;
}

/* ASCII upper-case; SQLite folds only ASCII in names and keywords. */
static unsigned char scriptUpper(unsigned char c){
  return (c>='a' && c<='z') ? (unsigned char)(c - 'a' + 'A') : c;
}

/*
** Length of the literal that opens with the quote z[0] and ends with
** cClose; a doubled cClose is an escaped one when bDouble. Sets *pbOpen
** when the text ends first (the literal then runs to z[n]).
*/
static int scriptQuoted(const unsigned char *z, int n, unsigned char cClose,
                        int bDouble, int *pbOpen){
  int i = 1;
  while( i<n ){
    const unsigned char *p = memchr(z+i, cClose, (size_t)(n-i));
    if( p==0 ) break;
    i = (int)(p - z) + 1;
    if( !bDouble || i>=n || z[i]!=cClose ) return i;
    i++;
  }
  *pbOpen = 1;
  return n;
}

/*
** Length of the token at z[0] (n>=1 bytes available; the result is
** between 1 and n). Sets *peType to a SCRIPT_TK_ value and *peOpen to a
** SCRIPT_OPEN_ value, not NONE when the token runs unterminated to z[n].
*/
static int scriptToken(const unsigned char *z, int n, int *peType,
                       int *peOpen){
  unsigned char c = z[0];
  int i;
  int bOpen = 0;
  *peOpen = SCRIPT_OPEN_NONE;
  if( scriptIsSpace(c) ){
    for(i=1; i<n && scriptIsSpace(z[i]); i++){}
    *peType = SCRIPT_TK_SPACE;
    return i;
  }
  switch( c ){
    case ';': *peType = SCRIPT_TK_SEMI;  return 1;
    case '(': *peType = SCRIPT_TK_LP;    return 1;
    case ')': *peType = SCRIPT_TK_RP;    return 1;
    case '.': *peType = SCRIPT_TK_DOT;   return 1;
    case '-':
      if( n>1 && z[1]=='-' ){
        const unsigned char *p = memchr(z+2, '\n', (size_t)(n-2));
        *peType = SCRIPT_TK_COMMENT;
        return p ? (int)(p - z) : n;
      }
      break;
    case '/':
      if( n>1 && z[1]=='*' ){
        *peType = SCRIPT_TK_COMMENT;
        for(i=2; i+1<n; i++){
          const unsigned char *p = memchr(z+i, '*', (size_t)(n-1-i));
          if( p==0 ) break;
          i = (int)(p - z);
          if( z[i+1]=='/' ) return i+2;
        }
        *peOpen = SCRIPT_OPEN_COMMENT;
        return n;
      }
      break;
    case '\'':
      i = scriptQuoted(z, n, '\'', 1, &bOpen);
      *peType = SCRIPT_TK_STRING;
      if( bOpen ) *peOpen = SCRIPT_OPEN_STRING;
      return i;
    case '"':
    case '`':
    case '[':
      i = scriptQuoted(z, n, c=='[' ? ']' : c, c!='[', &bOpen);
      *peType = SCRIPT_TK_QUOTED;
      if( bOpen ) *peOpen = SCRIPT_OPEN_IDENT;
      return i;
    case 'x':
    case 'X':
      if( n>1 && z[1]=='\'' ){
        i = 1 + scriptQuoted(z+1, n-1, '\'', 1, &bOpen);
        *peType = SCRIPT_TK_STRING;
        if( bOpen ) *peOpen = SCRIPT_OPEN_STRING;
        return i;
      }
      break;
    case ':':
    case '@':
    case '$':
      /* A named parameter is not an identifier. */
      for(i=1; i<n && scriptIsWordChar(z[i]); i++){}
      *peType = SCRIPT_TK_OTHER;
      return i;
    default:
      break;
  }
  if( scriptIsWordChar(c) && c!='$' ){
    for(i=1; i<n && scriptIsWordChar(z[i]); i++){}
    *peType = SCRIPT_TK_WORD;
    return i;
  }
  *peType = SCRIPT_TK_OTHER;
  return 1;
}

/* True if the bare word z[0..n) is zKw (upper case), ignoring case. */
static int scriptWordIs(const unsigned char *z, int n, const char *zKw){
  int i;
  for(i=0; i<n; i++){
    if( zKw[i]==0 || scriptUpper(z[i])!=(unsigned char)zKw[i] ) return 0;
  }
  return zKw[i]==0;
}

/*
** True if the name token z[0..n) (bare word, quoted identifier or
** string) is zName once unquoted, ignoring ASCII case.
*/
static int scriptNameIs(const unsigned char *z, int n, const char *zName){
  unsigned char q = 0;       /* quote whose doubling is an escape */
  int i = 0, iEnd = n, j = 0;
  if( n>0 && (z[0]=='"' || z[0]=='\'' || z[0]=='`' || z[0]=='[') ){
    unsigned char cClose = z[0]=='[' ? ']' : z[0];
    if( z[0]!='[' ) q = z[0];
    i = 1;
    if( n>=2 && z[n-1]==cClose ) iEnd = n-1;
  }
  for(; i<iEnd; i++, j++){
    if( q && z[i]==q && i+1<iEnd && z[i+1]==q ) i++;
    if( zName[j]==0
     || scriptUpper(z[i])!=scriptUpper((unsigned char)zName[j]) ){
      return 0;
    }
  }
  return zName[j]==0;
}

/*
** Index of the first token at or after z[i] that is not white space or a
** comment (nor a ';' when bSkipSemi), or n if there is none. Sets *peType
** and *pnTok for it.
*/
static int scriptNext(const unsigned char *z, int n, int i, int bSkipSemi,
                      int *peType, int *pnTok){
  while( i<n ){
    int eOpen;
    int nTok = scriptToken(z+i, n-i, peType, &eOpen);
    if( *peType!=SCRIPT_TK_SPACE && *peType!=SCRIPT_TK_COMMENT
     && (*peType!=SCRIPT_TK_SEMI || !bSkipSemi) ){
      *pnTok = nTok;
      return i;
    }
    i += nTok;
  }
  *peType = 0;
  *pnTok = 0;
  return n;
}

/*
** Length of the statement at z[0..n), as sqlmigStmtLength(), with
** *peOpen set to the SCRIPT_OPEN_ reason it is left open.
*/
static int scriptStmtScan(const char *zIn, int n, int *peOpen){
  enum { LEAD_START, LEAD_EXPLAIN, LEAD_CREATE, LEAD_TEMP, LEAD_DONE };
  const unsigned char *z = (const unsigned char*)zIn;
  int i = 0;
  int eLead = LEAD_START;  /* where in "[EXPLAIN] CREATE [TEMP] TRIGGER" */
  int bTrigger = 0;        /* the statement creates a trigger */
  int bBody = 0;           /* its body's BEGIN was seen */
  int bDone = 0;           /* its body's END was seen */
  int bEndOk = 0;          /* an END here would end the body */
  int nCase = 0;           /* CASE expressions not yet closed */

  *peOpen = SCRIPT_OPEN_NONE;
  while( i<n ){
    const unsigned char *zTok = z+i;
    int eType, eOpen;
    int nTok = scriptToken(zTok, n-i, &eType, &eOpen);
    i += nTok;
    if( eOpen!=SCRIPT_OPEN_NONE ){
      *peOpen = eOpen;
      return i;
    }
    if( eType==SCRIPT_TK_SPACE || eType==SCRIPT_TK_COMMENT ) continue;
    if( eType==SCRIPT_TK_SEMI ){
      /* A ';' before the body is a syntax error: let it end the text. */
      if( !bTrigger || !bBody || bDone ) return i;
      bEndOk = 1;
      continue;
    }
    if( eLead!=LEAD_DONE ){
      int eNext = LEAD_DONE;
      if( eType==SCRIPT_TK_WORD ){
        if( eLead==LEAD_START || eLead==LEAD_EXPLAIN ){
          if( scriptWordIs(zTok, nTok, "EXPLAIN")
           || (eLead==LEAD_EXPLAIN && (scriptWordIs(zTok, nTok, "QUERY")
                                    || scriptWordIs(zTok, nTok, "PLAN"))) ){
            eNext = LEAD_EXPLAIN;
          }else if( scriptWordIs(zTok, nTok, "CREATE") ){
            eNext = LEAD_CREATE;
          }
        }else{
          if( eLead==LEAD_CREATE && (scriptWordIs(zTok, nTok, "TEMP")
                                  || scriptWordIs(zTok, nTok, "TEMPORARY")) ){
            eNext = LEAD_TEMP;
          }else if( scriptWordIs(zTok, nTok, "TRIGGER") ){
            bTrigger = 1;
          }
        }
      }
      eLead = eNext;
      continue;
    }
    if( bTrigger && !bDone && eType==SCRIPT_TK_WORD ){
      if( scriptWordIs(zTok, nTok, "CASE") ){
        nCase++;
      }else if( scriptWordIs(zTok, nTok, "END") ){
        if( bBody && bEndOk && nCase==0 ){
          bDone = 1;
        }else if( nCase>0 ){
          nCase--;
        }
      }else if( !bBody && scriptWordIs(zTok, nTok, "BEGIN") ){
        bBody = 1;
        bEndOk = 1;
        continue;
      }
    }
    bEndOk = 0;
  }
  if( bTrigger && !bDone ) *peOpen = SCRIPT_OPEN_TRIGGER;
  return n;
}

int sqlmigStmtLength(const char *z, int n, int *pbOpen){
  int eOpen;
  int nStmt = n>0 ? scriptStmtScan(z, n, &eOpen) : 0;
  if( pbOpen ) *pbOpen = n>0 && eOpen!=SCRIPT_OPEN_NONE;
  return nStmt;
}

/*
** The refusal for the PRAGMA whose name starts at or after z[i], or NULL
** if that pragma may run in a script.
*/
static const char *scriptPragmaRefusal(const unsigned char *z, int n, int i){
  int eType, nTok, iName, nName;
  i = scriptNext(z, n, i, 0, &eType, &nTok);
  if( eType!=SCRIPT_TK_WORD && eType!=SCRIPT_TK_QUOTED
   && eType!=SCRIPT_TK_STRING ){
    return 0;
  }
  iName = i;
  nName = nTok;
  i = scriptNext(z, n, i+nTok, 0, &eType, &nTok);
  if( eType==SCRIPT_TK_DOT ){
    i = scriptNext(z, n, i+nTok, 0, &eType, &nTok);
    iName = i;
    nName = nTok;
  }
  if( scriptNameIs(z+iName, nName, "foreign_keys") ){
    return "PRAGMA foreign_keys is not allowed in a script";
  }
  if( scriptNameIs(z+iName, nName, "journal_mode") ){
    return "PRAGMA journal_mode is not allowed in a script";
  }
  return 0;
}

/*
** True if the WITH statement whose CTE list starts at z[i] is a SELECT
** (or VALUES): its first top-level SELECT, VALUES, INSERT, REPLACE,
** UPDATE or DELETE word says what it does.
*/
static int scriptWithIsQuery(const unsigned char *z, int n, int i){
  int nDepth = 0;
  while( i<n ){
    int eType, nTok;
    i = scriptNext(z, n, i, 0, &eType, &nTok);
    if( eType==SCRIPT_TK_LP ){
      nDepth++;
    }else if( eType==SCRIPT_TK_RP ){
      if( nDepth>0 ) nDepth--;
    }else if( eType==SCRIPT_TK_WORD && nDepth==0 ){
      if( scriptWordIs(z+i, nTok, "SELECT")
       || scriptWordIs(z+i, nTok, "VALUES") ){
        return 1;
      }
      if( scriptWordIs(z+i, nTok, "INSERT")
       || scriptWordIs(z+i, nTok, "REPLACE")
       || scriptWordIs(z+i, nTok, "UPDATE")
       || scriptWordIs(z+i, nTok, "DELETE") ){
        return 0;
      }
    }
    i += nTok;
  }
  return 0;
}

/*
** True if z[i..n) holds zName (no quote characters in it) in any case.
** Any token that unquotes to zName holds it literally, so a statement
** without it needs no tokenizing.
*/
static int scriptMayName(const unsigned char *z, int n, int i,
                         const char *zName){
  int nName = (int)strlen(zName);
  unsigned char c0 = scriptUpper((unsigned char)zName[0]);
  for(; i+nName<=n; i++){
    if( scriptUpper(z[i])==c0 ){
      int j;
      for(j=1; j<nName
            && scriptUpper(z[i+j])==scriptUpper((unsigned char)zName[j]); j++){}
      if( j==nName ) return 1;
    }
  }
  return 0;
}

/*
** True if z[i..n) names the history store: as a bare or quoted
** identifier anywhere, or as a 'string' where SQLite reads a string as a
** table name (after FROM, INTO, TABLE, UPDATE, ... or a '.').
*/
static int scriptNamesStore(const unsigned char *z, int n, int i){
  static const char *const azBefore[] = {
    "FROM", "INTO", "TABLE", "UPDATE", "EXISTS", "ON", "JOIN", "TO",
    "INDEX", "REPLACE", "ROLLBACK", "ABORT", "FAIL", "IGNORE",
  };
  const unsigned char *zPrev = 0;
  int ePrev = 0, nPrev = 0;
  if( !scriptMayName(z, n, i, SQLMIG_STORE) ) return 0;
  while( i<n ){
    int eType, nTok;
    i = scriptNext(z, n, i, 0, &eType, &nTok);
    if( eType==SCRIPT_TK_WORD || eType==SCRIPT_TK_QUOTED ){
      if( scriptNameIs(z+i, nTok, SQLMIG_STORE) ) return 1;
    }else if( eType==SCRIPT_TK_STRING && z[i]=='\'' ){
      int bName = ePrev==SCRIPT_TK_DOT;
      size_t k;
      for(k=0; !bName && ePrev==SCRIPT_TK_WORD
               && k<sizeof(azBefore)/sizeof(azBefore[0]); k++){
        bName = scriptWordIs(zPrev, nPrev, azBefore[k]);
      }
      if( bName && scriptNameIs(z+i, nTok, SQLMIG_STORE) ) return 1;
    }
    zPrev = z+i;
    ePrev = eType;
    nPrev = nTok;
    i += nTok;
  }
  return 0;
}

const char *sqlmigStmtRefusal(const char *zIn, int n){
  static const char *const aRefused[][2] = {
    { "BEGIN",     "BEGIN is not allowed in a script" },
    { "COMMIT",    "COMMIT is not allowed in a script" },
    { "END",       "END is not allowed in a script" },
    { "ROLLBACK",  "ROLLBACK is not allowed in a script" },
    { "SAVEPOINT", "SAVEPOINT is not allowed in a script" },
    { "RELEASE",   "RELEASE is not allowed in a script" },
    { "ATTACH",    "ATTACH is not allowed in a script" },
    { "DETACH",    "DETACH is not allowed in a script" },
    { "VACUUM",    "VACUUM is not allowed in a script" },
  };
  const unsigned char *z = (const unsigned char*)zIn;
  int eType, nTok, i;
  size_t k;

  if( z==0 || n<=0 ) return 0;
  i = scriptNext(z, n, 0, 1, &eType, &nTok);
  if( i>=n ) return 0;
  if( eType==SCRIPT_TK_WORD ){
    const unsigned char *zKw = z+i;
    int nKw = nTok;
    for(k=0; k<sizeof(aRefused)/sizeof(aRefused[0]); k++){
      if( scriptWordIs(zKw, nKw, aRefused[k][0]) ) return aRefused[k][1];
    }
    if( scriptWordIs(zKw, nKw, "PRAGMA") ){
      return scriptPragmaRefusal(z, n, i+nKw);
    }
    if( scriptWordIs(zKw, nKw, "SELECT") || scriptWordIs(zKw, nKw, "VALUES")
     || scriptWordIs(zKw, nKw, "EXPLAIN") ){
      return 0;
    }
    if( scriptWordIs(zKw, nKw, "WITH") && scriptWithIsQuery(z, n, i+nKw) ){
      return 0;
    }
    if( scriptWordIs(zKw, nKw, "CREATE") ){
      int j = scriptNext(z, n, i+nKw, 0, &eType, &nTok);
      if( eType==SCRIPT_TK_WORD && (scriptWordIs(z+j, nTok, "TEMP")
                                 || scriptWordIs(z+j, nTok, "TEMPORARY")) ){
        j = scriptNext(z, n, j+nTok, 0, &eType, &nTok);
      }
      if( eType==SCRIPT_TK_WORD && scriptWordIs(z+j, nTok, "VIEW") ) return 0;
    }
  }
  if( scriptNamesStore(z, n, i) ){
    return "statements that change " SQLMIG_STORE
           " are not allowed in a script";
  }
  return 0;
}

char *sqlmigExcerpt(const char *zIn, int n){
  const unsigned char *z = (const unsigned char*)zIn;
  int a = 0, b = n;        /* the part of z[] the excerpt shows */
  int nChar = 0;           /* characters written */
  int nOut = 0;            /* bytes written */
  int bCut = 0;            /* text left out */
  int nAlloc, i;
  char *zOut;

  if( z==0 || n<0 ) b = 0;
  /* Skip leading blanks, complete comments and stray ';'. */
  while( a<b ){
    int eType, eOpen;
    int nTok = scriptToken(z+a, b-a, &eType, &eOpen);
    if( eOpen!=SCRIPT_OPEN_NONE ) break;
    if( eType!=SCRIPT_TK_SPACE && eType!=SCRIPT_TK_COMMENT
     && eType!=SCRIPT_TK_SEMI ){
      break;
    }
    a += nTok;
  }
  while( b>a && scriptIsSpace(z[b-1]) ) b--;
  if( b>a && z[b-1]==';' ){
    /* Drop the terminator, not a ';' inside an unterminated literal. */
    int eOpen;
    scriptStmtScan(zIn+a, b-a, &eOpen);
    if( eOpen==SCRIPT_OPEN_NONE ){
      b--;
      while( b>a && scriptIsSpace(z[b-1]) ) b--;
    }
  }

  /* A character is at most 4 bytes; then "..." and the terminator. */
  nAlloc = (b-a < SCRIPT_EXCERPT_CHARS*4 ? b-a : SCRIPT_EXCERPT_CHARS*4) + 4;
  zOut = sqlite3_malloc64((sqlite3_uint64)nAlloc);
  if( zOut==0 ) return 0;
  i = a;
  while( i<b ){
    if( nChar==SCRIPT_EXCERPT_CHARS ){
      bCut = 1;
      break;
    }
    if( scriptIsSpace(z[i]) ){
      while( i<b && scriptIsSpace(z[i]) ) i++;
      zOut[nOut++] = ' ';
    }else{
      /* A lead byte and up to 3 continuation bytes stay together. */
      int nByte = 1;
      while( nByte<4 && i+nByte<b && (z[i+nByte]&0xc0)==0x80 ) nByte++;
      memcpy(zOut+nOut, z+i, (size_t)nByte);
      nOut += nByte;
      i += nByte;
    }
    nChar++;
  }
  if( bCut ){
    memcpy(zOut+nOut, "...", 3);
    nOut += 3;
  }
  zOut[nOut] = 0;
  return zOut;
}

int sqlmigScriptGuard(const char *zScript, char **pzErr){
  static const char *const azOpen[] = {
    0,
    "incomplete statement (unterminated string)",
    "incomplete statement (unterminated comment)",
    "incomplete statement (unterminated identifier)",
    "incomplete statement (CREATE TRIGGER without END)",
  };
  const char *zWhy = 0;    /* why the current statement is refused */
  char *zExcerpt = 0;
  size_t nScript;
  int n, i = 0, nStmt = 0;
  int rc = SQLITE_OK;

  if( pzErr ) *pzErr = 0;
  if( zScript==0 ) return SQLITE_OK;
  nScript = strlen(zScript);
  if( nScript>0x7fffffff ){
    if( pzErr ){
      *pzErr = sqlite3_mprintf("script is too long");
      if( *pzErr==0 ) return SQLITE_NOMEM;
    }
    return SQLITE_ERROR;
  }
  n = (int)nScript;
  while( i<n ){
    int eOpen;
    nStmt = scriptStmtScan(zScript+i, n-i, &eOpen);
    zWhy = eOpen!=SCRIPT_OPEN_NONE ? azOpen[eOpen]
                                   : sqlmigStmtRefusal(zScript+i, nStmt);
    if( zWhy ) break;
    i += nStmt;
  }
  if( zWhy ){
    rc = SQLITE_ERROR;
    zExcerpt = sqlmigExcerpt(zScript+i, nStmt);
    if( zExcerpt==0 ){
      rc = SQLITE_NOMEM;
    }else if( pzErr ){
      *pzErr = sqlite3_mprintf("%s in: %s", zWhy, zExcerpt);
      if( *pzErr==0 ) rc = SQLITE_NOMEM;
    }
  }
  sqlite3_free(zExcerpt);
  return rc;
}

/* --------------------------------------------------------------- checksum
** A 64-bit hash of a script, written as 16 lower-case hex digits. It
** detects drift (an up script changed after it was applied), not an
** adversary: whoever can rewrite `up` in the store can rewrite `checksum`
** too, so a cryptographic hash would buy nothing and cost every migrate()
** a few microseconds per revision. Eight bytes at a time: each word is
** multiplied into the state, rotated and offset; the length is folded in
** and the end avalanched so that every input bit reaches every output bit.
** The values are stored in databases: they must never change.
*/
#define SCRIPT_K1 0x9e3779b97f4a7c15ULL
#define SCRIPT_K2 0xc2b2ae3d27d4eb4fULL
#define SCRIPT_K3 0xff51afd7ed558ccdULL
#define SCRIPT_K4 0xc4ceb9fe1a85ec53ULL

/* The 64-bit little-endian word at p (whatever the host's byte order). */
static uint64_t scriptWord(const unsigned char *p, size_t n){
  uint64_t w = 0;
  size_t i;
  for(i=n; i>0; i--) w = (w<<8) | p[i-1];
  return w;
}

static uint64_t scriptMix(uint64_t h, uint64_t w){
  h ^= w * SCRIPT_K2;
  h = (h<<31) | (h>>33);
  return h * SCRIPT_K1 + SCRIPT_K4;
}

void sqlmigChecksum(const void *pIn, size_t n, char *zHex){
  static const char zDigit[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char*)pIn;
  uint64_t h = SCRIPT_K3 ^ ((uint64_t)n * SCRIPT_K1);
  size_t k;
  int i;
  for(k=0; k+8<=n; k+=8) h = scriptMix(h, scriptWord(p+k, 8));
  if( k<n ) h = scriptMix(h, scriptWord(p+k, n-k) ^ ((uint64_t)(n-k)<<59));
  h ^= h>>33;
  h *= SCRIPT_K3;
  h ^= h>>29;
  h *= SCRIPT_K4;
  h ^= h>>32;
  for(i=15; i>=0; i--){
    zHex[i] = zDigit[h & 15];
    h >>= 4;
  }
  zHex[16] = 0;
}

#undef SCRIPT_K1
#undef SCRIPT_K2
#undef SCRIPT_K3
#undef SCRIPT_K4
#undef SCRIPT_EXCERPT_CHARS
