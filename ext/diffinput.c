/*
** sqlmig: what migrate_diff() and migrate_changes() are given.
**
**   migrate_diff('main', 'desired')                    -- two schemas
**   migrate_diff('main', readfile('schema.sql'))       -- a schema script
**   migrate_diff('main', 'desired', 'users.fullname -> users.name')
**
** A schema argument is the name of an attached database (case-insensitive,
** as pragma_database_list lists it); a BLOB, or a text that names none and
** holds a ';' or starts with the word CREATE, is a schema script instead:
** it is run, statement by statement, in a private in-memory database that
** the diff then reads, and a statement that fails is named in the error.
** The private database cannot attach files.
**
** Rename hints are comma-separated `old -> new` pairs: `a -> b` renames
** table a of from to table b of to; `a.x -> b.y` renames column x of
** from's table a to column y of to's table b (a and b the same table, by
** name or by a table hint). Names may be quoted as in SQL. Every hint must
** name what exists: the old name in from, the new one in to, and the new
** name not already taken in from.
*/
#include "sqlmig_int.h"

/* Left out of the build for apps that only migrate (-DSQLMIG_OMIT_DIFF). */
#ifndef SQLMIG_OMIT_DIFF

/* ============================================================ schemas */

/* Authorizer of a script's private database: no ATTACH (it makes files). */
static int diffScriptAuth(void *pArg, int eCode, const char *z1,
                          const char *z2, const char *z3, const char *z4){
  (void)pArg; (void)z1; (void)z2; (void)z3; (void)z4;
  return eCode==SQLITE_ATTACH ? SQLITE_DENY : SQLITE_OK;
}

