/*
** ctest_difffuzz: random-syntax fuzz of migrate_diff's tokenizer and parser.
**
**   build/ctest_difffuzz [--iters N] [--seed S] [--verbose]
**
** Where ctest_diffprop varies schemas, this varies how they are spelled:
** every statement comes from a generator of the odd corners of SQLite's
** CREATE syntax (all four quoting styles, comments and line breaks in any
** gap, type names with arguments, named constraints, conflict clauses,
** signed and hex and blob defaults, strings holding `(`, `)`, `,`, `--`,
** nested CHECK expressions, REFERENCES with MATCH / DEFERRABLE, generated
** columns, WITHOUT ROWID, partial and expression indexes, views and
** triggers with odd bodies). Two such schemas over one small pool of
** names go into main and desired; statements SQLite rejects are skipped.
** Then the up script must run (inside a SAVEPOINT with foreign keys off)
** and leave migrate_diff(main, desired) = '', and the down script
** likewise back to a pristine copy. A failure prints the seed to replay.
*/
#include <sqlite3.h>
#include "ctest.h"

static int bVerbose = 0;

static const char *pick(Rng *r, const char *const *a, int n){ return a[rnd(r, (unsigned)n)]; }
#define PICK(r, a) pick(r, a, (int)(sizeof(a)/sizeof(a[0])))

static const char *const azGap[] = {
  " ", " ", " ", "  ", "\n  ", " /* c, ( ) */ ", " -- x, )\n", "\t"
};
static const char *const azName[] = {
  "t", "T2", "order", "a b", "q\"t", "it's", "\xc3\xbc", "x_1"
};
static const char *const azCol[] = {
  "a", "B", "c d", "select", "e\"f", "g'h", "\xc3\x9f", "k"
};
static const char *const azType[] = {
  "", "INTEGER", "int", "TEXT", "VARCHAR(10)", "DECIMAL(10, 2)", "REAL",
  "BLOB", "NUMERIC", "UNSIGNED BIG INT", "double precision", "character(20)"
};
static const char *const azDflt[] = {
  "0", "-1", "+1", "1.5e3", "-0.25", "0x1F", "'a,b)'", "'--x'", "X'AB'",
  "NULL", "TRUE", "(1 + (2 * 3))", "CURRENT_TIMESTAMP", "('(' || ')')",
  "'it''s'"
};
static const char *const azCheck[] = {
  "(length(%s) < 100)", "(%s IS NULL OR %s <> ',')",
  "(coalesce(%s, 1) NOT IN (',', ')'))", "((%s || '') <> 'x(')"
};
static const char *const azConflict[] = {
  "", "", " ON CONFLICT ABORT", " ON CONFLICT REPLACE", " ON CONFLICT IGNORE"
};
static const char *const azFkTail[] = {
  "", " ON DELETE CASCADE", " ON UPDATE SET NULL ON DELETE SET DEFAULT",
  " MATCH SIMPLE", " DEFERRABLE INITIALLY DEFERRED", " NOT DEFERRABLE"
};

/* Appends name z quoted in one of SQLite's four styles (bare when safe). */
static void quoted(Rng *r, sqlite3_str *p, const char *z){
  int bBare = 1;
  const char *c;
  for(c=z; *c; c++){
    if( !((*c>='a'&&*c<='z') || (*c>='A'&&*c<='Z') || *c=='_' || (*c>='0'&&*c<='9' && c>z)) ) bBare = 0;
  }
  if( strcmp(z, "order")==0 || strcmp(z, "select")==0 ) bBare = 0;
  switch( rnd(r, bBare ? 5 : 4) ){
    case 0: case 1: sqlite3_str_appendf(p, "\"%w\"", z); break;
    case 2:
      if( strchr(z, ']') ) sqlite3_str_appendf(p, "\"%w\"", z);
      else sqlite3_str_appendf(p, "[%s]", z);
      break;
    case 3:
      if( strchr(z, '`') ) sqlite3_str_appendf(p, "\"%w\"", z);
      else sqlite3_str_appendf(p, "`%s`", z);
      break;
    default: sqlite3_str_appendf(p, "%s", z);
  }
}

