/*
** sqlmig command: one command on one database.
**
** cliRunOne() opens the database on a connection of its own (the
** extension registered with sqlite3_sqlmig_init, the busy timeout set),
** runs the command as statements of the SQL contract inside one
** transaction, and leaves text, error and JSON in a CliResult for the
** report. A failure rolls that transaction back, so the file is as it
** was. The writing commands take the write lock first (BEGIN IMMEDIATE):
** a database busy with another process waits the busy timeout there and
** then fails with SQLITE_BUSY, before anything ran.
**
**   up        BEGIN IMMEDIATE; INSERT OR REPLACE INTO sqlmig_migrations
**             SELECT * FROM migration_files(dir); migrate([N]); COMMIT
**   down      migrate_down(K) or migrate(N)
**   redo      migrate_down(1); register the folder; migrate(newest)
**   baseline  register the folder; migrate_baseline([N])
**   status    migrate_status(dir)
**   plan      register the folder; migrate_plan([N]); ROLLBACK
**   check     register the folder; migrate_check([N]); ROLLBACK
**   drift     migrate_drift()
*/
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "sqlmig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The error of the last call on db, with the wait spelled out for BUSY. */
static char *dbError(const CliOpts *p, sqlite3 *db, int rc){
  if( (rc & 0xff)==SQLITE_BUSY || (sqlite3_errcode(db) & 0xff)==SQLITE_BUSY ){
    return sqlite3_mprintf("%s (waited %d s for another connection's lock; "
                           "--timeout SEC waits longer)",
                           sqlite3_errmsg(db), p->msTimeout/1000);
  }
  return sqlite3_mprintf("%s", sqlite3_errmsg(db));
}

int cliOpen(const CliOpts *p, const char *zPath, int bCreate,
            sqlite3 **pDb, char **pzErr){
  struct stat st;
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  int rc;

  *pDb = 0;
  *pzErr = 0;
  if( strcmp(zPath, ":memory:")!=0 ){
    if( stat(zPath, &st)!=0 ){
      if( errno!=ENOENT ){
        *pzErr = sqlite3_mprintf("cannot open: %s", CLI_ERRNO(errno));
        return 1;
      }
      if( !bCreate ){
        *pzErr = sqlite3_mprintf("no such database file (only up creates one)");
        return 1;
      }
    }else if( S_ISDIR(st.st_mode) ){
      *pzErr = sqlite3_mprintf("is a directory, not a database file");
      return 1;
    }else if( access(zPath, R_OK)!=0 ){
      *pzErr = sqlite3_mprintf("cannot read: %s", CLI_ERRNO(errno));
      return 1;
    }
  }
  rc = sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
                                   | (bCreate ? SQLITE_OPEN_CREATE : 0), 0);
  if( rc!=SQLITE_OK ){
    *pzErr = db ? sqlite3_mprintf("cannot open: %s", sqlite3_errmsg(db))
                : sqlite3_mprintf("out of memory");
    sqlite3_close(db);
    return 1;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, p->msTimeout);
  rc = sqlite3_sqlmig_init(db, &zErr, 0);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot register sqlmig: %s", zErr ? zErr : "");
    sqlite3_free(zErr);
    sqlite3_close(db);
    return 1;
  }
  /* Reading the schema tells a file that is not a database right away. */
  rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ) rc = SQLITE_OK;
  }
  if( rc!=SQLITE_OK ){
    if( (rc & 0xff)==SQLITE_NOTADB || (sqlite3_errcode(db) & 0xff)==SQLITE_NOTADB ){
      *pzErr = sqlite3_mprintf("not a SQLite database (file is not a database)");
    }else{
      *pzErr = dbError(p, db, rc);
    }
    sqlite3_finalize(pStmt);
    sqlite3_close(db);
    return 1;
  }
  sqlite3_finalize(pStmt);
  *pDb = db;
  return 0;
}

/* Runs zSql (no rows expected); returns the SQLite code. */
static int execSql(sqlite3 *db, const char *zSql){
  return sqlite3_exec(db, zSql, 0, 0, 0);
}

