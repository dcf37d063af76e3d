/*
** sqlmig: migrate(), migrate(N), migrate_down([k]) and migrate_plan([N]).
**
**   SELECT migrate();                 -- revert deleted, apply pending
**   SELECT migrate(3);                -- move to version 3, up or down
**   SELECT migrate_down();            -- revert the newest applied one
**   SELECT * FROM migrate_plan();     -- what migrate() would run
**
** How it works. A plan is read from the history store (migrations.c):
** first the reverts (applied revisions deleted from `migrations`, and with
** a target N the applied ones above N; migrate_down(k) turns k into the
** target that keeps all but the k newest), newest first; then the pending
** revisions to apply, oldest first. Building the plan checks what can be
** checked before a statement runs: the target (0 or registered), checksums
** of the stored up scripts, ordering, reversibility. Scripts passed the
** script guard (script.c) when they were stored. An up script that
** matches its checksum is that text; a down script has no checksum, so it
** is checked again as a whole before it runs. Each statement then runs as
** the guard says: BEGIN/COMMIT pairs and PRAGMA foreign_keys, which the
** call already provides, are skipped.
**
** migrate() must run in a statement that reads no table: SQLite refuses
** DROP TABLE/INDEX while any table-reading statement is active. It probes
** that with a DROP of its own before doing anything else.
**
** The whole call is one transaction: BEGIN IMMEDIATE ... COMMIT when the
** connection is in autocommit mode (so concurrent migrators wait on the
** busy handler instead of failing on a lock upgrade), a SAVEPOINT inside
** the caller's transaction otherwise. Any failure rolls all of it back.
** Around each script, foreign-key enforcement is paused (so a table
** rebuild does not fire ON DELETE CASCADE) and legacy_alter_table is
** restored afterwards; with foreign keys on, the check of fkcheck.c then
** decides whether the revision stands (violations it introduced fail it).
*/
#include "sqlmig_int.h"

/* One script to run. */
typedef struct MigStep MigStep;
struct MigStep {
  sqlite3_int64 iVersion;
  char *zName;             /* NULL when the revision has no name */
  char *zSql;              /* the up or down script */
  int bUp;                 /* 1: apply (up), 0: revert (down) */
  int bForget;             /* a revert of a deleted revision: its row goes */
};

/*
** What the caller asked for: migrate() (nothing set), migrate(N) (bTarget,
** iTarget) or migrate_down(k) (nDown=k; iTarget is then found by
** planBuild: the newest applied revision that stays).
*/
typedef struct MigRequest MigRequest;
struct MigRequest {
  const char *zFunc;       /* "migrate", "migrate_plan" or "migrate_down" */
  int bTarget;
  sqlite3_int64 iTarget;
  int nDown;
  const char *zNow;        /* SQL for the time applied_at gets (sqlmigNow) */
  SqlmigConn *pConn;       /* for the known cache of migrations.c, or NULL */
};

/* What a migrate() call would do. */
typedef struct MigPlan MigPlan;
struct MigPlan {
  MigStep *aStep;
  int nStep;
  int bAfter;              /* 1 when some revision is applied afterwards */
  sqlite3_int64 iAfter;    /* the version the database is at afterwards */
};

static void planFree(MigPlan *pPlan){
  int i;
  for(i=0; i<pPlan->nStep; i++){
    sqlite3_free(pPlan->aStep[i].zName);
    sqlite3_free(pPlan->aStep[i].zSql);
  }
  sqlite3_free(pPlan->aStep);
  memset(pPlan, 0, sizeof(*pPlan));
}

/* A revision the plan runs, while the plan is built. */
typedef struct Rev Rev;
struct Rev {
  sqlite3_int64 iVersion;
  char *zName;             /* NULL when the revision has no name */
  char *zSql;              /* the down script of a revert, the up of an apply */
  int bRevert;             /* 1: revert it, 0: apply it */
  int bDeleted;            /* deleted from `migrations`: forget it after */
  int bDown;               /* a revert has a down script (not NULL) */
};

/* Copies text z into *pz; NULL stays NULL. */
static int copyText(const char *z, char **pz){
  size_t n;
  *pz = 0;
  if( z==0 ) return SQLITE_OK;
  n = strlen(z);
  *pz = sqlite3_malloc64(n+1);
  if( *pz==0 ) return SQLITE_NOMEM;
  memcpy(*pz, z, n+1);
  return SQLITE_OK;
}

static void revsFree(Rev *aRev, int nRev){
  int i;
  for(i=0; i<nRev; i++){
    sqlite3_free(aRev[i].zName);
    sqlite3_free(aRev[i].zSql);
  }
  sqlite3_free(aRev);
}