static void gap(Rng *r, sqlite3_str *p){ sqlite3_str_appendall(p, PICK(r, azGap)); }

/* One CREATE TABLE in schema zSchema. */
static void genTable(Rng *r, sqlite3_str *p, const char *zSchema, const char *zTab){
  int nCol = 1 + (int)rnd(r, 4), i, bRowid = 1, bPk = 0;
  const char *azUsed[8];
  sqlite3_str_appendf(p, "CREATE%sTABLE%s%s.", rnd(r, 4) ? " " : "\n", PICK(r, azGap), zSchema);
  quoted(r, p, zTab);
  gap(r, p);
  sqlite3_str_appendf(p, "(");
  for(i=0; i<nCol; i++){
    const char *zC = azCol[(i*3 + rnd(r, 3)) % 8];
    int k;
    for(k=0; k<i; k++) if( azUsed[k]==zC ) zC = azCol[(i*3+7)%8];
    azUsed[i] = zC;
    if( i ) sqlite3_str_appendf(p, ",");
    gap(r, p);
    quoted(r, p, zC);
    if( rnd(r, 4) ){ sqlite3_str_appendf(p, " %s", PICK(r, azType)); }
    if( !bPk && rnd(r, 6)==0 ){
      sqlite3_str_appendf(p, "%sCONSTRAINT pk PRIMARY KEY%s%s", PICK(r, azGap),
                          rnd(r, 2) ? " ASC" : "", PICK(r, azConflict));
      bPk = 1;
    }
    if( rnd(r, 5)==0 ) sqlite3_str_appendf(p, " NOT NULL%s", PICK(r, azConflict));
    if( rnd(r, 6)==0 ) sqlite3_str_appendf(p, " UNIQUE");
    if( rnd(r, 3)==0 ) sqlite3_str_appendf(p, " DEFAULT %s", PICK(r, azDflt));
    if( rnd(r, 5)==0 ){
      char *zQ = sqlite3_mprintf("\"%w\"", zC);
      sqlite3_str_appendf(p, " CHECK");
      gap(r, p);
      sqlite3_str_appendf(p, PICK(r, azCheck), zQ, zQ);
      sqlite3_free(zQ);
    }
    if( rnd(r, 6)==0 ) sqlite3_str_appendf(p, " COLLATE %s", rnd(r, 2) ? "NOCASE" : "rtrim");
    if( rnd(r, 6)==0 ){
      sqlite3_str_appendf(p, " REFERENCES ");
      quoted(r, p, PICK(r, azName));
      sqlite3_str_appendf(p, "%s", PICK(r, azFkTail));
    }
    if( rnd(r, 10)==0 ){
      sqlite3_str_appendf(p, " GENERATED ALWAYS AS (length('x,') + 1)%s",
                          rnd(r, 2) ? " STORED" : " VIRTUAL");
    }
  }
  if( rnd(r, 4)==0 ) sqlite3_str_appendf(p, ",%sCONSTRAINT \"c 1\" CHECK (1 > 0)", PICK(r, azGap));
  if( rnd(r, 5)==0 ){
    sqlite3_str_appendf(p, ", UNIQUE (");
    quoted(r, p, azUsed[0]);
    sqlite3_str_appendf(p, ")%s", PICK(r, azConflict));
  }
  if( !bPk && rnd(r, 5)==0 ){
    sqlite3_str_appendf(p, ", PRIMARY KEY (");
    quoted(r, p, azUsed[nCol-1]);
    sqlite3_str_appendf(p, ")");
    bPk = 1;
    if( rnd(r, 3)==0 ) bRowid = 0;
  }
  gap(r, p);
  sqlite3_str_appendf(p, ")%s;\n", bRowid ? "" : " WITHOUT ROWID");
}