/*
** Runs zSql (sqlite3_malloc'd, freed here; NULL = out of memory) and
** stores the first column of its first row in *pOut and whether it was
** NULL in *pNull. Returns the SQLite code.
*/
static int queryInt(sqlite3 *db, char *zSql, sqlite3_int64 *pOut, int *pNull){
  sqlite3_stmt *pStmt = 0;
  int rc;
  *pOut = 0;
  if( pNull ) *pNull = 1;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ) return rc;
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    if( pNull ) *pNull = sqlite3_column_type(pStmt, 0)==SQLITE_NULL;
    *pOut = sqlite3_column_int64(pStmt, 0);
    rc = SQLITE_OK;
  }else if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK && rc==SQLITE_OK ){
    rc = sqlite3_errcode(db);
  }
  return rc;
}

/* "(N)" for a --to target, "()" without one: the argument list. */
static char *targetArgs(const CliOpts *p){
  return p->bTo ? sqlite3_mprintf("(%lld)", p->iTo) : sqlite3_mprintf("()");
}

/* Registers the folder's files (the documented idiom). */
static int registerFolder(const CliOpts *p, sqlite3 *db){
  char *zSql = sqlite3_mprintf(
      "INSERT OR REPLACE INTO sqlmig_migrations "
      "SELECT * FROM migration_files(%Q)", p->zDir);
  int rc;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = execSql(db, zSql);
  sqlite3_free(zSql);
  return rc;
}

/* The newest applied (or baselined) version, *pNull when none. */
static int currentVersion(sqlite3 *db, sqlite3_int64 *pV, int *pNull){
  return queryInt(db, sqlite3_mprintf(
      "SELECT max(version) FROM sqlmig_migrations WHERE applied_at IS NOT NULL"),
      pV, pNull);
}

/* "version N" or "no version" for messages. */
static void appendVersion(sqlite3_str *pOut, sqlite3_int64 v, int bNull){
  if( bNull ) sqlite3_str_appendf(pOut, "version 0 (none applied)");
  else sqlite3_str_appendf(pOut, "version %lld", v);
}

