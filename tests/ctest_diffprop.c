/*
** ctest_diffprop: seeded random property test of migrate_diff().
**
**   build/ctest_diffprop [--pairs N] [--seed S] [--verbose]
**
** For each of N pairs (default 300; `make test-long` runs many more) it
** builds a random schema A with data and a schema B derived from A by
** random changes (tables added and dropped; columns added, dropped,
** retyped, reordered, renamed by case; NOT NULL, UNIQUE, CHECK, DEFAULT,
** COLLATE, foreign keys with ON DELETE CASCADE, generated columns,
** AUTOINCREMENT, WITHOUT ROWID, STRICT; plain, unique, partial and
** expression indexes; views and triggers naming other tables), with names
** that are keywords, hold spaces, quotes or non-ASCII letters. Then, with
** PRAGMA foreign_keys=ON:
**   - up = migrate_diff(main, desired), down = migrate_diff(desired, main)
**     go into one revision, and SELECT migrate() applies it;
**   - main must then compare equal to desired: migrate_diff gives '' and an
**     independent signature (normalised sqlite_master text plus
**     pragma_table_xinfo / index_list / index_xinfo / foreign_key_list)
**     matches; every value of every column present in both (same type) is
**     unchanged, rowids of rowid tables too, and sqlite_sequence as well;
**   - deleting the revision and migrate() again brings A back, compared
**     the same way with a pristine copy of A;
**   - the output is deterministic and equals migrate_changes' sql column.
** Rows hold REAL edge values (-0.0, subnormals, 1e308, DBL_MAX, -inf,
** neighbours one bit apart), compared by their bits, not by quote().
** Then N/3 seeds of the data diff property (see dataPair below): random
** rows with REAL edge values moved up and back by migrate_data_diff,
** compared bit for bit.
** A failure prints the seed of the pair, to rerun it alone with --seed.
*/
#include <sqlite3.h>
#include "ctest.h"

static int bVerbose = 0;

static int chance(Rng *r, int nPercent){ return (int)rnd(r, 100) < nPercent; }

/* ------------------------------------------------------------ model */

#define MAXT 7
#define MAXC 9
#define MAXI 8
#define MAXV 4
#define MAXTR 4

static const char *const azTabName[] = {
  "t1", "t2", "Order", "my table", "quo\"te", "\xc3\xbcn\xc3\xaf", "select",
  "parent", "child", "it's", "t3", "Group"
};
static const char *const azColName[] = {
  "a", "b", "c", "d", "Name", "col x", "\"q\"", "from", ("\xc3\x9f" "eta"),
  "val", "num", "key", "x'y", "e"
};
static const char *const azType[] = {
  "", "INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC", "ANY"
};

typedef struct PCol PCol;
struct PCol {
  int iId;            /* identity: same column in A and B */
  char zName[32];     /* exact name */
  int eType;          /* index in azType */
  int bNotNull, bUnique, bCheck, eDflt, bCollate, eGen;
  int iFk;            /* identity of the parent table, or -1 */
};

typedef struct PTab PTab;
struct PTab {
  int iId;
  char zName[32];
  int eIdKind;        /* 0 INTEGER PRIMARY KEY, 1 + AUTOINCREMENT, 2 plain */
  int bWithoutRowid, bStrict, bCheck;
  int nCol;           /* aCol[0] is always "id" */
  PCol aCol[MAXC];
};

typedef struct PIdx PIdx;
struct PIdx {
  char zName[32];
  int iTab;           /* table identity */
  int iCol1, iCol2;   /* column identities (-1: none) */
  int bUnique, bPartial, bExpr;
};

typedef struct PView PView;
struct PView {
  char zName[32];
  int iTab, iCol;     /* identities */
  int iTab2;          /* joined table identity, or -1 */
};

typedef struct PTrig PTrig;
struct PTrig {
  char zName[32];
  int iTab, iOther;   /* identities */
};

typedef struct PSchema PSchema;
struct PSchema {
  PTab aTab[MAXT]; int nTab;
  PIdx aIdx[MAXI]; int nIdx;
  PView aView[MAXV]; int nView;
  PTrig aTrig[MAXTR]; int nTrig;
};

static int nextId;     /* identity counter, reset per pair */
static int bStrictOk, bGenOk;

static PTab *findTab(PSchema *s, int iId){
  int i;
  for(i=0; i<s->nTab; i++) if( s->aTab[i].iId==iId ) return &s->aTab[i];
  return 0;
}
static PCol *findCol(PTab *t, int iId){
  int i;
  if( t==0 ) return 0;
  for(i=0; i<t->nCol; i++) if( t->aCol[i].iId==iId ) return &t->aCol[i];
  return 0;
}
static int nameUsedCol(PTab *t, const char *z){
  int i;
  for(i=0; i<t->nCol; i++) if( sqlite3_stricmp(t->aCol[i].zName, z)==0 ) return 1;
  return 0;
}
static int nameUsedTab(PSchema *s, const char *z){
  int i;
  for(i=0; i<s->nTab; i++) if( sqlite3_stricmp(s->aTab[i].zName, z)==0 ) return 1;
  return 0;
}

static void randCol(Rng *r, PSchema *s, PTab *t, PCol *c){
  int k;
  memset(c, 0, sizeof(*c));
  c->iId = nextId++;
  c->iFk = -1;
  for(k=0; k<50; k++){
    const char *z = azColName[rnd(r, sizeof(azColName)/sizeof(azColName[0]))];
    if( !nameUsedCol(t, z) ){ strcpy(c->zName, z); break; }
  }
  if( c->zName[0]==0 ) sprintf(c->zName, "c%d", c->iId);
  c->eType = (int)rnd(r, 6);
  if( t->bStrict ){
    if( c->eType==0 || c->eType==5 ) c->eType = 6;
  }
  if( bGenOk && chance(r, 10) ){
    c->eGen = 1 + (int)rnd(r, 2);
    c->eType = t->bStrict ? 1 : (chance(r, 50) ? 1 : 0);
    return;
  }
  c->bNotNull = chance(r, 15);
  c->bUnique = chance(r, 10);
  c->bCheck = chance(r, 15);
  c->eDflt = chance(r, 30) ? 1 + (int)rnd(r, 3) : 0;
  c->bCollate = c->eType==2 && chance(r, 20);
  if( chance(r, 15) && s->nTab>0 ){
    PTab *p = &s->aTab[rnd(r, s->nTab)];
    if( p->eIdKind!=2 ){
      c->iFk = p->iId;
      c->bNotNull = 0;
      c->bUnique = 0;
      c->eDflt = 0;
      c->eType = 1;
    }
  }
  if( c->bNotNull && c->eDflt==0 ) c->eDflt = 1;
}

static void randTable(Rng *r, PSchema *s, PTab *t){
  int k, n;
  memset(t, 0, sizeof(*t));
  t->iId = nextId++;
  for(k=0; k<50; k++){
    const char *z = azTabName[rnd(r, sizeof(azTabName)/sizeof(azTabName[0]))];
    if( !nameUsedTab(s, z) ){ strcpy(t->zName, z); break; }
  }
  if( t->zName[0]==0 ) sprintf(t->zName, "tab%d", t->iId);
  t->eIdKind = (int)rnd(r, 3);
  t->bWithoutRowid = t->eIdKind==0 && chance(r, 10);
  t->bStrict = bStrictOk && chance(r, 10);
  t->bCheck = chance(r, 15);
  t->aCol[0].iId = nextId++;
  strcpy(t->aCol[0].zName, "id");
  t->aCol[0].eType = 1;
  t->aCol[0].iFk = -1;
  t->nCol = 1;
  n = 1 + (int)rnd(r, 5);
  for(k=0; k<n; k++){
    randCol(r, s, t, &t->aCol[t->nCol]);
    t->nCol++;
  }
}