/*
** Sets *pzErr to zFmt ("%s%s" for the revision's version and label, then
** "%s%s" for the other one when iOther>0, whose name is looked up).
** Returns SQLITE_ERROR, or SQLITE_NOMEM.
*/
static int planError(sqlite3 *db, char **pzErr, const char *zFmt,
                     sqlite3_int64 iVersion, const char *zName,
                     sqlite3_int64 iOther){
  char *z1 = sqlmigRevLabel(zName);
  char *z2 = 0;
  char zV1[SQLMIG_VERSION_BUF], zV2[SQLMIG_VERSION_BUF];
  sqlmigVersionShow(db, iVersion, zV1);
  if( iOther>0 ){
    sqlite3_stmt *pStmt = 0;
    const char *zOther = 0;
    if( sqlite3_prepare_v2(db, "SELECT name FROM main." SQLMIG_STORE
                           " WHERE version=?1", -1, &pStmt, 0)==SQLITE_OK ){
      sqlite3_bind_int64(pStmt, 1, iOther);
      if( sqlite3_step(pStmt)==SQLITE_ROW ){
        zOther = (const char*)sqlite3_column_text(pStmt, 0);
      }
    }
    z2 = sqlmigRevLabel(zOther);
    sqlite3_finalize(pStmt);
    if( z1 && z2 ){
      *pzErr = sqlite3_mprintf(zFmt, zV1, z1,
                               sqlmigVersionShow(db, iOther, zV2), z2);
    }
  }else if( z1 ){
    *pzErr = sqlite3_mprintf(zFmt, zV1, z1);
  }
  sqlite3_free(z1);
  sqlite3_free(z2);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** The name under which `migrations` can be written: sqlmig_migrations when
** main has a table of its own called migrations, which hides sqlmig's.
*/
static const char *tableName(sqlite3 *db){
  sqlite3_stmt *pStmt = 0;
  int bOwn = 0;
  if( sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_master WHERE "
        "type IN ('table','view') AND name='migrations' COLLATE NOCASE", -1,
        &pStmt, 0)==SQLITE_OK ){
    bOwn = sqlite3_step(pStmt)==SQLITE_ROW;
  }
  sqlite3_finalize(pStmt);
  return bOwn ? "sqlmig_migrations" : "migrations";
}

