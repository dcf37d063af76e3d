/*
** sqlmig: the `migrations` table.
**
**   INSERT INTO migrations(version, name, up, down) VALUES (1, 'init',
**     'CREATE TABLE users(id INTEGER PRIMARY KEY)', 'DROP TABLE users');
**   SELECT version, name, applied_at FROM migrations;
**   DELETE FROM migrations WHERE version = 1;   -- migrate() reverts it
**
** An eponymous virtual table over the history store, main.sqlmig_history,
** an ordinary table created at the first write:
**
**   version     INTEGER PRIMARY KEY
**   name, up, down
**   checksum    "v2:" and a 64-bit hash of up's tokens (script.c); 16 bare
**               hex digits in databases of sqlmig 0.1 (a raw-text hash)
**   applied_at  UTC time migrate() applied it; NULL while pending
**   deleted_at  set when an applied revision is deleted from `migrations`:
**               the row stays (with its down script) until migrate()
**               reverts it, and `migrations` no longer lists it
**
** Writes here only record intent; migrate() (migrate.c) runs the scripts,
** because SQLite cannot DROP a table inside a statement that reads one, and
** an INSERT on a virtual table is such a statement.
**
** INSERT of a version that is already registered fails with
** SQLITE_CONSTRAINT before any side effect, so INSERT OR IGNORE skips it
** (SQLITE_VTAB_CONSTRAINT_SUPPORT); every other failure is SQLITE_ERROR,
** which OR IGNORE does not swallow.
**
** The module is registered twice, as `migrations` and `sqlmig_migrations`
** (for databases with a table of their own called migrations); a write
** through another schema's name (aux.migrations) is refused. What a
** written row may hold (version, scripts as text or UTF-8 BLOBs) is
** checked by input.c.
**
** Also here: the known-revisions cache that keeps the start-up idiom cheap
** (KnownRev): a known revision whose up is the stored text byte for byte
** is settled without a checksum, and migrate() takes a no-op plan from
** the cache when it is current (sqlmigKnownApplied). The `sqlmig` table that owned the store in databases of
** earlier versions is dropped at the first write here (owner.c).
*/
#include "sqlmig_int.h"

#define STORE_DDL \
  "CREATE TABLE IF NOT EXISTS main." SQLMIG_STORE "(\n" \
  "  version    INTEGER PRIMARY KEY,\n" \
  "  name       TEXT,\n" \
  "  up         TEXT NOT NULL,\n" \
  "  down       TEXT,\n" \
  "  checksum   TEXT NOT NULL,\n" \
  "  applied_at TEXT,\n" \
  "  deleted_at TEXT\n" \
  ")"

/* Columns of the `migrations` table, in declaration order. */
enum { COL_VERSION, COL_NAME, COL_UP, COL_DOWN, COL_CHECKSUM, COL_APPLIED };

typedef struct MigTable MigTable;
typedef struct MigCursor MigCursor;

/*
** The known-revisions cache: within one transaction, after a few lookups
** (a start-up INSERT OR IGNORE of every revision), the store is read once
** into aKnown and known revisions are settled in memory instead of by one
** statement each. It is dropped at commit, rollback, a rollback to a
** savepoint, and whenever the connection's change count moved by more than
** this table's own writes account for (a script, migrate(), a hand edit).
*/
typedef struct KnownRev KnownRev;
struct KnownRev {
  sqlite3_int64 iVersion;
  sqlite3_int64 iUp;       /* its up script: MigTable.aUp[iUp..iUp+nUp) */
  int nUp;
  char zChecksum[SQLMIG_CHECKSUM_LEN+1];
  unsigned char bApplied;
  unsigned char bDeleted;
};

/* Lookups in one transaction before the cache is built. */
#define KNOWN_AFTER 8

/*
** The writing statement schemaCheck() passed last: a later row of the same
** run is not read again. A statement finalized and another prepared at the
** same address is told apart by its run count, text address and first
** bytes (a write names its table at the start, after any WITH clause).
*/
#define CHECKED_HEAD 256
typedef struct SchemaChecked SchemaChecked;
struct SchemaChecked {
  sqlite3_stmt *pStmt;
  int nRun;
  const char *zSql;
  int nSql;
  char aHead[CHECKED_HEAD];
};

/* True if statement pStmt (run nRun, text zSql) is the one in pC. */
static int checkedSame(const SchemaChecked *pC, sqlite3_stmt *pStmt,
                       int nRun, const char *zSql){
  int i, nHead;
  if( pStmt!=pC->pStmt || nRun!=pC->nRun || zSql!=pC->zSql ) return 0;
  nHead = pC->nSql<CHECKED_HEAD ? pC->nSql : CHECKED_HEAD;
  /* Byte by byte: a shorter text ends (NUL) before a mismatch is missed */
  for(i=0; i<nHead; i++){
    if( zSql[i]!=pC->aHead[i] ) return 0;
  }
  return pC->nSql>CHECKED_HEAD || zSql[pC->nSql]==0;
}

struct MigTable {
  sqlite3_vtab base;
  sqlite3 *db;
  SqlmigConn *pConn;
  sqlite3_stmt *pLookup;   /* one revision by version (see lookupRow) */
  sqlite3_stmt *pNewer;    /* newest applied revision above a version */
  sqlite3_stmt *pInsert;   /* a new pending revision */
  KnownRev *aKnown;        /* the cache, ascending versions, when bKnown */
  int nKnown, nKnownAlloc;
  char *aUp;               /* the cached up scripts, one after the other */
  sqlite3_int64 nUp, nUpAlloc;
  int bKnown;
  int bKnownV1;            /* some cached checksum is of sqlmig 0.1 */
  int iSchema;             /* main's schema_version when it was built */
  sqlite3_int64 iNewest;   /* newest applied, not deleted (0: none) */
  int nLookup;             /* lookups in this transaction */
  int nChangeBase;         /* sqlite3_total_changes() after our last write */
  int nOuter;              /* rows written here, not yet in that count */
  SchemaChecked checked;   /* the statement schemaCheck() last passed */
  int bWritten;            /* the store was readied to write (storeReady) */
};

struct MigCursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *pStmt;     /* rows of the store, NULL when there is none */
  int bEof;
};

