/*
** C test: a read-only replica (mode=ro, PRAGMA query_only, a file that is
** read-only on disk).
**
**   make build/ctest_readonly && LIB=./libsqlmig.so ./build/ctest_readonly
**
** A primary migrates a database; each replica then opens it read-only in
** one of the ways below and
**   - runs migrate() / the execute form with nothing pending: success, the
**     version, and the file's bytes unchanged (no journal left);
**   - with something pending (a revision the primary registered but did not
**     apply, or one it deleted): SQLITE_READONLY reaches the caller, with
**     the message saying the database is read-only and that migrations run
**     on the primary; nothing changed;
**   - an INSERT into migrations fails with SQLITE_READONLY before sqlmig
**     runs (SQLite opens a write transaction for every INSERT): the README
**     says so, and this checks it stays true.
** "Read-only on disk": as root chmod does not stop writes, so a VFS that
** opens the main database read-only does what SQLite's unix VFS does when
** opening it read-write fails (EACCES); when not root, chmod 0444 too.
**
** Loads the extension from env LIB (default ./libsqlmig.so). Prints one
** `ok - ...` / `not ok - ...: why` line per check; exits 1 when any failed.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ctest.h"

#define READONLY_MSG "the database is read-only and 1 revision would " \
  "change here: migrations run on the primary (or open the database " \
  "read-write)"

/* The VFS that opens main databases read-only (a test: statics). */
static sqlite3_vfs roVfs;
static sqlite3_vfs *pReal;