/*
** Runs schema script z[0..n) in a new private in-memory database *pDb.
** On a failing statement returns SQLITE_ERROR with p->zErr naming it.
*/
static int diffLoadScript(DiffCtx *p, const char *z, int n, int iArg,
                          sqlite3 **pDb){
  sqlite3 *db = 0;
  int rc = sqlite3_open_v2(":memory:", &db,
                           SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  int iStmt = 0;
  *pDb = db;
  if( rc==SQLITE_NOMEM ) return rc;
  if( rc!=SQLITE_OK ){
    sqlmigDiffSetError(p, sqlite3_mprintf("%s: cannot open a private"
        " database for the schema script (argument %d): %s", p->zFunc, iArg,
        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    return p->zErr ? rc : SQLITE_NOMEM;
  }
  sqlite3_set_authorizer(db, diffScriptAuth, 0);
  while( rc==SQLITE_OK && n>0 ){
    sqlite3_stmt *pStmt = 0;
    const char *zTail = z;
    int eType, nTok, i, bVacuum, bOpen;
    i = sqlmigNextToken((const unsigned char*)z, n, 0, 1, &eType, &nTok);
    if( eType==0 ) break;
    iStmt++;
    z += i;
    n -= i;
    bVacuum = eType==SQLMIG_TK_WORD
           && sqlmigWordIs((const unsigned char*)z, nTok, "VACUUM");
    if( bVacuum ){
      rc = SQLITE_ERROR;        /* VACUUM INTO would write a file */
    }else{
      rc = sqlite3_prepare_v2(db, z, n, &pStmt, &zTail);
      while( rc==SQLITE_OK && pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){}
      if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
      else sqlite3_finalize(pStmt);
    }
    if( rc==SQLITE_NOMEM ) return rc;
    if( rc!=SQLITE_OK ){
      char *zEx = sqlmigExcerpt(z, sqlmigStmtLength(z, n, &bOpen));
      rc = sqlmigDiffSetError(p, zEx==0 ? 0 : sqlite3_mprintf(
          "%s: the schema script (argument %d) fails at statement %d, %s:"
          " %s", p->zFunc, iArg, iStmt, zEx,
          bVacuum ? "VACUUM is not allowed here" : sqlite3_errmsg(db)));
      sqlite3_free(zEx);
      return rc;
    }
    if( zTail==z ) break;       /* cannot happen: UTF-8 without NUL */
    n -= (int)(zTail - z);
    z = zTail;
  }
  return rc;
}

/* See sqlmig_int.h. */
int sqlmigDiffSchemaArg(DiffCtx *p, sqlite3_value *pVal, int iArg){
  DiffSchema *pS = &p->aS[iArg-1];
  const char *zName = 0;
  int eType = sqlite3_value_type(pVal);
  int rc = SQLITE_OK, i;
  if( eType==SQLITE_TEXT ){
    /* the name of an attached schema wins; else text that looks like a
    ** script (a ';', or CREATE first) is one; else "no such schema" */
    const unsigned char *z = sqlite3_value_text(pVal);
    int n = sqlite3_value_bytes(pVal), nTok;
    if( z==0 ) return SQLITE_NOMEM;
    rc = sqlmigSchemaArg(p->db, p->zFunc, pVal, iArg, &zName, &p->zErr);
    if( rc==SQLITE_OK ) return sqlmigDiffReadSchema(p, pS, p->db, zName);
    i = sqlmigNextToken(z, n, 0, 0, &eType, &nTok);
    if( rc!=SQLITE_ERROR || (memchr(z, ';', n)==0 && !(eType==SQLMIG_TK_WORD
         && sqlmigWordIs(&z[i], nTok, "CREATE"))) ){
      return rc;
    }
    sqlite3_free(p->zErr);
    p->zErr = 0;
    eType = SQLITE_BLOB;
  }
  if( eType!=SQLITE_BLOB ){
    return sqlmigDiffSetError(p, sqlite3_mprintf("%s: argument %d must be a"
        " schema name or a schema script, not %s", p->zFunc, iArg,
        eType==SQLITE_INTEGER ? "an integer" : eType==SQLITE_FLOAT ? "a real"
        : "null"));
  }
  i = sqlmigUtf8Invalid(sqlite3_value_blob(pVal), sqlite3_value_bytes(pVal));
  if( i>=0 ){
    return sqlmigDiffSetError(p, sqlite3_mprintf("%s: the schema script"
        " (argument %d) is not UTF-8 text: byte %d", p->zFunc, iArg, i+1));
  }
  rc = diffLoadScript(p, (const char*)sqlite3_value_blob(pVal),
                      sqlite3_value_bytes(pVal), iArg, &p->aPriv[iArg-1]);
  if( rc==SQLITE_OK ){
    rc = sqlmigDiffReadSchema(p, pS, p->aPriv[iArg-1], "main");
  }
  return rc;
}

/* ============================================================ hints */

/*
** Reads "name" or "name.name" at token *pi of z into az[0..1] (az[1] NULL
** for a bare name). Returns 0 if the tokens there are not that.
*/
static int diffHintName(const char *z, const DiffTok *a, int n, int *pi,
                        char **az, int *pRc){
  int i = *pi, k;
  for(k=0; k<2; k++){
    if( i>=n || (a[i].eType!=DT_WORD && a[i].eType!=DT_ID) ) return 0;
    az[k] = sqlmigDiffTokName(z, &a[i], pRc);
    i++;
    if( k==1 || i>=n || !sqlmigDiffIsPunct(z, &a[i], '.') ) break;
    i++;
  }
  *pi = i;
  return *pRc==SQLITE_OK;
}

/* See sqlmig_int.h. NULL and '' are no hints. */
int sqlmigDiffHints(DiffCtx *p, sqlite3_value *pVal){
  const char *z;
  DiffTok *a = 0;
  int n = 0, i = 0, rc;
  if( sqlite3_value_type(pVal)==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(pVal)!=SQLITE_TEXT ){
    return sqlmigDiffSetError(p, sqlite3_mprintf("%s: argument 3 must be"
        " text naming renames, as 'old -> new, table.old -> table.new'",
        p->zFunc));
  }
  z = (const char*)sqlite3_value_text(pVal);
  if( z==0 ) return SQLITE_NOMEM;
  rc = sqlmigDiffTokenize(z, &a, &n);
  while( rc==SQLITE_OK && i<n ){
    DiffRename r;
    char *azL[2] = {0, 0}, *azR[2] = {0, 0};
    int i0 = i, bOk;
    memset(&r, 0, sizeof(r));
    bOk = diffHintName(z, a, n, &i, azL, &rc)
       && i<n && a[i].eType==DT_PUNCT && a[i].n==2
       && memcmp(&z[a[i].iOff], "->", 2)==0
       && (i++, diffHintName(z, a, n, &i, azR, &rc))
       && (azL[1]==0)==(azR[1]==0)
       && (i==n || sqlmigDiffIsPunct(z, &a[i], ','));
    if( rc==SQLITE_OK && !bOk ){
      char *zEx = sqlmigExcerpt(&z[a[i0].iOff], (int)strlen(&z[a[i0].iOff]));
      rc = sqlmigDiffSetError(p, zEx==0 ? 0 : sqlite3_mprintf(
          "%s: cannot read the rename hint at '%s': expected"
          " 'old -> new' or 'table.old -> table.new'", p->zFunc, zEx));
      sqlite3_free(zEx);
    }
    r.zTbl[0] = azL[0]; r.zTbl[1] = azR[0];
    r.zCol[0] = azL[1]; r.zCol[1] = azR[1];
    if( rc==SQLITE_OK ){
      /* the hint as written, without trailing blanks, for errors */
      int iEnd = i<n ? a[i].iOff : (int)strlen(z);
      while( iEnd>a[i0].iOff && sqlmigIsSpace((unsigned char)z[iEnd-1]) ) iEnd--;
      r.zText = sqlite3_mprintf("%.*s", iEnd - a[i0].iOff, &z[a[i0].iOff]);
      if( r.zText==0 ) rc = SQLITE_NOMEM;
    }
    if( rc==SQLITE_OK ){
      DiffRename *aNew = sqlite3_realloc64(p->aRen,
                                           sizeof(DiffRename)*(p->nRen+1));
      if( aNew==0 ) rc = SQLITE_NOMEM;
      else{
        p->aRen = aNew;
        p->aRen[p->nRen++] = r;
        memset(&r, 0, sizeof(r));
      }
    }
    sqlite3_free(r.zTbl[0]); sqlite3_free(r.zTbl[1]);
    sqlite3_free(r.zCol[0]); sqlite3_free(r.zCol[1]);
    sqlite3_free(r.zText);
    i++;
  }
  sqlite3_free(a);
  return rc;
}

/* Index of table zName in pS, or -1. */
static int diffTableIn(DiffSchema *pS, const char *zName){
  int i = sqlmigDiffHashFind(&pS->hName, zName, -1);
  return i>=0 && pS->a[i].eType==DO_TABLE ? i : -1;
}

/* True if parsed table t has a column zName (any case). */
static int diffHasCol(const DiffTable *t, const char *zName){
  int i;
  for(i=0; i<t->nCol; i++){
    if( sqlite3_stricmp(t->aCol[i].zName, zName)==0 ) return 1;
  }
  return 0;
}

/* See sqlmig_int.h. Table hints first: column hints need the pairs. */
int sqlmigDiffApplyHints(DiffCtx *p){
  DiffSchema *pF = &p->aS[0], *pD = &p->aS[1];
  int i, bCol, rc = SQLITE_OK;
  for(bCol=0; bCol<2; bCol++){
    for(i=0; rc==SQLITE_OK && i<p->nRen; i++){
      DiffRename *r = &p->aRen[i];
      int iF = diffTableIn(pF, r->zTbl[0]), iD = diffTableIn(pD, r->zTbl[1]);
      const char *zWhy = 0, *zArg = r->zTbl[0];
      if( (r->zCol[0]!=0)!=bCol ) continue;
      if( iF<0 ){
        zWhy = "from has no table \"%w\"";
      }else if( iD<0 ){
        zWhy = "to has no table \"%w\"";
        zArg = r->zTbl[1];
      }else if( !bCol ){
        if( sqlite3_stricmp(r->zTbl[0], r->zTbl[1])==0 ) continue;
        if( diffTableIn(pF, r->zTbl[1])>=0 ){
          zWhy = "from already has a table \"%w\"";
          zArg = r->zTbl[1];
        }else if( diffTableIn(pD, r->zTbl[0])>=0 ){
          zWhy = "to still has a table \"%w\"";
        }else if( pF->a[iF].iPeer>=0 || pD->a[iD].iPeer>=0 ){
          zWhy = "table \"%w\" is renamed twice";
        }else{
          pF->a[iF].iPeer = iD;
          pD->a[iD].iPeer = iF;
        }
      }else if( pF->a[iF].iPeer!=iD ){
        zWhy = "table \"%w\" of from does not become that table of to"
               " (add a hint for the table if it is renamed)";
      }else{
        const DiffTable *ft, *dt;
        rc = sqlmigDiffParseTable(p, pF, &pF->a[iF]);
        if( rc==SQLITE_OK ) rc = sqlmigDiffParseTable(p, pD, &pD->a[iD]);
        if( rc ) break;
        ft = pF->a[iF].pTab;
        dt = pD->a[iD].pTab;
        zArg = r->zCol[1];
        if( !diffHasCol(ft, r->zCol[0]) ){
          zWhy = "from's table has no column \"%w\"";
          zArg = r->zCol[0];
        }else if( !diffHasCol(dt, r->zCol[1]) ){
          zWhy = "to's table has no column \"%w\"";
        }else if( sqlite3_stricmp(r->zCol[0], r->zCol[1])!=0
               && diffHasCol(ft, r->zCol[1]) ){
          zWhy = "from's table already has a column \"%w\"";
        }
      }
      if( zWhy ){
        char *zWhat = sqlite3_mprintf(zWhy, zArg);
        rc = sqlmigDiffSetError(p, zWhat==0 ? 0 : sqlite3_mprintf(
            "%s: rename hint '%s': %s", p->zFunc, r->zText, zWhat));
        sqlite3_free(zWhat);
      }
    }
  }
  return rc;
}

/* See sqlmig_int.h. */
const char *sqlmigDiffColTo(const DiffCtx *p, const DiffObj *f,
                            const char *zCol){
  int i;
  for(i=0; i<p->nRen; i++){
    const DiffRename *r = &p->aRen[i];
    if( r->zCol[0] && sqlite3_stricmp(r->zTbl[0], f->zName)==0
     && sqlite3_stricmp(r->zCol[0], zCol)==0 ){
      return r->zCol[1];
    }
  }
  return zCol;
}

/* See sqlmig_int.h. */
const char *sqlmigDiffColFrom(const DiffCtx *p, const DiffObj *f,
                              const DiffObj *d, const char *zCol){
  int i;
  for(i=0; i<p->nRen; i++){
    const DiffRename *r = &p->aRen[i];
    if( r->zCol[0] && sqlite3_stricmp(r->zTbl[1], d->zName)==0
     && sqlite3_stricmp(r->zCol[1], zCol)==0 ){
      return r->zCol[0];
    }
  }
  for(i=0; i<p->nRen; i++){
    const DiffRename *r = &p->aRen[i];
    if( r->zCol[0] && sqlite3_stricmp(r->zTbl[0], f->zName)==0
     && sqlite3_stricmp(r->zCol[0], zCol)==0 ){
      return 0;                 /* that column of from became another */
    }
  }
  return zCol;
}

#endif /* SQLMIG_OMIT_DIFF */