/* A column usable in an index or view: not generated. */
static int pickCol(Rng *r, PTab *t){
  int k;
  for(k=0; k<10; k++){
    PCol *c = &t->aCol[1 + rnd(r, t->nCol-1 > 0 ? t->nCol-1 : 1)];
    if( t->nCol>1 && c->eGen==0 ) return c->iId;
  }
  return t->aCol[0].iId;
}

static void randIndex(Rng *r, PSchema *s, PIdx *x, int n){
  PTab *t = &s->aTab[rnd(r, s->nTab)];
  memset(x, 0, sizeof(*x));
  sprintf(x->zName, n%3==0 ? "idx %d" : n%3==1 ? "Idx_%d" : "i\"%d", n);
  x->iTab = t->iId;
  x->iCol1 = pickCol(r, t);
  x->iCol2 = chance(r, 30) ? pickCol(r, t) : -1;
  if( x->iCol2==x->iCol1 ) x->iCol2 = -1;
  x->bUnique = chance(r, 25) && findCol(t, x->iCol1)->iFk<0
            && (x->iCol2<0 || findCol(t, x->iCol2)->iFk<0);
  x->bPartial = chance(r, 20);
  x->bExpr = chance(r, 15);
}

static void randSchema(Rng *r, PSchema *s){
  int i, n;
  memset(s, 0, sizeof(*s));
  n = 1 + (int)rnd(r, 5);
  for(i=0; i<n; i++){ randTable(r, s, &s->aTab[s->nTab]); s->nTab++; }
  n = (int)rnd(r, 4);
  for(i=0; i<n; i++){ randIndex(r, s, &s->aIdx[s->nIdx], i); s->nIdx++; }
  n = (int)rnd(r, 3);
  for(i=0; i<n; i++){
    PView *v = &s->aView[s->nView++];
    PTab *t = &s->aTab[rnd(r, s->nTab)];
    sprintf(v->zName, i==0 ? "v%d" : "view \"%d\"", i);
    v->iTab = t->iId;
    v->iCol = pickCol(r, t);
    v->iTab2 = chance(r, 30) ? s->aTab[rnd(r, s->nTab)].iId : -1;
  }
  n = (int)rnd(r, 3);
  for(i=0; i<n; i++){
    PTrig *g = &s->aTrig[s->nTrig++];
    sprintf(g->zName, i==0 ? "tr%d" : "Trig %d", i);
    g->iTab = s->aTab[rnd(r, s->nTab)].iId;
    g->iOther = s->aTab[rnd(r, s->nTab)].iId;
  }
}

/* True if column identity iCol is in a unique index of s. */
static int inUniqueIndex(const PSchema *s, int iCol){
  int i;
  for(i=0; i<s->nIdx; i++){
    if( s->aIdx[i].bUnique && (s->aIdx[i].iCol1==iCol || s->aIdx[i].iCol2==iCol) ){
      return 1;
    }
  }
  return 0;
}

/* Makes B from A by random changes, keeping B valid. */
static void mutate(Rng *r, const PSchema *a, PSchema *b){
  int i, k;
  *b = *a;
  for(i=0; i<b->nTab; i++){
    PTab *t = &b->aTab[i];
    if( chance(r, 10) ){                       /* drop table */
      b->aTab[i] = b->aTab[--b->nTab];
      i--;
      continue;
    }
    if( !chance(r, 60) ) continue;
    if( chance(r, 30) && t->nCol<MAXC ){       /* add column */
      randCol(r, b, t, &t->aCol[t->nCol]);
      t->aCol[t->nCol].bUnique = 0;            /* rows would all get the default */
      t->nCol++;
    }
    if( chance(r, 25) && t->nCol>2 ){          /* drop column */
      k = 1 + (int)rnd(r, t->nCol-1);
      /* Not one whose values must be unique: the way back fills defaults. */
      if( !t->aCol[k].bUnique && !inUniqueIndex(a, t->aCol[k].iId) ){
        memmove(&t->aCol[k], &t->aCol[k+1], sizeof(PCol)*(t->nCol-k-1));
        t->nCol--;
      }
    }
    for(k=1; k<t->nCol; k++){
      PCol *c = &t->aCol[k];
      if( c->eGen ) continue;
      if( chance(r, 6) && c->iFk<0 && !t->bStrict ) c->eType = (int)rnd(r, 6);
      if( chance(r, 6) && c->iFk<0 ){
        c->bNotNull = !c->bNotNull;
        if( !c->eDflt ) c->eDflt = 1;
      }
      if( chance(r, 5) && c->iFk<0
       && findCol(findTab((PSchema*)a, t->iId), c->iId) ){
        c->bUnique = !c->bUnique;
      }
      if( chance(r, 6) ) c->bCheck = !c->bCheck;
      if( chance(r, 6) && c->iFk<0 ) c->eDflt = (int)rnd(r, 4);
      if( c->bNotNull && c->eDflt==0 ) c->eDflt = 1;
      if( chance(r, 6) ){                      /* rename by case */
        char *z;
        for(z=c->zName; *z; z++){
          if( *z>='a' && *z<='z' ){ *z -= 32; break; }
          if( *z>='A' && *z<='Z' ){ *z += 32; break; }
        }
      }
    }
    if( chance(r, 5) && t->nCol>3 ){           /* swap two columns */
      PCol tmp = t->aCol[1];
      t->aCol[1] = t->aCol[2];
      t->aCol[2] = tmp;
    }
    if( chance(r, 8) ) t->bCheck = !t->bCheck;
    if( chance(r, 5) && t->eIdKind==0 ) t->bWithoutRowid = !t->bWithoutRowid;
    if( chance(r, 5) && bStrictOk ){
      t->bStrict = !t->bStrict;
      if( t->bStrict ){
        const PTab *ta = 0;
        int m;
        for(m=0; m<a->nTab; m++) if( a->aTab[m].iId==t->iId ) ta = &a->aTab[m];
        for(k=0; k<t->nCol; k++){
          PCol *c = &t->aCol[k];
          const PCol *ca = 0;
          if( ta ){
            for(m=0; m<ta->nCol; m++) if( ta->aCol[m].iId==c->iId ) ca = &ta->aCol[m];
          }
          if( ca ) c->eType = ca->eType;         /* data must fit */
          if( c->eType==0 || c->eType==5 ) c->eType = 6;
          if( c->eGen ) c->eType = 1;
        }
      }else{
        for(k=0; k<t->nCol; k++) if( t->aCol[k].eType==6 ) t->aCol[k].eType = 0;
      }
    }
  }
  if( chance(r, 30) && b->nTab<MAXT ){
    PTab *t = &b->aTab[b->nTab++];
    randTable(r, b, t);
    /* A new table named like a dropped one would be that table. */
    if( nameUsedTab((PSchema*)a, t->zName) ) sprintf(t->zName, "tab%d", t->iId);
  }
  if( b->nTab==0 ){
    randTable(r, b, &b->aTab[0]);
    b->nTab = 1;
    if( nameUsedTab((PSchema*)a, b->aTab[0].zName) ){
      sprintf(b->aTab[0].zName, "tab%d", b->aTab[0].iId);
    }
  }
  /* Foreign keys to tables B lacks: those columns go. */
  for(i=0; i<b->nTab; i++){
    PTab *t = &b->aTab[i];
    for(k=1; k<t->nCol; k++){
      if( t->aCol[k].iFk>=0 && findTab(b, t->aCol[k].iFk)==0 ){
        memmove(&t->aCol[k], &t->aCol[k+1], sizeof(PCol)*(t->nCol-k-1));
        t->nCol--;
        k--;
      }
    }
  }
  /* Indexes, views, triggers: kept when still valid, else changed. */
  for(i=0; i<b->nIdx; i++){
    PIdx *x = &b->aIdx[i];
    PTab *t = findTab(b, x->iTab);
    if( t==0 || !findCol(t, x->iCol1) || (x->iCol2>=0 && !findCol(t, x->iCol2))
     || chance(r, 15) ){
      if( chance(r, 50) ){
        b->aIdx[i] = b->aIdx[--b->nIdx];
        i--;
      }else{
        char zKeep[32];
        strcpy(zKeep, x->zName);
        randIndex(r, b, x, i);
        strcpy(x->zName, zKeep);
      }
    }
  }
  if( chance(r, 30) && b->nIdx<MAXI ){
    randIndex(r, b, &b->aIdx[b->nIdx], b->nIdx+10);
    b->nIdx++;
  }
  /* A UNIQUE column or unique index over a column new in B would see only
  ** defaults. */
  for(i=0; i<b->nTab; i++){
    PTab *ta = findTab((PSchema*)a, b->aTab[i].iId);
    for(k=0; k<b->aTab[i].nCol; k++){
      if( ta && !findCol(ta, b->aTab[i].aCol[k].iId) ) b->aTab[i].aCol[k].bUnique = 0;
    }
  }
  /* A unique index over a column new in B would see only defaults. */
  for(i=0; i<b->nIdx; i++){
    PTab *ta = findTab((PSchema*)a, b->aIdx[i].iTab);
    if( !findCol(ta, b->aIdx[i].iCol1)
     || (b->aIdx[i].iCol2>=0 && !findCol(ta, b->aIdx[i].iCol2)) ){
      b->aIdx[i].bUnique = 0;
    }
  }
  for(i=0; i<b->nView; i++){
    PView *v = &b->aView[i];
    PTab *t = findTab(b, v->iTab);
    if( t==0 || !findCol(t, v->iCol) || (v->iTab2>=0 && !findTab(b, v->iTab2))
     || chance(r, 10) ){
      if( chance(r, 50) ){ b->aView[i] = b->aView[--b->nView]; i--; }
      else{
        t = &b->aTab[rnd(r, b->nTab)];
        v->iTab = t->iId;
        v->iCol = pickCol(r, t);
        v->iTab2 = -1;
      }
    }
  }
  for(i=0; i<b->nTrig; i++){
    PTrig *g = &b->aTrig[i];
    if( !findTab(b, g->iTab) || !findTab(b, g->iOther) || chance(r, 10) ){
      if( chance(r, 50) ){ b->aTrig[i] = b->aTrig[--b->nTrig]; i--; }
      else{
        g->iTab = b->aTab[rnd(r, b->nTab)].iId;
        g->iOther = b->aTab[rnd(r, b->nTab)].iId;
      }
    }
  }
}

