/*
** C test: one statement log replayed on three databases whose clocks are
** minutes apart leaves them identical when the log sets migrate_clock().
**
**   make build/ctest_clock && LIB=./libsqlmig.so ./build/ctest_clock
**
** What statement replication (rqlite) does: every node runs the same
** statements at its own moment. SQLite's 'now' comes from the VFS
** (xCurrentTimeInt64), so each database is opened through a VFS that wraps
** the default one with its clock shifted by 0, 7 and 14 minutes: no sleep.
** After every statement of the log, every row of every table (sqlmig's
** included) of the three databases is dumped and compared. The same log
** without migrate_clock() must differ (proof that the clocks do differ);
** with it the three are equal and applied_at is the log's time.
**
** Loads the extension from env LIB (default ./libsqlmig.so). Prints one
** `ok - ...` / `not ok - ...: why` line per check; exits 1 when any failed.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctest.h"

#define NDB 3

/* The shifted VFSes and the default one they wrap (a test: statics). */
static sqlite3_vfs aShifted[NDB];
static sqlite3_vfs *pReal;
static const char *azVfs[NDB] = { "clock0", "clock7", "clock14" };

/* Minutes ahead of the real clock, for the VFS pVfs. */
static sqlite3_int64 shiftOf(sqlite3_vfs *pVfs){
  int i;
  for(i=0; i<NDB; i++){
    if( pVfs==&aShifted[i] ) return i*7;
  }
  return 0;
}

static int shiftedTimeInt64(sqlite3_vfs *pVfs, sqlite3_int64 *pNow){
  int rc = pReal->xCurrentTimeInt64(pReal, pNow);
  *pNow += shiftOf(pVfs)*60*1000;       /* milliseconds */
  return rc;
}

static int shiftedTime(sqlite3_vfs *pVfs, double *pNow){
  sqlite3_int64 i = 0;
  int rc = shiftedTimeInt64(pVfs, &i);
  *pNow = (double)i/86400000.0;
  return rc;
}

/*
** Registers the three VFSes: copies of the default one (its xOpen and the
** rest receive the copy, whose pAppData is the default's) with the clock
** replaced.
*/
static int vfsRegister(void){
  int i, rc = SQLITE_OK;
  pReal = sqlite3_vfs_find(0);
  if( pReal==0 || pReal->iVersion<2 || pReal->xCurrentTimeInt64==0 ){
    return SQLITE_ERROR;
  }
  for(i=0; rc==SQLITE_OK && i<NDB; i++){
    aShifted[i] = *pReal;
    aShifted[i].zName = azVfs[i];
    aShifted[i].pNext = 0;
    aShifted[i].xCurrentTime = shiftedTime;
    aShifted[i].xCurrentTimeInt64 = shiftedTimeInt64;
    rc = sqlite3_vfs_register(&aShifted[i], 0);
  }
  return rc;
}