/*
** The writing commands: up, down, redo, baseline. Runs inside BEGIN
** IMMEDIATE; stores a message in *pzErr on a refusal of the command's
** own (rc SQLITE_ERROR with *pzErr set), the version before and after in
** *pFrom / *pTo and the number of revisions changed in *pnSteps.
*/
static int runWrite(const CliOpts *p, sqlite3 *db, sqlite3_str *pText,
                    char **pzErr, sqlite3_int64 *pFrom, int *pFromNull,
                    sqlite3_int64 *pTo, int *pToNull, sqlite3_int64 *pnSteps){
  int rc;
  char *zArgs = 0;
  sqlite3_int64 nBefore = 0, nAfter = 0;

  *pnSteps = 0;
  rc = currentVersion(db, pFrom, pFromNull);
  *pTo = *pFrom;
  *pToNull = *pFromNull;
  if( rc!=SQLITE_OK ) return rc;
  zArgs = targetArgs(p);
  if( zArgs==0 ) return SQLITE_NOMEM;

  switch( p->eCmd ){
    case CLI_UP:
      rc = registerFolder(p, db);
      if( rc==SQLITE_OK && p->bTo && !*pFromNull && p->iTo<*pFrom ){
        *pzErr = sqlite3_mprintf("--to %lld: the database is at version %lld "
                                 "(down --to %lld reverts)", p->iTo, *pFrom, p->iTo);
        rc = SQLITE_ERROR;
        break;
      }
      if( rc==SQLITE_OK ){
        rc = queryInt(db, sqlite3_mprintf("SELECT count(*) FROM migrate_plan%s", zArgs),
                      pnSteps, 0);
      }
      if( rc==SQLITE_OK ){
        rc = queryInt(db, sqlite3_mprintf("SELECT migrate%s", zArgs), pTo, pToNull);
      }
      if( rc==SQLITE_OK ){
        if( *pnSteps ){
          sqlite3_str_appendf(pText, "applied %lld revision%s, now at ", *pnSteps,
                              *pnSteps==1 ? "" : "s");
        }else{
          sqlite3_str_appendf(pText, "already current: ");
        }
        appendVersion(pText, *pTo, *pToNull);
      }
      break;

    case CLI_DOWN:
      if( p->bTo ){
        if( !*pFromNull && p->iTo>*pFrom ){
          *pzErr = sqlite3_mprintf("--to %lld: the database is at version %lld "
                                   "(up --to %lld applies)", p->iTo, *pFrom, p->iTo);
          rc = SQLITE_ERROR;
          break;
        }
        rc = queryInt(db, sqlite3_mprintf("SELECT count(*) FROM migrate_plan%s", zArgs),
                      pnSteps, 0);
        if( rc==SQLITE_OK ){
          rc = queryInt(db, sqlite3_mprintf("SELECT migrate%s", zArgs), pTo, pToNull);
        }
      }else if( *pFromNull ){
        sqlite3_str_appendf(pText, "already current: version 0 (none applied)");
        break;
      }else{
        *pnSteps = p->nSteps ? p->nSteps : 1;
        rc = queryInt(db, sqlite3_mprintf("SELECT migrate_down(%lld)", *pnSteps),
                      pTo, pToNull);
      }
      if( rc==SQLITE_OK ){
        if( *pnSteps ){
          sqlite3_str_appendf(pText, "reverted %lld revision%s, now at ", *pnSteps,
                              *pnSteps==1 ? "" : "s");
        }else{
          sqlite3_str_appendf(pText, "already current: ");
        }
        appendVersion(pText, *pTo, *pToNull);
      }
      break;

    case CLI_REDO:
      if( *pFromNull ){
        *pzErr = sqlite3_mprintf("no applied revision to redo");
        rc = SQLITE_ERROR;
        break;
      }
      rc = queryInt(db, sqlite3_mprintf("SELECT migrate_down(1)"), pTo, pToNull);
      if( rc==SQLITE_OK ) rc = registerFolder(p, db);
      if( rc==SQLITE_OK ){
        rc = queryInt(db, sqlite3_mprintf("SELECT migrate(%lld)", *pFrom), pTo, pToNull);
      }
      if( rc==SQLITE_OK ){
        *pnSteps = 1;
        sqlite3_str_appendf(pText, "reverted and applied again revision %lld", *pFrom);
      }
      break;

    case CLI_BASELINE: {
      char *zCount = 0;
      rc = registerFolder(p, db);
      if( rc==SQLITE_OK ){
        zCount = sqlite3_mprintf("SELECT count(*) FROM sqlmig_migrations "
                                 "WHERE applied_at IS NOT NULL");
        rc = zCount ? queryInt(db, sqlite3_mprintf("%s", zCount), &nBefore, 0)
                    : SQLITE_NOMEM;
      }
      if( rc==SQLITE_OK ){
        rc = queryInt(db, sqlite3_mprintf("SELECT migrate_baseline%s", zArgs),
                      pTo, pToNull);
      }
      if( rc==SQLITE_OK ) rc = queryInt(db, sqlite3_mprintf("%s", zCount), &nAfter, 0);
      sqlite3_free(zCount);
      if( rc==SQLITE_OK ){
        *pnSteps = nAfter - nBefore;
        if( *pnSteps ){
          sqlite3_str_appendf(pText, "baselined %lld revision%s, now at ", *pnSteps,
                              *pnSteps==1 ? "" : "s");
        }else{
          sqlite3_str_appendf(pText, "already current: ");
        }
        appendVersion(pText, *pTo, *pToNull);
      }
      break;
    }
  }
  sqlite3_free(zArgs);
  return rc;
}