/* ------------------------------------------------------------ SQL */

static void appendColDef(sqlite3_str *p, PSchema *s, PTab *t, PCol *c){
  sqlite3_str_appendf(p, "\"%w\"", c->zName);
  if( azType[c->eType][0] ) sqlite3_str_appendf(p, " %s", azType[c->eType]);
  if( c==&t->aCol[0] ){
    if( t->eIdKind==2 ){
      sqlite3_str_appendf(p, " NOT NULL");
    }else{
      sqlite3_str_appendf(p, " PRIMARY KEY%s",
                          t->eIdKind==1 && !t->bWithoutRowid ? " AUTOINCREMENT" : "");
    }
    return;
  }
  if( c->eGen ){
    sqlite3_str_appendf(p, " GENERATED ALWAYS AS (id * 2)%s",
                        c->eGen==2 ? " STORED" : "");
    return;
  }
  if( c->bNotNull ) sqlite3_str_appendf(p, " NOT NULL");
  if( c->bUnique ) sqlite3_str_appendf(p, " UNIQUE");
  switch( c->eDflt ){
    case 1: sqlite3_str_appendf(p, " DEFAULT %s", c->eType==2 ? "'dflt'"
                                : c->eType==4 ? "x'00'" : "0"); break;
    case 2: sqlite3_str_appendf(p, " DEFAULT %s", c->eType==2 ? "('x' || 'y')"
                                : c->eType==4 ? "(x'01')" : "(1 + 1)"); break;
    case 3: sqlite3_str_appendf(p, " DEFAULT %s", c->eType==2 ? "'it''s'"
                                : c->eType==4 ? "X'0A0b'" : "-7"); break;
  }
  if( c->bCheck ) sqlite3_str_appendf(p, " CHECK (\"%w\" IS NOT 'zz')", c->zName);
  if( c->bCollate ) sqlite3_str_appendf(p, " COLLATE NOCASE");
  if( c->iFk>=0 ){
    PTab *par = findTab(s, c->iFk);
    sqlite3_str_appendf(p, " REFERENCES \"%w\"(id) ON DELETE CASCADE",
                        par ? par->zName : "nosuch");
  }
}

/* The CREATE statements of s, qualified with zSchema. */
static char *schemaSql(PSchema *s, const char *zSchema){
  sqlite3_str *p = sqlite3_str_new(0);
  int i, k;
  for(i=0; i<s->nTab; i++){
    PTab *t = &s->aTab[i];
    sqlite3_str_appendf(p, "CREATE TABLE \"%w\".\"%w\"(", zSchema, t->zName);
    for(k=0; k<t->nCol; k++){
      if( k ) sqlite3_str_appendf(p, ", ");
      appendColDef(p, s, t, &t->aCol[k]);
    }
    if( t->bCheck ) sqlite3_str_appendf(p, ", CHECK (id > -1000)");
    sqlite3_str_appendf(p, ")");
    if( t->bWithoutRowid ) sqlite3_str_appendf(p, " WITHOUT ROWID");
    if( t->bStrict ) sqlite3_str_appendf(p, "%s STRICT", t->bWithoutRowid ? "," : "");
    sqlite3_str_appendf(p, ";\n");
  }
  for(i=0; i<s->nIdx; i++){
    PIdx *x = &s->aIdx[i];
    PTab *t = findTab(s, x->iTab);
    PCol *c1 = findCol(t, x->iCol1), *c2 = findCol(t, x->iCol2);
    sqlite3_str_appendf(p, "CREATE %sINDEX \"%w\".\"%w\" ON \"%w\"(",
                        x->bUnique ? "UNIQUE " : "", zSchema, x->zName, t->zName);
    if( x->bExpr ) sqlite3_str_appendf(p, "(\"%w\" IS NULL)", c1->zName);
    else sqlite3_str_appendf(p, "\"%w\"", c1->zName);
    if( c2 ) sqlite3_str_appendf(p, ", \"%w\" DESC", c2->zName);
    if( x->bExpr && x->bUnique ) sqlite3_str_appendf(p, ", id");
    sqlite3_str_appendf(p, ")");
    if( x->bPartial ) sqlite3_str_appendf(p, " WHERE \"%w\" IS NOT NULL", c1->zName);
    sqlite3_str_appendf(p, ";\n");
  }
  for(i=0; i<s->nView; i++){
    PView *v = &s->aView[i];
    PTab *t = findTab(s, v->iTab), *t2 = findTab(s, v->iTab2);
    PCol *c = findCol(t, v->iCol);
    sqlite3_str_appendf(p, "CREATE VIEW \"%w\".\"%w\" AS SELECT x.id, x.\"%w\" FROM \"%w\" AS x",
                        zSchema, v->zName, c->zName, t->zName);
    if( t2 ) sqlite3_str_appendf(p, " JOIN \"%w\" AS y ON y.id = x.id", t2->zName);
    sqlite3_str_appendf(p, ";\n");
  }
  for(i=0; i<s->nTrig; i++){
    PTrig *g = &s->aTrig[i];
    sqlite3_str_appendf(p, "CREATE TRIGGER \"%w\".\"%w\" AFTER UPDATE ON \"%w\" BEGIN"
                        " UPDATE \"%w\" SET id = id WHERE id < -5; END;\n",
                        zSchema, g->zName, findTab(s, g->iTab)->zName,
                        findTab(s, g->iOther)->zName);
  }
  return sqlite3_str_finish(p);
}

