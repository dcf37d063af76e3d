/*
** Error codes reach the caller as SQLite gave them: an app that retries on
** SQLITE_BUSY must see SQLITE_BUSY from sqlmig's functions and table too,
** not a plain SQLITE_ERROR.
**
**   make build/ctest_errcode && LIB=./libsqlmig.so ./build/ctest_errcode
**
** A second connection holds a database with BEGIN EXCLUSIVE (and a write,
** so that even readers are locked out in rollback-journal mode); the first
** connection, with no busy timeout, calls migrate_copy, migrate_diff,
** migrate_changes, INSERT INTO migrations, DELETE FROM migrations,
** migrate() and migrate_plan() against it, then every other function and
** table the README lists: each fails with SQLITE_BUSY, its message naming
** the lock, and succeeds once the lock is gone. migrate_check() refusing to
** run after the caller's own write is SQLITE_ERROR, not SQLITE_BUSY.
*/
#include "ctest.h"

/* Runs zSql on db; checks its code is rcWant (primary) and, when rcWant
** is SQLITE_OK, that it worked. */
static void expectCode(sqlite3 *db, const char *zName, const char *zSql,
                       int rcWant){
  char *zRes = 0;
  char zWhy[400];
  int rc, rcExt;
  if( sqlOmitted(zSql) ){
    skipOmitted(zName, sqlOmitted(zSql));
    return;
  }
  rc = run(db, zSql, &zRes);
  rcExt = sqlite3_extended_errcode(db);
  snprintf(zWhy, sizeof(zWhy), "got %d (%s, extended %d): %s", rc,
           sqlite3_errstr(rc), rcExt, zRes ? zRes : "");
  check(zName, rc==rcWant && (rc==SQLITE_OK || (rcExt & 0xff)==rcWant),
        zWhy);
  sqlite3_free(zRes);
}

