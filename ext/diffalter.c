/*
** sqlmig: how the diff changes one table (see diff.c for the whole).
**
** ALTER TABLE RENAME/ADD/DROP COLUMN is used when applying it to the old
** CREATE text yields exactly the new text (SQLite appends added columns
** after the last column and removes dropped ones) and it is safe (RENAME
** and DROP COLUMN re-check the whole schema, so they need one whose views
** and triggers resolve); otherwise SQLite's generalized rebuild: create
** "sqlmig_new_<name>", copy the columns present in both (and the rowid),
** carry the sqlite_sequence value over, drop, rename in legacy_alter_table
** mode, recreate indexes and triggers. Each step is recorded with whether
** it can lose data and why.
*/
#include "sqlmig_int.h"

/* Left out of the build for apps that only migrate (-DSQLMIG_OMIT_DIFF). */
#ifndef SQLMIG_OMIT_DIFF

/* ============================================================ changes */

/*
** Appends a change. Takes ownership of zDetail and zSql (sqlite3_malloc),
** which may be NULL only after an allocation failure. zObject is copied.
*/
int sqlmigDiffAdd(DiffCtx *p, const char *zKind, const char *zObject,
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
#define DIFF_RENAME_HINT " (if it was renamed, name it in the third" \
  " argument, as 'table.old -> table.new': the diff never guesses renames)"

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
    if( d->zDflt && d->eHidden<2 ){
      sqlite3_str_appendf(pStr, "; column \"%w\" becomes NOT NULL:"
          " its NULLs are replaced by its DEFAULT %s", d->zName, d->zDflt);
    }else{
      sqlite3_str_appendf(pStr, "; column \"%w\" becomes NOT NULL:"
          " rows holding NULL make it fail", d->zName);
    }
    bRisk = 1;
  }
  if( d->zFk && (c->zFk==0 || strcmp(c->zFk, d->zFk)!=0) ){
    sqlite3_str_appendf(pStr, "; column \"%w\" gets a new REFERENCES: with"
        " foreign keys on, existing rows may violate it", d->zName);
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
      rc = sqlite3_prepare_v2(pS->db, zSql, -1, &pStmt, 0);
      sqlite3_finalize(pStmt);
      sqlite3_free(zSql);
      if( rc==SQLITE_NOMEM ){ *pRc = rc; return 0; }
      if( rc!=SQLITE_OK ) p->eSound = 0;
    }else if( o->eType==DO_TRIGGER ){
      DiffTok *a = 0;
      int n = 0, k;
      *pRc = sqlmigDiffTokenize(o->zSql, &a, &n);
      for(k=0; *pRc==SQLITE_OK && p->eSound && k+1<n; k++){
        const char *z = o->zSql;
        int m = k+1, v;
        if( !sqlmigDiffIsWord(z, &a[k], "update") && !sqlmigDiffIsWord(z, &a[k], "into")
         && !sqlmigDiffIsWord(z, &a[k], "from") && !sqlmigDiffIsWord(z, &a[k], "join") ){
          continue;
        }
        if( sqlmigDiffIsWord(z, &a[k], "update") && k>0
         && sqlmigDiffIsWord(z, &a[k-1], "after") ) continue;    /* AFTER UPDATE */
        if( sqlmigDiffIsWord(z, &a[k], "update") && sqlmigDiffIsWord(z, &a[m], "of") ){
          continue;                                         /* UPDATE OF */
        }
        if( sqlmigDiffIsWord(z, &a[m], "or") ) m += 2;            /* UPDATE OR x */
        if( m+2<n && sqlmigDiffIsPunct(z, &a[m+1], '.') ) m += 2; /* schema. */
        if( m>=n || (a[m].eType!=DT_WORD && a[m].eType!=DT_ID) ) continue;
        if( m+1<n && sqlmigDiffIsPunct(z, &a[m+1], '(') ) continue; /* function */
        if( a[m].eType==DT_WORD ){
          v = sqlmigDiffHashFind(&pS->hName, &z[a[m].iOff], a[m].n);
        }else{
          char *zName = sqlmigDiffTokName(z, &a[m], pRc);
          v = zName ? sqlmigDiffHashFind(&pS->hName, zName, -1) : -1;
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
int sqlmigDiffTryAlter(DiffCtx *p, DiffObj *f, DiffObj *d, int bEmit,
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
    const char *zTo = sqlmigDiffColTo(p, f, c->zName);
    if( j<dt->nCol && sqlite3_stricmp(zTo, dt->aCol[j].zName)==0 ){
      if( strcmp(c->zCanon, dt->aCol[j].zCanon)!=0 ) return 0;
      if( strcmp(c->zName, dt->aCol[j].zName)!=0 && !diffSound(p, pRc) ){
        return 0;                 /* RENAME COLUMN re-checks every view */
      }
      j++;
      continue;
    }
    if( diffColIndex(dt, zTo)>=0 ) return 0;            /* moved */
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
          char *zW = sqlmigDiffTokName(f->zSql, tk, pRc);
          int bSame = zW && sqlite3_stricmp(zW, c->zName)==0;
          sqlite3_free(zW);
          if( *pRc || bSame ) return 0;
        }
      }
    }
  }
  for(k=j; k<dt->nCol; k++){
    const DiffCol *c = &dt->aCol[k];
    const char *zFrom = sqlmigDiffColFrom(p, f, d, c->zName);
    if( zFrom && diffColIndex(ft, zFrom)>=0 ) return 0;
    if( c->flags & (DC_PK|DC_UNIQUE|DC_DFLT_EXPR|DC_STORED) ) return 0;
    if( c->iPk || c->eHidden==3 ) return 0;
    if( (c->flags & DC_NOTNULL) && !(c->flags & DC_DEFAULT) ) return 0;
    if( (c->flags & DC_GENERATED) && (c->flags & DC_NOTNULL) ) return 0;
    if( (c->flags & DC_FK) && (c->flags & DC_DEFAULT) ) return 0;
  }
  if( !bEmit ) return 1;

  /* Emit: renames, then adds, then drops (adding first, so the table
  ** never runs out of columns; the end result is the same). A renamed
  ** table already has its new name. */
  j = 0;
  for(i=0; *pRc==SQLITE_OK && i<ft->nCol; i++){
    const DiffCol *c = &ft->aCol[i];
    const char *zTo = sqlmigDiffColTo(p, f, c->zName);
    if( j<dt->nCol && sqlite3_stricmp(zTo, dt->aCol[j].zName)==0 ){
      const DiffCol *e = &dt->aCol[j++];
      if( strcmp(c->zName, e->zName)!=0 ){
        *pRc = sqlmigDiffAdd(p, "table", d->zName, "rename column", 0,
            sqlite3_mprintf("renames column \"%w\" to \"%w\"",
                            c->zName, e->zName),
            sqlite3_mprintf("ALTER TABLE \"%w\" RENAME COLUMN \"%w\" TO"
                            " \"%w\";\n", d->zName, c->zName, e->zName));
      }
    }
  }
  for(k=j; *pRc==SQLITE_OK && k<dt->nCol; k++){
    const DiffCol *c = &dt->aCol[k];
    char *zDef = diffRawText(d->zSql, dt->aTok, c->iTok0, c->iTok1);
    int bRisk = (c->flags & DC_CHECK)!=0;
    *pRc = sqlmigDiffAdd(p, "table", d->zName, "add column", bRisk,
        sqlite3_mprintf("adds column \"%w\"%s", c->zName,
            bRisk ? ", whose CHECK existing rows may violate" : ""),
        zDef ? sqlite3_mprintf("ALTER TABLE \"%w\" ADD COLUMN \"%w\"%s%s;\n",
                               d->zName, c->zName, zDef[0] ? " " : "", zDef)
             : 0);
    sqlite3_free(zDef);
  }
  for(i=0; *pRc==SQLITE_OK && i<ft->nCol; i++){
    const DiffCol *c = &ft->aCol[i];
    if( diffColIndex(dt, sqlmigDiffColTo(p, f, c->zName))>=0 ) continue;
    *pRc = sqlmigDiffAdd(p, "table", d->zName, "drop column", 1,
        sqlite3_mprintf("drops column \"%w\": its values are lost%s",
                        c->zName, j<dt->nCol ? DIFF_RENAME_HINT : ""),
        sqlite3_mprintf("ALTER TABLE \"%w\" DROP COLUMN \"%w\";\n",
                        d->zName, c->zName));
  }
  return 1;
}