/* REAL values a copy must keep bit for bit (as SQL literals). */
static const char *const azEdgeReal[] = {
  "-0.0", "5e-324", "2.2250738585072009e-308", "1e308",
  "1.7976931348623157e308", "0.30000000000000004", "0.3", "-1e999"
};

/* The value of column c at row iRow, as an SQL literal. */
static void appendValue(sqlite3_str *p, PCol *c, int iRow, int bNullable,
                        int bEdge){
  int k = c->iId;
  if( bNullable && (iRow+k)%5==0 ){ sqlite3_str_appendf(p, "NULL"); return; }
  if( bEdge && (c->eType==3 || c->eType==0 || c->eType==6) && (iRow+k)%4==1 ){
    sqlite3_str_appendf(p, "%s", azEdgeReal[(iRow*7+k)%8]);
    return;
  }
  switch( c->eType ){
    case 1: case 5: sqlite3_str_appendf(p, "%d", iRow*1000+k); break;
    case 2: sqlite3_str_appendf(p, "'v%d_%d'", iRow, k); break;
    case 3: sqlite3_str_appendf(p, "%d.25", iRow*1000+k); break;
    case 4: sqlite3_str_appendf(p, "x'%04x%04x'", iRow, k); break;
    default:
      switch( (iRow+k)%3 ){
        case 0: sqlite3_str_appendf(p, "%d", iRow*1000+k); break;
        case 1: sqlite3_str_appendf(p, "'w%d_%d'", iRow, k); break;
        default: sqlite3_str_appendf(p, "%d.5", iRow*1000+k); break;
      }
  }
}

/* INSERTs of the data for A (FK values valid in A). */
static char *dataSql(Rng *r, PSchema *a, PSchema *b, int *aRows){
  sqlite3_str *p = sqlite3_str_new(0);
  int i, k, n;
  for(i=0; i<a->nTab; i++) aRows[i] = (int)rnd(r, 12);
  for(i=0; i<a->nTab; i++){
    PTab *t = &a->aTab[i];
    PTab *tb = findTab(b, t->iId);
    for(n=1; n<=aRows[i]; n++){
      int nCol = 0;
      sqlite3_str_appendf(p, "INSERT INTO main.\"%w\"(", t->zName);
      for(k=0; k<t->nCol; k++){
        if( t->aCol[k].eGen ) continue;
        sqlite3_str_appendf(p, "%s\"%w\"", nCol++ ? ", " : "", t->aCol[k].zName);
      }
      sqlite3_str_appendf(p, ") VALUES (");
      nCol = 0;
      for(k=0; k<t->nCol; k++){
        PCol *c = &t->aCol[k], *cb = findCol(tb, c->iId);
        if( c->eGen ) continue;
        if( nCol++ ) sqlite3_str_appendf(p, ", ");
        if( k==0 ){ sqlite3_str_appendf(p, "%d", n); continue; }
        if( c->iFk>=0 || (cb && cb->iFk>=0) ){
          int iPar = c->iFk>=0 ? c->iFk : cb->iFk;
          int m, nPar = 0;
          PTab *par = findTab(a, iPar);
          for(m=0; m<a->nTab; m++) if( a->aTab[m].iId==iPar ) nPar = aRows[m];
          if( par && nPar>0 && (n%4)!=0 ) sqlite3_str_appendf(p, "%d", 1 + n%nPar);
          else sqlite3_str_appendf(p, "NULL");
          continue;
        }
        appendValue(p, c, n, !c->bNotNull && !(cb && cb->bNotNull),
                    /* repeated values: not where they must be unique */
                    !c->bUnique && !(cb && cb->bUnique)
                    && !inUniqueIndex(a, c->iId) && !inUniqueIndex(b, c->iId));
      }
      sqlite3_str_appendf(p, ");\n");
    }
    if( t->eIdKind==1 && !t->bWithoutRowid && aRows[i]>0 ){
      sqlite3_str_appendf(p, "UPDATE main.sqlite_sequence SET seq = seq + 3"
                          " WHERE name = %Q;\n", t->zName);
    }
  }
  return sqlite3_str_finish(p);
}

/* ------------------------------------------------------------ checks */

static char *query1(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  char *zRes = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    zRes = sqlite3_mprintf("%s", z ? z : "NULL");
  }
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){
    sqlite3_free(zRes);
    zRes = sqlite3_mprintf("error: %s", sqlite3_errmsg(db));
  }
  return zRes;
}

/* Lower-cased, quotes dropped, white space squeezed around punctuation. */
static void normSql(sqlite3_str *p, const char *z){
  int bSpace = 0;
  char cPrev = '(';
  for(; *z; z++){
    char c = *z;
    if( c=='"' ) continue;
    if( c==' ' || c=='\n' || c=='\t' || c=='\r' ){ bSpace = 1; continue; }
    if( c>='A' && c<='Z' ) c += 32;
    if( bSpace && cPrev!='(' && cPrev!=',' && c!=')' && c!=',' && c!='(' ){
      sqlite3_str_appendchar(p, 1, ' ');
    }
    bSpace = 0;
    sqlite3_str_appendchar(p, 1, c);
    cPrev = c;
  }
}

/* An independent signature of schema zSchema. */
static char *schemaSig(sqlite3 *db, const char *zSchema){
  sqlite3_str *p = sqlite3_str_new(0);
  sqlite3_stmt *pStmt = 0;
  char *zSql = sqlite3_mprintf(
      "SELECT type, name, tbl_name, sql FROM \"%w\".sqlite_master"
      " WHERE name NOT LIKE 'sqlite\\_%%' ESCAPE '\\' AND name NOT LIKE 'sqlmig%%'"
      " ORDER BY type, lower(name)", zSchema);
  sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  while( pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zName = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zS = (const char*)sqlite3_column_text(pStmt, 3);
    char *zQ, *zR;
    sqlite3_str_appendf(p, "%s|", zType);
    normSql(p, zName);
    sqlite3_str_appendf(p, "|");
    normSql(p, (const char*)sqlite3_column_text(pStmt, 2));
    sqlite3_str_appendf(p, "|");
    if( zS ) normSql(p, zS);
    sqlite3_str_appendf(p, "\n");
    if( strcmp(zType, "table")!=0 ) continue;
    zQ = sqlite3_mprintf(
        "SELECT group_concat(cid||','||name||','||lower(type)||','||\"notnull\"||','||"
        "quote(dflt_value)||','||pk||','||hidden, ';') FROM pragma_table_xinfo(%Q,%Q)",
        zName, zSchema);
    zR = query1(db, zQ);
    sqlite3_str_appendf(p, "  cols %s\n", zR);
    sqlite3_free(zQ); sqlite3_free(zR);
    zQ = sqlite3_mprintf(
        "SELECT group_concat(x, ';') FROM (SELECT \"unique\"||','||origin||','||partial||"
        "'['||(SELECT group_concat(seqno||','||cid||','||quote(name)||','||desc||','||coll||','||key, ' ')"
        " FROM pragma_index_xinfo(l.name,%Q))||']' AS x"
        " FROM pragma_index_list(%Q,%Q) AS l ORDER BY l.origin, x)",
        zSchema, zName, zSchema);
    zR = query1(db, zQ);
    sqlite3_str_appendf(p, "  idx %s\n", zR);
    sqlite3_free(zQ); sqlite3_free(zR);
    zQ = sqlite3_mprintf(
        "SELECT group_concat(id||','||seq||','||\"table\"||','||\"from\"||','||quote(\"to\")||','||"
        "on_update||','||on_delete, ';') FROM pragma_foreign_key_list(%Q,%Q)", zName, zSchema);
    zR = query1(db, zQ);
    sqlite3_str_appendf(p, "  fk %s\n", zR);
    sqlite3_free(zQ); sqlite3_free(zR);
  }
  sqlite3_finalize(pStmt);
  return sqlite3_str_finish(p);
}