/* Sets *pzErr for a target that is not registered. */
static int targetError(sqlite3 *db, sqlite3_int64 iTarget, char **pzErr){
  char zV[SQLMIG_VERSION_BUF];
  *pzErr = sqlite3_mprintf("target version %s is not registered (use 0 or "
      "a version in %s)", sqlmigVersionShow(db, iTarget, zV), tableName(db));
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** For migrate_down(k): sets pReq->iTarget to the (k+1)-th newest applied
** revision (-1 when k are all there are), so that the plan reverts exactly
** the k newest. Fails when fewer than k are applied.
*/
static int downTarget(sqlite3 *db, MigRequest *pReq, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int nApplied = 0;
  int rc = sqlmigStoreExists(db);
  pReq->bTarget = 1;
  pReq->iTarget = -1;
  if( rc<0 ) return -rc;
  /* No store yet: nothing is applied */
  rc = rc==0 ? SQLITE_DONE : sqlite3_prepare_v2(db, "SELECT version FROM main."
      SQLMIG_STORE " WHERE applied_at IS NOT NULL ORDER BY version DESC", -1,
      &pStmt, 0);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    rc = SQLITE_OK;
    if( nApplied++==pReq->nDown ){
      pReq->iTarget = sqlite3_column_int64(pStmt, 0);
      break;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    *pzErr = sqlite3_mprintf("cannot read " SQLMIG_STORE ": %s",
                             sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK && nApplied<pReq->nDown ){
    *pzErr = sqlite3_mprintf("cannot revert %d revision%s: only %d %s "
        "applied", pReq->nDown, pReq->nDown==1 ? "" : "s", nApplied,
        nApplied==1 ? "is" : "are");
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return rc;
}

/*
** Reads the store and keeps the revisions the plan for pReq runs (*paRev,
** in ascending version), and the newest applied revision that stays
** applied (*piKept, -1 when none). Every stored up script is checked
** against its checksum on the way, and a target must be 0 or a registered
** version. Returns SQLITE_OK, or an error with *pzErr set (without the
** function-name prefix). The caller frees with revsFree().
*/
static int revsRead(sqlite3 *db, MigRequest *pReq, Rev **paRev, int *pnRev,
                    sqlite3_int64 *piKept, char **pzErr){
  SqlmigHistory h;
  Rev *aRev = 0;
  int nRev = 0, nAlloc = 0;
  int bTarget = pReq->bTarget;
  sqlite3_int64 iTarget = pReq->iTarget;
  int bFound = !bTarget || iTarget<0 || pReq->nDown; /* registered, or none */
  /* name and down are read only for the revisions the plan keeps */
  int rc = sqlmigHistoryOpen(db, SQLMIG_H_NAME|SQLMIG_H_UP|SQLMIG_H_DOWN
                             |SQLMIG_H_CHECKSUM, &h);
  *paRev = 0;
  *pnRev = 0;
  *piKept = -1;
  if( rc==SQLITE_OK && !bTarget && pReq->nDown==0 && pReq->pConn ){
    /* The start-up idiom's INSERT OR IGNORE read the store into memory in
    ** this transaction: when all of it is applied, that is the plan */
    int bAll = sqlmigKnownApplied(pReq->pConn, piKept);
    if( bAll ){
      sqlmigHistoryClose(&h);
      return bAll<0 ? -bAll : SQLITE_OK;
    }
  }
  if( rc==SQLITE_DONE ){
    if( !bTarget || bFound ) return SQLITE_OK;
    return targetError(db, iTarget, pzErr);
  }
  while( rc==SQLITE_OK && (rc = sqlmigHistoryNext(&h))==SQLITE_ROW ){
    sqlite3_int64 iVersion = h.iVersion;
    const char *zUp, *zSum, *zName, *zSql;
    int nUp;
    int bRevert = h.bApplied && ((h.bDeleted && pReq->nDown==0)
                                 || (bTarget && iVersion>iTarget));
    Rev *pRev;
    if( (rc = sqlmigHistoryText(&h, SQLMIG_H_UP, &zUp, &nUp))
     || (rc = sqlmigHistoryText(&h, SQLMIG_H_CHECKSUM, &zSum, 0)) ){
      break;
    }
    if( !sqlmigChecksumMatches(zUp, nUp, zSum) ){
      rc = sqlmigHistoryText(&h, SQLMIG_H_NAME, &zName, 0);
      if( rc==SQLITE_OK ){
        rc = planError(db, pzErr, "revision %s%s: its up script no longer "
            "matches its checksum (the history was changed outside sqlmig)",
            iVersion, zName, 0);
      }
      break;
    }
    if( !h.bDeleted && iVersion==iTarget ) bFound = 1;
    if( h.bApplied && !bRevert ){
      *piKept = iVersion;
      continue;
    }
    if( !h.bApplied && ((bTarget && iVersion>iTarget) || pReq->nDown) ){
      continue;
    }
    if( nRev==nAlloc ){
      Rev *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 16;
      aNew = sqlite3_realloc64(aRev, sizeof(Rev)*(sqlite3_uint64)nAlloc);
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      aRev = aNew;
    }
    pRev = &aRev[nRev++];
    memset(pRev, 0, sizeof(*pRev));
    pRev->iVersion = iVersion;
    pRev->bRevert = bRevert;
    pRev->bDeleted = h.bDeleted;
    pRev->bDown = h.bHasDown;
    if( (rc = sqlmigHistoryText(&h, SQLMIG_H_NAME, &zName, 0))
     || (rc = copyText(zName, &pRev->zName)) ){
      break;
    }
    if( bRevert && (rc = sqlmigHistoryText(&h, SQLMIG_H_DOWN, &zUp, 0)) ){
      break;
    }
    zSql = zUp;
    if( (rc = copyText(zSql, &pRev->zSql)) ) break;
  }
  if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;
    if( !bFound ) rc = targetError(db, iTarget, pzErr);
  }else if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("cannot read " SQLMIG_STORE ": %s",
                             sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlmigHistoryClose(&h);
  *paRev = aRev;
  *pnRev = nRev;
  return rc;
}

/*
** Refuses to run scripts while a trigger of the schema (main or temp) names
** the history store: fired by a script's statement, it could rewrite the
** history from inside migrate(), where SQLite lets nested statements write
** even a DEFENSIVE store. The script guard keeps scripts from creating
** such triggers; this catches one made outside sqlmig.
*/
static int historyTriggers(sqlite3 *db, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT name, tbl_name, sql FROM "
      "main.sqlite_master WHERE type='trigger' UNION ALL SELECT name, "
      "tbl_name, sql FROM temp.sqlite_master WHERE type='trigger'", -1,
      &pStmt, 0);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zSql = (const char*)sqlite3_column_text(pStmt, 2);
    rc = SQLITE_OK;
    if( zSql && sqlmigNamesStore(zSql, sqlite3_column_bytes(pStmt, 2)) ){
      *pzErr = sqlite3_mprintf("trigger \"%w\" on \"%w\" names "
          SQLMIG_STORE ": scripts cannot run while a trigger could change "
          "the history (drop it first)",
          (const char*)sqlite3_column_text(pStmt, 0),
          (const char*)sqlite3_column_text(pStmt, 1));
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK && rc!=SQLITE_ERROR && rc!=SQLITE_NOMEM && *pzErr==0 ){
    rc = sqlmigErrcode(db, rc);
    *pzErr = sqlite3_mprintf("cannot read the schema: %s", sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Refuses to run scripts while a TEMP object has the name of an object of
** main: SQLite resolves an unqualified name to temp first, so a script's
** (or a generated script's) DROP TABLE "v" would drop the temp table and
** leave main's, and the revision would be recorded as applied.
*/
static int tempShadows(sqlite3 *db, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT t.type, t.name FROM "
      "temp.sqlite_master t JOIN main.sqlite_master m ON m.name=t.name "
      "COLLATE NOCASE WHERE t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "ORDER BY t.name LIMIT 1", -1, &pStmt, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    *pzErr = sqlite3_mprintf("temp %s \"%w\" has the name of an object of "
        "main: the scripts' unqualified names would reach it (drop it or "
        "rename it first)", (const char*)sqlite3_column_text(pStmt, 0),
        (const char*)sqlite3_column_text(pStmt, 1));
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }else if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;
  }else if( rc!=SQLITE_NOMEM ){
    rc = sqlmigErrcode(db, rc);
    *pzErr = sqlite3_mprintf("cannot read the schema: %s", sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* Moves revision pRev (its name and script) into a new step of pPlan. */
static void planAdd(MigPlan *pPlan, Rev *pRev){
  MigStep *pStep = &pPlan->aStep[pPlan->nStep++];
  pStep->iVersion = pRev->iVersion;
  pStep->bUp = !pRev->bRevert;
  pStep->bForget = pRev->bRevert && pRev->bDeleted;
  pStep->zName = pRev->zName;
  pStep->zSql = pRev->zSql;
  pRev->zName = 0;
  pRev->zSql = 0;
}

/*
** Builds the plan for request pReq. Returns SQLITE_OK, SQLITE_NOMEM, or
** SQLITE_ERROR with *pzErr set to a message without the function-name
** prefix.
*/
static int planBuild(sqlite3 *db, MigRequest *pReq, MigPlan *pPlan,
                     char **pzErr){
  Rev *aRev = 0;
  sqlite3_int64 iKept = -1; /* newest applied revision that stays (-1: none) */
  int nRev = 0, i;
  int rc = SQLITE_OK;

  memset(pPlan, 0, sizeof(*pPlan));
  if( pReq->nDown>0 ) rc = downTarget(db, pReq, pzErr);
  if( rc==SQLITE_OK ){
    rc = revsRead(db, pReq, &aRev, &nRev, &iKept, pzErr);
  }
  if( rc==SQLITE_OK && nRev>0 ){
    pPlan->aStep = sqlite3_malloc64(sizeof(MigStep)*(sqlite3_uint64)nRev);
    if( pPlan->aStep==0 ) rc = SQLITE_NOMEM;
  }
  if( iKept>=0 ){
    pPlan->bAfter = 1;
    pPlan->iAfter = iKept;
  }

  /* Reverts, newest first */
  for(i=nRev-1; rc==SQLITE_OK && i>=0; i--){
    Rev *pRev = &aRev[i];
    if( !pRev->bRevert ) continue;
    if( iKept>pRev->iVersion ){
      rc = planError(db, pzErr, "cannot revert revision %s%s while newer "
          "revision %s%s stays applied (delete it too)", pRev->iVersion,
          pRev->zName, iKept);
    }else if( !pRev->bDown ){
      rc = planError(db, pzErr, "revision %s%s cannot be reverted: its "
          "down script is NULL (irreversible)", pRev->iVersion, pRev->zName,
          0);
    }else{
      planAdd(pPlan, pRev);
    }
  }

  /* Applies, oldest first */
  for(i=0; rc==SQLITE_OK && i<nRev; i++){
    Rev *pRev = &aRev[i];
    if( pRev->bRevert ) continue;
    if( iKept>pRev->iVersion ){
      rc = planError(db, pzErr, "pending revision %s%s is older than "
          "applied revision %s%s (out of order)", pRev->iVersion,
          pRev->zName, iKept);
    }else{
      pPlan->bAfter = 1;
      pPlan->iAfter = pRev->iVersion;
      planAdd(pPlan, pRev);
    }
  }

  revsFree(aRev, nRev);
  if( rc==SQLITE_OK && pPlan->nStep>0 ) rc = historyTriggers(db, pzErr);
  if( rc==SQLITE_OK && pPlan->nStep>0 ) rc = tempShadows(db, pzErr);
  if( rc!=SQLITE_OK ) planFree(pPlan);
  return rc;
}

/* ------------------------------------------------------------ running --- */

/* Runs one SQL statement of ours; returns rc. */
static int execSql(sqlite3 *db, const char *zSql){
  return sqlite3_exec(db, zSql, 0, 0, 0);
}

/*
** Fails with a message telling how to call migrate() when the calling
** statement, or any other statement running on this connection, would make
** DROP TABLE impossible. The probe is a real DROP of a scratch temp table,
** inside a savepoint so that nothing remains either way.
*/
static int callerCheck(sqlite3 *db, char **pzErr){
  static const char zHow[] = "must be called on its own, as SELECT migrate();"
      " not inside a statement that reads a table or while another"
      " statement is running";
  sqlite3_stmt *p;
  char *zMsg = 0;
  int nBusy = 0;
  int rc;
  for(p=sqlite3_next_stmt(db, 0); p; p=sqlite3_next_stmt(db, p)){
    if( sqlite3_stmt_busy(p) ) nBusy++;
  }
  rc = nBusy>1 ? SQLITE_ERROR : execSql(db, "SAVEPOINT sqlmig_probe");
  if( rc!=SQLITE_OK && rc!=SQLITE_ERROR ){
    rc = sqlmigErrcode(db, rc);
    zMsg = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }else if( rc==SQLITE_OK ){
    rc = execSql(db, "CREATE TEMP TABLE sqlmig_probe(x);"
                     "DROP TABLE temp.sqlmig_probe");
    if( rc!=SQLITE_OK ){
      rc = sqlmigErrcode(db, rc);
      zMsg = sqlite3_mprintf("%s", sqlite3_errmsg(db));
      execSql(db, "ROLLBACK TO sqlmig_probe");
    }
    execSql(db, "RELEASE sqlmig_probe");
  }
  if( rc==SQLITE_NOMEM || (rc!=SQLITE_OK && rc!=SQLITE_ERROR && zMsg==0) ){
    sqlite3_free(zMsg);
    return SQLITE_NOMEM;
  }
  if( (rc & 0xff)==SQLITE_READONLY ){              /* query_only: cannot tell */
    sqlite3_free(zMsg);
    return SQLITE_OK;
  }
  if( rc==SQLITE_ERROR || (rc & 0xff)==SQLITE_LOCKED
   || (rc & 0xff)==SQLITE_BUSY ){
    sqlite3_free(zMsg);
    /* nBusy>1, the DROP refused ("database table is locked"), or no
    ** savepoint while the calling statement writes ("SQL statements in
    ** progress"): the probe takes no lock a second process could hold */
    *pzErr = sqlite3_mprintf("%s", zHow);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( rc!=SQLITE_OK ){
    /* Anything else (an I/O error on the temp file) is not a misuse */
    *pzErr = zMsg;
    return rc;
  }
  return SQLITE_OK;
}

/*
** Runs the statements of one script in order, as the script guard says:
** BEGIN/COMMIT pairs and PRAGMA foreign_keys are skipped, refused
** statements stop it. When bGuard, the whole script is checked before its
** first statement runs. On failure *pzErr is "<why or SQLite's message>
** in: <excerpt of the statement>".
*/
static int scriptRun(sqlite3 *db, const char *zSql, int bGuard,
                     char **pzErr){
  SqlmigGuard guard;
  const char *zTail = zSql;
  int rc = bGuard ? sqlmigScriptGuard(zSql, -1, pzErr) : SQLITE_OK;
  memset(&guard, 0, sizeof(guard));
  while( rc==SQLITE_OK && zTail && zTail[0] ){
    sqlite3_stmt *pStmt = 0;
    const char *zNext = 0;
    const char *zWhy = 0;
    int nStmt = 0, eAction = SQLMIG_RUN;
    rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zNext);
    if( rc==SQLITE_OK && pStmt==0 ){      /* only blanks or comments left */
      zTail = zNext;
      continue;
    }
    if( rc==SQLITE_OK ){
      nStmt = (int)(zNext - zTail);
      rc = sqlmigGuardStmt(&guard, zTail, nStmt, &eAction, &zWhy);
      if( rc==SQLITE_OK && eAction==SQLMIG_RUN ){
        while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){}
        if( rc==SQLITE_DONE ) rc = SQLITE_OK;
      }
    }else{
      int bOpen;
      nStmt = sqlmigStmtLength(zTail, (int)strlen(zTail), &bOpen);
    }
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      char *zEx = sqlmigExcerpt(zTail, nStmt);
      *pzErr = zEx ? sqlite3_mprintf("%s in: %s",
                                     zWhy ? zWhy : sqlite3_errmsg(db), zEx) : 0;
      sqlite3_free(zEx);
      if( *pzErr==0 ) rc = SQLITE_NOMEM;
    }
    sqlite3_finalize(pStmt);
    zTail = zNext;
  }
  if( rc==SQLITE_OK ){
    /* A BEGIN or SAVEPOINT the script left open */
    const char *zAt = 0;
    int nAt = 0;
    const char *zWhy = sqlmigGuardEnd(&guard, &zAt, &nAt);
    if( zWhy ){
      char *zEx = sqlmigExcerpt(zAt, nAt);
      *pzErr = zEx ? sqlite3_mprintf("%s in: %s", zWhy, zEx) : 0;
      sqlite3_free(zEx);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  sqlmigGuardFree(&guard);
  return rc;
}

/* See sqlmig_int.h */
int sqlmigRunStep(sqlite3 *db, const char *zSql, int bGuard, SqlmigFk *pFk,
                  char **pzErr){
  int bLegacy = 0, rc = SQLITE_OK, rc2;
  if( pFk ){
    /* What the foreign-key check needs from before the script */
    rc = sqlmigFkBefore(pFk, db, zSql);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      rc = sqlmigErrcode(db, rc);
      *pzErr = sqlite3_mprintf("foreign key check: %s", sqlite3_errmsg(db));
      if( *pzErr==0 ) rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_OK ){
    sqlite3_db_config(db, SQLITE_DBCONFIG_LEGACY_ALTER_TABLE, -1, &bLegacy);
    if( pFk ) sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, (int*)0);
    rc = scriptRun(db, zSql, bGuard, pzErr);
    if( pFk ) sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, (int*)0);
    rc2 = sqlite3_db_config(db, SQLITE_DBCONFIG_LEGACY_ALTER_TABLE, bLegacy,
                            (int*)0);
    if( rc==SQLITE_OK ) rc = rc2;
  }
  if( rc==SQLITE_OK && pFk ) rc = sqlmigFkAfter(pFk, db, pzErr);
  return rc;
}

/*
** Runs the script of one step (sqlmigRunStep); a failure's message names
** the revision and the direction.
*/
static int stepRun(sqlite3 *db, MigStep *pStep, SqlmigFk *pFk,
                   char **pzErr){
  /* An up script matched its checksum, so it is the text the guard passed
  ** at INSERT; a down script has no checksum and is checked again. */
  int rc = sqlmigRunStep(db, pStep->zSql, !pStep->bUp, pFk, pzErr);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzErr ){
    char *zLabel = sqlmigRevLabel(pStep->zName);
    char zV[SQLMIG_VERSION_BUF];
    char *zMsg = zLabel ? sqlite3_mprintf("%s script of revision %s%s "
        "failed: %s", pStep->bUp ? "up" : "down",
        sqlmigVersionShow(db, pStep->iVersion, zV), zLabel, *pzErr) : 0;
    sqlite3_free(zLabel);
    sqlite3_free(*pzErr);
    *pzErr = zMsg;
    if( zMsg==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/*
** Records the plan's effect in the store, in at most three statements:
** reverted revisions that were deleted go, those reverted by a target
** become pending, the applied ones get their time.
*/
static int planRecord(sqlite3 *db, MigPlan *pPlan, MigRequest *pReq){
  sqlite3_str *pSql = sqlite3_str_new(db);
  char *zSql;
  int bForget = 0, bPend = 0, bUp = 0, i, rc;
  sqlite3_int64 iLastUp = 0;
  for(i=0; i<pPlan->nStep; i++){
    MigStep *pStep = &pPlan->aStep[i];
    if( pStep->bUp ){ iLastUp = pStep->iVersion; bUp = 1; }
    else if( pStep->bForget ) bForget = 1;
    else bPend = 1;
  }
  if( bForget ){
    /* migrate_down() reverts only revisions above its target */
    sqlite3_str_appendf(pSql, "DELETE FROM main." SQLMIG_STORE " WHERE "
        "deleted_at IS NOT NULL AND version>%lld;",
        pReq->nDown ? pReq->iTarget : -1);
  }
  if( bPend ){
    sqlite3_str_appendf(pSql, "UPDATE main." SQLMIG_STORE " SET applied_at="
        "NULL WHERE applied_at IS NOT NULL AND version>%lld;", pReq->iTarget);
  }
  if( bUp ){
    sqlite3_str_appendf(pSql, "UPDATE main." SQLMIG_STORE " SET applied_at="
        "%s WHERE applied_at IS NULL AND version<=%lld;", pReq->zNow,
        iLastUp);
  }
  rc = (bForget || bPend) ? sqlmigTableExists(db, SQLMIG_BASELINE) : 0;
  if( rc==1 ){
    /* A reverted revision is no longer baselined */
    sqlite3_str_appendf(pSql, "DELETE FROM main." SQLMIG_BASELINE " WHERE "
        "version NOT IN (SELECT version FROM main." SQLMIG_STORE " WHERE "
        "applied_at IS NOT NULL);");
  }else if( rc<0 ){
    sqlite3_free(sqlite3_str_finish(pSql));
    return -rc;
  }
  rc = sqlite3_str_errcode(pSql);
  zSql = sqlite3_str_finish(pSql);    /* NULL also when nothing to record */
  if( rc==SQLITE_OK && zSql ) rc = execSql(db, zSql);
  sqlite3_free(zSql);
  return rc;
}

/*
** Sets *pbRecord when there is nothing to run but the schema was never
** recorded (a database migrated before migrate_drift existed): migrate()
** then records it, once. A read-only database (or connection, PRAGMA
** query_only) is left as it is.
*/
static int recordMissing(sqlite3 *db, int *pbRecord){
  int rc;
  *pbRecord = 0;
  if( sqlite3_db_readonly(db, "main")!=0 ) return SQLITE_OK;  /* cannot */
  rc = sqlmigStoreExists(db);
  if( rc==1 ) rc = sqlmigTableExists(db, SQLMIG_SCHEMA);
  else if( rc==0 ) rc = 1;               /* no store: nothing to record */
  if( rc<0 ) return -rc;
  if( rc==1 ) return SQLITE_OK;          /* there is one */
  {
    /* Missing: record it, unless the connection may not write */
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(db, "PRAGMA query_only", -1, &pStmt, 0);
    if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      *pbRecord = sqlite3_column_int(pStmt, 0)==0;
    }
    rc = sqlite3_finalize(pStmt);
  }
  return rc;
}

/*
** 1 when main cannot be written on this connection: a read-only file or
** mode=ro (sqlite3_db_readonly) or PRAGMA query_only. 0 otherwise, also
** when that cannot be read (the write then says why).
*/
static int mainReadOnly(sqlite3 *db){
  sqlite3_stmt *pStmt = 0;
  int bQueryOnly = 0;
  if( sqlite3_db_readonly(db, "main")==1 ) return 1;
  if( sqlite3_prepare_v2(db, "PRAGMA query_only", -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    bQueryOnly = sqlite3_column_int(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  return bQueryOnly;
}

/*
** The failure of a migrate() with work to do on a read-only database (a
** replica): SQLITE_READONLY, or the extended code the write failed with.
*/
static int readOnlyError(int rc, int nStep, char **pzErr){
  sqlite3_free(*pzErr);
  *pzErr = sqlite3_mprintf("the database is read-only and %d revision%s "
      "would change here: migrations run on the primary (or open the "
      "database read-write)", nStep, nStep==1 ? "" : "s");
  return *pzErr ? rc : SQLITE_NOMEM;
}

/*
** PRAGMA data_version: changes when another connection commits. Returns
** -1 when it cannot be read (the caller then reads the plan again).
*/
static sqlite3_int64 dataVersion(sqlite3 *db){
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iVersion = -1;
  if( sqlite3_prepare_v2(db, "PRAGMA main.data_version", -1, &pStmt, 0)==0
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    iVersion = sqlite3_column_int64(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  return iVersion;
}

/*
** Sets *pzErr to "<zFunc>: <zWhat> must be <zMust>, got <the value>", the
** value shown by type when it is not a number or text (never its bytes).
** Returns SQLITE_ERROR (SQLITE_NOMEM when the message cannot be made).
*/
static int argError(const char *zFunc, const char *zWhat, const char *zMust,
                    sqlite3_value *pArg, char **pzErr){
  char *zGot = sqlmigValueShown(pArg);
  *pzErr = zGot ? sqlite3_mprintf("%s: %s must be %s, got %s", zFunc, zWhat,
                                  zMust, zGot) : 0;
  sqlite3_free(zGot);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** Reads the argument of migrate(N) / migrate_plan(N) / migrate_down(k)
** into pReq. Returns SQLITE_OK, or SQLITE_ERROR with *pzErr set (with the
** function-name prefix), or SQLITE_NOMEM.
*/
static int requestRead(sqlite3 *db, MigRequest *pReq, int argc,
                       sqlite3_value **argv, int bDown, char **pzErr){
  sqlite3_int64 iArg = 1;
  /* before sqlite3_value_numeric_type() converts it */
  int bText = argc>0 && sqlite3_value_type(argv[0])==SQLITE_TEXT;
  if( argc>0 && !bDown ){
    /* A version of 19 digits or more, as text: its key in the store */
    sqlite3_int64 iKey, iPrev;
    int rc = sqlmigVersionFind(db, argv[0], &iKey, &iPrev);
    if( rc==SQLITE_OK ){
      pReq->bTarget = 1;
      pReq->iTarget = iKey;
      if( iKey>=0 ) return SQLITE_OK;
      *pzErr = sqlite3_mprintf("%s: target version %s is not registered (use "
          "0 or a version in %s)", pReq->zFunc,
          (const char*)sqlite3_value_text(argv[0]), tableName(db));
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if( rc!=SQLITE_DONE ) return rc;
  }
  if( argc>0 ){
    if( sqlite3_value_numeric_type(argv[0])!=SQLITE_INTEGER ){
      return argError(pReq->zFunc, bDown ? "the number of revisions"
                      : "target version", "an integer", argv[0], pzErr);
    }
    iArg = sqlite3_value_int64(argv[0]);
  }
  if( bDown ){
    if( iArg<1 || iArg>0x7fffffff ){
      *pzErr = sqlite3_mprintf("%s: the number of revisions to revert must "
          "be a positive integer, got %lld", pReq->zFunc, iArg);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    pReq->nDown = (int)iArg;
  }else if( argc>0 ){
    if( iArg<0 ){
      *pzErr = sqlite3_mprintf("%s: target version %lld is negative (0 "
          "reverts every revision, migrate_down() the newest one)",
          pReq->zFunc, iArg);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    pReq->bTarget = 1;
    /* 0 reverts everything; the text '0' names revision 0 (golang-migrate
    ** and sqlx number from 0) */
    pReq->iTarget = iArg==0 && !bText ? -1 : iArg;
  }
  return SQLITE_OK;
}

/*
** After the steps ran: each one recorded in the history, then the schema
** left behind, for migrate_drift(). SQLITE_OK, or an error with *pzErr set
** (NULL for SQLITE_NOMEM).
*/
static int runRecord(sqlite3 *db, MigPlan *pPlan, MigRequest *pReq,
                     char **pzErr){
  int rc;
  if( (rc = planRecord(db, pPlan, pReq))!=SQLITE_OK
   && rc!=SQLITE_NOMEM && pPlan->nStep>0 ){
    /* After the last script (dqlite: its spilled pages, SQLITE_IOERR):
    ** name the revision whose step ran last */
    MigStep *pLast = &pPlan->aStep[pPlan->nStep-1];
    char *zLabel = sqlmigRevLabel(pLast->zName);
    rc = sqlmigErrcode(db, rc);
    *pzErr = zLabel ? sqlite3_mprintf("revision %lld%s: cannot record it in "
        SQLMIG_STORE " after its %s script ran: %s", pLast->iVersion, zLabel,
        pLast->bUp ? "up" : "down", sqlite3_errmsg(db)) : 0;
    sqlite3_free(zLabel);
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    /* The schema left behind, for migrate_drift() */
    rc = sqlmigSchemaRecord(db);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      rc = sqlmigErrcode(db, rc);
      *pzErr = sqlite3_mprintf("cannot record the schema: %s",
                             sqlite3_errmsg(db));
    }
  }
  return rc;
}

/*
** migrate(), migrate(N), and migrate_down([k]) when bDown. Returns the
** version the database is at afterwards, NULL when no revision is applied.
*/
static void migrateRun(sqlite3_context *ctx, int argc, sqlite3_value **argv,
                       int bDown){
  SqlmigConn *pConn = (SqlmigConn*)sqlite3_user_data(ctx);
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  MigRequest req;
  MigPlan plan;
  SqlmigFk *pFk = 0;
  char *zErr = 0;
  char zAfter[SQLMIG_VERSION_BUF];
  char *zResult = 0;       /* a long result, made before the commit */
  int bOwnTxn, bFkOn = 0, bRecord = 0, i;
  sqlite3_int64 iDataVersion = -1;
  int rc;

  memset(&plan, 0, sizeof(plan));
  memset(&req, 0, sizeof(req));
  req.zFunc = bDown ? "migrate_down" : "migrate";
  req.zNow = sqlmigNow(pConn);
  req.pConn = pConn;
  if( pConn->bMigrating ){
    sqlite3_result_error(ctx, "migrate: already running on this connection "
                              "(a script cannot call migrate())", -1);
    return;
  }
  rc = requestRead(db, &req, argc, argv, bDown, &zErr);
  if( rc ){
    if( zErr ) sqlite3_result_error(ctx, zErr, -1);
    else sqlite3_result_error_nomem(ctx);
    sqlite3_free(zErr);
    return;
  }
  rc = callerCheck(db, &zErr);
  bOwnTxn = sqlite3_get_autocommit(db);
  if( rc==SQLITE_OK && bOwnTxn ) iDataVersion = dataVersion(db);
  if( rc==SQLITE_OK ) rc = planBuild(db, &req, &plan, &zErr);
  if( rc==SQLITE_OK && plan.nStep==0 ) rc = recordMissing(db, &bRecord);
  if( rc!=SQLITE_OK || (plan.nStep==0 && !bRecord) ) goto done;

  /* Work to do: take the write lock. The plan stands unless another
  ** connection committed since it was read. */
  if( plan.nStep>0 && mainReadOnly(db) ){
    rc = readOnlyError(SQLITE_READONLY, plan.nStep, &zErr);
    goto done;
  }
  rc = execSql(db, bOwnTxn ? "BEGIN IMMEDIATE" : "SAVEPOINT sqlmig_migrate");
  if( (rc & 0xff)==SQLITE_READONLY && plan.nStep>0 ){
    /* Read-only below SQLite (a LiteFS replica, a read-only mount) */
    rc = readOnlyError(sqlite3_extended_errcode(db), plan.nStep, &zErr);
    goto done;
  }
  if( rc!=SQLITE_OK ){
    zErr = sqlite3_mprintf("cannot start a transaction: %s",
                           sqlite3_errmsg(db));
    goto done;
  }
  if( bOwnTxn && (iDataVersion<0 || dataVersion(db)!=iDataVersion) ){
    planFree(&plan);
    rc = planBuild(db, &req, &plan, &zErr);
  }
  if( rc==SQLITE_OK && (rc = sqlmigOwnerDrop(db))!=SQLITE_OK ){
    /* A database of an earlier sqlmig loses its `sqlmig` table (owner.c) */
    rc = sqlmigErrcode(db, rc);
    zErr = sqlite3_mprintf("cannot drop table sqlmig (the owner of "
                           "the history): %s", sqlite3_errmsg(db));
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bFkOn);
  if( rc==SQLITE_OK && bFkOn && (pFk = sqlmigFkNew())==0 ) rc = SQLITE_NOMEM;
  pConn->bMigrating = 1;
  for(i=0; rc==SQLITE_OK && i<plan.nStep; i++){
    rc = stepRun(db, &plan.aStep[i], pFk, &zErr);
  }
  pConn->bMigrating = 0;
  sqlmigFkFree(pFk);
  if( rc==SQLITE_OK ) rc = runRecord(db, &plan, &req, &zErr);
  if( rc==SQLITE_OK && plan.bAfter ){
    /* The result's text, before anything is committed */
    rc = sqlmigVersionText(db, plan.iAfter, zAfter);
    if( rc==SQLITE_OK && plan.iAfter>=SQLMIG_LONG_MIN
     && (zResult = sqlite3_mprintf("%s", zAfter))==0 ){
      rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_OK ){
    rc = execSql(db, bOwnTxn ? "COMMIT" : "RELEASE sqlmig_migrate");
    if( rc!=SQLITE_OK && zErr==0 ){
      zErr = sqlite3_mprintf("cannot commit: %s", sqlite3_errmsg(db));
    }
  }
  if( rc!=SQLITE_OK ){
    if( bOwnTxn ){
      execSql(db, "ROLLBACK");
    }else{
      execSql(db, "ROLLBACK TO sqlmig_migrate");
      execSql(db, "RELEASE sqlmig_migrate");
    }
  }

done:
  if( rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else if( rc!=SQLITE_OK ){
    char *zMsg = sqlite3_mprintf("%s: %s", req.zFunc,
                                 zErr ? zErr : sqlite3_errstr(rc));
    if( zMsg ){
      sqlite3_result_error(ctx, zMsg, -1);
      if( rc!=SQLITE_ERROR ) sqlite3_result_error_code(ctx, rc);
    }else{
      sqlite3_result_error_nomem(ctx);
    }
    sqlite3_free(zMsg);
  }else if( zResult ){
    /* handed over: no allocation after the commit */
    sqlite3_result_text(ctx, zResult, -1, sqlite3_free);
    zResult = 0;
  }else if( plan.bAfter ){
    sqlmigVersionResult(ctx, db, plan.iAfter);
  }
  sqlite3_free(zResult);
  sqlite3_free(zErr);
  planFree(&plan);
}

static void migrateFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  migrateRun(ctx, argc, argv, 0);
}

static void downFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  migrateRun(ctx, argc, argv, 1);
}

/* ------------------------------------------------------- migrate_plan --- */

/*
** migrate_plan([N]): a table-valued function (tvf.c) listing the steps of
** migrate([N]) without running them: (step, version, name, direction, sql).
** Its state is the MigPlan.
*/
static int planFilter(SqlmigConn *pConn, void *pState, int argc,
                      sqlite3_value **argv, int *pnRow, char **pzErr){
  sqlite3 *db = pConn->db;
  MigPlan *pPlan = (MigPlan*)pState;
  MigRequest req;
  char *zErr = 0;
  int rc;
  memset(&req, 0, sizeof(req));
  req.zFunc = "migrate_plan";
  rc = requestRead(pConn->db, &req, argc, argv, 0, pzErr);
  if( rc ) return rc;
  rc = planBuild(db, &req, pPlan, &zErr);
  if( rc==SQLITE_ERROR ){
    *pzErr = sqlite3_mprintf("migrate_plan: %s", zErr);
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_free(zErr);
  *pnRow = pPlan->nStep;
  return rc;
}

static void planColumn(void *pState, int iRow, int iCol,
                       sqlite3_context *ctx){
  MigStep *pStep = &((MigPlan*)pState)->aStep[iRow];
  switch( iCol ){
    case 0:
      sqlite3_result_int(ctx, iRow+1);
      break;
    case 1:
      sqlmigVersionResult(ctx, sqlite3_context_db_handle(ctx),
                          pStep->iVersion);
      break;
    case 2:
      if( pStep->zName ){
        sqlite3_result_text(ctx, pStep->zName, -1, SQLITE_TRANSIENT);
      }
      break;
    case 3:
      sqlite3_result_text(ctx, pStep->bUp ? "up" : "down", -1, SQLITE_STATIC);
      break;
    default:
      sqlite3_result_text(ctx, pStep->zSql, -1, SQLITE_TRANSIENT);
      break;
  }
}

static void planStateFree(void *pState){
  planFree((MigPlan*)pState);
}

static const SqlmigTvf planTvf = {
  "migrate_plan",
  "CREATE TABLE x(step INTEGER, version INTEGER, name TEXT, direction TEXT,"
  " sql TEXT, target HIDDEN)",
  5, 1, 0, "takes at most one argument, the target version",
  sizeof(MigPlan), planFilter, planColumn, planStateFree
};

int sqlmigMigrateRegister(sqlite3 *db, SqlmigConn *pConn){
  int i;
  int rc = sqlite3_create_function_v2(db, "migrate", 0,
      SQLITE_UTF8|SQLITE_DIRECTONLY, sqlmigConnRef(pConn), migrateFunc, 0, 0,
      sqlmigConnUnref);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, "migrate", 1,
        SQLITE_UTF8|SQLITE_DIRECTONLY, sqlmigConnRef(pConn), migrateFunc,
        0, 0, sqlmigConnUnref);
  }
  for(i=0; rc==SQLITE_OK && i<2; i++){
    rc = sqlite3_create_function_v2(db, "migrate_down", i,
        SQLITE_UTF8|SQLITE_DIRECTONLY, sqlmigConnRef(pConn), downFunc,
        0, 0, sqlmigConnUnref);
  }
  if( rc==SQLITE_OK ) rc = sqlmigTvfRegister(db, &planTvf, pConn);
  return rc;
}