static int migConnect(sqlite3 *db, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **ppVtab,
                      char **pzErr){
  MigTable *p;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(version INTEGER, name TEXT, "
      "up TEXT, down TEXT, checksum TEXT HIDDEN, applied_at TEXT HIDDEN)");
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->pConn = (SqlmigConn*)pAux;
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static void stmtsFinalize(MigTable *p);

static void knownClear(MigTable *p);

static int migDisconnect(sqlite3_vtab *pVtab){
  MigTable *p = (MigTable*)pVtab;
  stmtsFinalize(p);
  knownClear(p);
  sqlite3_free(p);
  return SQLITE_OK;
}

/*
** Query plan. Constraints on version (or rowid, which is the version) are
** passed to the store's primary key, and only there (omit is set): a
** version of 19 digits or more shows as text, which SQLite would compare
** as a REAL, losing digits; migFilter compares its key instead. idxNum holds
** one bit per constraint kind used, in the order of the IDX_ table, and
** IDX_DESC when the rows come in descending order.
*/
static const struct { unsigned char op; const char *zSql; } aIdxOp[] = {
  { SQLITE_INDEX_CONSTRAINT_EQ, " AND version = ?" },
  { SQLITE_INDEX_CONSTRAINT_GT, " AND version > ?" },
  { SQLITE_INDEX_CONSTRAINT_GE, " AND version >= ?" },
  { SQLITE_INDEX_CONSTRAINT_LT, " AND version < ?" },
  { SQLITE_INDEX_CONSTRAINT_LE, " AND version <= ?" },
};
#define N_IDXOP ((int)(sizeof(aIdxOp)/sizeof(aIdxOp[0])))
#define IDX_DESC 0x100

static int migBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int aUse[N_IDXOP];
  int i, k, nArg = 0, idxNum = 0;
  double cost = 1000.0;
  (void)pVtab;
  for(k=0; k<N_IDXOP; k++) aUse[k] = -1;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( !pC->usable || (pC->iColumn!=COL_VERSION && pC->iColumn!=-1) ){
      continue;
    }
    for(k=0; k<N_IDXOP; k++){
      if( aIdxOp[k].op==pC->op && aUse[k]<0 ) aUse[k] = i;
    }
  }
  for(k=0; k<N_IDXOP; k++){
    if( aUse[k]<0 ) continue;
    idxNum |= 1<<k;
    pInfo->aConstraintUsage[aUse[k]].argvIndex = ++nArg;
    pInfo->aConstraintUsage[aUse[k]].omit = 1;
    cost /= k==0 ? 1000.0 : 4.0;
  }
  if( idxNum & 1 ){
    pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    pInfo->estimatedRows = 1;
  }
  if( pInfo->nOrderBy==1 && (pInfo->aOrderBy[0].iColumn==COL_VERSION
                             || pInfo->aOrderBy[0].iColumn==-1) ){
    if( pInfo->aOrderBy[0].desc ) idxNum |= IDX_DESC;
    pInfo->orderByConsumed = 1;
  }
  pInfo->idxNum = idxNum;
  pInfo->estimatedCost = cost;
  return SQLITE_OK;
}

static int migOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  MigCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int migClose(sqlite3_vtab_cursor *cur){
  MigCursor *pCur = (MigCursor*)cur;
  sqlite3_finalize(pCur->pStmt);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* Sets the vtab error message; returns rc for convenience. */
static int setError(sqlite3_vtab *pVtab, int rc, char *zMsg){
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = zMsg;
  return zMsg==0 ? SQLITE_NOMEM : rc;
}

/* A failure of input.c's checks (message in zErr) as the table's error. */
static int inputError(sqlite3_vtab *pVtab, int rc, char *zErr){
  if( rc==SQLITE_NOMEM || zErr==0 ){
    sqlite3_free(zErr);
    return SQLITE_NOMEM;
  }
  return setError(pVtab, rc, zErr);
}

static int migNext(sqlite3_vtab_cursor *cur){
  MigCursor *pCur = (MigCursor*)cur;
  int rc = sqlite3_step(pCur->pStmt);
  if( rc==SQLITE_ROW ) return SQLITE_OK;
  pCur->bEof = 1;
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  return setError(cur->pVtab, rc, sqlite3_mprintf("migrations: cannot read "
      SQLMIG_STORE ": %s", sqlite3_errmsg(((MigTable*)cur->pVtab)->db)));
}

static int migFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv){
  MigCursor *pCur = (MigCursor*)cur;
  sqlite3 *db = ((MigTable*)cur->pVtab)->db;
  sqlite3_str *pSql;
  char *zSql;
  int rc, k, i;
  (void)idxStr;
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  pCur->bEof = 1;
  rc = sqlmigStoreExists(db);
  if( rc<=0 ) return -rc;          /* no store yet: no rows, no write */
  pSql = sqlite3_str_new(db);
  sqlite3_str_appendall(pSql, "SELECT version, name, up, down, checksum, "
      "applied_at FROM main." SQLMIG_STORE " WHERE deleted_at IS NULL");
  for(k=0; k<N_IDXOP; k++){
    if( idxNum & (1<<k) ) sqlite3_str_appendall(pSql, aIdxOp[k].zSql);
  }
  sqlite3_str_appendall(pSql, (idxNum & IDX_DESC) ? " ORDER BY version DESC"
                                                  : " ORDER BY version");
  zSql = sqlite3_str_finish(pSql);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pCur->pStmt, 0);
  sqlite3_free(zSql);
  for(i=0, k=0; rc==SQLITE_OK && i<argc; i++, k++){
    sqlite3_int64 iKey, iPrev;
    while( !(idxNum & (1<<k)) ) k++;       /* the operator of argv[i] */
    rc = sqlmigVersionFind(db, argv[i], &iKey, &iPrev);
    if( rc==SQLITE_DONE ){
      rc = sqlite3_bind_value(pCur->pStmt, i+1, argv[i]);
    }else if( rc==SQLITE_OK ){
      /* A long version: its key, or where it would be among the keys */
      int op = aIdxOp[k].op;
      if( iKey<0 ){
        iKey = op==SQLITE_INDEX_CONSTRAINT_EQ ? -1
             : (op==SQLITE_INDEX_CONSTRAINT_LT
                || op==SQLITE_INDEX_CONSTRAINT_GE) ? iPrev+1 : iPrev;
      }
      rc = sqlite3_bind_int64(pCur->pStmt, i+1, iKey);
    }
  }
  if( rc!=SQLITE_OK ){
    return setError(cur->pVtab, rc, sqlite3_mprintf("migrations: cannot read "
        SQLMIG_STORE ": %s", sqlite3_errmsg(db)));
  }
  pCur->bEof = 0;
  return migNext(cur);
}