/* realbits(x): the 8 bytes of REAL x in hex (quote() is not exact). */
static void realbitsFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  double d = sqlite3_value_double(argv[0]);
  unsigned long long u;
  char z[24];
  (void)argc;
  memcpy(&u, &d, 8);
  snprintf(z, sizeof(z), "r%016llx", u);
  sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
}

/* Values of columns of t present in both a and b (same type), keyed by id,
** plus rowids and sqlite_sequence, read from zSchema with a's names if
** bUseA else b's. */
static char *dataSig(sqlite3 *db, PSchema *a, PSchema *b, int bUseA){
  sqlite3_str *p = sqlite3_str_new(0);
  int i, k;
  for(i=0; i<a->nTab; i++){
    PTab *ta = &a->aTab[i], *tb = findTab(b, ta->iId), *t = bUseA ? ta : tb;
    if( tb==0 ) continue;
    for(k=0; k<ta->nCol; k++){
      PCol *ca = &ta->aCol[k], *cb = findCol(tb, ca->iId), *c = bUseA ? ca : cb;
      char *zQ, *zR;
      if( cb==0 || ca->eGen || cb->eGen || ca->eType!=cb->eType ) continue;
      zQ = sqlite3_mprintf("SELECT group_concat(id||':'||(CASE WHEN typeof(v)"
          " = 'real' THEN realbits(v) ELSE quote(v) END), ',') FROM"
          " (SELECT id, \"%w\" AS v FROM main.\"%w\" ORDER BY id)", c->zName, t->zName);
      zR = query1(db, zQ);
      sqlite3_str_appendf(p, "%s.%s: %s\n", ta->zName, ca->zName, zR);
      sqlite3_free(zQ); sqlite3_free(zR);
    }
    if( !ta->bWithoutRowid && !tb->bWithoutRowid ){
      char *zQ = sqlite3_mprintf("SELECT group_concat(rowid||':'||id, ',') FROM"
          " (SELECT rowid, id FROM main.\"%w\" ORDER BY id)", t->zName);
      char *zR = query1(db, zQ);
      sqlite3_str_appendf(p, "%s rowids: %s\n", ta->zName, zR);
      sqlite3_free(zQ); sqlite3_free(zR);
    }
    if( ta->eIdKind==1 && tb->eIdKind==1 && !ta->bWithoutRowid && !tb->bWithoutRowid ){
      char *zQ = sqlite3_mprintf("SELECT seq FROM main.sqlite_sequence WHERE name=%Q",
                                 t->zName);
      char *zR = query1(db, zQ);
      sqlite3_str_appendf(p, "%s seq: %s\n", ta->zName, zR ? zR : "none");
      sqlite3_free(zQ); sqlite3_free(zR);
    }
  }
  return sqlite3_str_finish(p);
}

static int exec(sqlite3 *db, const char *zSql, char **pzErr){
  char *zErr = 0;
  int rc = sqlite3_exec(db, zSql, 0, 0, &zErr);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("%s", zErr ? zErr : sqlite3_errmsg(db));
  }
  sqlite3_free(zErr);
  return rc;
}

static int streq(const char *a, const char *b){
  return strcmp(a ? a : "", b ? b : "")==0;
}

