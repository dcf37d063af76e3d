/*
** sqlmig: script handling.
**
** migrate() runs revision scripts written by people: any number of
** statements, comments, triggers with BEGIN ... END bodies, semicolons
** inside literals, and the transaction statements SQLite's own documents
** wrap a schema change in. This file splits scripts into statements, says
** what migrate() does with each (the script guard), computes the checksum
** of `up` scripts and the short excerpt error messages quote. All of it
** reads SQL through the one tokenizer (token.c).
**
** Splitting. sqlmigStmtLength() reads tokens up to the ';' that ends a
** statement; inside a CREATE TRIGGER body only an END that directly
** follows a ';' (or the body's BEGIN), outside any CASE ... END, closes
** the body. That is the only place SQLite's grammar allows the body's END,
** and counting CASE guards against `CASE ... END;` lines.
**
** The guard (sqlmigGuardStmt) reads each statement's first keyword after
** white space, comments and stray semicolons, and keeps the state a script
** needs to be taken as written:
**   - BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION] ... COMMIT / END
**     pairs, balanced and not nested, are skipped: migrate() already runs
**     the whole call as one transaction (SQLite's 12-step table rebuild,
**     written literally, has one).
**   - PRAGMA foreign_keys (any value, any schema prefix) is skipped:
**     migrate() pauses enforcement around each script and checks after.
**   - SAVEPOINT x ... RELEASE x, with ROLLBACK TO x in between, run as
**     real savepoints nested in migrate()'s transaction; every savepoint the
**     script opens must be released by it, and names starting with sqlmig_
**     are migrate()'s own.
**   - Refused: a bare ROLLBACK (it would throw away the caller's
**     transaction), COMMIT without BEGIN, BEGIN inside BEGIN or inside a
**     savepoint, RELEASE / ROLLBACK TO of a savepoint the script did not
**     open, ATTACH, DETACH, VACUUM, PRAGMA journal_mode, and writes to the
**     history store.
** The history rule: a statement naming sqlmig_history (bare or quoted,
** any case, or as a 'string' where SQLite takes a string for a table
** name, e.g. DELETE FROM 'sqlmig_history') is refused unless it only
** reads: SELECT, VALUES, EXPLAIN, PRAGMA, CREATE [TEMP] VIEW, or a WITH
** whose main statement is a SELECT. Other literals are never names.
**
** Every function is one linear pass; nothing is allocated except the
** guard's savepoint list, the excerpt and the error message.
*/
#include "sqlmig_int.h"
#include <stdint.h>

/* Why a statement is left open at the end of the text: the tokenizer's
** reasons, and a trigger body without its END. */
#define SCRIPT_OPEN_TRIGGER (SQLMIG_OPEN_IDENT+1)

/* Most characters an excerpt keeps before it is cut with "...". */
#define SCRIPT_EXCERPT_CHARS 60