/* A whole schema script for zSchema: tables, indexes, views, triggers. */
static char *genSchema(Rng *r, const char *zSchema){
  sqlite3_str *p = sqlite3_str_new(0);
  int i, n = 1 + (int)rnd(r, 4);
  for(i=0; i<n; i++) genTable(r, p, zSchema, azName[(i*2 + rnd(r, 2)) % 8]);
  for(i=0; i<(int)rnd(r, 4); i++){
    sqlite3_str_appendf(p, "CREATE %sINDEX %s.\"i%d\" ON ", rnd(r, 4) ? "" : "UNIQUE ", zSchema, i);
    quoted(r, p, azName[rnd(r, 8)]);
    sqlite3_str_appendf(p, "(");
    /* [x] or `x`, never "x": a double-quoted name that is no column would
    ** be SQLite's string-literal fallback, which ALTER TABLE re-checks
    ** reject (a schema SQLite itself cannot alter) */
    sqlite3_str_appendf(p, rnd(r, 2) ? "[%s]" : "`%s`", azCol[rnd(r, 8)]);
    if( rnd(r, 3)==0 ) sqlite3_str_appendf(p, " COLLATE NOCASE DESC");
    if( rnd(r, 3)==0 ) sqlite3_str_appendf(p, ", (1 + length('),'))");
    sqlite3_str_appendf(p, ")%s;\n", rnd(r, 3) ? "" : " WHERE 1 -- ,\n");
  }
  for(i=0; i<(int)rnd(r, 3); i++){
    sqlite3_str_appendf(p, "CREATE VIEW %s.", zSchema);
    quoted(r, p, i ? "v w" : "v");
    sqlite3_str_appendf(p, "%sAS SELECT ',' AS \"x)\" FROM ", PICK(r, azGap));
    quoted(r, p, azName[rnd(r, 8)]);
    sqlite3_str_appendf(p, ";\n");
  }
  for(i=0; i<(int)rnd(r, 3); i++){
    sqlite3_str_appendf(p, "CREATE TRIGGER %s.\"tr%d\" AFTER %s ON ", zSchema, i,
                        rnd(r, 2) ? "INSERT" : "UPDATE OF k");
    quoted(r, p, azName[rnd(r, 8)]);
    sqlite3_str_appendf(p, " BEGIN SELECT CASE WHEN 1 THEN 'end;' END; UPDATE ");
    quoted(r, p, azName[rnd(r, 8)]);
    sqlite3_str_appendf(p, " SET rowid = rowid WHERE 0; END;\n");
  }
  return sqlite3_str_finish(p);
}

/* Runs each statement of zScript on its own, skipping those that fail. */
static void execEach(sqlite3 *db, const char *zScript){
  const char *z = zScript;
  while( z && *z ){
    sqlite3_stmt *pStmt = 0;
    const char *zTail = 0;
    if( sqlite3_prepare_v2(db, z, -1, &pStmt, &zTail)!=SQLITE_OK ){
      /* skip to the next line that starts a statement */
      const char *zNext = strstr(z, ";\nCREATE");
      z = zNext ? zNext + 2 : 0;
      continue;
    }
    if( pStmt ){ sqlite3_step(pStmt); }
    sqlite3_finalize(pStmt);
    z = zTail;
  }
}

static char *query1(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  char *zRes = 0;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    zRes = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    sqlite3_free(zRes);
    zRes = sqlite3_mprintf("error: %s", sqlite3_errmsg(db));
  }
  return zRes;
}