/* One pair. Returns NULL on success, else why (sqlite3_malloc'd). */
static char *runPair(unsigned long long seed, int *pnChange){
  Rng r;
  PSchema A, B;
  sqlite3 *db = 0;
  char *zErr = 0, *zWhy = 0;
  char *zA = 0, *zA2 = 0, *zB = 0, *zData = 0, *zUp = 0, *zDown = 0;
  char *zSigB = 0, *zSigO = 0, *zSig = 0, *zD0 = 0, *zD1 = 0, *zT = 0;
  int aRows[MAXT];
  int rc;

  r.s = seed;
  nextId = 1;
  randSchema(&r, &A);
  mutate(&r, &A, &B);
  zA = schemaSql(&A, "main");
  zA2 = schemaSql(&A, "orig");
  zB = schemaSql(&B, "desired");
  zData = dataSql(&r, &A, &B, aRows);

  rc = sqlite3_open(":memory:", &db);
  if( rc==SQLITE_OK ) sqlite3_enable_load_extension(db, 1);
  if( rc==SQLITE_OK ) rc = sqlite3_load_extension(db, libPath(), "sqlite3_sqlmig_init", &zErr);
  if( rc ){ zWhy = sqlite3_mprintf("cannot load: %s", zErr); goto done; }
  sqlite3_create_function(db, "realbits", 1, SQLITE_UTF8, 0, realbitsFunc, 0, 0);
#define STEP(sql, what) \
  if( exec(db, sql, &zErr) ){ zWhy = sqlite3_mprintf("%s: %s", what, zErr); goto done; }
  STEP("ATTACH ':memory:' AS desired; ATTACH ':memory:' AS orig;", "attach");
  STEP(zA, "schema A");
  STEP(zA2, "schema A copy");
  STEP(zB, "schema B");
  STEP(zData, "data");
  STEP("PRAGMA foreign_keys = ON", "fk on");
  zD0 = dataSig(db, &A, &B, 1);
  zSigB = schemaSig(db, "desired");
  zSigO = schemaSig(db, "orig");

  zUp = query1(db, "SELECT migrate_diff('main', 'desired')");
  zDown = query1(db, "SELECT migrate_diff('desired', 'main')");
  if( zUp==0 || strncmp(zUp, "error:", 6)==0 ){ zWhy = sqlite3_mprintf("up: %s", zUp); goto done; }
  if( zDown==0 || strncmp(zDown, "error:", 6)==0 ){ zWhy = sqlite3_mprintf("down: %s", zDown); goto done; }
  zT = query1(db, "SELECT migrate_diff('main', 'desired')");
  if( !streq(zT, zUp) ){ zWhy = sqlite3_mprintf("not deterministic"); goto done; }
  sqlite3_free(zT);
  zT = query1(db, "SELECT coalesce(group_concat(sql, ''), '') FROM"
                  " (SELECT sql FROM migrate_changes('main','desired') ORDER BY seq)");
  if( !streq(zT, zUp) ){ zWhy = sqlite3_mprintf("migrate_changes sql differs: %s", zT); goto done; }
  sqlite3_free(zT);
  zT = query1(db, "SELECT count(*) FROM migrate_changes('main','desired')");
  *pnChange += atoi(zT);
  sqlite3_free(zT);
  zT = 0;
  if( zUp[0]==0 ){
    /* Equal schemas: still check the signatures agree. */
    zSig = schemaSig(db, "main");
    if( !streq(zSig, zSigB) ) zWhy = sqlite3_mprintf("diff empty but schemas differ");
    goto done;
  }

  {
    char *zIns = sqlite3_mprintf("INSERT INTO migrations(version, name, up, down)"
                                 " VALUES (1, 'sync', %Q, %Q)", zUp, zDown);
    rc = exec(db, zIns, &zErr);
    sqlite3_free(zIns);
    if( rc ){ zWhy = sqlite3_mprintf("insert revision: %s", zErr); goto done; }
  }
  zT = query1(db, "SELECT migrate()");
  if( !streq(zT, "1") ){ zWhy = sqlite3_mprintf("migrate up: %s", zT); goto done; }
  sqlite3_free(zT);
  zT = query1(db, "SELECT migrate_diff('main', 'desired')");
  if( !streq(zT, "") ){ zWhy = sqlite3_mprintf("after up, diff not empty: %s", zT); goto done; }
  sqlite3_free(zT);
  zT = 0;
  zSig = schemaSig(db, "main");
  if( !streq(zSig, zSigB) ){
    zWhy = sqlite3_mprintf("after up, schema differs:\n# main:\n%s# desired:\n%s", zSig, zSigB);
    goto done;
  }
  zD1 = dataSig(db, &A, &B, 0);
  if( !streq(zD0, zD1) ){
    zWhy = sqlite3_mprintf("after up, data differs:\n# before:\n%s# after:\n%s", zD0, zD1);
    goto done;
  }
  sqlite3_free(zD1); zD1 = 0;
  sqlite3_free(zSig); zSig = 0;

  STEP("DELETE FROM migrations WHERE version = 1", "delete revision");
  zT = query1(db, "SELECT migrate()");
  if( !streq(zT, "NULL") ){ zWhy = sqlite3_mprintf("migrate down: %s", zT); goto done; }
  sqlite3_free(zT);
  zT = query1(db, "SELECT migrate_diff('main', 'orig')");
  if( !streq(zT, "") ){ zWhy = sqlite3_mprintf("after down, diff not empty: %s", zT); goto done; }
  zSig = schemaSig(db, "main");
  if( !streq(zSig, zSigO) ){
    zWhy = sqlite3_mprintf("after down, schema differs:\n# main:\n%s# orig:\n%s", zSig, zSigO);
    goto done;
  }
  zD1 = dataSig(db, &A, &B, 1);
  if( !streq(zD0, zD1) ){
    zWhy = sqlite3_mprintf("after down, data differs:\n# before:\n%s# after:\n%s", zD0, zD1);
    goto done;
  }

done:
  if( zWhy && bVerbose ){
    char *z = zWhy;
    zWhy = sqlite3_mprintf("%s\n# A:\n%s# B:\n%s# up:\n%s# down:\n%s", z, zA, zB,
                           zUp ? zUp : "", zDown ? zDown : "");
    sqlite3_free(z);
  }
  sqlite3_free(zErr);
  sqlite3_free(zA); sqlite3_free(zA2); sqlite3_free(zB); sqlite3_free(zData);
  sqlite3_free(zUp); sqlite3_free(zDown); sqlite3_free(zSigB); sqlite3_free(zSigO);
  sqlite3_free(zSig); sqlite3_free(zD0); sqlite3_free(zD1); sqlite3_free(zT);
  sqlite3_close(db);
  return zWhy;
}

/*
** Virtual tables (FTS5, when this SQLite has it): compared by their CREATE
** text, their shadow tables never show, a change drops and creates them.
*/
static void vtabCheck(void){
  static const char *zName = "diff of virtual tables: shadow tables hidden, change = drop + create";
  sqlite3 *db = 0;
  char *zErr = 0, *z = 0;
  const char *zWhy = 0;
  sqlite3_open(":memory:", &db);
  sqlite3_enable_load_extension(db, 1);
  if( sqlite3_load_extension(db, libPath(), "sqlite3_sqlmig_init", &zErr)
   || sqlite3_exec(db, "ATTACH ':memory:' AS desired", 0, 0, &zErr) ){
    check(zName, 0, zErr);
    goto done;
  }
  if( sqlite3_exec(db, "CREATE VIRTUAL TABLE main.docs USING fts5(title, body)", 0, 0, 0) ){
    check("diff of virtual tables (skipped: this SQLite has no FTS5)", 1, 0);
    goto done;
  }
  sqlite3_exec(db, "INSERT INTO docs VALUES ('a', 'b');"
               "CREATE VIRTUAL TABLE desired.docs USING fts5(title, body);", 0, 0, 0);
  z = query1(db, "SELECT migrate_diff('main', 'desired') || '|' || migrate_diff('desired', 'main')");
  if( !streq(z, "|") ) zWhy = "equal fts5 tables differ";
  sqlite3_free(z);
  sqlite3_exec(db, "DROP TABLE desired.docs;"
               "CREATE VIRTUAL TABLE desired.docs USING fts5(title, body, tags);", 0, 0, 0);
  z = query1(db, "SELECT group_concat(kind || ' ' || object || ' ' || change || ' ' || destructive, ', ')"
                 " FROM migrate_changes('main', 'desired')");
  if( !zWhy && !streq(z, "table docs drop 1, table docs create 0") ) zWhy = "wrong changes";
  if( zWhy && bVerbose ) printf("# %s\n", z);
  sqlite3_free(z);
  z = query1(db, "SELECT migrate_diff('main', 'desired')");
  if( !zWhy && sqlite3_exec(db, z, 0, 0, 0) ) zWhy = "script failed";
  sqlite3_free(z);
  z = query1(db, "SELECT migrate_diff('main', 'desired')");
  if( !zWhy && !streq(z, "") ) zWhy = "not equal afterwards";
  sqlite3_free(z);
  check(zName, zWhy==0, zWhy);
done:
  sqlite3_free(zErr);
  sqlite3_close(db);
}

/* ------------------------------------------------------------ data diff */

/*
** migrate_data_diff property: three tables (rowid with INTEGER PRIMARY
** KEY, WITHOUT ROWID with a two-column key, keyless compared by rowid)
** filled with values bound from bit patterns (REAL edge values: -0.0,
** subnormals, 1e308, DBL_MAX, infinities, neighbours one bit apart; text
** with NUL and invalid UTF-8; blobs; integers at the extremes), a copy
** "ref" changed at random (updated values, deleted and new rows). The
** diff registered as a revision with its reverse as the down must make
** main equal to ref, then bring the original back, compared here value by
** value (type and bytes, REAL bits), independently of the extension.
*/
static const char *const azDataTab[] = { "t1", "t2", "t3" };
static const char *const azDataDdl =
  "CREATE TABLE %s.t1(id INTEGER PRIMARY KEY, a, b REAL, c TEXT, d BLOB);"
  "CREATE TABLE %s.t2(k TEXT, n INTEGER, v, w NUMERIC, PRIMARY KEY (k, n))"
  " WITHOUT ROWID;"
  "CREATE TABLE %s.t3(x, y);";