static int migEof(sqlite3_vtab_cursor *cur){
  return ((MigCursor*)cur)->bEof;
}

static int migColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  sqlite3_stmt *pStmt = ((MigCursor*)cur)->pStmt;
  if( i==COL_VERSION && sqlite3_column_int64(pStmt, i)>=SQLMIG_LONG_MIN ){
    sqlmigVersionResult(ctx, ((MigTable*)cur->pVtab)->db,
                        sqlite3_column_int64(pStmt, i));
  }else{
    sqlite3_result_value(ctx, sqlite3_column_value(pStmt, i));
  }
  return SQLITE_OK;
}

static int migRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((MigCursor*)cur)->pStmt, COL_VERSION);
  return SQLITE_OK;
}

/* ------------------------------------------------------------ writes --- */

/*
** A stored revision as xUpdate needs it. The text pointers belong to
** MigTable.pLookup and stay valid until it is reset.
*/
typedef struct StoredRev StoredRev;
struct StoredRev {
  const char *zName;
  const char *zUp;
  int nUp;
  const char *zChecksum;
  const char *zApplied;    /* NULL while pending */
  int bApplied;
  int bDeleted;
  int bHasDown;
};

/* Prepares *ppStmt once per MigTable; it is reused until disconnect. */
static int cachedStmt(MigTable *p, sqlite3_stmt **ppStmt, const char *zSql){
  if( *ppStmt ) return SQLITE_OK;
  return sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
}

/* Forgets the cached statements (the store may have been rolled back). */
static void stmtsFinalize(MigTable *p){
  sqlite3_finalize(p->pLookup);
  sqlite3_finalize(p->pNewer);
  sqlite3_finalize(p->pInsert);
  p->pLookup = p->pNewer = p->pInsert = 0;
}

/*
** Prepares p->pLookup. Returns SQLITE_OK, SQLITE_DONE when the store does
** not exist and bCreate is 0, or an error. With bCreate it creates the
** store first (the first write), or drops the owner table of a database
** written by an earlier sqlmig.
*/
static int storeReady(MigTable *p, int bCreate){
  int rc;
  if( p->pLookup && (!bCreate || p->bWritten) ) return SQLITE_OK;
  rc = sqlmigStoreExists(p->db);
  if( rc<0 ) return -rc;
  if( rc==0 && !bCreate ) return SQLITE_DONE;
  if( bCreate ){
    /* Once per transaction (migBegin() clears the flag) */
    rc = rc ? sqlmigOwnerDrop(p->db) : sqlite3_exec(p->db, STORE_DDL, 0, 0, 0);
    if( rc!=SQLITE_OK ) return rc;
    p->bWritten = 1;
  }
  return cachedStmt(p, &p->pLookup,
      "SELECT name, up, checksum, applied_at IS NOT NULL, "
      "deleted_at IS NOT NULL, down IS NOT NULL, applied_at "
      "FROM main." SQLMIG_STORE " WHERE version=?1");
}

/*
** Looks revision iVersion up. Returns SQLITE_ROW with *pRev filled (reset
** p->pLookup when done with it), SQLITE_DONE when there is none (or no
** store), or an error code. The lookup is never run twice: after an I/O
** error SQLite has rolled the caller's transaction back, and a second try
** would write outside it. Only when the store is gone (a statement that
** created it was rolled back) are the cached statements dropped, so that
** the next write creates it anew.
*/
static int lookupRow(MigTable *p, sqlite3_int64 iVersion, StoredRev *pRev){
  sqlite3_stmt *pS;
  int rc = storeReady(p, 0);
  if( rc!=SQLITE_OK ) return rc;
  pS = p->pLookup;
  sqlite3_bind_int64(pS, 1, iVersion);
  rc = sqlite3_step(pS);
  if( rc!=SQLITE_ROW && rc!=SQLITE_DONE ){
    char *zMsg;
    rc = sqlmigErrcode(p->db, rc);
    sqlite3_reset(pS);
    if( (rc & 0xff)!=SQLITE_ERROR && rc!=SQLITE_SCHEMA ) return rc;
    zMsg = sqlite3_mprintf("%s", sqlite3_errmsg(p->db));
    if( sqlmigStoreExists(p->db)==0 ){
      sqlite3_free(zMsg);
      stmtsFinalize(p);
      return SQLITE_DONE;
    }
    /* The message storeError() would read is gone: set it here */
    setError(&p->base, rc, zMsg ? sqlite3_mprintf("migrations: cannot read "
        SQLMIG_STORE ": %s", zMsg) : 0);
    sqlite3_free(zMsg);
    return rc;
  }
  if( rc==SQLITE_ROW ){
    pRev->zName = (const char*)sqlite3_column_text(pS, 0);
    pRev->zUp = (const char*)sqlite3_column_text(pS, 1);
    pRev->nUp = sqlite3_column_bytes(pS, 1);
    pRev->zChecksum = (const char*)sqlite3_column_text(pS, 2);
    pRev->bApplied = sqlite3_column_int(pS, 3);
    pRev->bDeleted = sqlite3_column_int(pS, 4);
    pRev->bHasDown = sqlite3_column_int(pS, 5);
    pRev->zApplied = (const char*)sqlite3_column_text(pS, 6);
    if( pRev->zUp==0 || pRev->zChecksum==0 ){
      if( sqlite3_errcode(p->db)==SQLITE_NOMEM ) rc = SQLITE_NOMEM;
      else{ pRev->zUp = ""; pRev->zChecksum = ""; }
    }
  }else if( rc==SQLITE_DONE ){
    sqlite3_reset(pS);
  }
  return rc;
}

