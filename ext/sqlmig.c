/*
** sqlmig: entry point and registration.
**
**   .load ./libsqlmig
**   INSERT INTO migrations(version, name, up, down) VALUES (...);
**   SELECT migrate();
**
** sqlite3_sqlmig_init() allocates the per-connection state (SqlmigConn)
** and hands it to each part in turn; the first failure stops it. Each part
** takes a reference, released by SQLite through the destructor of the
** function or module that holds it, so the state lives exactly as long as
** the last registration on that connection. This file only registers:
** the helpers the parts share are in util.c, below them all.
*/
#include "sqlmig_int.h"

#if defined(SQLMIG_AMALGAMATION) && !defined(SQLITE_CORE) \
    && defined(__ELF__) && defined(__GNUC__)
/*
** The application's own sqlite3_mprintf, for the one message sqlmig must
** give without the extension API: the amalgamation compiled without
** -DSQLITE_CORE but linked into the app and initialised with pApi NULL.
** sqlite3ext.h turns every sqlite3_ name into a call through the API
** table, so the real function is reached under another name; weak, so a
** loadable build with no SQLite to link against still loads (and gives
** no message).
*/
extern char *sqlmigAppMprintf(const char *zFmt, ...)
    __asm__("sqlite3_mprintf") __attribute__((weak));
# define SQLMIG_APP_MPRINTF sqlmigAppMprintf
#endif

static void versionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, SQLMIG_VERSION, -1, SQLITE_STATIC);
}

static int registerVersion(sqlite3 *db, SqlmigConn *pConn){
  (void)pConn;
  return sqlite3_create_function(db, "sqlmig_version", 0,
      SQLITE_UTF8|SQLITE_DETERMINISTIC, 0, versionFunc, 0, 0);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_sqlmig_init(sqlite3 *db, char **pzErrMsg,
                        const sqlite3_api_routines *pApi){
  static int (*const aPart[])(sqlite3*, SqlmigConn*) = {
    registerVersion,
    sqlmigMigrationsRegister,
    sqlmigOwnerRegister,
    sqlmigMigrateRegister,
#ifndef SQLMIG_OMIT_DIFF
    sqlmigDiffRegister,
    sqlmigDataDiffRegister,
    sqlmigCopyRegister,
#endif
    sqlmigFilesRegister,
    sqlmigBaselineRegister,
#ifndef SQLMIG_OMIT_DIFF
    sqlmigDriftRegister,
    sqlmigCheckRegister,
#endif
    sqlmigClockRegister,
  };
  SqlmigConn *pConn;
  size_t i;
  int rc = SQLITE_OK;
#ifndef SQLITE_CORE
  if( pApi==0 ){
    /* Built as a loadable extension but called directly: every SQLite call
    ** would go through a NULL table. */
    static const char zNoApi[] = "sqlmig: called without the extension API "
        "(pApi is NULL) but compiled without -DSQLITE_CORE: compile sqlmig "
        "with -DSQLITE_CORE to link it into an application";
    if( pzErrMsg ){
      *pzErrMsg = 0;
# ifdef SQLMIG_APP_MPRINTF
      if( SQLMIG_APP_MPRINTF ) *pzErrMsg = SQLMIG_APP_MPRINTF("%s", zNoApi);
# else
      (void)zNoApi;
# endif
    }
    return SQLITE_MISUSE;
  }
#endif
  SQLITE_EXTENSION_INIT2(pApi);
  (void)pApi;

  if( sqlite3_libversion_number()<SQLMIG_MIN_SQLITE ){
    if( pzErrMsg ){
      *pzErrMsg = sqlite3_mprintf("sqlmig: needs SQLite 3.31.0 or newer, "
                                  "this is %s", sqlite3_libversion());
    }
    return SQLITE_ERROR;
  }
  pConn = sqlite3_malloc64(sizeof(*pConn));
  if( pConn==0 ){
    /* sqlite3_load_extension() reports every failure as SQLITE_ERROR: say
    ** why in the message (when even that allocation works) */
    if( pzErrMsg ) *pzErrMsg = sqlite3_mprintf("sqlmig: out of memory");
    return SQLITE_NOMEM;
  }
  memset(pConn, 0, sizeof(*pConn));
  pConn->db = db;
  pConn->nRef = 1;     /* held by this function until the end */
  pConn->xFileMemoFree = sqlmigFilesMemoFree;
  for(i=0; rc==SQLITE_OK && i<sizeof(aPart)/sizeof(aPart[0]); i++){
    rc = aPart[i](db, pConn);
  }
  if( rc!=SQLITE_OK && pzErrMsg ){
    *pzErrMsg = sqlite3_mprintf("sqlmig: cannot register: %s",
                                sqlite3_errstr(rc));
  }
  sqlmigConnUnref(pConn);
  return rc;
}