/*
** Appends script zSql to pOut one statement to a line group: each
** statement (with the comments before it) from its first non-blank
** character to its `;`, then a newline. Statement ends are found with
** sqlite3_complete(), so trigger bodies and literals stay whole. For
** display only: migrate() runs the script as stored.
*/
static void appendStatements(sqlite3_str *pOut, const char *zSql){
  const char *zStart = zSql, *z;
  for(z=zSql; *z; z++){
    if( *z==';' ){
      char *zStmt = sqlite3_mprintf("%.*s", (int)(z - zStart + 1), zStart);
      if( zStmt==0 ) return;
      if( sqlite3_complete(zStmt) ){
        const char *zText = zStmt;
        while( *zText==' ' || *zText=='\t' || *zText=='\n' || *zText=='\r' ) zText++;
        sqlite3_str_appendf(pOut, "%s\n", zText);
        zStart = z+1;
      }
      sqlite3_free(zStmt);
    }
  }
  while( *zStart==' ' || *zStart=='\t' || *zStart=='\n' || *zStart=='\r' ) zStart++;
  if( *zStart ){
    size_t n = strlen(zStart);
    while( n>0 && (zStart[n-1]==' ' || zStart[n-1]=='\t' || zStart[n-1]=='\n'
                   || zStart[n-1]=='\r') ) n--;
    sqlite3_str_appendf(pOut, "%.*s\n", (int)n, zStart);
  }
}