static void bindRandom(Rng *r, sqlite3_stmt *p, int i){
  static const unsigned long long aBits[] = {
    0x8000000000000000ULL,            /* -0.0 */
    0x0000000000000000ULL,            /* 0.0 */
    0x0000000000000001ULL,            /* smallest subnormal */
    0x000fffffffffffffULL,            /* largest subnormal */
    0x7fefffffffffffffULL,            /* DBL_MAX */
    0x7fe1ccf385ebc8a0ULL,            /* 1e308 */
    0x7ff0000000000000ULL,            /* +inf */
    0xfff0000000000000ULL,            /* -inf */
    0x3fb999999999999aULL,            /* 0.1 */
    0x3fd3333333333334ULL,            /* 0.30000000000000004 */
    0x3fd3333333333333ULL,            /* 0.3: one bit apart */
  };
  double d;
  unsigned long long u;
  char z[8];
  switch( rnd(r, 9) ){
    case 0: sqlite3_bind_null(p, i); break;
    case 1:
      u = aBits[rnd(r, sizeof(aBits)/sizeof(aBits[0]))];
      if( rnd(r, 3)==0 ) u ^= 1;                      /* last bit */
      memcpy(&d, &u, 8);
      sqlite3_bind_double(p, i, d);
      break;
    case 2:
      do{
        u = ((unsigned long long)rnd(r, 0x10000)<<48)
          ^ ((unsigned long long)rnd(r, 0x10000)<<32)
          ^ ((unsigned long long)rnd(r, 0x10000)<<16) ^ rnd(r, 0x10000);
      }while( (u & 0x7ff0000000000000ULL)==0x7ff0000000000000ULL );
      memcpy(&d, &u, 8);                              /* any finite double */
      sqlite3_bind_double(p, i, d);
      break;
    case 3:
      sqlite3_bind_int64(p, i, rnd(r, 2) ? (sqlite3_int64)rnd(r, 100)
                         : (sqlite3_int64)(0x8000000000000000ULL + rnd(r, 2)));
      break;
    case 4:
      z[0] = 'a' + rnd(r, 3); z[1] = 0; z[2] = (char)(0x80 + rnd(r, 0x7f));
      sqlite3_bind_text(p, i, z, 1 + (int)rnd(r, 3), SQLITE_TRANSIENT);
      break;
    case 5:
      z[0] = (char)rnd(r, 256); z[1] = 0;
      sqlite3_bind_blob(p, i, z, (int)rnd(r, 3), SQLITE_TRANSIENT);
      break;
    case 6: sqlite3_bind_text(p, i, "same", -1, SQLITE_STATIC); break;
    case 7: sqlite3_bind_blob(p, i, "same", 4, SQLITE_STATIC); break;
    default: sqlite3_bind_double(p, i, (double)rnd(r, 3)); break;
  }
}

/* Fills zSchema's tables with n rows each, or changes them at random. */
static int dataFill(sqlite3 *db, Rng *r, const char *zSchema, int bChange){
  int i, k, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<3; i++){
    static const char *const azIns[] = {
      "INSERT OR REPLACE INTO %s.t1(id, a, b, c, d) VALUES (?1, ?2, ?3, ?4, ?5)",
      "INSERT OR REPLACE INTO %s.t2(k, n, v, w) VALUES ('k' || (?1 %% 4), ?1 / 4, ?2, ?3)",
      "INSERT INTO %s.t3(rowid, x, y) VALUES (?1, ?2, ?3)",
    };
    char *zSql = sqlite3_mprintf(azIns[i], zSchema);
    sqlite3_stmt *p = 0;
    int nRow = 10 + (int)rnd(r, 20);
    rc = sqlite3_prepare_v2(db, zSql, -1, &p, 0);
    sqlite3_free(zSql);
    for(k=1; rc==SQLITE_OK && k<=nRow; k++){
      int j;
      if( bChange && rnd(r, 3) ) continue;            /* a third changes */
      sqlite3_bind_int(p, 1, bChange ? (int)rnd(r, 40) + 1 : k);
      for(j=2; j<=sqlite3_bind_parameter_count(p); j++) bindRandom(r, p, j);
      sqlite3_step(p);
      rc = sqlite3_reset(p);
      if( rc==SQLITE_CONSTRAINT ) rc = SQLITE_OK;     /* t3: rowid taken */
    }
    sqlite3_finalize(p);
    if( rc==SQLITE_OK && bChange && i<2 ){
      /* zeros change sign: equal to = and IS, not to the bit */
      zSql = sqlite3_mprintf("UPDATE %s.%s SET %s = -%s WHERE typeof(%s) = 'real'"
          " AND %s = 0", zSchema, azDataTab[i], i ? "v" : "a", i ? "v" : "a",
          i ? "v" : "a", i ? "v" : "a");
      rc = sqlite3_exec(db, zSql, 0, 0, 0);
      sqlite3_free(zSql);
    }
    if( rc==SQLITE_OK && bChange ){
      zSql = sqlite3_mprintf("DELETE FROM %s.%s WHERE abs(random()) %% 5 = 0",
                             zSchema, azDataTab[i]);
      rc = sqlite3_exec(db, zSql, 0, 0, 0);
      sqlite3_free(zSql);
    }
  }
  return rc;
}

/* NULL if every table of schemas zA and zB holds the same rows exactly. */
static char *dataSame(sqlite3 *db, const char *zA, const char *zB){
  int i;
  for(i=0; i<3; i++){
    static const char *const azOrder[] = { "id", "k, n", "rowid" };
    sqlite3_stmt *p[2] = {0, 0};
    const char *az[2];
    int s, rc[2] = {0, 0}, nRow = 0;
    az[0] = zA; az[1] = zB;
    for(s=0; s<2; s++){
      char *zSql = sqlite3_mprintf("SELECT rowid IS NULL, * FROM %s.%s ORDER BY %s",
          az[s], azDataTab[i], azOrder[i]);
      if( i==1 ) sqlite3_free(zSql), zSql = sqlite3_mprintf(
          "SELECT 0, * FROM %s.%s ORDER BY %s", az[s], azDataTab[i], azOrder[i]);
      if( i==2 ) sqlite3_free(zSql), zSql = sqlite3_mprintf(
          "SELECT rowid, * FROM %s.%s ORDER BY %s", az[s], azDataTab[i], azOrder[i]);
      sqlite3_prepare_v2(db, zSql, -1, &p[s], 0);
      sqlite3_free(zSql);
    }
    for(;;){
      int c, n;
      rc[0] = sqlite3_step(p[0]);
      rc[1] = sqlite3_step(p[1]);
      if( rc[0]!=rc[1] ) break;
      if( rc[0]!=SQLITE_ROW ) break;
      nRow++;
      n = sqlite3_column_count(p[0]);
      for(c=0; c<n; c++){
        int t = sqlite3_column_type(p[0], c), m = sqlite3_column_bytes(p[0], c);
        int bSame = t==sqlite3_column_type(p[1], c);
        if( bSame && t==SQLITE_FLOAT ){
          double x = sqlite3_column_double(p[0], c), y = sqlite3_column_double(p[1], c);
          bSame = memcmp(&x, &y, 8)==0;
        }else if( bSame && t==SQLITE_INTEGER ){
          bSame = sqlite3_column_int64(p[0], c)==sqlite3_column_int64(p[1], c);
        }else if( bSame && t!=SQLITE_NULL ){
          bSame = m==sqlite3_column_bytes(p[1], c)
               && (m==0 || memcmp(sqlite3_column_blob(p[0], c),
                                  sqlite3_column_blob(p[1], c), m)==0);
        }
        if( !bSame ){
          char *z = sqlite3_mprintf("%s.%s row %d column %d differs from %s",
                                    zA, azDataTab[i], nRow, c, zB);
          sqlite3_finalize(p[0]); sqlite3_finalize(p[1]);
          return z;
        }
      }
    }
    sqlite3_finalize(p[0]);
    sqlite3_finalize(p[1]);
    if( rc[0]!=rc[1] || rc[0]!=SQLITE_DONE ){
      return sqlite3_mprintf("%s.%s and %s differ in rows (%d, %d)", zA,
                             azDataTab[i], zB, rc[0], rc[1]);
    }
  }
  return 0;
}

