/*
** sqlmig: taking over a database another tool migrated, and its status.
**
**   SELECT migrate_baseline(3);   -- revisions up to 3 count as applied
**   SELECT migrate_baseline();    -- the applied set the old tool recorded
**   SELECT * FROM migrate_status('db/migrations');
**
** migrate_baseline marks registered, pending revisions as applied without
** running them (Flyway's baseline, Alembic's stamp), and records each in
** main.sqlmig_baseline (version, baselined_at, source), a second table of
** the store, protected like it under DEFENSIVE. migrate() forgets a
** revision's baseline row when it reverts the revision. Without an
** argument the applied set comes from the one tracking table found in
** main, read as its tool means it:
**
**   schema_migrations(version, dirty)   golang-migrate: one row, every
**                                       version up to it; dirty refused
**   schema_migrations(version)          dbmate (and Rails): one row each
**   goose_db_version                    the newest row of a version
**                                       decides (is_applied); 0 is goose's
**   flyway_schema_history               successful rows by rank; BASELINE
**                                       covers versions up to it, UNDO_SQL
**                                       takes one back
**   __diesel_schema_migrations          one row each
**   _sqlx_migrations                    one row each; a failed one refused
**
** The set must be a prefix of the registered revisions (sqlmig applies in
** version order) and every version in it registered.
*/
#include "sqlmig_int.h"
#include <stdarg.h>

#define BASELINE SQLMIG_BASELINE
#define BASELINE_DDL "CREATE TABLE IF NOT EXISTS main." BASELINE "(\n" \
  "  version      INTEGER PRIMARY KEY,\n" \
  "  baselined_at TEXT NOT NULL,\n" \
  "  source       TEXT NOT NULL\n" \
  ")"

/* A registered revision, as migrate_baseline and migrate_status see it. */
typedef struct StoreRow StoreRow;
struct StoreRow {
  sqlite3_int64 iVersion;
  char *zName;
  char *zChecksum;
  char *zApplied;          /* applied_at, NULL while pending */
  int bDeleted;            /* applied, deleted: migrate() reverts it */
  int bBaselined;
};

typedef struct StoreRows StoreRows;
struct StoreRows {
  StoreRow *a;
  int n;
};

static void storeRowsFree(StoreRows *p){
  int i;
  for(i=0; i<p->n; i++){
    sqlite3_free(p->a[i].zName);
    sqlite3_free(p->a[i].zChecksum);
    sqlite3_free(p->a[i].zApplied);
  }
  sqlite3_free(p->a);
  p->a = 0;
  p->n = 0;
}

/* A copy of text z (NULL stays NULL); SQLITE_NOMEM when it cannot be. */
static int textCopy(const char *z, char **pz){
  *pz = z ? sqlite3_mprintf("%s", z) : 0;
  return (z && *pz==0) ? SQLITE_NOMEM : SQLITE_OK;
}