/*
** Length of the statement at z[0..n), as sqlmigStmtLength(), with
** *peOpen set to the reason it is left open (SQLMIG_OPEN_ or
** SCRIPT_OPEN_TRIGGER).
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

  *peOpen = SQLMIG_OPEN_NONE;
  while( i<n ){
    const unsigned char *zTok = z+i;
    int eType, eOpen;
    int nTok = sqlmigToken(zTok, n-i, &eType, &eOpen);
    i += nTok;
    if( eOpen!=SQLMIG_OPEN_NONE ){
      *peOpen = eOpen;
      return i;
    }
    if( eType==SQLMIG_TK_SPACE || eType==SQLMIG_TK_COMMENT ) continue;
    if( eType==SQLMIG_TK_SEMI ){
      /* A ';' before the body is a syntax error: let it end the text. */
      if( !bTrigger || !bBody || bDone ) return i;
      bEndOk = 1;
      continue;
    }
    if( eLead!=LEAD_DONE ){
      int eNext = LEAD_DONE;
      if( eType==SQLMIG_TK_WORD ){
        if( eLead==LEAD_START || eLead==LEAD_EXPLAIN ){
          if( sqlmigWordIs(zTok, nTok, "EXPLAIN")
           || (eLead==LEAD_EXPLAIN && (sqlmigWordIs(zTok, nTok, "QUERY")
                                    || sqlmigWordIs(zTok, nTok, "PLAN"))) ){
            eNext = LEAD_EXPLAIN;
          }else if( sqlmigWordIs(zTok, nTok, "CREATE") ){
            eNext = LEAD_CREATE;
          }
        }else{
          if( eLead==LEAD_CREATE && (sqlmigWordIs(zTok, nTok, "TEMP")
                                  || sqlmigWordIs(zTok, nTok, "TEMPORARY")) ){
            eNext = LEAD_TEMP;
          }else if( sqlmigWordIs(zTok, nTok, "TRIGGER") ){
            bTrigger = 1;
          }
        }
      }
      eLead = eNext;
      continue;
    }
    if( bTrigger && !bDone && eType==SQLMIG_TK_WORD ){
      if( sqlmigWordIs(zTok, nTok, "CASE") ){
        nCase++;
      }else if( sqlmigWordIs(zTok, nTok, "END") ){
        if( bBody && bEndOk && nCase==0 ){
          bDone = 1;
        }else if( nCase>0 ){
          nCase--;
        }
      }else if( !bBody && sqlmigWordIs(zTok, nTok, "BEGIN") ){
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
  if( pbOpen ) *pbOpen = n>0 && eOpen!=SQLMIG_OPEN_NONE;
  return nStmt;
}

/* ------------------------------------------------------------ the guard */

/*
** The refusal for the PRAGMA whose name starts at or after z[i], or NULL;
** sets *pbSkip for PRAGMA foreign_keys, which migrate() manages.
*/
static const char *scriptPragma(const unsigned char *z, int n, int i,
                                int *pbSkip){
  int eType, nTok, iName, nName;
  i = sqlmigNextToken(z, n, i, 0, &eType, &nTok);
  if( eType!=SQLMIG_TK_WORD && eType!=SQLMIG_TK_QUOTED
   && eType!=SQLMIG_TK_STRING ){
    return 0;
  }
  iName = i;
  nName = nTok;
  i = sqlmigNextToken(z, n, i+nTok, 0, &eType, &nTok);
  if( eType==SQLMIG_TK_DOT ){
    i = sqlmigNextToken(z, n, i+nTok, 0, &eType, &nTok);
    iName = i;
    nName = nTok;
  }
  if( sqlmigNameIs(z+iName, nName, "foreign_keys") ){
    *pbSkip = 1;
    return 0;
  }
  if( sqlmigNameIs(z+iName, nName, "journal_mode") ){
    return "PRAGMA journal_mode cannot change inside a transaction: set it "
           "before migrate()";
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
    i = sqlmigNextToken(z, n, i, 0, &eType, &nTok);
    if( eType==SQLMIG_TK_LP ){
      nDepth++;
    }else if( eType==SQLMIG_TK_RP ){
      if( nDepth>0 ) nDepth--;
    }else if( eType==SQLMIG_TK_WORD && nDepth==0 ){
      if( sqlmigWordIs(z+i, nTok, "SELECT")
       || sqlmigWordIs(z+i, nTok, "VALUES") ){
        return 1;
      }
      if( sqlmigWordIs(z+i, nTok, "INSERT")
       || sqlmigWordIs(z+i, nTok, "REPLACE")
       || sqlmigWordIs(z+i, nTok, "UPDATE")
       || sqlmigWordIs(z+i, nTok, "DELETE") ){
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
  unsigned char c0 = sqlmigUpper((unsigned char)zName[0]);
  for(; i+nName<=n; i++){
    if( sqlmigUpper(z[i])==c0 ){
      int j;
      for(j=1; j<nName
            && sqlmigUpper(z[i+j])==sqlmigUpper((unsigned char)zName[j]); j++){}
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
  /* arrays, not pointers: no relocation each when the library loads */
  static const char azBefore[][9] = {
    "FROM", "INTO", "TABLE", "UPDATE", "EXISTS", "ON", "JOIN", "TO",
    "INDEX", "REPLACE", "ROLLBACK", "ABORT", "FAIL", "IGNORE",
  };
  const unsigned char *zPrev = 0;
  int ePrev = 0, nPrev = 0;
  if( !scriptMayName(z, n, i, SQLMIG_STORE) ) return 0;
  while( i<n ){
    int eType, nTok;
    i = sqlmigNextToken(z, n, i, 0, &eType, &nTok);
    if( eType==SQLMIG_TK_WORD || eType==SQLMIG_TK_QUOTED ){
      if( sqlmigNameIs(z+i, nTok, SQLMIG_STORE) ) return 1;
    }else if( eType==SQLMIG_TK_STRING ){
      int bName = ePrev==SQLMIG_TK_DOT;
      size_t k;
      for(k=0; !bName && ePrev==SQLMIG_TK_WORD
               && k<sizeof(azBefore)/sizeof(azBefore[0]); k++){
        bName = sqlmigWordIs(zPrev, nPrev, azBefore[k]);
      }
      if( bName && sqlmigNameIs(z+i, nTok, SQLMIG_STORE) ) return 1;
    }
    zPrev = z+i;
    ePrev = eType;
    nPrev = nTok;
    i += nTok;
  }
  return 0;
}

int sqlmigNamesStore(const char *z, int n){
  return z && n>0 && scriptNamesStore((const unsigned char*)z, n, 0);
}

/*
** The savepoint name after the keyword at z[i] of a SAVEPOINT, RELEASE
** or ROLLBACK TO statement, skipping one optional zSkip word ("SAVEPOINT"
** or NULL). Returns its index with *pnName set, or -1 when there is none.
*/
static int scriptSavepointName(const unsigned char *z, int n, int i,
                               const char *zSkip, int *pnName){
  int eType, nTok;
  i = sqlmigNextToken(z, n, i, 0, &eType, &nTok);
  if( zSkip && eType==SQLMIG_TK_WORD && sqlmigWordIs(z+i, nTok, zSkip) ){
    int j = sqlmigNextToken(z, n, i+nTok, 0, &eType, &nTok);
    if( eType==SQLMIG_TK_WORD || eType==SQLMIG_TK_QUOTED
     || eType==SQLMIG_TK_STRING ){
      i = j;
    }else{
      /* "RELEASE savepoint": a savepoint named savepoint */
      eType = SQLMIG_TK_WORD;
      nTok = (int)strlen(zSkip);
    }
  }
  if( eType!=SQLMIG_TK_WORD && eType!=SQLMIG_TK_QUOTED
   && eType!=SQLMIG_TK_STRING ){
    return -1;
  }
  *pnName = nTok;
  return i;
}

/* The innermost open savepoint named z[0..n), or -1. */
static int guardFindSavepoint(SqlmigGuard *p, const unsigned char *z, int n){
  int k;
  for(k=p->nSave-1; k>=0; k--){
    if( sqlmigNameEq((const unsigned char*)p->aSave[k].zName,
                     p->aSave[k].nName, z, n) ){
      return k;
    }
  }
  return -1;
}

/* Pushes a savepoint opened by statement zStmt[0..nStmt). */
static int guardPush(SqlmigGuard *p, const char *zName, int nName,
                     const char *zStmt, int nStmt){
  SqlmigSavepoint *pSave;
  if( p->nSave==p->nSaveAlloc ){
    int nNew = p->nSaveAlloc ? p->nSaveAlloc*2 : 4;
    SqlmigSavepoint *aNew = sqlite3_realloc64(p->aSave,
        sizeof(SqlmigSavepoint)*(sqlite3_uint64)nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->aSave = aNew;
    p->nSaveAlloc = nNew;
  }
  pSave = &p->aSave[p->nSave++];
  pSave->zName = zName;
  pSave->nName = nName;
  pSave->zStmt = zStmt;
  pSave->nStmt = nStmt;
  return SQLITE_OK;
}

void sqlmigGuardFree(SqlmigGuard *p){
  sqlite3_free(p->aSave);
  memset(p, 0, sizeof(*p));
}

int sqlmigGuardStmt(SqlmigGuard *p, const char *zIn, int n, int *peAction,
                    const char **pzWhy){
  const unsigned char *z = (const unsigned char*)zIn;
  const unsigned char *zKw;
  int eType, nTok, nKw, i, iName, nName = 0, k;
  int bSkip = 0;

  *peAction = SQLMIG_RUN;
  *pzWhy = 0;
  if( z==0 || n<=0 ) return SQLITE_OK;
  i = sqlmigNextToken(z, n, 0, 1, &eType, &nTok);
  if( i>=n ){
    *peAction = SQLMIG_SKIP;
    return SQLITE_OK;
  }
  zKw = z+i;
  nKw = nTok;
  if( eType==SQLMIG_TK_WORD ){
    if( sqlmigWordIs(zKw, nKw, "BEGIN") ){
      if( p->zBegin ){
        *pzWhy = "BEGIN inside a transaction the script already began "
                 "(transactions do not nest: use SAVEPOINT)";
      }else if( p->nSave>0 ){
        *pzWhy = "BEGIN inside a savepoint the script opened "
                 "(transactions do not nest)";
      }else{
        p->zBegin = zIn;
        p->nBegin = n;
        *peAction = SQLMIG_SKIP;
      }
    }else if( sqlmigWordIs(zKw, nKw, "COMMIT")
           || sqlmigWordIs(zKw, nKw, "END") ){
      if( p->zBegin==0 ){
        *pzWhy = sqlmigUpper(zKw[0])=='E'
            ? "END without a BEGIN in the script (migrate() commits the "
              "whole call itself)"
            : "COMMIT without a BEGIN in the script (migrate() commits the "
              "whole call itself)";
      }else if( p->nSave>0 ){
        *pzWhy = "COMMIT while a savepoint the script opened is still open "
                 "(RELEASE it first)";
      }else{
        p->zBegin = 0;
        *peAction = SQLMIG_SKIP;
      }
    }else if( sqlmigWordIs(zKw, nKw, "ROLLBACK") ){
      int j = sqlmigNextToken(z, n, i+nKw, 0, &eType, &nTok);
      if( eType==SQLMIG_TK_WORD && sqlmigWordIs(z+j, nTok, "TRANSACTION") ){
        j = sqlmigNextToken(z, n, j+nTok, 0, &eType, &nTok);
      }
      if( eType!=SQLMIG_TK_WORD || !sqlmigWordIs(z+j, nTok, "TO") ){
        *pzWhy = "ROLLBACK is not allowed in a script (when a statement "
                 "fails, migrate() rolls the whole call back)";
      }else if( (iName = scriptSavepointName(z, n, j+nTok, "SAVEPOINT",
                                              &nName))<0
             || (k = guardFindSavepoint(p, z+iName, nName))<0 ){
        *pzWhy = "ROLLBACK TO a savepoint the script did not open";
      }else{
        p->nSave = k+1;
      }
    }else if( sqlmigWordIs(zKw, nKw, "SAVEPOINT") ){
      iName = scriptSavepointName(z, n, i+nKw, 0, &nName);
      if( iName>=0 && sqlmigNameHasPrefix(z+iName, nName, "sqlmig_") ){
        *pzWhy = "savepoint names starting with sqlmig_ are reserved for "
                 "migrate()";
      }else if( iName>=0
             && guardPush(p, zIn+iName, nName, zIn, n)!=SQLITE_OK ){
        return SQLITE_NOMEM;
      }
    }else if( sqlmigWordIs(zKw, nKw, "RELEASE") ){
      iName = scriptSavepointName(z, n, i+nKw, "SAVEPOINT", &nName);
      if( iName<0 || (k = guardFindSavepoint(p, z+iName, nName))<0 ){
        *pzWhy = "RELEASE of a savepoint the script did not open";
      }else{
        p->nSave = k;
      }
    }else if( sqlmigWordIs(zKw, nKw, "ATTACH") ){
      *pzWhy = "ATTACH is not allowed in a script (attach before migrate())";
    }else if( sqlmigWordIs(zKw, nKw, "DETACH") ){
      *pzWhy = "DETACH is not allowed in a script";
    }else if( sqlmigWordIs(zKw, nKw, "VACUUM") ){
      *pzWhy = "VACUUM cannot run inside a transaction: run it after "
               "migrate()";
    }else if( sqlmigWordIs(zKw, nKw, "PRAGMA") ){
      *pzWhy = scriptPragma(z, n, i+nKw, &bSkip);
      if( bSkip ) *peAction = SQLMIG_SKIP;
      return *pzWhy ? SQLITE_ERROR : SQLITE_OK;
    }else if( sqlmigWordIs(zKw, nKw, "SELECT")
           || sqlmigWordIs(zKw, nKw, "VALUES")
           || sqlmigWordIs(zKw, nKw, "EXPLAIN")
           || (sqlmigWordIs(zKw, nKw, "WITH")
               && scriptWithIsQuery(z, n, i+nKw)) ){
      return SQLITE_OK;
    }else if( sqlmigWordIs(zKw, nKw, "CREATE") ){
      int j = sqlmigNextToken(z, n, i+nKw, 0, &eType, &nTok);
      if( eType==SQLMIG_TK_WORD && (sqlmigWordIs(z+j, nTok, "TEMP")
                                 || sqlmigWordIs(z+j, nTok, "TEMPORARY")) ){
        j = sqlmigNextToken(z, n, j+nTok, 0, &eType, &nTok);
      }
      if( eType==SQLMIG_TK_WORD && sqlmigWordIs(z+j, nTok, "VIEW") ){
        return SQLITE_OK;
      }
    }
  }
  if( *pzWhy==0 && scriptNamesStore(z, n, i) ){
    *pzWhy = "statements that change " SQLMIG_STORE
             " are not allowed in a script";
  }
  if( *pzWhy ){
    *peAction = SQLMIG_RUN;
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

const char *sqlmigGuardEnd(SqlmigGuard *p, const char **pz, int *pn){
  if( p->zBegin ){
    *pz = p->zBegin;
    *pn = p->nBegin;
    return "BEGIN without a COMMIT in the script";
  }
  if( p->nSave>0 ){
    *pz = p->aSave[p->nSave-1].zStmt;
    *pn = p->aSave[p->nSave-1].nStmt;
    return "SAVEPOINT never released by the script (end it with RELEASE)";
  }
  return 0;
}

int sqlmigScriptGuard(const char *zScript, int nScript, char **pzErr){
  static const char azOpen[][50] = {
    "",
    "incomplete statement (unterminated string)",
    "incomplete statement (unterminated comment)",
    "incomplete statement (unterminated identifier)",
    "incomplete statement (CREATE TRIGGER without END)",
  };
  SqlmigGuard guard;
  const char *zWhy = 0;    /* why the script is refused */
  const char *zAt = 0;     /* the statement it names */
  char *zExcerpt = 0;
  int n, i = 0, nAt = 0;
  int rc = SQLITE_OK;

  memset(&guard, 0, sizeof(guard));
  if( pzErr ) *pzErr = 0;
  if( zScript==0 ) return SQLITE_OK;
  if( nScript<0 ){
    size_t nLen = strlen(zScript);
    if( nLen>0x7fffffff ){
      if( pzErr ){
        *pzErr = sqlite3_mprintf("script is too long");
        if( *pzErr==0 ) return SQLITE_NOMEM;
      }
      return SQLITE_ERROR;
    }
    nScript = (int)nLen;
  }
  n = nScript;
  while( i<n && rc==SQLITE_OK ){
    int eOpen, eAction;
    int nStmt = scriptStmtScan(zScript+i, n-i, &eOpen);
    if( eOpen!=SQLMIG_OPEN_NONE ){
      zWhy = azOpen[eOpen];
      rc = SQLITE_ERROR;
    }else{
      rc = sqlmigGuardStmt(&guard, zScript+i, nStmt, &eAction, &zWhy);
    }
    zAt = zScript+i;
    nAt = nStmt;
    i += nStmt;
  }
  if( rc==SQLITE_OK ){
    zWhy = sqlmigGuardEnd(&guard, &zAt, &nAt);
    if( zWhy ) rc = SQLITE_ERROR;
  }
  if( rc==SQLITE_ERROR ){
    zExcerpt = sqlmigExcerpt(zAt, nAt);
    if( zExcerpt==0 ){
      rc = SQLITE_NOMEM;
    }else if( pzErr ){
      *pzErr = sqlite3_mprintf("%s in: %s", zWhy, zExcerpt);
      if( *pzErr==0 ) rc = SQLITE_NOMEM;
    }
  }
  sqlite3_free(zExcerpt);
  sqlmigGuardFree(&guard);
  return rc;
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
    int nTok = sqlmigToken(z+a, b-a, &eType, &eOpen);
    if( eOpen!=SQLMIG_OPEN_NONE ) break;
    if( eType!=SQLMIG_TK_SPACE && eType!=SQLMIG_TK_COMMENT
     && eType!=SQLMIG_TK_SEMI ){
      break;
    }
    a += nTok;
  }
  while( b>a && sqlmigIsSpace(z[b-1]) ) b--;
  if( b>a && z[b-1]==';' ){
    /* Drop the terminator, not a ';' inside an unterminated literal. */
    int eOpen;
    scriptStmtScan(zIn+a, b-a, &eOpen);
    if( eOpen==SQLMIG_OPEN_NONE ){
      b--;
      while( b>a && sqlmigIsSpace(z[b-1]) ) b--;
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
    if( sqlmigIsSpace(z[i]) ){
      while( i<b && sqlmigIsSpace(z[i]) ) i++;
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

#undef SCRIPT_EXCERPT_CHARS
#undef SCRIPT_OPEN_TRIGGER
