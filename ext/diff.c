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
**
** Files: diffschema.c reads the schemas, diffinput.c the arguments (a
** schema script loaded into a private database, rename hints),
** diffalter.c decides ALTER or rebuild for one table, this file orders
** the changes (a hinted table rename first), assembles them and registers
** the functions; datadiff.c is the row-level migrate_data_diff().
*/
#include "sqlmig_int.h"

/* Left out of the build for apps that only migrate (-DSQLMIG_OMIT_DIFF). */
#ifndef SQLMIG_OMIT_DIFF
#include <stdlib.h>

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
  rc = sqlmigDiffTokenize(zSql, &a, &n);
  for(i=0; rc==SQLITE_OK && i<n; i++){
    if( a[i].eType==DT_WORD || a[i].eType==DT_ID ){
      int v;
      if( a[i].eType==DT_WORD ){
        v = sqlmigDiffHashFind(pH, &zSql[a[i].iOff], a[i].n);
      }else{
        char *zName = sqlmigDiffTokName(zSql, &a[i], &rc);
        v = zName ? sqlmigDiffHashFind(pH, zName, -1) : -1;
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
  rc = sqlmigDiffHashInit(&h, n);
  for(i=0; rc==SQLITE_OK && i<n; i++) sqlmigDiffHashSet(&h, pS->a[aIdx[i]].zName, i);
  if( rc==SQLITE_OK && pS->pFk==0 ){
    rc = sqlite3_prepare_v2(pS->db,
        "SELECT \"table\" FROM pragma_foreign_key_list(?1, ?2)", -1,
        &pS->pFk, 0);
    if( rc!=SQLITE_OK ) rc = sqlmigDiffDbError(p, rc, pS);
  }
  for(i=0; rc==SQLITE_OK && i<n; i++){
    sqlite3_bind_text(pS->pFk, 1, pS->a[aIdx[i]].zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(pS->pFk, 2, pS->zSchema, -1, SQLITE_STATIC);
    while( rc==SQLITE_OK && sqlite3_step(pS->pFk)==SQLITE_ROW ){
      const char *zParent = (const char*)sqlite3_column_text(pS->pFk, 0);
      int v = zParent ? sqlmigDiffHashFind(&h, zParent, -1) : -1;
      if( v>=0 ) rc = diffEdgeAdd(&e, i, v);
    }
    if( rc==SQLITE_OK ){
      rc = sqlite3_reset(pS->pFk);
      if( rc!=SQLITE_OK ) rc = sqlmigDiffDbError(p, rc, pS);
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
  sqlmigDiffHashFree(&h);
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
  rc = sqlmigDiffHashInit(&h, n);
  for(i=0; rc==SQLITE_OK && i<n; i++) sqlmigDiffHashSet(&h, pS->a[aIdx[i]].zName, i);
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
  sqlmigDiffHashFree(&h);
  return rc;
}

/* ============================================================ the diff */

/* Peer of object o of one schema in the other (same type), or -1. */
static int diffFindPeer(DiffSchema *pOther, const DiffObj *o){
  int i = sqlmigDiffHashFind(o->eType==DO_TRIGGER ? &pOther->hTrig : &pOther->hName,
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
  *pRc = sqlmigDiffParseTable(p, &p->aS[0], f);
  if( *pRc==SQLITE_OK ) *pRc = sqlmigDiffParseTable(p, &p->aS[1], d);
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
** Decides the fate of each table (p->aS[1]'s eState: DS_CREATE, DS_ALTER,
** DS_REBUILD, DS_KEEP; p->aS[0]'s DS_DROP) and adds the name of each
** changed or dropped one to pTouched.
*/
static int diffDecideTables(DiffCtx *p, DiffHash *pTouched){
  DiffSchema *pF = &p->aS[0], *pD = &p->aS[1];
  int i, rc = SQLITE_OK;
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
      rc = sqlmigDiffParseTable(p, pF, f);
      if( rc==SQLITE_OK ) rc = sqlmigDiffParseTable(p, pD, d);
      if( rc ) break;
      d->eState = sqlmigDiffTryAlter(p, f, d, 0, &rc) ? DS_ALTER : DS_REBUILD;
    }
    sqlmigDiffHashSet(pTouched, f->zName, 1);
  }
  for(i=0; rc==SQLITE_OK && i<pF->n; i++){
    DiffObj *f = &pF->a[i];
    if( f->eType==DO_TABLE && f->iPeer<0 ){
      f->eState = DS_DROP;
      sqlmigDiffHashSet(pTouched, f->zName, 1);
    }
  }

  return rc;
}

/*
** Decides the fate of views, triggers and indexes, given the tables'
** (diffDecideTables) and the views of from in dependency order (aView):
** what is dropped from from (-2 for an index that goes with its table) and
** what is created in to.
*/
static int diffDecideOthers(DiffCtx *p, DiffHash *pTouched,
                            const int *aView, int nView){
  DiffSchema *pF = &p->aS[0], *pD = &p->aS[1];
  DiffEdges eDummy;
  int i, k, rc = SQLITE_OK;
  memset(&eDummy, 0, sizeof(eDummy));
  /* Views of from, dependencies first: dropped when gone, changed, or
  ** naming anything touched (which they then join). */
  for(k=0; rc==SQLITE_OK && k<nView; k++){
    DiffObj *f = &pF->a[aView[k]];
    int bDrop = f->iPeer<0 || strcmp(f->zCanon, pD->a[f->iPeer].zCanon)!=0;
    if( !bDrop ){
      eDummy.n = 0;
      rc = diffMentions(f->zSql, pTouched, 0, &eDummy);
      bDrop = eDummy.n>0;
    }
    if( bDrop ){
      f->eState = DS_DROP;
      sqlmigDiffHashSet(pTouched, f->zName, 1);
    }
  }
  /* Triggers and indexes of from. */
  for(i=0; rc==SQLITE_OK && i<pF->n; i++){
    DiffObj *f = &pF->a[i];
    int bDrop;
    if( f->eType!=DO_TRIGGER && f->eType!=DO_INDEX ) continue;
    bDrop = f->iPeer<0 || strcmp(f->zCanon, pD->a[f->iPeer].zCanon)!=0;
    if( f->eType==DO_INDEX ){
      /* the table's counterpart in to: by name, or by a rename hint */
      int iT = sqlmigDiffHashFind(&pF->hName, f->zTbl, -1);
      iT = iT>=0 && pF->a[iT].eType==DO_TABLE ? pF->a[iT].iPeer
         : sqlmigDiffHashFind(&pD->hName, f->zTbl, -1);
      if( iT<0 || pD->a[iT].eType!=DO_TABLE
       || pD->a[iT].eState==DS_REBUILD || pD->a[iT].eState==DS_CREATE ){
        bDrop = 2;            /* goes with its table */
      }
    }else if( !bDrop ){
      eDummy.n = 0;
      bDrop = sqlmigDiffHashFind(pTouched, f->zTbl, -1)>=0;
      if( !bDrop ) rc = diffMentions(f->zSql, pTouched, 0, &eDummy);
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
  diffEdgeFree(&eDummy);
  return rc;
}

/*
** Adds the drops to p->aCh, in script order: triggers, views (dependents
** first), indexes of tables that stay, tables (children first). aTmp and
** aF are scratch arrays of p->aS[0].n ints each.
*/
static int diffDrops(DiffCtx *p, const int *aView, int nView, int *aTmp,
                     int *aF){
  DiffSchema *pF = &p->aS[0], *pD = &p->aS[1];
  const char *azWhy[1];
  int i, k, nF = 0, rc = SQLITE_OK;
  /* 1. Drop triggers, by name. */
  for(i=0; rc==SQLITE_OK && i<pF->n; i++){
    DiffObj *f = &pF->a[i];
    if( f->eType!=DO_TRIGGER || f->eState!=DS_DROP ) continue;
    azWhy[0] = f->iPeer<0 ? "the trigger is removed"
             : strcmp(f->zCanon, pD->a[f->iPeer].zCanon)
             ? "the trigger changes; created again below"
             : "names a table or view that changes; created again below";
    rc = sqlmigDiffAdd(p, "trigger", f->zName, "drop", 0,
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
    rc = sqlmigDiffAdd(p, "view", f->zName, "drop", 0,
                 sqlite3_mprintf("%s", azWhy[0]), diffDropSql(f));
  }
  /* 3. Drop indexes of tables that stay. */
  for(i=0; rc==SQLITE_OK && i<pF->n; i++){
    DiffObj *f = &pF->a[i];
    if( f->eType!=DO_INDEX || f->eState!=DS_DROP ) continue;
    rc = sqlmigDiffAdd(p, "index", f->zName, "drop", 0,
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
    rc = sqlmigDiffAdd(p, "table", f->zName, "drop", 1,
        sqlite3_mprintf("%s", f->eState==DS_DROP
            ? "drops the table and all its rows"
            : "the virtual table changes: dropped and created again, its"
              " rows are lost"),
        diffDropSql(f));
  }
  return rc;
}

/*
** Adds the creations to p->aCh, in script order: tables (parents first,
** with renames, ALTERs and rebuilds), indexes, views (dependencies first),
** triggers. aTmp and aD are scratch arrays of p->aS[1].n ints each.
*/
static int diffCreates(DiffCtx *p, int *aTmp, int *aD){
  DiffSchema *pF = &p->aS[0], *pD = &p->aS[1];
  int *aView = 0;
  int i, k, nD = 0, nView = 0, rc = SQLITE_OK;
  /* 5. Tables of to, parents first. */
  for(i=0; i<pD->n; i++){
    DiffObj *d = &pD->a[i];
    if( d->eType==DO_TABLE && d->eState!=DS_KEEP ) aTmp[nD++] = i;
  }
  if( rc==SQLITE_OK ) rc = diffFkOrder(p, pD, aTmp, nD, aD);
  for(k=0; rc==SQLITE_OK && k<nD; k++){
    DiffObj *d = &pD->a[aD[k]];
    DiffObj *f = d->iPeer>=0 ? &pF->a[d->iPeer] : 0;
    if( f && sqlite3_stricmp(f->zName, d->zName)!=0
     && !f->bVirtual && !d->bVirtual ){
      /* a hinted rename, in legacy mode like the rebuild's: its children
      ** are rebuilt below (their REFERENCES name it) */
      rc = sqlmigDiffAdd(p, "table", d->zName, "rename table", 0,
          sqlite3_mprintf("renames table \"%w\" to \"%w\"", f->zName,
                          d->zName),
          sqlite3_mprintf("PRAGMA legacy_alter_table = ON;\n"
              "ALTER TABLE \"%w\" RENAME TO \"%w\";\n"
              "PRAGMA legacy_alter_table = OFF;\n", f->zName, d->zName));
      if( rc ) break;
    }
    if( d->eState==DS_CREATE || (f && (f->bVirtual || d->bVirtual)) ){
      rc = sqlmigDiffAdd(p, "table", d->zName, "create", 0,
          sqlite3_mprintf("%s", d->eState==DS_CREATE ? "a new table"
                          : "the virtual table is created again"),
          sqlite3_mprintf("%s;\n", d->zSql));
    }else if( d->eState==DS_ALTER ){
      sqlmigDiffTryAlter(p, f, d, 1, &rc);
    }else{
      rc = sqlmigDiffRebuild(p, f, d);
    }
  }
  /* 6. Create indexes, by name. */
  for(i=0; rc==SQLITE_OK && i<pD->n; i++){
    DiffObj *d = &pD->a[i];
    const char *zWhy;
    if( d->eType!=DO_INDEX || d->eState!=DS_CREATE ) continue;
    zWhy = d->iPeer<0 ? "a new index" : "the index is created again";
    k = sqlmigDiffHashFind(&pF->hName, d->zTbl, -1);
    if( d->iPeer>=0 && pF->a[d->iPeer].eState==-2 ){
      zWhy = "the index is created again with its table";
    }
    if( d->zSql && sqlite3_strnicmp(d->zSql, "create unique", 13)==0
     && (k>=0 && pF->a[k].eType==DO_TABLE)
     && (d->iPeer<0 || strcmp(d->zCanon, pF->a[d->iPeer].zCanon)!=0) ){
      rc = sqlmigDiffAdd(p, "index", d->zName, "create", 1,
          sqlite3_mprintf("a new unique index: duplicate values in existing"
                          " rows make it fail"),
          sqlite3_mprintf("%s;\n", d->zSql));
    }else{
      rc = sqlmigDiffAdd(p, "index", d->zName, "create", 0,
                   sqlite3_mprintf("%s", zWhy),
                   sqlite3_mprintf("%s;\n", d->zSql));
    }
  }
  /* 7. Create views, dependencies first. */
  if( rc==SQLITE_OK ) rc = diffViewOrder(pD, &aView, &nView);
  for(k=0; rc==SQLITE_OK && k<nView; k++){
    DiffObj *d = &pD->a[aView[k]];
    if( d->eState!=DS_CREATE ) continue;
    rc = sqlmigDiffAdd(p, "view", d->zName, "create", 0,
        sqlite3_mprintf("%s", d->iPeer<0 ? "a new view"
                        : "the view is created again"),
        sqlite3_mprintf("%s;\n", d->zSql));
  }
  /* 8. Create triggers, by name. */
  for(i=0; rc==SQLITE_OK && i<pD->n; i++){
    DiffObj *d = &pD->a[i];
    if( d->eType!=DO_TRIGGER || d->eState!=DS_CREATE ) continue;
    rc = sqlmigDiffAdd(p, "trigger", d->zName, "create", 0,
        sqlite3_mprintf("%s", d->iPeer<0 ? "a new trigger"
                        : "the trigger is created again"),
        sqlite3_mprintf("%s;\n", d->zSql));
  }

  sqlite3_free(aView);
  return rc;
}

/*
** Computes the whole list of changes from p->aS[0] to p->aS[1] into
** p->aCh, in script order.
*/
static int diffCompute(DiffCtx *p){
  DiffSchema *pF = &p->aS[0], *pD = &p->aS[1];
  DiffHash hTouched;             /* names of changed tables and views */
  int *aF = 0, *aD = 0, *aTmp = 0, *aView = 0;
  int nView = 0, i, rc = SQLITE_OK;

  memset(&hTouched, 0, sizeof(hTouched));
  for(i=0; i<pF->n; i++) pF->a[i].iPeer = diffFindPeer(pD, &pF->a[i]);
  for(i=0; i<pD->n; i++) pD->a[i].iPeer = diffFindPeer(pF, &pD->a[i]);
  aF = sqlite3_malloc64(sizeof(int)*(pF->n + pD->n + 1)*2);
  if( aF==0 ) return SQLITE_NOMEM;
  aD = &aF[pF->n];
  aTmp = &aD[pD->n];
  rc = sqlmigDiffHashInit(&hTouched, pF->n + pD->n);
  if( rc==SQLITE_OK ) rc = sqlmigDiffApplyHints(p);
  if( rc==SQLITE_OK ) rc = diffDecideTables(p, &hTouched);
  if( rc==SQLITE_OK ) rc = diffViewOrder(pF, &aView, &nView);
  if( rc==SQLITE_OK ) rc = diffDecideOthers(p, &hTouched, aView, nView);
  if( rc==SQLITE_OK ) rc = diffDrops(p, aView, nView, aTmp, aF);
  if( rc==SQLITE_OK ) rc = diffCreates(p, aTmp, aD);
  sqlite3_free(aView);
  sqlite3_free(aF);
  sqlmigDiffHashFree(&hTouched);
  return rc;
}

/*
** Runs the whole diff for the two schema arguments into p. On error
** returns the code with p->zErr set (unless SQLITE_NOMEM).
*/
static int diffRun(DiffCtx *p, sqlite3 *db, const char *zFunc, int argc,
                   sqlite3_value **argv){
  int rc;
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->zFunc = zFunc;
  p->eSound = -1;
  rc = sqlmigDiffSchemaArg(p, argv[0], 1);
  if( rc==SQLITE_OK ) rc = sqlmigDiffSchemaArg(p, argv[1], 2);
  if( rc==SQLITE_OK && argc>2 ) rc = sqlmigDiffHints(p, argv[2]);
  if( rc==SQLITE_OK ) rc = diffCompute(p);
  return rc;
}

/* migrate_diff(from, to): the script, '' when equal. */
static void diffFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  DiffCtx d;
  int rc;
  rc = diffRun(&d, sqlite3_context_db_handle(ctx), "migrate_diff",
               argc, argv);
  if( rc==SQLITE_OK ){
    sqlite3_str *p = sqlite3_str_new(0);
    char *z;
    int i;
    for(i=0; i<d.nCh; i++) sqlite3_str_appendall(p, d.aCh[i].zSql);
    z = sqlmigDiffFinish(p, &rc);
    if( z ) sqlite3_result_text(ctx, z, -1, sqlite3_free);
  }
  if( rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else if( rc!=SQLITE_OK ){
    sqlite3_result_error(ctx, d.zErr ? d.zErr : sqlite3_errstr(rc), -1);
    if( rc!=SQLITE_ERROR ) sqlite3_result_error_code(ctx, rc);
  }
  sqlmigDiffCtxFree(&d);
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
  rc = sqlmigDiffReadSchema(&d, &d.aS[0], db, zSchema);
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
  sqlmigDiffCtxFree(&d);
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
static int changesFilter(SqlmigConn *pConn, void *pState, int argc,
                         sqlite3_value **argv, int *pnRow, char **pzErr){
  sqlite3 *db = pConn->db;
  DiffCtx *pD = (DiffCtx*)pState;
  int rc;
  rc = diffRun(pD, db, "migrate_changes", argc, argv);
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
  sqlmigDiffCtxFree((DiffCtx*)pState);
}

static const SqlmigTvf changesTvf = {
  "migrate_changes",
  "CREATE TABLE x(seq INTEGER, kind TEXT, object TEXT, change TEXT,"
  " destructive INTEGER, detail TEXT, sql TEXT,"
  " from_schema HIDDEN, to_schema HIDDEN, renames HIDDEN)",
  7, 3, 2, "needs two arguments, from and to (and rename hints)",
  sizeof(DiffCtx), changesFilter, changesColumn, changesFree
};

/* See sqlmig_int.h. migrate_diff holds a reference to pConn. */
int sqlmigDiffRegister(sqlite3 *db, SqlmigConn *pConn){
  int rc = sqlite3_create_function_v2(db, "migrate_diff", 2,
      SQLITE_UTF8|SQLITE_DIRECTONLY, sqlmigConnRef(pConn), diffFunc, 0, 0,
      sqlmigConnUnref);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, "migrate_diff", 3,
        SQLITE_UTF8|SQLITE_DIRECTONLY, sqlmigConnRef(pConn), diffFunc, 0, 0,
        sqlmigConnUnref);
  }
  if( rc==SQLITE_OK ) rc = sqlmigTvfRegister(db, &changesTvf, pConn);
  return rc;
}

#endif /* SQLMIG_OMIT_DIFF */