/* One seed. NULL on success, else why. */
static char *dataPair(unsigned long long seed){
  Rng r;
  sqlite3 *db = 0;
  char *zErr = 0, *zWhy = 0, *zUp = 0, *zDown = 0, *zT = 0;
  int rc;
  r.s = seed;
  rc = sqlite3_open(":memory:", &db);
  if( rc==SQLITE_OK ) sqlite3_enable_load_extension(db, 1);
  if( rc==SQLITE_OK ) rc = sqlite3_load_extension(db, libPath(), "sqlite3_sqlmig_init", &zErr);
  if( rc ){ zWhy = sqlite3_mprintf("cannot load: %s", zErr); goto data_done; }
  {
    char *zDdl = sqlite3_mprintf("ATTACH ':memory:' AS ref; ATTACH ':memory:' AS orig;"
        "%z%z%z", sqlite3_mprintf(azDataDdl, "main", "main", "main"),
        sqlite3_mprintf(azDataDdl, "ref", "ref", "ref"),
        sqlite3_mprintf(azDataDdl, "orig", "orig", "orig"));
    rc = exec(db, zDdl, &zErr);
    sqlite3_free(zDdl);
  }
  if( rc==SQLITE_OK ){
    unsigned long long s2 = r.s;
    rc = dataFill(db, &r, "main", 0);
    r.s = s2;
    if( rc==SQLITE_OK ) rc = dataFill(db, &r, "orig", 0);
    r.s = s2;
    if( rc==SQLITE_OK ) rc = dataFill(db, &r, "ref", 0);
    if( rc==SQLITE_OK ) rc = dataFill(db, &r, "ref", 1);
  }
  if( rc ){ zWhy = sqlite3_mprintf("fill: %s", sqlite3_errmsg(db)); goto data_done; }
  zUp = query1(db, "SELECT migrate_data_diff('main', 'ref', 't1, t2, t3(rowid)')");
  zDown = query1(db, "SELECT migrate_data_diff('ref', 'main', 't1, t2, t3(rowid)')");
  if( zUp==0 || zDown==0 || strncmp(zUp, "error:", 6)==0 || strncmp(zDown, "error:", 6)==0 ){
    zWhy = sqlite3_mprintf("diff: %s / %s", zUp, zDown);
    goto data_done;
  }
  {
    char *zIns = sqlite3_mprintf("INSERT INTO migrations(version, name, up, down)"
                                 " VALUES (1, 'data', %Q, %Q)", zUp, zDown);
    rc = exec(db, zIns, &zErr);
    sqlite3_free(zIns);
    if( rc ){ zWhy = sqlite3_mprintf("insert revision: %s", zErr); goto data_done; }
  }
  zT = query1(db, "SELECT migrate()");
  if( !streq(zT, "1") ){ zWhy = sqlite3_mprintf("migrate up: %s", zT); goto data_done; }
  zWhy = dataSame(db, "main", "ref");
  if( zWhy ) goto data_done;
  sqlite3_free(zT);
  zT = query1(db, "SELECT migrate_data_diff('main', 'ref', 't1, t2, t3(rowid)')");
  if( !streq(zT, "") ){ zWhy = sqlite3_mprintf("after up, not empty: %s", zT); goto data_done; }
  sqlite3_free(zT);
  if( exec(db, "DELETE FROM migrations", &zErr) ){ zWhy = sqlite3_mprintf("%s", zErr); goto data_done; }
  zT = query1(db, "SELECT migrate()");
  if( !streq(zT, "NULL") ){ zWhy = sqlite3_mprintf("migrate down: %s", zT); goto data_done; }
  zWhy = dataSame(db, "main", "orig");

data_done:
  if( zWhy && bVerbose ){
    char *z = zWhy;
    zWhy = sqlite3_mprintf("%s\n# up:\n%s# down:\n%s", z, zUp ? zUp : "", zDown ? zDown : "");
    sqlite3_free(z);
  }
  sqlite3_free(zErr); sqlite3_free(zUp); sqlite3_free(zDown); sqlite3_free(zT);
  sqlite3_close(db);
  return zWhy;
}

int main(int argc, char **argv){
  int nPairs = -1, i, nBad = 0, nChange = 0;
  unsigned long long seed = 20261122;
  int bOneSeed = 0;
  if( buildOmitsDiff() ){
    skipOmitted("diffprop: the diff's properties", "migrate_diff");
    return 0;
  }
  for(i=1; i<argc; i++){
    if( strcmp(argv[i], "--pairs")==0 && i+1<argc ) nPairs = atoi(argv[++i]);
    else if( strcmp(argv[i], "--seed")==0 && i+1<argc ){
      seed = strtoull(argv[++i], 0, 0);
      bOneSeed = 1;
    }
    else if( strcmp(argv[i], "--verbose")==0 ) bVerbose = 1;
    else{
      fprintf(stderr, "usage: %s [--pairs N] [--seed S] [--verbose]\n", argv[0]);
      return 2;
    }
  }
  bStrictOk = sqlite3_libversion_number()>=3037000;
  bGenOk = sqlite3_libversion_number()>=3031000;
  if( nPairs<0 ) nPairs = bOneSeed ? 1 : 300;
  if( !bOneSeed ) vtabCheck();
  for(i=0; i<nPairs; i++){
    unsigned long long s = seed + (unsigned long long)i;
    char *zWhy = runPair(s, &nChange);
    if( zWhy ){
      char zName[64];
      nBad++;
      if( nBad<=5 ){
        snprintf(zName, sizeof(zName), "diffprop seed %llu", s);
        check(zName, 0, zWhy);
      }
      sqlite3_free(zWhy);
    }
  }
  {
    int nDataBad = 0;
    for(i=0; i<nPairs/3; i++){
      unsigned long long s = seed + (unsigned long long)i;
      char *zWhy = dataPair(s);
      if( zWhy ){
        char zName[64];
        nDataBad++;
        if( nDataBad<=5 ){
          snprintf(zName, sizeof(zName), "datadiff seed %llu", s);
          check(zName, 0, zWhy);
        }
        sqlite3_free(zWhy);
      }
    }
    if( nPairs/3>0 ){
      char zName[160], zWhy[64];
      snprintf(zName, sizeof(zName), "datadiff: %d random table sets with REAL edge"
               " values round-trip up and down, bit for bit", nPairs/3);
      snprintf(zWhy, sizeof(zWhy), "%d sets failed", nDataBad);
      check(zName, nDataBad==0, zWhy);
    }
  }
  {
    char zName[128], zWhy[64];
    snprintf(zName, sizeof(zName), "diffprop: %d random schema pairs (seeds %llu..%llu,"
             " %d changes) round-trip up and down", nPairs, seed,
             seed + (unsigned long long)nPairs - 1, nChange);
    snprintf(zWhy, sizeof(zWhy), "%d pairs failed", nBad);
    check(zName, nBad==0, zWhy);
  }
  sqlite3_shutdown();
  return nFailed ? 1 : 0;
}