/* Applies the diff from zFrom to zTo on main; NULL or why (malloc'd). */
static char *applyAndCheck(sqlite3 *db, const char *zTo, const char *zWhat){
  char *zQ = sqlite3_mprintf("SELECT migrate_diff('main', '%s')", zTo);
  char *zUp = query1(db, zQ), *zAfter = 0, *zWhy = 0, *zErr = 0;
  if( zUp==0 || strncmp(zUp, "error:", 6)==0 ){
    zWhy = sqlite3_mprintf("%s: diff: %s", zWhat, zUp);
  }else{
    sqlite3_exec(db, "PRAGMA foreign_keys=OFF; SAVEPOINT f", 0, 0, 0);
    if( sqlite3_exec(db, zUp, 0, 0, &zErr)!=SQLITE_OK ){
      zWhy = sqlite3_mprintf("%s: script failed: %s\n# script:\n%s", zWhat, zErr, zUp);
      sqlite3_exec(db, "ROLLBACK TO f", 0, 0, 0);
    }
    sqlite3_exec(db, "RELEASE f; PRAGMA legacy_alter_table=OFF", 0, 0, 0);
    if( zWhy==0 ){
      zAfter = query1(db, zQ);
      if( zAfter==0 || zAfter[0] ){
        zWhy = sqlite3_mprintf("%s: not equal after the script; left:\n%s# script:\n%s",
                               zWhat, zAfter ? zAfter : "NULL", zUp);
      }
    }
  }
  sqlite3_free(zErr);
  sqlite3_free(zQ);
  sqlite3_free(zUp);
  sqlite3_free(zAfter);
  return zWhy;
}

int main(int argc, char **argv){
  int nIter = 1500, i, nBad = 0, bSeed = 0;
  unsigned long long seed = 7;
  if( buildOmitsDiff() ){
    skipOmitted("difffuzz: CREATE syntax fuzz of the diff", "migrate_diff");
    return 0;
  }
  for(i=1; i<argc; i++){
    if( strcmp(argv[i], "--iters")==0 && i+1<argc ) nIter = atoi(argv[++i]);
    else if( strcmp(argv[i], "--seed")==0 && i+1<argc ){ seed = strtoull(argv[++i], 0, 0); bSeed = 1; }
    else if( strcmp(argv[i], "--verbose")==0 ) bVerbose = 1;
    else{ fprintf(stderr, "usage: %s [--iters N] [--seed S] [--verbose]\n", argv[0]); return 2; }
  }
  if( bSeed && nIter==1500 ) nIter = 1;
  for(i=0; i<nIter; i++){
    Rng r;
    sqlite3 *db = 0;
    char *zErr = 0, *zA, *zA2, *zB, *zWhy = 0;
    r.s = seed + (unsigned long long)i;
    zA = genSchema(&r, "main");
    zB = genSchema(&r, "desired");
    zA2 = sqlite3_mprintf("%s", zA);
    if( zA2 ){
      char *c;
      /* the same script for the pristine copy: "main." -> "orig." */
      for(c=strstr(zA2, "main."); c; c=strstr(c, "main.")) memcpy(c, "orig.", 5);
    }
    sqlite3_open(":memory:", &db);
    sqlite3_enable_load_extension(db, 1);
    if( sqlite3_load_extension(db, libPath(), "sqlite3_sqlmig_init", &zErr) ){
      printf("not ok - difffuzz: cannot load %s: %s\n", libPath(), zErr);
      return 1;
    }
    sqlite3_exec(db, "ATTACH ':memory:' AS desired; ATTACH ':memory:' AS orig", 0, 0, 0);
    execEach(db, zA);
    execEach(db, zA2);
    execEach(db, zB);
    zWhy = applyAndCheck(db, "desired", "up");
    if( zWhy==0 ) zWhy = applyAndCheck(db, "orig", "down");
    if( zWhy ){
      nBad++;
      if( nBad<=3 ){
        printf("not ok - difffuzz seed %llu: %s\n", seed + (unsigned long long)i, zWhy);
        if( bVerbose ) printf("# A:\n%s# B:\n%s", zA, zB);
      }
    }
    sqlite3_free(zWhy);
    sqlite3_free(zErr);
    sqlite3_free(zA); sqlite3_free(zA2); sqlite3_free(zB);
    sqlite3_close(db);
  }
  printf("%s - difffuzz: %d random-syntax schema pairs (seeds %llu..%llu) diffed,"
         " applied and compared both ways%s\n", nBad ? "not ok" : "ok", nIter,
         seed, seed + (unsigned long long)nIter - 1, nBad ? ": failures above" : "");
  sqlite3_shutdown();
  return nBad ? 1 : 0;
}