/*
** The reading commands: status, plan, check, drift. Appends the text
** table to pText, the JSON array to pJson (when --json), counts the
** findings in *pnFound.
*/
static int runRead(const CliOpts *p, sqlite3 *db, sqlite3_str *pText,
                   sqlite3_str *pJson, sqlite3_int64 *pnFound){
  sqlite3_stmt *pStmt = 0;
  char *zSql = 0, *zArgs = targetArgs(p);
  int rc, nRow = 0;

  *pnFound = 0;
  if( zArgs==0 ) return SQLITE_NOMEM;
  switch( p->eCmd ){
    case CLI_STATUS:
      zSql = sqlite3_mprintf(
        "SELECT version, coalesce(name, ''), state, coalesce(applied_at, ''),"
        " detail, state IN ('pending', 'unregistered', 'reverting')"
        "        OR detail IS NOT NULL,"
        " max(length(version)) OVER (), max(length(coalesce(name, ''))) OVER (),"
        " json_object('version', version, 'name', name, 'state', state,"
        "   'applied_at', applied_at, 'path', path, 'detail', detail)"
        " FROM migrate_status(%Q)", p->zDir);
      break;
    case CLI_PLAN:
      zSql = sqlite3_mprintf(
        "SELECT step, version, coalesce(name, ''), direction, sql, 1, 0, 0,"
        " json_object('step', step, 'version', version, 'name', name,"
        "   'direction', direction, 'sql', sql)"
        " FROM migrate_plan%s", zArgs);
      break;
    case CLI_CHECK:
      zSql = sqlite3_mprintf(
        "SELECT version, coalesce(name, ''), \"check\", coalesce(detail, ''), 0,"
        " \"check\"<>'irreversible', 0, 0,"
        " json_object('version', version, 'name', name, 'check', \"check\","
        "   'detail', detail)"
        " FROM migrate_check%s", zArgs);
      break;
    case CLI_DRIFT:
      zSql = sqlite3_mprintf(
        "SELECT kind, object, change, coalesce(detail, ''), 0, 1, 0, 0,"
        " json_object('kind', kind, 'object', object, 'change', change,"
        "   'detail', detail)"
        " FROM migrate_drift()");
      break;
  }
  sqlite3_free(zArgs);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ) return rc;
  if( pJson ) sqlite3_str_appendchar(pJson, 1, '[');
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *z1 = (const char*)sqlite3_column_text(pStmt, 1);
    const char *z2 = (const char*)sqlite3_column_text(pStmt, 2);
    const char *z3 = (const char*)sqlite3_column_text(pStmt, 3);
    if( sqlite3_column_int(pStmt, 5) ) (*pnFound)++;
    if( pJson ){
      if( nRow ) sqlite3_str_appendchar(pJson, 1, ',');
      const char *zObj = (const char*)sqlite3_column_text(pStmt, 8);
      sqlite3_str_appendall(pJson, zObj ? zObj : "null");
    }
    nRow++;
    switch( p->eCmd ){
      case CLI_STATUS: {
        const char *zDetail = (const char*)sqlite3_column_text(pStmt, 4);
        int wV = sqlite3_column_int(pStmt, 6), wN = sqlite3_column_int(pStmt, 7);
        char *zLine;
        if( wV<7 ) wV = 7;
        if( wN<4 ) wN = 4;
        if( nRow==1 ){
          sqlite3_str_appendf(pText, "%-*s  %-*s  %-12s  %s\n", wV, "VERSION",
                              wN, "NAME", "STATE", "APPLIED AT");
        }
        zLine = sqlite3_mprintf("%-*lld  %-*s  %-12s  %-19s%s%s%s", wV,
                                sqlite3_column_int64(pStmt, 0), wN, z1, z2, z3,
                                zDetail ? "  (" : "", zDetail ? zDetail : "",
                                zDetail ? ")" : "");
        if( zLine ){
          size_t n = strlen(zLine);
          while( n>0 && zLine[n-1]==' ' ) n--;   /* no trailing blanks */
          sqlite3_str_append(pText, zLine, (int)n);
          sqlite3_free(zLine);
        }
        sqlite3_str_appendchar(pText, 1, '\n');
        break;
      }
      case CLI_PLAN: {
        const char *zSqlStep = (const char*)sqlite3_column_text(pStmt, 4);
        size_t n = zSqlStep ? strlen(zSqlStep) : 0;  /* 0: an empty script */
        sqlite3_str_appendf(pText, "-- step %d: %s revision %lld%s%s\n",
                            sqlite3_column_int(pStmt, 0), z3,
                            sqlite3_column_int64(pStmt, 1), z2[0] ? " " : "", z2);
        if( n ) appendStatements(pText, zSqlStep);
        break;
      }
      case CLI_CHECK:
        sqlite3_str_appendf(pText, "revision %lld%s%s: %s%s%s\n",
                            sqlite3_column_int64(pStmt, 0), z1[0] ? " " : "", z1,
                            z2, z3[0] ? ": " : "", z3);
        break;
      case CLI_DRIFT:
        sqlite3_str_appendf(pText, "%s %s: %s%s%s\n",
                            (const char*)sqlite3_column_text(pStmt, 0), z1, z2,
                            z3[0] ? ": " : "", z3);
        break;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( sqlite3_finalize(pStmt)!=SQLITE_OK && rc==SQLITE_OK ) rc = sqlite3_errcode(db);
  if( pJson ) sqlite3_str_appendchar(pJson, 1, ']');
  if( rc==SQLITE_OK && nRow==0 ){
    switch( p->eCmd ){
      case CLI_STATUS:
        sqlite3_str_appendf(pText, "no revisions (none registered, none in \"%s\")\n",
                            p->zDir);
        break;
      case CLI_PLAN:
        sqlite3_str_appendf(pText, "nothing to run\n");
        break;
      case CLI_CHECK:
        sqlite3_str_appendf(pText, "every revision's down script restores what "
                                   "its up script changed\n");
        break;
      case CLI_DRIFT:
        sqlite3_str_appendf(pText, "no drift: the schema is the one the last "
                                   "migrate() left\n");
        break;
    }
  }
  if( rc==SQLITE_OK && p->eCmd==CLI_CHECK && nRow>0 && *pnFound==0 ){
    sqlite3_str_appendf(pText, "every reversible revision's down script restores "
                               "what its up script changed\n");
  }
  return rc;
}