/* An error message "<zFunc>: <what>" from the arguments. */
static int sayError(char **pzErr, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  *pzErr = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* An SQLite failure rc reading the database, as an error message. */
static int readError(sqlite3 *db, int rc, const char *zFunc, char **pzErr){
  if( rc==SQLITE_NOMEM ) return rc;
  rc = sqlmigErrcode(db, rc);
  *pzErr = sqlite3_mprintf("%s: cannot read the history: %s", zFunc,
                           sqlite3_errmsg(db));
  return *pzErr ? rc : SQLITE_NOMEM;
}

/* Reads every row of the store (and its baseline marks) into *p. */
static int storeRead(sqlite3 *db, StoreRows *p, const char *zFunc,
                     char **pzErr){
  SqlmigHistory h;
  int nAlloc = 0, rc;
  memset(p, 0, sizeof(*p));
  rc = sqlmigHistoryOpen(db, SQLMIG_H_NAME|SQLMIG_H_CHECKSUM|SQLMIG_H_APPLIED
                         |SQLMIG_H_BASELINE, &h);
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  while( rc==SQLITE_OK && (rc = sqlmigHistoryNext(&h))==SQLITE_ROW ){
    StoreRow *pRow;
    const char *zName, *zSum, *zApplied;
    rc = SQLITE_OK;
    if( p->n==nAlloc ){
      StoreRow *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      aNew = sqlite3_realloc64(p->a, nAlloc*sizeof(StoreRow));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      p->a = aNew;
    }
    pRow = &p->a[p->n++];
    memset(pRow, 0, sizeof(*pRow));
    pRow->iVersion = h.iVersion;
    pRow->bDeleted = h.bDeleted;
    pRow->bBaselined = h.bBaselined;
    if( sqlmigHistoryText(&h, SQLMIG_H_NAME, &zName, 0)
     || textCopy(zName, &pRow->zName)
     || sqlmigHistoryText(&h, SQLMIG_H_CHECKSUM, &zSum, 0)
     || textCopy(zSum, &pRow->zChecksum)
     || sqlmigHistoryText(&h, SQLMIG_H_APPLIED, &zApplied, 0)
     || textCopy(zApplied, &pRow->zApplied) ){
      rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK ) rc = readError(db, rc, zFunc, pzErr);
  sqlmigHistoryClose(&h);
  return rc;
}

static StoreRow *storeFind(StoreRows *p, sqlite3_int64 iVersion){
  int lo = 0, hi = p->n-1;
  while( lo<=hi ){
    int mid = (lo+hi)/2;
    if( p->a[mid].iVersion==iVersion ) return &p->a[mid];
    if( p->a[mid].iVersion<iVersion ) lo = mid+1; else hi = mid-1;
  }
  return 0;
}

/* ------------------------------------------------------ the old tool's set */

/* Tools whose tracking tables migrate_baseline() reads. */
enum { T_GOLANG, T_DBMATE, T_GOOSE, T_FLYWAY, T_DIESEL, T_SQLX };
typedef struct OldTool OldTool;
struct OldTool {
  int eTool;
  const char *zTable;
  const char *zTool;
  const char *zSql;        /* rows (version, flag, kind) in recorded order */
};
static const OldTool aTool[] = {
  { T_GOLANG, "schema_migrations", "golang-migrate",
    "SELECT version, dirty, '' FROM main.schema_migrations" },
  { T_DBMATE, "schema_migrations", "dbmate",
    "SELECT version, 0, '' FROM main.schema_migrations" },
  { T_GOOSE, "goose_db_version", "goose",
    "SELECT version_id, is_applied, '' FROM main.goose_db_version "
    "ORDER BY id" },
  { T_FLYWAY, "flyway_schema_history", "Flyway",
    "SELECT version, success, type FROM main.flyway_schema_history "
    "ORDER BY installed_rank" },
  { T_DIESEL, "__diesel_schema_migrations", "Diesel",
    "SELECT version, 0, '' FROM main.__diesel_schema_migrations" },
  { T_SQLX, "_sqlx_migrations", "sqlx",
    "SELECT version, success, '' FROM main._sqlx_migrations" },
};

/* The applied set read from a tool's table. */
typedef struct OldSet OldSet;
struct OldSet {
  unsigned char *aApplied; /* per registered revision (StoreRows order) */
  sqlite3_int64 iUpTo;     /* every version up to this one is applied */
};

/*
** The version in text z (digits, dashes dropped), -1 when it is not a
** whole number from 0 to the largest sqlite3_int64.
*/
static sqlite3_int64 oldVersion(const char *z){
  const sqlite3_int64 iMax = (sqlite3_int64)(((sqlite3_uint64)1<<63)-1);
  sqlite3_int64 v = 0;
  int nDigit = 0;
  if( z==0 ) return -1;
  for(; *z; z++){
    if( *z=='-' ) continue;
    if( *z<'0' || *z>'9' || v>(iMax-(*z-'0'))/10 ) return -1;
    v = v*10 + (*z-'0');
    nDigit++;
  }
  return nDigit ? v : -1;
}

/*
** Reads tool pTool's rows into pSet (for the revisions in pRows). Refuses
** a set sqlmig cannot take over: a dirty or failed migration, a version
** that is not a whole number or not registered.
*/
/* An SQLite failure rc reading pTool's table, as an error naming it. */
static int toolError(sqlite3 *db, int rc, const OldTool *pTool,
                     char **pzErr){
  if( rc==SQLITE_NOMEM ) return rc;
  rc = sqlmigErrcode(db, rc);
  *pzErr = sqlite3_mprintf("migrate_baseline: cannot read %s, the table of "
      "%s: %s", pTool->zTable, pTool->zTool, sqlite3_errmsg(db));
  return *pzErr ? rc : SQLITE_NOMEM;
}

static int oldSetRead(sqlite3 *db, const OldTool *pTool, StoreRows *pRows,
                      OldSet *pSet, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  const char *zF = "migrate_baseline";
  int rc = sqlite3_prepare_v2(db, pTool->zSql, -1, &pStmt, 0);
  if( rc!=SQLITE_OK ) return toolError(db, rc, pTool, pzErr);
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zV = (const char*)sqlite3_column_text(pStmt, 0);
    int bFlag = sqlite3_column_int(pStmt, 1);
    const char *zKind = (const char*)sqlite3_column_text(pStmt, 2);
    sqlite3_int64 iV = oldVersion(zV);
    StoreRow *pRow;
    int bApply = 1;
    rc = SQLITE_OK;
    if( pTool->eTool==T_GOLANG && bFlag ){
      rc = sayError(pzErr, "%s: golang-migrate left version %s dirty (a "
          "migration failed half-way): repair the schema and clear the flag "
          "(migrate force %s) before taking over", zF, zV ? zV : "NULL",
          zV ? zV : "NULL");
      break;
    }
    if( pTool->eTool==T_SQLX && !bFlag ){
      rc = sayError(pzErr, "%s: sqlx recorded version %s as failed: repair "
          "the schema and remove that row before taking over", zF,
          zV ? zV : "NULL");
      break;
    }
    if( pTool->eTool==T_GOOSE ){
      if( iV==0 && zV && strcmp(zV, "0")==0 ) continue;    /* goose's own */
      bApply = bFlag;
    }
    if( pTool->eTool==T_FLYWAY ){
      if( !bFlag || zV==0 ) continue;     /* failed, or repeatable/schema */
      if( zKind && sqlite3_stricmp(zKind, "SCHEMA")==0 ) continue;
      if( zKind && sqlite3_stricmp(zKind, "UNDO_SQL")==0 ) bApply = 0;
    }
    if( iV<0 ){
      rc = sayError(pzErr, "%s: %s records version %s, which is not a "
          "whole number from 0 to 9223372036854775807 (sqlmig versions are)",
          zF, pTool->zTable, zV ? zV : "NULL");
      break;
    }
    if( pTool->eTool==T_GOLANG ){
      pSet->iUpTo = iV;                /* every version up to it */
    }else if( pTool->eTool==T_FLYWAY && zKind
           && sqlite3_stricmp(zKind, "BASELINE")==0 ){
      /* up to it, whether or not a file has that version */
      if( iV>pSet->iUpTo ) pSet->iUpTo = iV;
      continue;
    }
    pRow = storeFind(pRows, iV);
    if( pRow==0 || pRow->bDeleted ){
      if( !bApply ) continue;
      rc = sayError(pzErr, "%s: %s records version %lld as applied, but no "
          "registered revision has it (register the files first)", zF,
          pTool->zTable, iV);
      break;
    }
    pSet->aApplied[pRow-pRows->a] = (unsigned char)bApply;
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  /* a refusal above has its message; a failed step has not */
  if( rc!=SQLITE_OK && *pzErr==0 ) rc = toolError(db, rc, pTool, pzErr);
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Finds the one tool table in main and reads it. *ppTool is set to the
** tool; an error when there is none or more than one.
*/
static int oldSetFind(sqlite3 *db, StoreRows *pRows, OldSet *pSet,
                      const OldTool **ppTool, char **pzErr){
  const OldTool *pFound = 0;
  size_t i;
  int rc;
  for(i=0; i<sizeof(aTool)/sizeof(aTool[0]); i++){
    if( i>0 && strcmp(aTool[i].zTable, aTool[i-1].zTable)==0 ) continue;
    rc = sqlmigTableExists(db, aTool[i].zTable);
    if( rc<0 ) return readError(db, -rc, "migrate_baseline", pzErr);
    if( rc==0 ) continue;
    if( pFound ){
      return sayError(pzErr, "migrate_baseline: found the tracking tables "
          "of two tools, %s and %s: give the version to take over at, "
          "migrate_baseline(N)", pFound->zTable, aTool[i].zTable);
    }
    pFound = &aTool[i];
    if( i==0 ){
      /* golang-migrate's table has a dirty column, dbmate's does not */
      sqlite3_stmt *pStmt = 0;
      if( sqlite3_prepare_v2(db, "SELECT dirty FROM main.schema_migrations",
                             -1, &pStmt, 0)!=SQLITE_OK ){
        if( sqlite3_errcode(db)==SQLITE_NOMEM ) return SQLITE_NOMEM;
        pFound = &aTool[1];
      }
      sqlite3_finalize(pStmt);
    }
  }
  if( pFound==0 ){
    return sayError(pzErr, "migrate_baseline: no tracking table of dbmate, "
        "golang-migrate, goose, Flyway, Diesel or sqlx in main: give the "
        "version to take over at, migrate_baseline(N)");
  }
  *ppTool = pFound;
  pSet->aApplied = sqlite3_malloc64(pRows->n+1);
  if( pSet->aApplied==0 ) return SQLITE_NOMEM;
  memset(pSet->aApplied, 0, pRows->n+1);
  return oldSetRead(db, pFound, pRows, pSet, pzErr);
}

/* ---------------------------------------------------------- the function */

/*
** Marks pRows' pending revisions flagged in aMark as applied and baselined
** (source zSource), inside a savepoint, at time zNow (sqlmigNow()).
*/
static int baselineWrite(sqlite3 *db, StoreRows *pRows,
                         const unsigned char *aMark, const char *zSource,
                         const char *zNow){
  sqlite3_stmt *pUp = 0, *pBase = 0;
  char *zSql;
  int i, rc = sqlite3_exec(db, BASELINE_DDL, 0, 0, 0);
  if( rc==SQLITE_OK ){
    zSql = sqlite3_mprintf("UPDATE main." SQLMIG_STORE " SET applied_at=%s "
        "WHERE version=?1 AND applied_at IS NULL", zNow);
    rc = zSql ? sqlite3_prepare_v2(db, zSql, -1, &pUp, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
  }
  if( rc==SQLITE_OK ){
    zSql = sqlite3_mprintf("INSERT OR REPLACE INTO main." BASELINE
        " VALUES (?1, %s, ?2)", zNow);
    rc = zSql ? sqlite3_prepare_v2(db, zSql, -1, &pBase, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
  }
  for(i=0; rc==SQLITE_OK && i<pRows->n; i++){
    if( !aMark[i] ) continue;
    sqlite3_bind_int64(pUp, 1, pRows->a[i].iVersion);
    sqlite3_bind_int64(pBase, 1, pRows->a[i].iVersion);
    rc = sqlite3_bind_text(pBase, 2, zSource, -1, SQLITE_STATIC);
    if( rc==SQLITE_OK ) rc = sqlite3_step(pUp);
    if( rc==SQLITE_DONE ) rc = sqlite3_step(pBase);
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    sqlite3_reset(pUp);
    sqlite3_reset(pBase);
  }
  if( rc!=SQLITE_OK ) rc = sqlmigErrcode(db, rc);
  sqlite3_finalize(pUp);
  sqlite3_finalize(pBase);
  return rc;
}

/*
** The target of migrate_baseline(N): *piN is its key in the store (a long
** version's, or N itself), which must be a registered revision. SQLITE_OK,
** or an error with *pzErr set.
*/
static int baselineTarget(sqlite3 *db, sqlite3_value *pArg,
                          StoreRows *pRows, sqlite3_int64 *piN, char **pzErr){
  const char *zF = "migrate_baseline";
  sqlite3_int64 iKey, iPrev;
  int rc = sqlmigVersionFind(db, pArg, &iKey, &iPrev);
  if( rc==SQLITE_OK ){
    *piN = iKey;                         /* a long version: its key */
    if( iKey<0 ){
      rc = sayError(pzErr, "%s: revision %s is not registered (insert "
          "the revisions first)", zF, (const char*)sqlite3_value_text(pArg));
    }
    return rc;
  }
  if( rc!=SQLITE_DONE ) return rc;
  rc = SQLITE_OK;
  if( sqlite3_value_numeric_type(pArg)!=SQLITE_INTEGER
   || (*piN = sqlite3_value_int64(pArg))<0 ){
    char *zGot = sqlmigValueShown(pArg);
    rc = zGot ? sayError(pzErr, "%s: the version must be an integer of 0 "
                         "or more, got %s", zF, zGot) : SQLITE_NOMEM;
    sqlite3_free(zGot);
  }else{
    StoreRow *pRow = storeFind(pRows, *piN);
    if( pRow==0 || pRow->bDeleted ){
      rc = sayError(pzErr, "%s: revision %lld is not registered (insert "
                    "the revisions first)", zF, *piN);
    }
  }
  return rc;
}

static void baselineFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  SqlmigConn *pConn = (SqlmigConn*)sqlite3_user_data(ctx);
  const char *zF = "migrate_baseline";
  StoreRows rows;
  OldSet old;
  const OldTool *pTool = 0;
  char *zErr = 0, *zSource = 0;
  unsigned char *aMark = 0;
  sqlite3_int64 iN = -1, iAt = -1;
  char zAt[SQLMIG_VERSION_BUF];
  char *zResult = 0;       /* a long result, made before anything is written */
  int rc, i, nMark = 0;

  memset(&old, 0, sizeof(old));
  old.iUpTo = -1;                        /* none: version 0 is a revision */
  if( pConn->bMigrating ){
    sqlite3_result_error(ctx, "migrate_baseline: cannot run inside "
                         "migrate()", -1);
    return;
  }
  rc = storeRead(db, &rows, zF, &zErr);
  if( rc==SQLITE_OK && argc==1 ){
    rc = baselineTarget(db, argv[0], &rows, &iN, &zErr);
  }
  if( rc==SQLITE_OK && argc==1 ){
    char zV[SQLMIG_VERSION_BUF];
    rc = sqlmigVersionText(db, iN, zV);
    if( rc==SQLITE_OK ){
      zSource = sqlite3_mprintf("migrate_baseline(%s)", zV);
      if( zSource==0 ) rc = SQLITE_NOMEM;
    }
  }else if( rc==SQLITE_OK ){
    rc = oldSetFind(db, &rows, &old, &pTool, &zErr);
    if( rc==SQLITE_OK ){
      zSource = sqlite3_mprintf("%s", pTool->zTable);
      if( zSource==0 ) rc = SQLITE_NOMEM;
    }
  }

  /* What to mark; the set must be a prefix of the registered revisions */
  if( rc==SQLITE_OK && (aMark = sqlite3_malloc64(rows.n+1))==0 ){
    rc = SQLITE_NOMEM;
  }
  for(i=0; rc==SQLITE_OK && i<rows.n; i++){
    StoreRow *pRow = &rows.a[i];
    int bIn = pTool ? (old.aApplied[i] || pRow->iVersion<=old.iUpTo)
                    : pRow->iVersion<=iN;
    aMark[i] = (unsigned char)(bIn && pRow->zApplied==0);
    nMark += aMark[i];
    if( bIn && pRow->iVersion>iN ) iN = pRow->iVersion;
  }
  for(i=0; rc==SQLITE_OK && i<rows.n; i++){
    StoreRow *pRow = &rows.a[i];
    char zV[SQLMIG_VERSION_BUF], zN[SQLMIG_VERSION_BUF];
    if( pRow->iVersion<iN && pRow->zApplied==0 && !aMark[i] ){
      rc = sayError(&zErr, "%s: revision %s is not applied according to "
          "%s, but revision %s is: sqlmig applies revisions in version "
          "order (apply %s with %s first, or give it a version above "
          "%s)", zF, sqlmigVersionShow(db, pRow->iVersion, zV), zSource,
          sqlmigVersionShow(db, iN, zN), zV,
          pTool ? pTool->zTool : "its tool", zN);
    }else if( pRow->iVersion>iN && pRow->zApplied && (nMark || !pTool) ){
      rc = sayError(&zErr, "%s: revision %s above %s is already "
          "applied", zF, sqlmigVersionShow(db, pRow->iVersion, zV),
          sqlmigVersionShow(db, iN, zN));
    }else if( pRow->zApplied && pRow->bDeleted && nMark ){
      rc = sayError(&zErr, "%s: revision %s was deleted and waits for "
          "migrate() to revert it: run migrate() first", zF,
          sqlmigVersionShow(db, pRow->iVersion, zV));
    }
    if( pRow->zApplied && !pRow->bDeleted ) iAt = pRow->iVersion;
  }

  /* The version reached, and its text before anything is written */
  for(i=rows.n-1; rc==SQLITE_OK && nMark && i>=0 && !aMark[i]; i--){}
  if( rc==SQLITE_OK && nMark && i>=0 && rows.a[i].iVersion>iAt ){
    iAt = rows.a[i].iVersion;
  }
  if( rc==SQLITE_OK && iAt>=SQLMIG_LONG_MIN ){
    rc = sqlmigVersionText(db, iAt, zAt);
    if( rc==SQLITE_OK && (zResult = sqlite3_mprintf("%s", zAt))==0 ){
      rc = SQLITE_NOMEM;
    }
  }

  if( rc==SQLITE_OK && nMark ){
    rc = sqlite3_exec(db, "SAVEPOINT sqlmig_baseline", 0, 0, 0);
    if( rc!=SQLITE_OK ){
      rc = sayError(&zErr, "%s: cannot start a transaction: %s", zF,
                    sqlite3_errmsg(db));
    }else{
      rc = baselineWrite(db, &rows, aMark, zSource, sqlmigNow(pConn));
      if( rc!=SQLITE_OK ){
        zErr = rc==SQLITE_NOMEM ? 0 : sqlite3_mprintf("%s: cannot record the "
            "baseline: %s", zF, sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK TO sqlmig_baseline", 0, 0, 0);
      }
      sqlite3_exec(db, "RELEASE sqlmig_baseline", 0, 0, 0);
    }
  }

  if( rc==SQLITE_OK ){
    if( zResult ){
      sqlite3_result_text(ctx, zResult, -1, sqlite3_free);  /* handed over */
      zResult = 0;
    }else if( iAt>=0 ){
      sqlite3_result_int64(ctx, iAt);
    }
  }else if( zErr ){
    sqlite3_result_error(ctx, zErr, -1);
    if( rc!=SQLITE_ERROR ) sqlite3_result_error_code(ctx, rc);
  }else{
    sqlite3_result_error_nomem(ctx);
  }
  sqlite3_free(zResult);
  sqlite3_free(zErr);
  sqlite3_free(zSource);
  sqlite3_free(aMark);
  sqlite3_free(old.aApplied);
  storeRowsFree(&rows);
}

/* ------------------------------------------------------------ the status */

typedef struct StatusRow StatusRow;
struct StatusRow {
  sqlite3_int64 iVersion;
  const char *zLong;       /* a file's version not registered, 19+ digits */
  const char *zName;       /* points into rows or files */
  const char *zState;
  const char *zApplied;
  const char *zPath;
  const char *zDetail;
};

typedef struct StatusState StatusState;
struct StatusState {
  StoreRows rows;
  SqlmigFileSet *pFiles;
  StatusRow *a;
};

static int statusFilter(SqlmigConn *pConn, void *pState, int argc,
                        sqlite3_value **argv, int *pnRow, char **pzErr){
  StatusState *p = (StatusState*)pState;
  sqlite3 *db = pConn->db;
  int rc, i = 0, j = 0, n = 0, nFile;
  rc = storeRead(db, &p->rows, "migrate_status", pzErr);
  if( rc==SQLITE_OK && argc>0 ){
    rc = sqlmigFilesLoad(db, argv[0], argc>1 ? argv[1] : 0,
                         argc>2 ? argv[2] : 0, &p->pFiles, pzErr);
  }
  if( rc!=SQLITE_OK ) return rc;
  nFile = sqlmigFilesCount(p->pFiles);
  p->a = sqlite3_malloc64((p->rows.n + nFile + 1)*sizeof(StatusRow));
  if( p->a==0 ) return SQLITE_NOMEM;
  /* Both lists ascend: merge them */
  while( i<p->rows.n || j<nFile ){
    StatusRow *pOut = &p->a[n++];
    StoreRow *pRow = i<p->rows.n ? &p->rows.a[i] : 0;
    SqlmigFileRow file;
    int bFile = 0, c;
    memset(pOut, 0, sizeof(*pOut));
    if( j<nFile ){
      /* The file's key; one not registered sits just above iAt */
      sqlite3_int64 iKey = 0, iAt = 0;
      int bAbove = 0;
      sqlmigFilesRow(p->pFiles, j, &file);
      if( file.zLong ){
        rc = sqlmigVersionPlace(db, file.zLong, &iKey, &iAt);
        if( rc ) return rc;
        if( iKey<0 ){ iKey = iAt; bAbove = 1; }
      }else{
        iKey = file.iVersion;
      }
      /* c: the file comes first (<0), is the row (0), comes after (>0) */
      c = pRow==0 || iKey<pRow->iVersion ? -1
        : iKey>pRow->iVersion || bAbove ? 1 : 0;
      bFile = c<=0;
      if( c<0 ) pRow = 0;
    }
    if( pRow ){
      i++;
      pOut->iVersion = pRow->iVersion;
      pOut->zName = pRow->zName;
      pOut->zApplied = pRow->zApplied;
      pOut->zState = pRow->zApplied==0 ? "pending"
          : pRow->bDeleted ? "reverting"
          : pRow->bBaselined ? "baselined" : "applied";
      if( argc>0 && !bFile ) pOut->zDetail = "not in folder";
    }
    if( bFile ){
      j++;
      pOut->zPath = file.zPath;
      if( pRow==0 ){
        pOut->iVersion = file.iVersion;
        pOut->zLong = file.zLong;
        pOut->zName = file.zName;
        pOut->zState = "unregistered";
      }else if( !sqlmigChecksumMatches(file.zUp, (int)strlen(file.zUp),
                                       pRow->zChecksum) ){
        pOut->zDetail = pRow->zApplied ? "file changed since applied"
                                       : "file differs from registered";
      }
    }
  }
  *pnRow = n;
  return SQLITE_OK;
}

static void statusColumn(void *pState, int iRow, int iCol,
                         sqlite3_context *ctx){
  const StatusRow *p = &((StatusState*)pState)->a[iRow];
  const char *z = 0;
  switch( iCol ){
    case 0:
      if( p->zLong ){
        sqlite3_result_text(ctx, p->zLong, -1, SQLITE_TRANSIENT);
      }else{
        sqlmigVersionResult(ctx, sqlite3_context_db_handle(ctx), p->iVersion);
      }
      return;
    case 1: z = p->zName; break;
    case 2: z = p->zState; break;
    case 3: z = p->zApplied; break;
    case 4: z = p->zPath; break;
    default: z = p->zDetail; break;
  }
  if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
}

static void statusFree(void *pState){
  StatusState *p = (StatusState*)pState;
  storeRowsFree(&p->rows);
  sqlmigFilesFree(p->pFiles);
  sqlite3_free(p->a);
}

static const SqlmigTvf statusTvf = {
  "migrate_status",
  "CREATE TABLE x(version INTEGER, name TEXT, state TEXT, applied_at TEXT, "
  "path TEXT, detail TEXT, dir HIDDEN, bundle HIDDEN, dialect HIDDEN)",
  6, 3, 0, "takes a directory, or NULL and a bundle table",
  sizeof(StatusState), statusFilter, statusColumn, statusFree
};

int sqlmigBaselineRegister(sqlite3 *db, SqlmigConn *pConn){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<2; i++){
    rc = sqlite3_create_function_v2(db, "migrate_baseline", i,
        SQLITE_UTF8|SQLITE_DIRECTONLY, sqlmigConnRef(pConn), baselineFunc,
        0, 0, sqlmigConnUnref);
  }
  if( rc==SQLITE_OK ) rc = sqlmigTvfRegister(db, &statusTvf, pConn);
  return rc;
}