static int roOpen(sqlite3_vfs *pVfs, const char *zName, sqlite3_file *pFile,
                  int flags, int *pOutFlags){
  (void)pVfs;
  if( flags & SQLITE_OPEN_MAIN_DB ){
    flags &= ~(SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_READONLY;
  }
  return pReal->xOpen(pReal, zName, pFile, flags, pOutFlags);
}

/* The whole file as a malloc'd buffer (*pn bytes), NULL when unreadable. */
static char *fileBytes(const char *zPath, long *pn){
  FILE *f = fopen(zPath, "rb");
  char *a = 0;
  long n;
  if( f==0 ) return 0;
  if( fseek(f, 0, SEEK_END)==0 && (n = ftell(f))>=0 && fseek(f, 0, SEEK_SET)==0
   && (a = malloc((size_t)n+1))!=0 && fread(a, 1, (size_t)n, f)==(size_t)n ){
    *pn = n;
  }else{
    free(a);
    a = 0;
  }
  fclose(f);
  return a;
}

/* 1 when file <zPath>-journal exists. */
static int journalExists(const char *zPath){
  char *z = sqlite3_mprintf("%s-journal", zPath);
  int b = z && access(z, F_OK)==0;
  sqlite3_free(z);
  return b;
}

/* Runs zSql on db; the code, with the message in zMsg (nMsg bytes). */
static int runMsg(sqlite3 *db, const char *zSql, char *zMsg, int nMsg){
  char *zRes = 0;
  int rc;
  sqlite3_extended_result_codes(db, 1);
  rc = run(db, zSql, &zRes);
  sqlite3_snprintf(nMsg, zMsg, "%s", zRes ? zRes : "");
  sqlite3_free(zRes);
  return rc;
}

/* Opens the replica: 0 mode=ro, 1 query_only, 2 the read-only VFS, 3 chmod. */
static sqlite3 *openReplica(const char *zPath, int eHow){
  sqlite3 *db;
  if( eHow==0 ){
    char *zUri = sqlite3_mprintf("file:%s?mode=ro", zPath);
    sqlite3 *p = 0;
    char *zErr = 0;
    int rc = sqlite3_open_v2(zUri, &p, SQLITE_OPEN_READONLY|SQLITE_OPEN_URI, 0);
    sqlite3_free(zUri);
    if( rc==SQLITE_OK ) rc = sqlite3_enable_load_extension(p, 1);
    if( rc==SQLITE_OK ){
      rc = sqlite3_load_extension(p, libPath(), "sqlite3_sqlmig_init", &zErr);
    }
    sqlite3_free(zErr);
    if( rc!=SQLITE_OK ){ sqlite3_close(p); return 0; }
    return p;
  }
  if( eHow==3 ) chmod(zPath, 0444);
  db = openDbVfs(zPath, eHow==2 ? "readonly" : 0);
  if( db && eHow==1 ) sqlite3_exec(db, "PRAGMA query_only=1", 0, 0, 0);
  return db;
}

static const char *azHow[] = {
  "mode=ro", "PRAGMA query_only", "a file opened read-only (VFS)",
  "a file read-only on disk (chmod 0444)"
};

/* One replica kind: the checks above. */
static void replicaCheck(int eHow){
  char *zPath = tempDbName("ctest_readonly", "db");
  char *zName, zMsg[400];
  const char *zHow = azHow[eHow];
  sqlite3 *db;
  char *aBefore, *aAfter;
  long nBefore = 0, nAfter = 0;
  int rc;

  removeDb(zPath);
  db = openDb(zPath);
  rc = db ? runMsg(db, "INSERT INTO migrations(version, name, up, down) "
      "VALUES (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY)', "
      "'DROP TABLE users'), (2, 'notes', 'CREATE TABLE notes(x)', "
      "'DROP TABLE notes'); SELECT migrate();", zMsg, sizeof(zMsg))
    : SQLITE_CANTOPEN;
  sqlite3_close(db);
  aBefore = fileBytes(zPath, &nBefore);
  zName = sqlite3_mprintf("%s: the primary migrated", zHow);
  check(zName, rc==SQLITE_OK && aBefore!=0, zMsg);
  sqlite3_free(zName);

  /* Nothing pending */
  db = openReplica(zPath, eHow);
  rc = db ? runMsg(db, "SELECT migrate()", zMsg, sizeof(zMsg)) : SQLITE_CANTOPEN;
  zName = sqlite3_mprintf("%s: migrate() with nothing pending", zHow);
  check(zName, rc==SQLITE_OK && strcmp(zMsg, "2")==0, zMsg);
  sqlite3_free(zName);
  rc = db ? runMsg(db, "SELECT 1 WHERE migrate() < 0; "
      "SELECT 1 WHERE migrate(2) < 0; SELECT count(*) FROM migrations",
      zMsg, sizeof(zMsg)) : SQLITE_CANTOPEN;
  zName = sqlite3_mprintf("%s: the execute form with nothing pending", zHow);
  check(zName, rc==SQLITE_OK && strcmp(zMsg, "2")==0, zMsg);
  sqlite3_free(zName);

  /* Any INSERT is refused by SQLite itself */
  rc = db ? runMsg(db, "INSERT OR IGNORE INTO migrations(version, name, up, "
      "down) VALUES (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY)',"
      " 'DROP TABLE users')", zMsg, sizeof(zMsg)) : SQLITE_CANTOPEN;
  zName = sqlite3_mprintf("%s: INSERT into migrations is SQLITE_READONLY",
                          zHow);
  check(zName, (rc & 0xff)==SQLITE_READONLY, zMsg);
  sqlite3_free(zName);
  sqlite3_close(db);
  if( eHow==3 ) chmod(zPath, 0644);

  aAfter = fileBytes(zPath, &nAfter);
  zName = sqlite3_mprintf("%s: nothing written", zHow);
  check(zName, aAfter && nAfter==nBefore && memcmp(aBefore, aAfter,
        (size_t)nBefore)==0 && !journalExists(zPath), "the file changed");
  sqlite3_free(zName);
  free(aAfter);
  free(aBefore);

  /* Something pending: the primary deleted revision 2 (migrate() would
  ** revert it), then registered a revision 3 */
  db = openDb(zPath);
  if( db ) runMsg(db, "DELETE FROM migrations WHERE version = 2", zMsg,
                  sizeof(zMsg));
  sqlite3_close(db);
  aBefore = fileBytes(zPath, &nBefore);
  db = openReplica(zPath, eHow);
  rc = db ? runMsg(db, "SELECT 1 WHERE migrate() < 0", zMsg, sizeof(zMsg))
          : SQLITE_CANTOPEN;
  zName = sqlite3_mprintf("%s: something pending is SQLITE_READONLY and says"
                          " so", zHow);
  check(zName, rc==SQLITE_READONLY
        && strcmp(zMsg, "migrate: " READONLY_MSG)==0, zMsg);
  sqlite3_free(zName);
  rc = db ? runMsg(db, "SELECT migrate_down()", zMsg, sizeof(zMsg))
          : SQLITE_CANTOPEN;
  zName = sqlite3_mprintf("%s: migrate_down() too", zHow);
  check(zName, rc==SQLITE_READONLY
        && strcmp(zMsg, "migrate_down: " READONLY_MSG)==0, zMsg);
  sqlite3_free(zName);
  rc = db ? runMsg(db, "BEGIN; SELECT migrate(); ", zMsg, sizeof(zMsg))
          : SQLITE_CANTOPEN;
  zName = sqlite3_mprintf("%s: inside the caller's transaction too", zHow);
  check(zName, rc==SQLITE_READONLY
        && strcmp(zMsg, "migrate: " READONLY_MSG)==0, zMsg);
  sqlite3_free(zName);
  if( db ) sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  sqlite3_close(db);
  if( eHow==3 ) chmod(zPath, 0644);
  aAfter = fileBytes(zPath, &nAfter);
  zName = sqlite3_mprintf("%s: nothing written when it fails", zHow);
  check(zName, aBefore && aAfter && nAfter==nBefore
        && memcmp(aBefore, aAfter, (size_t)nBefore)==0, "the file changed");
  sqlite3_free(zName);
  free(aAfter);
  free(aBefore);

  removeDb(zPath);
  sqlite3_free(zPath);
}

int main(void){
  int eHow;
  pReal = sqlite3_vfs_find(0);
  roVfs = *pReal;
  roVfs.zName = "readonly";
  roVfs.pNext = 0;
  roVfs.xOpen = roOpen;
  sqlite3_vfs_register(&roVfs, 0);
  for(eHow=0; eHow<4; eHow++){
    if( eHow==3 && geteuid()==0 ){
      printf("# %s: skipped as root (chmod does not stop root's writes; the "
             "read-only VFS stands in)\n", azHow[eHow]);
      continue;
    }
    replicaCheck(eHow);
  }
  return nFailed ? 1 : 0;
}