/*
** Every row of every table of db, ordered, as text (sqlite3_malloc'd):
** sqlite_master first, then each table by name and rowid.
*/
static char *dumpAll(sqlite3 *db){
  sqlite3_str *pOut = sqlite3_str_new(db);
  sqlite3_stmt *pTabs = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE "
      "type='table' ORDER BY name", -1, &pTabs, 0);
  sqlite3_str_appendf(pOut, "schema:");
  {
    sqlite3_stmt *p = 0;
    if( sqlite3_prepare_v2(db, "SELECT type, name, sql FROM sqlite_master "
        "ORDER BY name", -1, &p, 0)==SQLITE_OK ){
      while( sqlite3_step(p)==SQLITE_ROW ){
        sqlite3_str_appendf(pOut, "\n %s|%s|%s", sqlite3_column_text(p, 0),
            sqlite3_column_text(p, 1), sqlite3_column_text(p, 2));
      }
    }
    sqlite3_finalize(p);
  }
  while( rc==SQLITE_OK && sqlite3_step(pTabs)==SQLITE_ROW ){
    const char *zTab = (const char*)sqlite3_column_text(pTabs, 0);
    char *zSql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", zTab);
    sqlite3_stmt *p = 0;
    sqlite3_str_appendf(pOut, "\ntable %s:", zTab);
    if( zSql && sqlite3_prepare_v2(db, zSql, -1, &p, 0)==SQLITE_OK ){
      while( sqlite3_step(p)==SQLITE_ROW ){
        int i;
        sqlite3_str_appendf(pOut, "\n ");
        for(i=0; i<sqlite3_column_count(p); i++){
          const char *z = (const char*)sqlite3_column_text(p, i);
          sqlite3_str_appendf(pOut, "%s%s", i ? "|" : "", z ? z : "NULL");
        }
      }
    }else{
      sqlite3_str_appendf(pOut, " cannot read: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(p);
    sqlite3_free(zSql);
  }
  sqlite3_finalize(pTabs);
  return sqlite3_str_finish(pOut);
}

/* The log, as a replicating engine would send it to every node. */
static const char *azLog[] = {
  "SELECT migrate_clock('2026-12-07 09:00:00')",
  "INSERT INTO migrations(version, name, up, down) VALUES "
  "(1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)', "
  "'DROP TABLE users'), "
  "(2, 'notes', 'CREATE TABLE notes(id INTEGER PRIMARY KEY, user_id INTEGER "
  "REFERENCES users ON DELETE CASCADE, at TEXT DEFAULT (datetime(''now'')))',"
  " 'DROP TABLE notes')",
  "SELECT 1 WHERE migrate() < 0",
  "SELECT migrate_clock('2026-12-07 09:10:00')",
  "INSERT INTO migrations(version, name, up, down) VALUES (3, 'seed', "
  "'INSERT INTO users VALUES (1, ''ann''); INSERT INTO notes(id, user_id, at)"
  " VALUES (1, 1, ''2026-12-07'')', 'DELETE FROM notes; DELETE FROM users')",
  "SELECT 1 WHERE migrate() < 0",
  "SELECT migrate_clock('2026-12-07 09:20:00')",
  "DELETE FROM migrations WHERE version = 3",
  "SELECT migrate_clock('2026-12-07 09:21:00')",
  "SELECT 1 WHERE migrate() < 0",
  "SELECT 1 WHERE migrate_down() < 0",
  "SELECT migrate_clock('2026-12-07 09:30:00')",
  "INSERT INTO migrations(version, name, up, down) VALUES (4, 'email', "
  "'ALTER TABLE users ADD COLUMN email TEXT', "
  "'ALTER TABLE users DROP COLUMN email')",
  "SELECT 1 WHERE migrate() < 0",
  "SELECT migrate_clock(NULL)",
};

/*
** Replays the log on NDB fresh databases (skipping migrate_clock() calls
** unless bClock). Returns 1 when after every statement all dumps were
** equal; with zWhy set to the first difference otherwise.
*/
static int replay(const char *zTag, int bClock, char **pzWhy){
  sqlite3 *aDb[NDB];
  char *azPath[NDB];
  int i, k, bSame = 1, bOpen = 1;
  *pzWhy = 0;
  for(i=0; i<NDB; i++){
    char zName[32];
    sqlite3_snprintf((int)sizeof(zName), zName, "%s%d", zTag, i);
    azPath[i] = tempDbName("ctest_clock", zName);
    removeDb(azPath[i]);
    aDb[i] = openDbVfs(azPath[i], azVfs[i]);
    if( aDb[i]==0 ) bOpen = 0;
  }
  for(k=0; bOpen && bSame && k<(int)(sizeof(azLog)/sizeof(azLog[0])); k++){
    char *azDump[NDB];
    if( !bClock && strstr(azLog[k], "migrate_clock") ) continue;
    for(i=0; i<NDB; i++){
      char *zRes = 0;
      if( run(aDb[i], azLog[k], &zRes)!=SQLITE_OK ){
        *pzWhy = sqlite3_mprintf("statement %d on db %d: %s", k, i, zRes);
        bSame = 0;
      }
      sqlite3_free(zRes);
      azDump[i] = dumpAll(aDb[i]);
    }
    for(i=1; bSame && i<NDB; i++){
      if( azDump[0]==0 || azDump[i]==0 || strcmp(azDump[0], azDump[i]) ){
        *pzWhy = sqlite3_mprintf("after statement %d (%.40s...), db 0:\n%s\n"
            "db %d:\n%s", k, azLog[k], azDump[0], i, azDump[i]);
        bSame = 0;
      }
    }
    for(i=0; i<NDB; i++) sqlite3_free(azDump[i]);
  }
  if( !bOpen ) *pzWhy = sqlite3_mprintf("cannot open the databases");
  for(i=0; i<NDB; i++){
    sqlite3_close(aDb[i]);
    removeDb(azPath[i]);
    sqlite3_free(azPath[i]);
  }
  return bOpen && bSame;
}

int main(void){
  char *zWhy = 0;
  int bSame;
  if( vfsRegister()!=SQLITE_OK ){
    check("shifted-clock VFSes registered", 0, "no usable default VFS");
    return 1;
  }
  {
    /* The VFSes do shift SQLite's 'now': minutes since the epoch */
    sqlite3_int64 aMin[2] = {0, 0};
    int i;
    for(i=0; i<2; i++){
      sqlite3 *db = 0;
      sqlite3_stmt *p = 0;
      sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE,
                      azVfs[i ? 2 : 0]);
      if( sqlite3_prepare_v2(db, "SELECT CAST(round((julianday('now') - "
          "2440587.5) * 1440) AS INTEGER)", -1, &p, 0)==SQLITE_OK
       && sqlite3_step(p)==SQLITE_ROW ){
        aMin[i] = sqlite3_column_int64(p, 0);
      }
      sqlite3_finalize(p);
      sqlite3_close(db);
    }
    check("the third VFS's clock is 14 minutes ahead of the first's",
          aMin[0]>0 && aMin[1]-aMin[0]>=13 && aMin[1]-aMin[0]<=15,
          "julianday('now') does not follow the VFS");
  }

  bSame = replay("wall", 0, &zWhy);
  check("without migrate_clock() the three histories differ",
        !bSame && zWhy && strncmp(zWhy, "after statement", 15)==0,
        zWhy ? zWhy : "they were equal: the clocks are not shifted");
  sqlite3_free(zWhy);

  bSame = replay("caller", 1, &zWhy);
  check("with migrate_clock() every row of every table is equal after every "
        "statement", bSame, zWhy);
  sqlite3_free(zWhy);
  return nFailed ? 1 : 0;
}