/*
** Maps a failure of an internal statement to a table error, keeping
** SQLite's code (SQLITE_BUSY, SQLITE_IOERR_*, SQLITE_FULL, ...) so that
** the caller can tell a lock from a bug. Only a constraint error becomes
** SQLITE_ERROR: it is not a duplicate, and OR IGNORE must not skip it.
*/
static int storeError(MigTable *p, int rc){
  if( rc==SQLITE_NOMEM ) return rc;
  if( p->base.zErrMsg ) return rc;          /* lookupRow() said it already */
  rc = (rc & 0xff)==SQLITE_CONSTRAINT ? SQLITE_ERROR : sqlmigErrcode(p->db, rc);
  return setError(&p->base, rc, sqlite3_mprintf(
      "migrations: cannot write " SQLMIG_STORE ": %s", sqlite3_errmsg(p->db)));
}

/*
** Runs a one-off statement on the store: with pName, ?1 is the name, ?2
** the down script and ?3 the version; without, ?1 is the version.
*/
static int storeExec(MigTable *p, const char *zSql, sqlite3_value *pName,
                     const SqlmigScript *pDown, sqlite3_int64 iVersion){
  sqlite3_stmt *pS = 0;
  int rc = storeReady(p, 1);
  if( rc==SQLITE_OK ) rc = sqlite3_prepare_v2(p->db, zSql, -1, &pS, 0);
  if( rc==SQLITE_OK && pName ){
    rc = sqlite3_bind_value(pS, 1, pName);
    if( rc==SQLITE_OK ) rc = sqlmigBindScript(pS, 2, pDown);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_bind_int64(pS, pName ? 3 : 1, iVersion);
  if( rc==SQLITE_OK ){
    rc = sqlite3_step(pS);
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  sqlite3_finalize(pS);
  return rc==SQLITE_OK ? rc : storeError(p, rc);
}


/* --------------------------------------------------- the known cache --- */

static void knownClear(MigTable *p){
  sqlite3_free(p->aKnown);
  sqlite3_free(p->aUp);
  p->aKnown = 0;
  p->aUp = 0;
  p->nUp = p->nUpAlloc = 0;
  p->nKnown = p->nKnownAlloc = 0;
  p->bKnown = 0;
  p->bKnownV1 = 0;
  if( p->pConn && p->pConn->pKnown==p ) p->pConn->pKnown = 0;
}

/*
** At the start of every xUpdate: the change count may have moved by the
** rows this table reported to its statement (counted when the statement
** ends); anything else means someone else wrote, and the cache goes.
*/
static void knownSync(MigTable *p){
  int nNow = sqlite3_total_changes(p->db);
  if( nNow!=p->nChangeBase+p->nOuter && nNow!=p->nChangeBase ){
    knownClear(p);
  }
  if( nNow!=p->nChangeBase ){
    p->nChangeBase = nNow;
    p->nOuter = 0;
  }
}

/*
** Appends a revision (its checksum and up script zUp[0..nUp)) to the
** cache; returns 0 or SQLITE_NOMEM.
*/
static int knownAppend(MigTable *p, sqlite3_int64 iVersion,
                       const char *zChecksum, int bApplied, int bDeleted,
                       const char *zUp, int nUp){
  KnownRev *pK;
  if( p->nUp+nUp>p->nUpAlloc ){
    sqlite3_int64 nNew = p->nUpAlloc ? p->nUpAlloc*2 : 4096;
    char *aNew;
    while( nNew<p->nUp+nUp ) nNew *= 2;
    aNew = sqlite3_realloc64(p->aUp, (sqlite3_uint64)nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->aUp = aNew;
    p->nUpAlloc = nNew;
  }
  if( p->nKnown==p->nKnownAlloc ){
    int nNew = p->nKnownAlloc ? p->nKnownAlloc*2 : 64;
    KnownRev *aNew = sqlite3_realloc64(p->aKnown,
                                       sizeof(KnownRev)*(sqlite3_uint64)nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->aKnown = aNew;
    p->nKnownAlloc = nNew;
  }
  pK = &p->aKnown[p->nKnown++];
  pK->iVersion = iVersion;
  pK->iUp = p->nUp;
  pK->nUp = nUp;
  if( nUp>0 ) memcpy(p->aUp+p->nUp, zUp, (size_t)nUp);
  p->nUp += nUp;
  memcpy(pK->zChecksum, zChecksum, SQLMIG_CHECKSUM_LEN);
  pK->zChecksum[SQLMIG_CHECKSUM_LEN] = 0;
  pK->bApplied = (unsigned char)bApplied;
  pK->bDeleted = (unsigned char)bDeleted;
  if( bApplied && !bDeleted ) p->iNewest = iVersion;
  return SQLITE_OK;
}

/*
** The checksum (current version) of a stored revision, from its stored
** checksum and up script: a version-1 checksum is computed anew from up.
*/
static int storedChecksum(const char *zStored, const char *zUp, int nUp,
                          char *zOut){
  if( zStored && strlen(zStored)==SQLMIG_CHECKSUM_LEN ){
    memcpy(zOut, zStored, SQLMIG_CHECKSUM_LEN+1);
    return 0;
  }
  sqlmigChecksum(zUp, nUp, zOut);
  return 1;
}

/* main's schema_version, or -1 when it cannot be read. */
static int schemaVersion(sqlite3 *db){
  sqlite3_stmt *pS = 0;
  int v = -1;
  if( sqlite3_prepare_v2(db, "PRAGMA main.schema_version", -1, &pS, 0)==0
   && sqlite3_step(pS)==SQLITE_ROW ){
    v = sqlite3_column_int(pS, 0);
  }
  sqlite3_finalize(pS);
  return v;
}

/*
** Reads the store into the cache once enough lookups happened in this
** transaction. Leaves bKnown 0 (and returns SQLITE_OK) when it is too
** early or there is no store; fails only on a real error.
*/
static int knownReady(MigTable *p){
  sqlite3_stmt *pS = 0;
  int rc;
  if( p->bKnown || ++p->nLookup<KNOWN_AFTER ) return SQLITE_OK;
  rc = sqlmigStoreExists(p->db);
  if( rc<=0 ) return -rc;
  knownClear(p);
  p->iNewest = 0;
  /* up: for the byte comparison of migInsert (and the checksums of sqlmig
  ** 0.1, 16 digits, computed anew) */
  rc = sqlite3_prepare_v2(p->db, "SELECT version, checksum, (applied_at IS "
      "NOT NULL)+2*(deleted_at IS NOT NULL), up FROM main." SQLMIG_STORE
      " ORDER BY version", -1, &pS, 0);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pS))==SQLITE_ROW ){
    char zSum[SQLMIG_CHECKSUM_LEN+1];
    int eState = sqlite3_column_int(pS, 2);    /* 1 applied, 2 deleted */
    const char *zUp = (const char*)sqlite3_column_text(pS, 3);
    int nUp = sqlite3_column_bytes(pS, 3);
    if( zUp==0 && sqlite3_column_type(pS, 3)!=SQLITE_NULL ){
      rc = SQLITE_NOMEM;
      break;
    }
    if( storedChecksum((const char*)sqlite3_column_text(pS, 1), zUp, nUp,
                       zSum) ){
      p->bKnownV1 = 1;
    }
    rc = knownAppend(p, sqlite3_column_int64(pS, 0), zSum, eState&1,
                     (eState&2)!=0, zUp, nUp);
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(pS);
  if( rc==SQLITE_OK ){
    p->bKnown = 1;
    p->iSchema = schemaVersion(p->db);
    p->pConn->pKnown = p;
  }else{
    knownClear(p);
  }
  return rc;
}

int sqlmigKnownApplied(SqlmigConn *pConn, sqlite3_int64 *piNewest){
  MigTable *p = (MigTable*)pConn->pKnown;
  int nNow, i;
  *piNewest = -1;
  if( p==0 || !p->bKnown || p->bKnownV1 ) return 0;
  /* Nothing written since, but for this table's own rows, no DDL */
  nNow = sqlite3_total_changes(p->db);
  if( nNow!=p->nChangeBase+p->nOuter && nNow!=p->nChangeBase ) return 0;
  if( p->iSchema<0 || schemaVersion(p->db)!=p->iSchema ) return 0;
  for(i=0; i<p->nKnown; i++){
    const KnownRev *pK = &p->aKnown[i];
    if( !pK->bApplied || pK->bDeleted ) return 0;
  }
  /* Every up script against its checksum, as a read of the store would */
  for(i=0; i<p->nKnown; i++){
    const KnownRev *pK = &p->aKnown[i];
    if( !sqlmigChecksumMatches(p->aUp+pK->iUp, pK->nUp, pK->zChecksum) ){
      return 0;              /* the store's read names it */
    }
  }
  if( p->nKnown>0 ) *piNewest = p->aKnown[p->nKnown-1].iVersion;
  return 1;
}

/* The cached revision iVersion, or NULL. */
static KnownRev *knownFind(MigTable *p, sqlite3_int64 iVersion){
  int lo = 0, hi = p->nKnown-1;
  while( lo<=hi ){
    int mid = lo + (hi-lo)/2;
    if( p->aKnown[mid].iVersion==iVersion ) return &p->aKnown[mid];
    if( p->aKnown[mid].iVersion<iVersion ) lo = mid+1;
    else hi = mid-1;
  }
  return 0;
}

/* What migInsert needs to know of an already stored revision. */
typedef struct Known Known;
struct Known {
  int bFound;
  int bSameBytes;          /* its up script is the inserted one, byte for byte */
  int bSameUp;             /* its up script has the inserted one's tokens */
  int bApplied;
  int bDeleted;
  char zChecksum[SQLMIG_CHECKSUM_LEN+1];
};

/*
** Looks revision iVersion up for an INSERT of up script pUp: from the
** cache when it is ready, else from the store. Sets bSameBytes when the
** stored up is pUp byte for byte; bSameUp is the caller's (checksums).
*/
static int knownLookup(MigTable *p, sqlite3_int64 iVersion,
                       const SqlmigScript *pUp, Known *pK){
  StoredRev rev;
  int rc = knownReady(p);
  memset(pK, 0, sizeof(*pK));
  if( rc ) return rc;
  if( p->bKnown ){
    KnownRev *pRev = knownFind(p, iVersion);
    if( pRev ){
      pK->bFound = 1;
      pK->bSameBytes = pRev->nUp==pUp->n && (pUp->n==0
                    || memcmp(p->aUp+pRev->iUp, pUp->z, (size_t)pUp->n)==0);
      pK->bApplied = pRev->bApplied;
      pK->bDeleted = pRev->bDeleted;
      memcpy(pK->zChecksum, pRev->zChecksum, sizeof(pK->zChecksum));
    }
  }else{
    rc = lookupRow(p, iVersion, &rev);
    if( rc==SQLITE_DONE ) return SQLITE_OK;
    if( rc!=SQLITE_ROW ) return rc;
    pK->bFound = 1;
    pK->bSameBytes = rev.nUp==pUp->n && (pUp->n==0
                  || memcmp(rev.zUp, pUp->z, (size_t)pUp->n)==0);
    pK->bApplied = rev.bApplied;
    pK->bDeleted = rev.bDeleted;
    storedChecksum(rev.zChecksum, rev.zUp, rev.nUp, pK->zChecksum);
    sqlite3_reset(p->pLookup);
  }
  return SQLITE_OK;
}

/*
** Sets *piNewer to the newest applied (not deleted) revision above
** iVersion, 0 when there is none.
*/
static int newerApplied(MigTable *p, sqlite3_int64 iVersion,
                        sqlite3_int64 *piNewer){
  int rc;
  *piNewer = 0;
  if( p->bKnown ){
    if( p->iNewest>iVersion ) *piNewer = p->iNewest;
    return SQLITE_OK;
  }
  rc = cachedStmt(p, &p->pNewer, "SELECT version FROM main." SQLMIG_STORE
      " WHERE version>?1 AND applied_at IS NOT NULL AND deleted_at IS NULL"
      " ORDER BY version DESC LIMIT 1");
  if( rc ) return rc;
  sqlite3_bind_int64(p->pNewer, 1, iVersion);
  rc = sqlite3_step(p->pNewer);
  if( rc==SQLITE_ROW ) *piNewer = sqlite3_column_int64(p->pNewer, 0);
  sqlite3_reset(p->pNewer);
  return rc==SQLITE_ROW || rc==SQLITE_DONE ? SQLITE_OK : rc;
}

/*
** The checks of an INSERT's columns that need no lookup: checksum and
** applied_at unset, up and down scripts (*pUp, *pDown). zV is the version
** as messages show it.
*/
static int insertArgs(MigTable *p, sqlite3_value **apCol, const char *zV,
                      SqlmigScript *pUp, SqlmigScript *pDown){
  char *zErr = 0;
  int rc;
  if( sqlite3_value_type(apCol[COL_CHECKSUM])!=SQLITE_NULL ){
    return setError(&p->base, SQLITE_ERROR, sqlite3_mprintf("revision %s: "
        "checksum is computed from up and cannot be set", zV));
  }
  if( sqlite3_value_type(apCol[COL_APPLIED])!=SQLITE_NULL ){
    return setError(&p->base, SQLITE_ERROR, sqlite3_mprintf("revision %s: "
        "applied_at is set by migrate() and cannot be set", zV));
  }
  if( (rc = sqlmigScriptArg(zV, "up", apCol[COL_UP], pUp, &zErr))
   || (rc = sqlmigScriptArg(zV, "down", apCol[COL_DOWN], pDown, &zErr)) ){
    return inputError(&p->base, rc, zErr);
  }
  return SQLITE_OK;
}

/*
** INSERT: registers a pending revision. argv[] as xUpdate gets it; the
** columns start at argv[2].
*/
static int migInsert(MigTable *p, sqlite3_value **argv){
  sqlite3_vtab *pVtab = &p->base;
  sqlite3_value **apCol = &argv[2];
  sqlite3_int64 iVersion = 0, iNewer = 0;
  SqlmigScript up, down;
  char *zErr = 0;
  Known known;
  char zSum[SQLMIG_CHECKSUM_LEN+1];
  int rc;

  char zV[SQLMIG_VERSION_BUF], zNewer[SQLMIG_VERSION_BUF];

  rc = sqlmigVersionArg(p->db, apCol[COL_VERSION], 1, &iVersion, &zErr);
  if( rc ) return inputError(pVtab, rc, zErr);
  /* The version is shown (a lookup for a long one) only for a message or
  ** a new revision: a known one of the start-up idiom needs no text */
  if( insertArgs(p, apCol, "", &up, &down) ){
    sqlite3_free(pVtab->zErrMsg);
    pVtab->zErrMsg = 0;
    return insertArgs(p, apCol, sqlmigVersionShow(p->db, iVersion, zV), &up,
                      &down);
  }

  /* A known revision is settled by comparing its up script with the
  ** stored one: the same bytes are the same script (no tokenizing), else
  ** the checksums (its scripts passed the guard when they were stored).
  ** This keeps the start-up idiom cheap. */
  rc = knownLookup(p, iVersion, &up, &known);
  if( rc ) return storeError(p, rc);
  if( known.bFound && known.bSameBytes ){
    memcpy(zSum, known.zChecksum, sizeof(zSum));
    known.bSameUp = 1;
  }else{
    sqlmigChecksum(up.z, up.n, zSum);
    known.bSameUp = known.bFound && strcmp(zSum, known.zChecksum)==0;
  }
  if( known.bFound && !known.bDeleted && known.bSameUp
   && sqlite3_vtab_on_conflict(p->db)==SQLITE_IGNORE ){
    return SQLITE_CONSTRAINT;                       /* skipped */
  }
  sqlmigVersionShow(p->db, iVersion, zV);
  if( known.bFound ){
    int eConflict = sqlite3_vtab_on_conflict(p->db);
    if( known.bApplied && !known.bSameUp ){
      /* Named by its file when the up came from migration_files() */
      const char *zFile = sqlmigFilesPath(p->pConn, zV, zSum);
      return setError(pVtab, SQLITE_ERROR, sqlite3_mprintf("revision %s was "
          "applied with a different up script (checksum %s)%s%s%s: ship the "
          "change as a new revision", zV, known.zChecksum,
          zFile ? "; file \"" : "", zFile ? zFile : "", zFile ? "\" changed"
          : ""));
    }
    if( !known.bDeleted && eConflict!=SQLITE_REPLACE ){
      if( eConflict==SQLITE_IGNORE ) return SQLITE_CONSTRAINT;  /* skipped */
      return setError(pVtab, SQLITE_CONSTRAINT, sqlite3_mprintf(
          "revision %s is already registered", zV));
    }
    if( (rc = sqlmigScriptCheck(zV, "down", &down, &zErr)) ){
      return inputError(pVtab, rc, zErr);
    }
    knownClear(p);
    if( known.bApplied ){
      /* Deleted and registered again before migrate(): it stays applied.
      ** OR REPLACE of an applied revision: new name and down. */
      return storeExec(p, "UPDATE main." SQLMIG_STORE " SET name=?1, down=?2, "
          "deleted_at=NULL WHERE version=?3 AND (name IS NOT ?1 OR down IS "
          "NOT ?2 OR deleted_at IS NOT NULL)", apCol[COL_NAME], &down,
          iVersion);
    }
    if( (rc = sqlmigScriptCheck(zV, "up", &up, &zErr)) ){
      return inputError(pVtab, rc, zErr);
    }
    rc = storeExec(p, "DELETE FROM main." SQLMIG_STORE " WHERE version=?1",
                   0, 0, iVersion);
    if( rc ) return rc;
  }else if( (rc = sqlmigScriptCheck(zV, "up", &up, &zErr))
         || (rc = sqlmigScriptCheck(zV, "down", &down, &zErr)) ){
    return inputError(pVtab, rc, zErr);
  }

  /* A new revision must come after every applied one */
  rc = storeReady(p, 1);
  if( rc==SQLITE_OK ) rc = newerApplied(p, iVersion, &iNewer);
  if( rc ) return storeError(p, rc);
  if( iNewer ){
    return setError(pVtab, SQLITE_ERROR, sqlite3_mprintf("revision %s is "
        "older than applied revision %s (out of order)", zV,
        sqlmigVersionShow(p->db, iNewer, zNewer)));
  }

  rc = cachedStmt(p, &p->pInsert, "INSERT INTO main." SQLMIG_STORE
      "(version, name, up, down, checksum) VALUES (?1, ?2, ?3, ?4, ?5)");
  if( rc ) return storeError(p, rc);
  sqlite3_bind_int64(p->pInsert, 1, iVersion);
  rc = sqlite3_bind_value(p->pInsert, 2, apCol[COL_NAME]);
  if( rc==SQLITE_OK ) rc = sqlmigBindScript(p->pInsert, 3, &up);
  if( rc==SQLITE_OK ) rc = sqlmigBindScript(p->pInsert, 4, &down);
  if( rc==SQLITE_OK ){
    rc = sqlite3_bind_text(p->pInsert, 5, zSum, SQLMIG_CHECKSUM_LEN,
                           SQLITE_TRANSIENT);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_step(p->pInsert);
  sqlite3_reset(p->pInsert);
  sqlite3_clear_bindings(p->pInsert);
  if( rc!=SQLITE_DONE ) return storeError(p, rc);
  if( p->bKnown ){
    /* Revisions usually come in ascending order: append, else re-read */
    if( p->nKnown>0 && p->aKnown[p->nKnown-1].iVersion>iVersion ){
      knownClear(p);
    }else if( knownAppend(p, iVersion, zSum, 0, 0, up.z, up.n) ){
      knownClear(p);
    }
  }
  return SQLITE_OK;
}

/* DELETE: pending revisions go; applied ones wait for migrate(). */
static int migDelete(MigTable *p, sqlite3_int64 iVersion){
  StoredRev rev;
  int rc = lookupRow(p, iVersion, &rev);
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  if( rc!=SQLITE_ROW ) return storeError(p, rc);
  if( rev.bApplied && !rev.bHasDown ){
    char *zLabel = sqlmigRevLabel(rev.zName);
    char zV[SQLMIG_VERSION_BUF];
    rc = setError(&p->base, SQLITE_ERROR, zLabel ? sqlite3_mprintf(
        "revision %s%s is irreversible (down is NULL) and cannot be "
        "deleted", sqlmigVersionShow(p->db, iVersion, zV), zLabel) : 0);
    sqlite3_free(zLabel);
    sqlite3_reset(p->pLookup);
    return rc;
  }
  sqlite3_reset(p->pLookup);
  if( rev.bApplied ){
    char *zSql = sqlite3_mprintf("UPDATE main." SQLMIG_STORE " SET "
        "deleted_at=%s WHERE version=?1", sqlmigNow(p->pConn));
    if( zSql==0 ) return SQLITE_NOMEM;
    rc = storeExec(p, zSql, 0, 0, iVersion);
    sqlite3_free(zSql);
    return rc;
  }
  return storeExec(p, "DELETE FROM main." SQLMIG_STORE " WHERE version=?1",
                   0, 0, iVersion);
}

/* 1 when value v differs from text z (NULL equals NULL). */
static int valueDiffers(sqlite3_value *v, const char *z, int n){
  if( sqlite3_value_type(v)==SQLITE_NULL ) return z!=0;
  if( z==0 || sqlite3_value_type(v)!=SQLITE_TEXT ) return 1;
  return sqlite3_value_bytes(v)!=n
      || memcmp(sqlite3_value_text(v), z, (size_t)n)!=0;
}

/*
** UPDATE: name and down of any revision, up of a pending one. Everything
** else is refused by name.
*/
static int migModify(MigTable *p, sqlite3_int64 iVersion,
                     sqlite3_value **argv){
  sqlite3_vtab *pVtab = &p->base;
  sqlite3_value **apCol = &argv[2];
  StoredRev rev;
  SqlmigScript up, down;
  const char *zWhy = 0;
  char *zErr = 0;
  char zSum[SQLMIG_CHECKSUM_LEN+1];
  int bUpChanged;
  int rc;
  sqlite3_int64 iNew = -1;
  char zV[SQLMIG_VERSION_BUF];

  sqlmigVersionShow(p->db, iVersion, zV);
  if( sqlite3_value_type(apCol[COL_VERSION])==SQLITE_INTEGER
   && sqlite3_value_int64(apCol[COL_VERSION])<SQLMIG_LONG_MIN ){
    iNew = sqlite3_value_int64(apCol[COL_VERSION]);
  }else{
    rc = sqlmigVersionArg(p->db, apCol[COL_VERSION], 0, &iNew, &zErr);
    sqlite3_free(zErr);
    zErr = 0;
    if( rc==SQLITE_NOMEM ) return rc;
  }
  if( iNew!=iVersion
   || sqlite3_value_type(argv[1])!=SQLITE_INTEGER
   || sqlite3_value_int64(argv[1])!=iVersion ){
    return setError(pVtab, SQLITE_ERROR, sqlite3_mprintf(
        "revision %s: version cannot be changed", zV));
  }
  rc = lookupRow(p, iVersion, &rev);
  if( rc!=SQLITE_ROW ) return rc==SQLITE_DONE ? SQLITE_OK : storeError(p, rc);
  bUpChanged = valueDiffers(apCol[COL_UP], rev.zUp, rev.nUp);
  if( valueDiffers(apCol[COL_CHECKSUM], rev.zChecksum,
                   (int)strlen(rev.zChecksum)) ){
    zWhy = "checksum is computed from up and cannot be set";
  }else if( valueDiffers(apCol[COL_APPLIED], rev.zApplied,
                         rev.zApplied ? (int)strlen(rev.zApplied) : 0) ){
    zWhy = "applied_at is set by migrate() and cannot be set";
  }else if( bUpChanged && rev.bApplied ){
    zWhy = "up script cannot be changed once applied (revert it first)";
  }
  sqlite3_reset(p->pLookup);
  if( zWhy ){
    return setError(pVtab, SQLITE_ERROR,
                    sqlite3_mprintf("revision %s: %s", zV, zWhy));
  }
  if( (bUpChanged
       && ((rc = sqlmigScriptArg(zV, "up", apCol[COL_UP], &up, &zErr))
           || (rc = sqlmigScriptCheck(zV, "up", &up, &zErr))))
   || (rc = sqlmigScriptArg(zV, "down", apCol[COL_DOWN], &down, &zErr))
   || (rc = sqlmigScriptCheck(zV, "down", &down, &zErr)) ){
    return inputError(pVtab, rc, zErr);
  }
  if( !bUpChanged ){
    return storeExec(p, "UPDATE main." SQLMIG_STORE " SET name=?1, down=?2 "
        "WHERE version=?3", apCol[COL_NAME], &down, iVersion);
  }
  sqlmigChecksum(up.z, up.n, zSum);
  {
    sqlite3_stmt *pS = 0;
    rc = sqlite3_prepare_v2(p->db, "UPDATE main." SQLMIG_STORE " SET name=?1,"
        " down=?2, up=?3, checksum=?4 WHERE version=?5", -1, &pS, 0);
    if( rc==SQLITE_OK ) rc = sqlite3_bind_value(pS, 1, apCol[COL_NAME]);
    if( rc==SQLITE_OK ) rc = sqlmigBindScript(pS, 2, &down);
    if( rc==SQLITE_OK ) rc = sqlmigBindScript(pS, 3, &up);
    if( rc==SQLITE_OK ){
      rc = sqlite3_bind_text(pS, 4, zSum, SQLMIG_CHECKSUM_LEN,
                             SQLITE_TRANSIENT);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_bind_int64(pS, 5, iVersion);
    if( rc==SQLITE_OK ){
      rc = sqlite3_step(pS);
      if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    }
    sqlite3_finalize(pS);
    return rc==SQLITE_OK ? rc : storeError(p, rc);
  }
}

/*
** Refuses a write through another schema's name (aux.migrations): an
** eponymous virtual table lives in main only, and SQLite resolves any
** schema prefix to it when that schema has no table of the name. No
** interface tells xUpdate which name its statement used, so the text of
** every writing statement running on the connection is read, once per
** run of the statement.
*/
static int schemaCheck(MigTable *p){
  SchemaChecked *pC = &p->checked;
  sqlite3_stmt *pStmt;
  for(pStmt=sqlite3_next_stmt(p->db, 0); pStmt;
      pStmt=sqlite3_next_stmt(p->db, pStmt)){
    const char *zSql;
    int iName, nName = 0, nRun, nSql, nHead;
    if( !sqlite3_stmt_busy(pStmt) || sqlite3_stmt_readonly(pStmt) ) continue;
    nRun = sqlite3_stmt_status(pStmt, SQLITE_STMTSTATUS_RUN, 0);
    zSql = sqlite3_sql(pStmt);
    if( zSql==0 ) continue;
    if( checkedSame(pC, pStmt, nRun, zSql) ) continue;
    nSql = (int)strlen(zSql);
    iName = sqlmigOtherSchemaName((const unsigned char*)zSql, nSql, &nName);
    if( iName>=0 ){
      pC->pStmt = 0;
      return setError(&p->base, SQLITE_ERROR, sqlite3_mprintf(
          "cannot write %.*s: that schema has no such table, and sqlmig's "
          "table is main's (write main.migrations)", nName, zSql+iName));
    }
    nHead = nSql<CHECKED_HEAD ? nSql : CHECKED_HEAD;
    pC->pStmt = pStmt;
    pC->nRun = nRun;
    pC->zSql = zSql;
    pC->nSql = nSql;
    memcpy(pC->aHead, zSql, (size_t)nHead);
  }
  return SQLITE_OK;
}

static int migUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                     sqlite_int64 *pRowid){
  MigTable *p = (MigTable*)pVtab;
  int rc;
  (void)pRowid;
  if( p->pConn->bMigrating ){
    return setError(pVtab, SQLITE_ERROR, sqlite3_mprintf(
        "migrations: cannot change revisions while migrate() runs"));
  }
  if( (rc = schemaCheck(p))!=SQLITE_OK ) return rc;
  knownSync(p);
  if( argc==1 ){
    knownClear(p);
    rc = migDelete(p, sqlite3_value_int64(argv[0]));
  }else if( sqlite3_value_type(argv[0])==SQLITE_NULL ){
    rc = migInsert(p, argv);
  }else{
    knownClear(p);
    rc = migModify(p, sqlite3_value_int64(argv[0]), argv);
  }
  /* What changed since knownSync() was this table's own doing */
  p->nChangeBase = sqlite3_total_changes(p->db);
  if( rc==SQLITE_OK ) p->nOuter++;
  return rc;
}

/* Transaction boundaries: the cache lives inside one transaction. */
static int migBegin(sqlite3_vtab *pVtab){
  MigTable *p = (MigTable*)pVtab;
  knownClear(p);
  p->nLookup = 0;
  p->bWritten = 0;
  return SQLITE_OK;
}

static int migEnd(sqlite3_vtab *pVtab){
  return migBegin(pVtab);
}

static int migSavepoint(sqlite3_vtab *pVtab, int iSavepoint){
  (void)pVtab; (void)iSavepoint;
  return SQLITE_OK;
}

static int migRollbackTo(sqlite3_vtab *pVtab, int iSavepoint){
  (void)iSavepoint;
  knownClear((MigTable*)pVtab);
  return SQLITE_OK;
}

/* Eponymous only (no xCreate): available in every connection, no CREATE */
static sqlite3_module migrationsModule = {
  .iVersion = 2,
  .xConnect = migConnect,
  .xBestIndex = migBestIndex,
  .xDisconnect = migDisconnect,
  .xOpen = migOpen,
  .xClose = migClose,
  .xFilter = migFilter,
  .xNext = migNext,
  .xEof = migEof,
  .xColumn = migColumn,
  .xRowid = migRowid,
  .xUpdate = migUpdate,
  .xBegin = migBegin,
  .xCommit = migEnd,
  .xRollback = migEnd,
  .xSavepoint = migSavepoint,
  .xRelease = migSavepoint,
  .xRollbackTo = migRollbackTo,
};

int sqlmigMigrationsRegister(sqlite3 *db, SqlmigConn *pConn){
  /* The second name is for databases that own a table called migrations
  ** (Laravel, TypeORM, ...), which hides the eponymous one. */
  int rc = sqlite3_create_module_v2(db, "migrations", &migrationsModule,
                                    sqlmigConnRef(pConn), sqlmigConnUnref);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_module_v2(db, "sqlmig_migrations", &migrationsModule,
                                  sqlmigConnRef(pConn), sqlmigConnUnref);
  }
  return rc;
}