/*
** Appends to pWhy the table constraints and options that change from f's
** table to d's (both parsed); returns 1 if one may make the rebuild fail.
** *pRc is set to SQLITE_NOMEM when out of memory.
*/
static int diffConsChanges(const DiffObj *f, const DiffObj *d,
                           sqlite3_str *pWhy, int *pRc){
  const DiffTable *ft = f->pTab, *dt = d->pTab;
  int bRisk = 0, rc = SQLITE_OK;
  int m, n;
  for(m=0; m<dt->nCons; m++){
    for(n=0; n<ft->nCons && strcmp(ft->azCons[n], dt->azCons[m]); n++){}
    if( n==ft->nCons ){
      char *zC = diffRawText(d->zSql, dt->aTok, dt->aCons0[m],
                             dt->aCons1[m]);
      const char *zFirst = &d->zSql[dt->aTok[dt->aCons0[m]].iOff];
      int bFk = sqlite3_strnicmp(zFirst, "foreign", 7)==0;
      if( zC==0 ) rc = SQLITE_NOMEM;
      sqlite3_str_appendf(pWhy, "; adds %s: %sexisting rows may violate"
                          " it", zC ? zC : "",
                          bFk ? "with foreign keys on, " : "");
      bRisk = 1;
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
  if( rc ) *pRc = rc;
  return bRisk;
}

/* The name the rebuild copies the rowid under ("rowid", "_rowid_" or "oid",
** whichever neither table has as a column), or NULL when it keeps none:
** one table is WITHOUT ROWID or a copied column is the new rowid alias
** (bIpkCommon). */
static const char *diffKeptRowid(const DiffTable *ft, const DiffTable *dt,
                                 int bIpkCommon){
  static const char *const azAlias[] = { "rowid", "_rowid_", "oid" };
  int m;
  if( ft->bWithoutRowid || dt->bWithoutRowid || bIpkCommon ) return 0;
  for(m=0; m<3; m++){
    if( diffColIndex(ft, azAlias[m])<0 && diffColIndex(dt, azAlias[m])<0 ){
      return azAlias[m];
    }
  }
  return 0;
}

/*
** Appends to pSql the rebuild's script: create zNew as d's table, copy the
** columns zCols (nCommon of them, and the rowid as zRowid unless NULL)
** from zSel of table zSrc, carry its sqlite_sequence value over, drop it
** and rename zNew to d's name.
*/
static void diffRebuildScript(sqlite3_str *pSql, const DiffObj *f,
    const DiffObj *d, const char *zNew, const char *zSrc,
    const char *zRowid, int nCommon, const char *zCols, const char *zSel){
  const DiffTable *ft = f->pTab, *dt = d->pTab;
  int iName = dt->iNameTok;
  const char *zRest = &d->zSql[dt->aTok[iName].iOff + dt->aTok[iName].n];
  sqlite3_str_appendf(pSql, "CREATE TABLE \"%w\"%s;\n", zNew, zRest);
  if( nCommon>0 || zRowid ){
    sqlite3_str_appendf(pSql, "INSERT INTO \"%w\"(%s%s%s) SELECT %s%s%s"
        " FROM \"%w\";\n", zNew, zRowid ? zRowid : "",
        zRowid && nCommon ? ", " : "", zCols,
        zRowid ? zRowid : "", zRowid && nCommon ? ", " : "", zSel,
        zSrc);
  }
  if( ft->bAutoinc && dt->bAutoinc ){
    sqlite3_str_appendf(pSql,
        "DELETE FROM sqlite_sequence WHERE name = %Q;\n"
        "INSERT INTO sqlite_sequence(name, seq)"
        " SELECT %Q, seq FROM sqlite_sequence WHERE name = %Q;\n",
        zNew, zNew, zSrc);
  }
  sqlite3_str_appendf(pSql, "DROP TABLE \"%w\";\n", zSrc);
  /* Legacy mode: the rename checks no view or trigger (one naming a
  ** table that no longer exists would fail it) and rewrites no
  ** reference; migrate() restores the setting after every script. */
  sqlite3_str_appendf(pSql, "PRAGMA legacy_alter_table = ON;\n"
      "ALTER TABLE \"%w\" RENAME TO \"%w\";\n"
      "PRAGMA legacy_alter_table = OFF;\n", zNew, d->zName);
}

/*
** Appends the rebuild of table f (from) into d (to): create
** "sqlmig_new_<name>", copy rows, keep sqlite_sequence, drop, rename.
*/
int sqlmigDiffRebuild(DiffCtx *p, DiffObj *f, DiffObj *d){
  const DiffTable *ft = f->pTab, *dt = d->pTab;
  sqlite3_str *pSql = sqlite3_str_new(0);
  sqlite3_str *pWhy = sqlite3_str_new(0);
  sqlite3_str *pCols = sqlite3_str_new(0);
  sqlite3_str *pSel = sqlite3_str_new(0);
  int rc = SQLITE_OK, i, nCommon = 0, bRisk = 0, bIpkCommon = 0;
  int bReorder = 0, iLast = -1, nNew = 0;
  char *zNew, *zWhy, *zCols, *zSel;
  const char *zRowid = 0;
  /* a renamed table already has its new name */
  const char *zSrc = sqlite3_stricmp(f->zName, d->zName) ? d->zName : f->zName;

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
    const char *zFrom = sqlmigDiffColFrom(p, f, d, e->zName);
    int k = zFrom ? diffColIndex(ft, zFrom) : -1, bFill = 0;
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
      bFill = e->bNotNull && !ft->aCol[k].bNotNull && e->zDflt
           && e->eHidden<2;
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
    if( bFill ){
      sqlite3_str_appendf(pSel, "%scoalesce(\"%w\", (%s))",
          nCommon ? ", " : "", ft->aCol[k].zName, e->zDflt);
    }else{
      sqlite3_str_appendf(pSel, "%s\"%w\"", nCommon ? ", " : "",
                          ft->aCol[k].zName);
    }
    nCommon++;
  }
  for(i=0; i<ft->nCol; i++){
    if( diffColIndex(dt, sqlmigDiffColTo(p, f, ft->aCol[i].zName))<0 ){
      sqlite3_str_appendf(pWhy, "; drops column \"%w\": its values are lost%s",
                          ft->aCol[i].zName,
                          nNew>0 ? DIFF_RENAME_HINT : "");
      bRisk = 1;
    }
  }
  if( bReorder ) sqlite3_str_appendf(pWhy, "; reorders columns");
  if( ft->bParsed && dt->bParsed ){
    bRisk |= diffConsChanges(f, d, pWhy, &rc);
  }
  if( sqlite3_str_length(pWhy)==0 ){
    sqlite3_str_appendf(pWhy, "; the definition changes");
  }

  /* Keep the rowid when both tables have one and no copied column is the
  ** new table's rowid alias. */
  zRowid = diffKeptRowid(ft, dt, bIpkCommon);

  zCols = sqlmigDiffFinish(pCols, &rc);
  zSel = sqlmigDiffFinish(pSel, &rc);
  zWhy = sqlmigDiffFinish(pWhy, &rc);
  if( rc==SQLITE_OK ){
    diffRebuildScript(pSql, f, d, zNew, zSrc, zRowid, nCommon, zCols, zSel);
    rc = sqlmigDiffAdd(p, "table", d->zName, "rebuild", bRisk,
                 sqlite3_mprintf("rebuilds the table: %s", zWhy+2),
                 sqlmigDiffFinish(pSql, &rc));
    pSql = 0;
  }
  if( pSql ) sqlite3_free(sqlite3_str_finish(pSql));
  sqlite3_free(zCols);
  sqlite3_free(zSel);
  sqlite3_free(zWhy);
  sqlite3_free(zNew);
  return rc;
}

#endif /* SQLMIG_OMIT_DIFF */