/*
** Replaces *pDb by an in-memory copy of its main database (SQLite's backup
** API), the extension registered, and closes the original. On error *pDb
** stays and its error message says what failed.
*/
static int copyToMemory(const CliOpts *p, sqlite3 **pDb){
  sqlite3 *mem = 0;
  sqlite3_backup *pBackup;
  char *zErr = 0;
  int rc = sqlite3_open(":memory:", &mem);
  if( rc==SQLITE_OK ) rc = sqlite3_sqlmig_init(mem, &zErr, 0);
  sqlite3_free(zErr);
  if( rc!=SQLITE_OK ){
    sqlite3_close(mem);
    return SQLITE_NOMEM;
  }
  sqlite3_busy_timeout(mem, p->msTimeout);
  pBackup = sqlite3_backup_init(mem, "main", *pDb, "main");
  if( pBackup==0 ){
    rc = sqlite3_errcode(mem);
  }else{
    sqlite3_backup_step(pBackup, -1);
    rc = sqlite3_backup_finish(pBackup);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_close(mem);
    return rc;
  }
  sqlite3_close(*pDb);
  *pDb = mem;
  return SQLITE_OK;
}

/* The revision an error message names ("revision 3 ..."), or -1. */
static sqlite3_int64 revisionNamed(const char *zErr){
  const char *z = zErr;
  while( z && (z = strstr(z, "revision "))!=0 ){
    z += 9;
    if( *z>='0' && *z<='9' ){
      sqlite3_int64 v = 0;
      while( *z>='0' && *z<='9' && v<100000000000000000LL ) v = v*10 + (*z++ - '0');
      return v;
    }
  }
  return -1;
}

/* The outcome's name in the JSON report. */
static const char *outcomeName(const CliOpts *p, int eOutcome){
  switch( eOutcome ){
    case CLI_CHANGED: return "migrated";
    case CLI_CURRENT: return "current";
    case CLI_FINDINGS:
      if( p->eCmd==CLI_CHECK ) return "broken";
      if( p->eCmd==CLI_DRIFT ) return "drifted";
      return "pending";
  }
  return "failed";
}

/*
** Builds pRes->zJson with SQLite's json functions on a scratch connection:
** {"path", "outcome", "error", "revision"} plus from/to/steps for the
** writing commands and zKey: [rows] for the reading ones.
*/
static void buildJson(const CliOpts *p, const char *zPath, CliResult *pRes,
                      int bWrite, sqlite3_int64 iFrom, int bFromNull,
                      sqlite3_int64 iTo, int bToNull, sqlite3_int64 nSteps,
                      const char *zRows){
  static const char *const azKey[] = {
    0, 0, 0, 0, "revisions", "steps", "problems", "changes", 0
  };
  sqlite3 *mem = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iRev = pRes->zErr ? revisionNamed(pRes->zErr) : -1;
  if( sqlite3_open(":memory:", &mem)==SQLITE_OK
   && sqlite3_prepare_v2(mem,
        "SELECT CASE WHEN ?5 THEN json_set(o, '$.from', ?6, '$.to', ?7, '$.steps', ?8)"
        "            WHEN ?9 IS NOT NULL THEN json_set(o, '$.' || ?10, json(?9))"
        "            ELSE o END"
        " FROM (SELECT json_object('path', ?1, 'outcome', ?2, 'error', ?3,"
        "                          'revision', ?4) AS o)", -1, &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zPath, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, outcomeName(p, pRes->eOutcome), -1, SQLITE_STATIC);
    if( pRes->zErr ) sqlite3_bind_text(pStmt, 3, pRes->zErr, -1, SQLITE_STATIC);
    if( iRev>=0 ) sqlite3_bind_int64(pStmt, 4, iRev);
    sqlite3_bind_int(pStmt, 5, bWrite);
    if( !bFromNull ) sqlite3_bind_int64(pStmt, 6, iFrom);
    if( !bToNull ) sqlite3_bind_int64(pStmt, 7, iTo);
    sqlite3_bind_int64(pStmt, 8, nSteps);
    if( zRows && pRes->eOutcome!=CLI_FAILED ){
      sqlite3_bind_text(pStmt, 9, zRows, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(pStmt, 10, azKey[p->eCmd], -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      pRes->zJson = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 0));
    }
  }
  sqlite3_finalize(pStmt);
  sqlite3_close(mem);
}