int main(void){
  char *zMain = tempDbName("ctest_errcode", "main");
  char *zOld = tempDbName("ctest_errcode", "old");
  sqlite3 *db = 0, *dbLock = 0;
  char *zRes = 0, *zSql = 0;
  removeDb(zMain);
  removeDb(zOld);
  db = openDb(zMain);
  dbLock = openDb(zOld);
  if( db==0 || dbLock==0 ){
    check("errcode: open", 0, "cannot open the databases");
    goto done;
  }
  zSql = sqlite3_mprintf("ATTACH %Q AS old;"
      "CREATE TABLE old.t(a INTEGER PRIMARY KEY, b);"
      "INSERT INTO old.t VALUES (1, 'x');"
      "CREATE TABLE main.t(a INTEGER PRIMARY KEY, b, c);"
      "INSERT INTO migrations(version, up, down) VALUES (1, 'CREATE TABLE u(x)', 'DROP TABLE u');"
      "CREATE TABLE bundle(name TEXT, text TEXT);"
      "INSERT INTO bundle VALUES ('3_w.sql', 'CREATE TABLE w(x);');",
      zOld);
  if( run(db, zSql, &zRes)!=SQLITE_OK ){
    check("errcode: set-up", 0, zRes);
    goto done;
  }
  sqlite3_free(zRes);
  zRes = 0;

  /* The attached database is locked by another connection */
  if( run(dbLock, "BEGIN EXCLUSIVE; INSERT INTO t VALUES (2, 'y');",
          &zRes)!=SQLITE_OK ){
    check("errcode: lock old", 0, zRes);
    goto done;
  }
  sqlite3_free(zRes);
  zRes = 0;
  expectCode(db, "errcode: SELECT from a locked schema is SQLITE_BUSY",
             "SELECT count(*) FROM old.t", SQLITE_BUSY);
  expectCode(db, "errcode: migrate_copy from a locked schema is SQLITE_BUSY",
             "SELECT migrate_copy('old', 'main')", SQLITE_BUSY);
  expectCode(db, "errcode: migrate_diff of a locked schema is SQLITE_BUSY",
             "SELECT migrate_diff('old', 'main')", SQLITE_BUSY);
  expectCode(db, "errcode: migrate_changes of a locked schema is SQLITE_BUSY",
             "SELECT count(*) FROM migrate_changes('main', 'old')",
             SQLITE_BUSY);
  expectCode(db, "errcode: migrate_copy_report of a locked schema is "
             "SQLITE_BUSY", "SELECT count(*) FROM migrate_copy_report('old',"
             " 'main')", SQLITE_BUSY);
  run(dbLock, "COMMIT", &zRes);
  sqlite3_free(zRes);
  zRes = 0;
  expectCode(db, "errcode: migrate_copy works once the lock is gone",
             "SELECT migrate_copy('old', 'main')", SQLITE_OK);

  /* main is locked by another connection */
  sqlite3_close(dbLock);
  dbLock = openDb(zMain);
  if( dbLock==0 || run(dbLock, "BEGIN EXCLUSIVE; INSERT INTO t VALUES (9, 9, 9);",
                       &zRes)!=SQLITE_OK ){
    check("errcode: lock main", 0, zRes);
    goto done;
  }
  sqlite3_free(zRes);
  zRes = 0;
  expectCode(db, "errcode: INSERT INTO migrations on a locked database is "
             "SQLITE_BUSY", "INSERT INTO migrations(version, up) VALUES (2,"
             " 'CREATE TABLE v(x)')", SQLITE_BUSY);
  expectCode(db, "errcode: DELETE FROM migrations on a locked database is "
             "SQLITE_BUSY", "DELETE FROM migrations WHERE version = 1",
             SQLITE_BUSY);
  expectCode(db, "errcode: migrate() on a locked database is SQLITE_BUSY",
             "SELECT migrate()", SQLITE_BUSY);
  expectCode(db, "errcode: migrate_plan() on a locked database is "
             "SQLITE_BUSY", "SELECT count(*) FROM migrate_plan()",
             SQLITE_BUSY);
  {
    /* every other function and table the README lists */
    static const char *const azBusy[] = {
      "SELECT migrate(1)",
      "SELECT migrate_down()",
      "UPDATE migrations SET name = 'x' WHERE version = 1",
      "SELECT count(*) FROM migrations",
      "SELECT count(*) FROM migrate_status()",
      "SELECT migrate_baseline()",
      "SELECT count(*) FROM migrate_check()",
      "SELECT count(*) FROM migrate_drift()",
      "SELECT count(*) FROM migration_files(NULL, 'bundle')",
      "SELECT migrate_data_diff('main', 'old', 't')",
      "SELECT migrate_diff('main', 'old')",
    };
    size_t i;
    for(i=0; i<sizeof(azBusy)/sizeof(azBusy[0]); i++){
      char *zName = sqlite3_mprintf("errcode: %s on a locked database is "
                                    "SQLITE_BUSY", azBusy[i]);
      expectCode(db, zName, azBusy[i], SQLITE_BUSY);
      sqlite3_free(zName);
    }
  }
  run(dbLock, "COMMIT", &zRes);
  sqlite3_free(zRes);
  zRes = 0;
  expectCode(db, "errcode: INSERT INTO migrations works once the lock is "
             "gone", "INSERT INTO migrations(version, up) VALUES (2,"
             " 'CREATE TABLE v(x)')", SQLITE_OK);
  expectCode(db, "errcode: migrate() works once the lock is gone",
             "SELECT migrate()", SQLITE_OK);
  /* a refusal is not a lock: migrate_check after the caller's own write
  ** is SQLITE_ERROR at once, never a SQLITE_BUSY an app would retry */
  if( !sqlOmitted("migrate_check") ){
    expectCode(db, "errcode: migrate_check() after a write of the caller's "
               "transaction is SQLITE_ERROR, not SQLITE_BUSY",
               "BEGIN; INSERT INTO t VALUES (20, 1, 1);"
               " SELECT count(*) FROM migrate_check()", SQLITE_ERROR);
    expectCode(db, "errcode: the caller's transaction is still open",
               "SELECT count(*) FROM t WHERE a = 20; ROLLBACK", SQLITE_OK);
  }

done:
  sqlite3_free(zRes);
  sqlite3_free(zSql);
  sqlite3_close(db);
  sqlite3_close(dbLock);
  removeDb(zMain);
  removeDb(zOld);
  sqlite3_free(zMain);
  sqlite3_free(zOld);
  return nFailed ? 1 : 0;
}