int cliRunOne(const CliOpts *p, const char *zPath, int bRollback,
              CliResult *pRes){
  sqlite3 *db = 0;
  sqlite3_str *pText = sqlite3_str_new(0);
  sqlite3_str *pJson = p->bJson ? sqlite3_str_new(0) : 0;
  sqlite3_int64 iFrom = 0, iTo = 0, nSteps = 0, nFound = 0;
  int bFromNull = 1, bToNull = 1, rc, bInTxn = 0;
  int bWrite = p->eCmd==CLI_UP || p->eCmd==CLI_DOWN || p->eCmd==CLI_REDO
            || p->eCmd==CLI_BASELINE;
  char *zJsonRows = 0;

  memset(pRes, 0, sizeof(*pRes));
  if( cliOpen(p, zPath, p->eCmd==CLI_UP, &db, &pRes->zErr) ){
    rc = SQLITE_ERROR;
    goto done;
  }
  /* One transaction: the writing commands take the write lock at once;
  ** plan and check register the folder in one that is rolled back;
  ** status and drift only read. */
  if( p->eCmd==CLI_CHECK ){
    /* migrate_check() cannot copy a database its own connection holds a
    ** write transaction on: the folder is registered in a private
    ** in-memory copy, which is then checked (and thrown away). */
    rc = copyToMemory(p, &db);
    if( rc==SQLITE_OK ) rc = registerFolder(p, db);
  }else{
    rc = execSql(db, bWrite ? "BEGIN IMMEDIATE" : "BEGIN");
    if( rc!=SQLITE_OK ) goto fail;
    bInTxn = 1;
    if( p->eCmd==CLI_PLAN ) rc = registerFolder(p, db);
  }
  if( rc==SQLITE_OK ){
    if( bWrite ){
      rc = runWrite(p, db, pText, &pRes->zErr, &iFrom, &bFromNull, &iTo, &bToNull,
                    &nSteps);
    }else{
      rc = runRead(p, db, pText, pJson, &nFound);
    }
  }
  if( rc==SQLITE_OK && !bRollback && bWrite ){
    rc = execSql(db, "COMMIT");
    if( rc==SQLITE_OK ) bInTxn = 0;
  }
  if( rc!=SQLITE_OK ) goto fail;
  if( bInTxn ) execSql(db, "ROLLBACK");
  bInTxn = 0;
  if( bWrite ){
    pRes->eOutcome = nSteps ? CLI_CHANGED : CLI_CURRENT;
  }else{
    pRes->eOutcome = nFound ? CLI_FINDINGS : CLI_CURRENT;
  }
  goto done;

fail:
  if( pRes->zErr==0 ) pRes->zErr = dbError(p, db, rc);
  if( bInTxn && !sqlite3_get_autocommit(db) ) execSql(db, "ROLLBACK");
  rc = SQLITE_ERROR;

done:
  if( rc!=SQLITE_OK ){
    pRes->eOutcome = CLI_FAILED;
    if( pRes->zErr==0 ) pRes->zErr = sqlite3_mprintf("out of memory");
  }
  sqlite3_close(db);
  if( pJson ){
    zJsonRows = sqlite3_str_finish(pJson);
    if( !bWrite ) buildJson(p, zPath, pRes, 0, 0, 1, 0, 1, 0, zJsonRows);
    else buildJson(p, zPath, pRes, 1, iFrom, bFromNull, iTo, bToNull, nSteps, 0);
    sqlite3_free(zJsonRows);
  }
  pRes->zText = sqlite3_str_finish(pText);
  return pRes->eOutcome;
}

void cliResultClear(CliResult *pRes){
  sqlite3_free(pRes->zText);
  sqlite3_free(pRes->zErr);
  sqlite3_free(pRes->zJson);
  memset(pRes, 0, sizeof(*pRes));
}
