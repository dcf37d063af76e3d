/*
** I/O errors: every I/O call of each kind fails in turn, and nothing is
** lost or half done.
**
**   make build/ctest_ioerr && LIB=./libsqlmig.so ./build/ctest_ioerr
**   IOERR_STRIDE=3 ./build/ctest_ioerr     (every third point)
**
** A test VFS of its own ("faultvfs", a shim over the default VFS in the
** style of SQLite's test_vfs.c) counts the calls of one I/O method of the
** files it opens (read, write, sync, truncate, file size, lock, and the
** open of a journal or WAL file) and fails the Nth: once (transient) or
** from then on (persistent), with the method's SQLITE_IOERR_* code, or
** SQLITE_FULL for writes, SQLITE_CANTOPEN for opens.
**
** Each scenario starts from a database file made without faults (its bytes
** kept in memory), in rollback-journal and in WAL mode. For N = 1, 2, ...
** (every IOERR_STRIDE-th N, default 1) the file is laid down again, opened
** through faultvfs, the fault armed, the scenario's statements run (the
** caller's own writes in the same transaction included), the connection
** closed; then, reopened with no fault: PRAGMA integrity_check is ok, and
** the database is exactly as before the statements or as after them (what
** a fault-free run leaves), and as after them whenever they reported
** success. A run in which the fault was never reached ends the loop.
** A failure the fault caused must keep an I/O code (SQLITE_IOERR_*,
** SQLITE_FULL, SQLITE_CANTOPEN: sqlite3_extended_errcode() is checked);
** one turned into a plain SQLITE_ERROR on the way fails the check. The
** scenarios cover every function and table the README lists (the reading
** ones must leave the database exactly as it was).
** Prints one ok / not ok line per scenario, mode and kind of fault.
*/
#include "ctest.h"

/* ---------------------------------------------------------- the VFS --- */

enum { M_READ, M_WRITE, M_SYNC, M_TRUNCATE, M_FILESIZE, M_LOCK, M_OPEN,
       M_COUNT };
static const char *const azMethod[M_COUNT] = {
  "read", "write", "sync", "truncate", "file size", "lock",
  "open of journal/WAL",
};

/* The fault (a test program: plain statics are fine). */
static struct {
  int eMethod;       /* which method's calls are counted */
  int iAt;           /* the call that fails (1-based); 0: none */
  int bPersist;      /* every later call fails too */
  int rcFail;        /* the code it fails with */
  int nCall;         /* calls counted since arming */
  int nHit;          /* calls failed */
} F;

static sqlite3_vfs *pOrig;     /* the default VFS */

typedef struct FaultFile FaultFile;
struct FaultFile {
  sqlite3_file base;
  sqlite3_file *pReal;         /* the real file, right after this struct */
};
#define REAL(p) (((FaultFile*)(p))->pReal)

/* 1 when this call of method e must fail. */
static int faultNow(int e){
  if( F.iAt==0 || F.eMethod!=e ) return 0;
  F.nCall++;
  if( F.nCall==F.iAt || (F.bPersist && F.nCall>F.iAt) ){
    F.nHit++;
    return 1;
  }
  return 0;
}

static int fClose(sqlite3_file *p){
  return REAL(p)->pMethods->xClose(REAL(p));
}
static int fRead(sqlite3_file *p, void *z, int n, sqlite3_int64 off){
  if( faultNow(M_READ) ) return F.rcFail;
  return REAL(p)->pMethods->xRead(REAL(p), z, n, off);
}
static int fWrite(sqlite3_file *p, const void *z, int n, sqlite3_int64 off){
  if( faultNow(M_WRITE) ) return F.rcFail;
  return REAL(p)->pMethods->xWrite(REAL(p), z, n, off);
}
static int fTruncate(sqlite3_file *p, sqlite3_int64 n){
  if( faultNow(M_TRUNCATE) ) return F.rcFail;
  return REAL(p)->pMethods->xTruncate(REAL(p), n);
}
static int fSync(sqlite3_file *p, int flags){
  if( faultNow(M_SYNC) ) return F.rcFail;
  return REAL(p)->pMethods->xSync(REAL(p), flags);
}
static int fFileSize(sqlite3_file *p, sqlite3_int64 *pn){
  if( faultNow(M_FILESIZE) ) return F.rcFail;
  return REAL(p)->pMethods->xFileSize(REAL(p), pn);
}
static int fLock(sqlite3_file *p, int e){
  if( faultNow(M_LOCK) ) return F.rcFail;
  return REAL(p)->pMethods->xLock(REAL(p), e);
}
static int fUnlock(sqlite3_file *p, int e){
  return REAL(p)->pMethods->xUnlock(REAL(p), e);
}
static int fCheckReservedLock(sqlite3_file *p, int *pRes){
  return REAL(p)->pMethods->xCheckReservedLock(REAL(p), pRes);
}
static int fFileControl(sqlite3_file *p, int op, void *pArg){
  return REAL(p)->pMethods->xFileControl(REAL(p), op, pArg);
}
static int fSectorSize(sqlite3_file *p){
  return REAL(p)->pMethods->xSectorSize(REAL(p));
}
static int fDeviceCharacteristics(sqlite3_file *p){
  return REAL(p)->pMethods->xDeviceCharacteristics(REAL(p));
}
static int fShmMap(sqlite3_file *p, int i, int n, int b, void volatile **pp){
  return REAL(p)->pMethods->xShmMap(REAL(p), i, n, b, pp);
}
static int fShmLock(sqlite3_file *p, int off, int n, int flags){
  return REAL(p)->pMethods->xShmLock(REAL(p), off, n, flags);
}
static void fShmBarrier(sqlite3_file *p){
  REAL(p)->pMethods->xShmBarrier(REAL(p));
}
static int fShmUnmap(sqlite3_file *p, int bDelete){
  return REAL(p)->pMethods->xShmUnmap(REAL(p), bDelete);
}
static int fFetch(sqlite3_file *p, sqlite3_int64 off, int n, void **pp){
  return REAL(p)->pMethods->xFetch(REAL(p), off, n, pp);
}
static int fUnfetch(sqlite3_file *p, sqlite3_int64 off, void *pPage){
  return REAL(p)->pMethods->xUnfetch(REAL(p), off, pPage);
}

static const sqlite3_io_methods faultIo = {
  3, fClose, fRead, fWrite, fTruncate, fSync, fFileSize, fLock, fUnlock,
  fCheckReservedLock, fFileControl, fSectorSize, fDeviceCharacteristics,
  fShmMap, fShmLock, fShmBarrier, fShmUnmap, fFetch, fUnfetch
};

static int fOpen(sqlite3_vfs *pVfs, const char *zName, sqlite3_file *pFile,
                 int flags, int *pOutFlags){
  FaultFile *p = (FaultFile*)pFile;
  int rc;
  (void)pVfs;
  p->pReal = (sqlite3_file*)&p[1];
  p->base.pMethods = 0;
  if( (flags & (SQLITE_OPEN_MAIN_JOURNAL|SQLITE_OPEN_WAL))
   && faultNow(M_OPEN) ){
    return SQLITE_CANTOPEN;
  }
  rc = pOrig->xOpen(pOrig, zName, p->pReal, flags, pOutFlags);
  if( p->pReal->pMethods ) p->base.pMethods = &faultIo;
  return rc;
}
static int fDelete(sqlite3_vfs *v, const char *z, int bSync){
  (void)v;
  return pOrig->xDelete(pOrig, z, bSync);
}
static int fAccess(sqlite3_vfs *v, const char *z, int flags, int *pRes){
  (void)v;
  return pOrig->xAccess(pOrig, z, flags, pRes);
}
static int fFullPathname(sqlite3_vfs *v, const char *z, int n, char *zOut){
  (void)v;
  return pOrig->xFullPathname(pOrig, z, n, zOut);
}
static void *fDlOpen(sqlite3_vfs *v, const char *z){
  (void)v;
  return pOrig->xDlOpen(pOrig, z);
}
static void fDlError(sqlite3_vfs *v, int n, char *z){
  (void)v;
  pOrig->xDlError(pOrig, n, z);
}
static void (*fDlSym(sqlite3_vfs *v, void *p, const char *z))(void){
  (void)v;
  return pOrig->xDlSym(pOrig, p, z);
}
static void fDlClose(sqlite3_vfs *v, void *p){
  (void)v;
  pOrig->xDlClose(pOrig, p);
}
static int fRandomness(sqlite3_vfs *v, int n, char *z){
  (void)v;
  return pOrig->xRandomness(pOrig, n, z);
}
static int fSleep(sqlite3_vfs *v, int n){
  (void)v;
  return pOrig->xSleep(pOrig, n);
}
static int fCurrentTime(sqlite3_vfs *v, double *p){
  (void)v;
  return pOrig->xCurrentTime(pOrig, p);
}
static int fGetLastError(sqlite3_vfs *v, int n, char *z){
  (void)v;
  return pOrig->xGetLastError ? pOrig->xGetLastError(pOrig, n, z) : 0;
}
static int fCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *p){
  (void)v;
  return pOrig->xCurrentTimeInt64(pOrig, p);
}

static sqlite3_vfs faultVfs;

static int faultVfsRegister(void){
  pOrig = sqlite3_vfs_find(0);
  if( pOrig==0 || pOrig->iVersion<2 ) return SQLITE_ERROR;
  memset(&faultVfs, 0, sizeof(faultVfs));
  faultVfs.iVersion = 2;
  faultVfs.szOsFile = (int)sizeof(FaultFile) + pOrig->szOsFile;
  faultVfs.mxPathname = pOrig->mxPathname;
  faultVfs.zName = "faultvfs";
  faultVfs.xOpen = fOpen;
  faultVfs.xDelete = fDelete;
  faultVfs.xAccess = fAccess;
  faultVfs.xFullPathname = fFullPathname;
  faultVfs.xDlOpen = fDlOpen;
  faultVfs.xDlError = fDlError;
  faultVfs.xDlSym = fDlSym;
  faultVfs.xDlClose = fDlClose;
  faultVfs.xRandomness = fRandomness;
  faultVfs.xSleep = fSleep;
  faultVfs.xCurrentTime = fCurrentTime;
  faultVfs.xGetLastError = fGetLastError;
  faultVfs.xCurrentTimeInt64 = fCurrentTimeInt64;
  return sqlite3_vfs_register(&faultVfs, 0);
}

/* ----------------------------------------------------------- helpers --- */

/* Opens zPath through faultvfs with the extension loaded, or NULL. */
static sqlite3 *openFault(const char *zPath){
  return openDbVfs(zPath, "faultvfs");
}

/* The bytes of a file (malloc'd), or NULL. */
static unsigned char *fileRead(const char *zPath, long *pn){
  FILE *f = fopen(zPath, "rb");
  unsigned char *a = 0;
  long n;
  if( f==0 ) return 0;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  a = malloc(n>0 ? (size_t)n : 1);
  if( a && n>0 && fread(a, 1, (size_t)n, f)!=(size_t)n ){
    free(a);
    a = 0;
  }
  fclose(f);
  *pn = n;
  return a;
}

/* Lays the database zPath down as the bytes a[0..n), with no journal. */
static int fileRestore(const char *zPath, const unsigned char *a, long n){
  static const char *const azSuffix[] = { "-journal", "-wal", "-shm" };
  FILE *f;
  size_t k;
  for(k=0; k<sizeof(azSuffix)/sizeof(azSuffix[0]); k++){
    char *z = sqlite3_mprintf("%s%s", zPath, azSuffix[k]);
    if( z ) unlink(z);
    sqlite3_free(z);
  }
  f = fopen(zPath, "wb");
  if( f==0 ) return 1;
  if( n>0 && fwrite(a, 1, (size_t)n, f)!=(size_t)n ){
    fclose(f);
    return 1;
  }
  return fclose(f)!=0;
}

/*
** Every row of every table of main, and the schema, as one string
** (sqlite3_free it); applied_at and deleted_at of the history only as
** set or not (they hold the time). NULL on error.
*/
static char *dumpDb(sqlite3 *db){
  sqlite3_str *pOut = sqlite3_str_new(0);
  sqlite3_stmt *pTab = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master "
      "WHERE sql NOT NULL ORDER BY name", -1, &pTab, 0);
  while( rc==SQLITE_OK && sqlite3_step(pTab)==SQLITE_ROW ){
    const char *zTab = (const char*)sqlite3_column_text(pTab, 0);
    sqlite3_stmt *pCol = 0, *pRow = 0;
    sqlite3_str *pSel = sqlite3_str_new(0);
    char *zSel;
    int nCol = 0;
    sqlite3_str_appendf(pOut, "%s\n", (const char*)sqlite3_column_text(pTab, 1));
    rc = sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1) "
        "WHERE (SELECT type FROM sqlite_master WHERE name=?1)='table'", -1,
        &pCol, 0);
    if( rc==SQLITE_OK ) sqlite3_bind_text(pCol, 1, zTab, -1, SQLITE_STATIC);
    sqlite3_str_appendall(pSel, "SELECT ''");
    while( rc==SQLITE_OK && sqlite3_step(pCol)==SQLITE_ROW ){
      const char *zCol = (const char*)sqlite3_column_text(pCol, 0);
      if( (strcmp(zTab, "sqlmig_history")==0
           && (strcmp(zCol, "applied_at")==0 || strcmp(zCol, "deleted_at")==0))
       || strcmp(zCol, "baselined_at")==0 ){
        sqlite3_str_appendf(pSel, "||',%w:'||(\"%w\" IS NOT NULL)", zCol, zCol);
      }else{
        sqlite3_str_appendf(pSel, "||','||quote(\"%w\")", zCol);
      }
      nCol++;
    }
    sqlite3_finalize(pCol);
    sqlite3_str_appendf(pSel, " FROM \"%w\" ORDER BY 1", zTab);
    zSel = sqlite3_str_finish(pSel);
    if( rc==SQLITE_OK && nCol>0 && zSel ){
      rc = sqlite3_prepare_v2(db, zSel, -1, &pRow, 0);
      while( rc==SQLITE_OK && sqlite3_step(pRow)==SQLITE_ROW ){
        sqlite3_str_appendf(pOut, "  %s\n",
                            (const char*)sqlite3_column_text(pRow, 0));
      }
      sqlite3_finalize(pRow);
    }
    sqlite3_free(zSel);
  }
  sqlite3_finalize(pTab);
  if( rc!=SQLITE_OK ){
    sqlite3_free(sqlite3_str_finish(pOut));
    return 0;
  }
  return sqlite3_str_finish(pOut);
}

/* PRAGMA integrity_check of zPath (no fault) and its dump, or NULL. */
static char *checkAndDump(const char *zPath, char **pzIntegrity){
  sqlite3 *db = openFault(zPath);
  char *zDump = 0;
  *pzIntegrity = 0;
  if( db==0 ) return 0;
  if( run(db, "PRAGMA integrity_check", pzIntegrity)==SQLITE_OK ){
    zDump = dumpDb(db);
  }
  sqlite3_close(db);
  return zDump;
}

/* ---------------------------------------------------------- scenarios --- */

#define R1 "(1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);" \
  " INSERT INTO users(name) VALUES (''ann''), (''bob'');', 'DROP TABLE users')"
#define R2 "(2, 'posts', 'CREATE TABLE posts(id INTEGER PRIMARY KEY," \
  " uid INTEGER REFERENCES users(id) ON DELETE CASCADE, body TEXT);" \
  " INSERT INTO posts(uid, body) VALUES (1, ''hi''), (2, ''yo'');'," \
  " 'DROP TABLE posts')"
#define R3 "(3, 'rebuild users', 'PRAGMA foreign_keys=OFF; BEGIN;" \
  " CREATE TABLE users_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '''');" \
  " INSERT INTO users_new SELECT id, coalesce(name, '''') FROM users;" \
  " DROP TABLE users; ALTER TABLE users_new RENAME TO users; COMMIT;'," \
  " 'CREATE TABLE users_old(id INTEGER PRIMARY KEY, name TEXT);" \
  " INSERT INTO users_old SELECT id, name FROM users;" \
  " DROP TABLE users; ALTER TABLE users_old RENAME TO users;')"
#define INS "INSERT INTO migrations(version, name, up, down) VALUES "
#define APP "CREATE TABLE app(k INTEGER PRIMARY KEY, v TEXT);"
/* goose's tracking table: 1 to 3 applied */
#define GOOSE "CREATE TABLE goose_db_version(id INTEGER PRIMARY KEY" \
  " AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL);" \
  " INSERT INTO goose_db_version(version_id, is_applied)" \
  " VALUES (0, 1), (1, 1), (2, 1), (3, 1);"

typedef struct Scenario Scenario;
struct Scenario {
  const char *zName;
  const char *zSetup;      /* run without faults to make the start */
  const char *zOp;         /* run with the fault armed */
  int bRead;               /* zOp only reads: the database stays as before */
};

/* A database with three applied revisions, the app's table and rows */
#define AT3 APP INS R1 "," R2 "," R3 "; SELECT migrate();" \
  " INSERT INTO app(v) VALUES ('a'), ('b');"
/* an attached in-memory schema the diff functions compare main with */
#define TARGET "ATTACH ':memory:' AS d;" \
  " CREATE TABLE d.users(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', email TEXT);" \
  " CREATE TABLE d.app(k INTEGER PRIMARY KEY, v TEXT);" \
  " INSERT INTO d.app VALUES (1, 'A'), (3, 'c');"

static const Scenario aScenario[] = {
  { "register one revision", APP INS R1 "; SELECT migrate();",
    INS R2, 0 },
  { "register in the caller's transaction, with its own writes",
    APP INS R1 "; SELECT migrate();",
    "BEGIN; INSERT INTO app(v) VALUES ('before');"
    " INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES "
    R1 "," R2 "," R3 ";"
    " INSERT INTO app(v) VALUES ('after'); COMMIT;", 0 },
  { "register one by one in the caller's transaction",
    APP INS R1 "; SELECT migrate();",
    "BEGIN; INSERT INTO app(v) VALUES ('before');"
    " INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES " R1 ";"
    " INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES " R2 ";"
    " INSERT INTO app(v) VALUES ('after'); COMMIT;", 0 },
  { "migrate() up with a rebuild",
    APP INS R1 "," R2 "; SELECT migrate();" INS R3 ";",
    "PRAGMA foreign_keys=ON; SELECT migrate();", 0 },
  { "migrate(0) down with a rebuild",
    APP INS R1 "," R2 "," R3 "; SELECT migrate();",
    "SELECT migrate(0);", 0 },
  { "start-up idiom in the caller's transaction",
    APP INS R1 "," R2 "; SELECT migrate();",
    "BEGIN; INSERT INTO app(v) VALUES ('start');"
    " INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES "
    R1 "," R2 "," R3 "; SELECT migrate(); COMMIT;", 0 },
  { "a migrate_diff-generated revision",
    APP INS R1 "," R2 "; SELECT migrate();",
    "ATTACH ':memory:' AS d; BEGIN;"
    " CREATE TABLE d.users(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', email TEXT);"
    " CREATE TABLE d.posts(id INTEGER PRIMARY KEY, uid INTEGER REFERENCES users(id) ON DELETE CASCADE, body TEXT);"
    " CREATE TABLE d.app(k INTEGER PRIMARY KEY, v TEXT);"
    " INSERT INTO migrations(version, name, up, down) VALUES (4, 'sync',"
    " migrate_diff('main', 'd'), migrate_diff('d', 'main'));"
    " SELECT migrate(); COMMIT;", 0 },
  { "migrate_baseline() of goose's applied set, with the caller's writes",
    APP GOOSE INS R1 "," R2 "," R3 ";",
    "BEGIN; INSERT INTO app(v) VALUES ('before'); SELECT migrate_baseline();"
    " INSERT INTO app(v) VALUES ('after'); COMMIT;", 0 },
  { "migrate(0) of baselined revisions",
    APP GOOSE INS R1 "," R2 "," R3 "; SELECT migrate_baseline();"
    " CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);"
    " CREATE TABLE posts(id INTEGER PRIMARY KEY, uid INTEGER, body TEXT);",
    "SELECT migrate(1);", 0 },
  { "a migrate_data_diff-generated revision, with the caller's writes",
    APP INS R1 "," R2 "; SELECT migrate(); INSERT INTO app(v) VALUES ('a'), ('b'), (0.1);",
    "ATTACH ':memory:' AS src;"
    " CREATE TABLE src.app(k INTEGER PRIMARY KEY, v TEXT);"
    " INSERT INTO src.app VALUES (1, 'A'), (3, 0.30000000000000004), (4, x'00ff');"
    " BEGIN; INSERT INTO app(v) VALUES ('before');"
    " INSERT INTO migrations(version, name, up, down) VALUES (4, 'data',"
    " migrate_data_diff('main', 'src', 'app'), migrate_data_diff('src', 'main', 'app'));"
    " SELECT migrate(); COMMIT;", 0 },
  { "migrate_copy into main",
    APP INS R1 "," R2 "; SELECT migrate();",
    "ATTACH ':memory:' AS src;"
    " CREATE TABLE src.users(id INTEGER PRIMARY KEY, name TEXT);"
    " INSERT INTO src.users VALUES (10, 'cy'), (11, 'di');"
    " CREATE TABLE src.posts(id INTEGER PRIMARY KEY, uid INTEGER, body TEXT);"
    " INSERT INTO src.posts VALUES (10, 10, 'x');"
    " SELECT migrate_copy('src', 'main');", 0 },
  /* Every other function and table the README lists: the fault's code
  ** reaches the caller (below: never turned into SQLITE_ERROR). */
  { "migrate_down() of the newest, with the caller's writes", AT3,
    "BEGIN; INSERT INTO app(v) VALUES ('before'); SELECT migrate_down();"
    " INSERT INTO app(v) VALUES ('after'); COMMIT;", 0 },
  { "DELETE FROM migrations and migrate()", AT3,
    "BEGIN; DELETE FROM migrations WHERE version = 3; SELECT migrate();"
    " COMMIT;", 0 },
  { "UPDATE migrations", AT3,
    "UPDATE migrations SET name = 'renamed', down = 'DROP TABLE posts;'"
    " WHERE version = 2;", 0 },
  { "migrations read", AT3,
    "SELECT group_concat(version || name || checksum) FROM migrations;", 1 },
  { "migrate_plan", AT3 INS "(4, 'more', 'CREATE TABLE more(x)', 'DROP TABLE more');",
    "SELECT group_concat(sql) FROM migrate_plan(1);", 1 },
  { "migrate_status", AT3,
    "SELECT group_concat(version || state) FROM migrate_status();", 1 },
  { "migrate_drift", AT3 "CREATE TABLE extra(x);",
    "SELECT group_concat(detail) FROM migrate_drift();", 1 },
  { "migrate_check", AT3,
    "SELECT count(*) FROM migrate_check();", 1 },
  { "migrate_diff", AT3, TARGET
    " SELECT migrate_diff('main', 'd') || migrate_diff('d', 'main');", 1 },
  { "migrate_changes", AT3, TARGET
    " SELECT group_concat(kind) FROM migrate_changes('main', 'd');", 1 },
  { "migrate_data_diff", AT3, TARGET
    " SELECT migrate_data_diff('main', 'd', 'app');", 1 },
  { "migrate_copy_report from main", AT3,
    "ATTACH ':memory:' AS e; CREATE TABLE e.app(k INTEGER PRIMARY KEY, v TEXT);"
    " SELECT group_concat(tbl || rows) FROM migrate_copy_report('main', 'e');",
    1 },
  { "migration_files of a bundle in main, registered",
    AT3 "CREATE TABLE bundle(name TEXT, text TEXT); INSERT INTO bundle VALUES"
    " ('4_more.sql', '-- +goose Up\nCREATE TABLE more(x);\n-- +goose Down\nDROP TABLE more;\n');",
    "BEGIN; INSERT OR IGNORE INTO migrations(version, name, up, down)"
    " SELECT version, name, up, down FROM migration_files(NULL, 'bundle');"
    " SELECT migrate(); COMMIT;", 0 },
};

/* The kinds of fault, per method. */
typedef struct Kind Kind;
struct Kind { int eMethod; int rc; int bPersist; };

static int nRuns = 0;

/*
** Runs scenario pS in journal mode zMode with every kind of fault at every
** stride-th point. One ok / not ok line per kind.
*/
static void testScenario(const Scenario *pS, const char *zMode, int nStride){
  static const Kind aKind[] = {
    { M_READ, SQLITE_IOERR_READ, 0 },      { M_READ, SQLITE_IOERR_READ, 1 },
    { M_WRITE, SQLITE_IOERR_WRITE, 0 },    { M_WRITE, SQLITE_FULL, 1 },
    { M_SYNC, SQLITE_IOERR_FSYNC, 0 },     { M_SYNC, SQLITE_IOERR_FSYNC, 1 },
    { M_TRUNCATE, SQLITE_IOERR_TRUNCATE, 0 },
    { M_TRUNCATE, SQLITE_IOERR_TRUNCATE, 1 },
    { M_FILESIZE, SQLITE_IOERR_FSTAT, 0 }, { M_FILESIZE, SQLITE_IOERR_FSTAT, 1 },
    { M_LOCK, SQLITE_IOERR_LOCK, 0 },      { M_LOCK, SQLITE_IOERR_LOCK, 1 },
    { M_OPEN, SQLITE_CANTOPEN, 0 },        { M_OPEN, SQLITE_CANTOPEN, 1 },
  };
  char *zPath = tempDbName("ctest_ioerr", zMode);
  unsigned char *aBase = 0;
  long nBase = 0;
  char *zBefore = 0, *zAfter = 0, *zRes = 0, *zIntegrity = 0;
  sqlite3 *db;
  size_t k;
  char zName[300], zWhy[600];

  /* The start, and what a run without faults leaves */
  memset(&F, 0, sizeof(F));
  removeDb(zPath);
  db = openFault(zPath);
  if( db ){
    char *zSetup = sqlite3_mprintf("PRAGMA journal_mode=%s; %s", zMode,
                                   pS->zSetup);
    if( run(db, zSetup, &zRes)!=SQLITE_OK ){
      printf("# setup: %s\n", zRes);
      sqlite3_close(db);
      db = 0;
    }
    sqlite3_free(zSetup);
    sqlite3_free(zRes);
    zRes = 0;
  }
  if( db ){
    sqlite3_close(db);
    aBase = fileRead(zPath, &nBase);
    zBefore = checkAndDump(zPath, &zIntegrity);
    sqlite3_free(zIntegrity);
    db = aBase ? openFault(zPath) : 0;
  }
  if( db ){
    if( run(db, pS->zOp, &zRes)!=SQLITE_OK ) printf("# op: %s\n", zRes);
    else zAfter = (sqlite3_close(db), db = 0, checkAndDump(zPath, &zIntegrity));
    sqlite3_free(zIntegrity);
    zIntegrity = 0;
    sqlite3_free(zRes);
    zRes = 0;
    sqlite3_close(db);
  }
  snprintf(zName, sizeof(zName), "ioerr: %s (%s): set-up runs without faults",
           pS->zName, zMode);
  if( zBefore==0 || zAfter==0 || (strcmp(zBefore, zAfter)==0)!=pS->bRead ){
    check(zName, 0, zBefore==0 || zAfter==0 ? "set-up or operation failed"
          : pS->bRead ? "the operation changed the database"
          : "the operation changed nothing");
    goto done;
  }

  for(k=0; k<sizeof(aKind)/sizeof(aKind[0]); k++){
    const Kind *pK = &aKind[k];
    int iAt, bOk = 1, nErr = 0, nOkRc = 0, rcExt = 0;
    zWhy[0] = 0;
    for(iAt=1; bOk; iAt+=nStride){
      char *zDump;
      int rc, bHit;
      if( fileRestore(zPath, aBase, nBase) ){
        snprintf(zWhy, sizeof(zWhy), "cannot restore the file");
        bOk = 0;
        break;
      }
      db = openFault(zPath);
      if( db==0 ){ bOk = 0; snprintf(zWhy, sizeof(zWhy), "open"); break; }
      memset(&F, 0, sizeof(F));
      F.eMethod = pK->eMethod;
      F.iAt = iAt;
      F.bPersist = pK->bPersist;
      F.rcFail = pK->rc;
      rc = run(db, pS->zOp, &zRes);
      if( rc!=SQLITE_OK ) rcExt = sqlite3_extended_errcode(db);
      bHit = F.nHit>0;
      sqlite3_close_v2(db);
      memset(&F, 0, sizeof(F));
      nRuns++;
      zDump = checkAndDump(zPath, &zIntegrity);
      if( rc!=SQLITE_OK && bHit && (rcExt & 0xff)==SQLITE_ERROR ){
        /* the I/O code was turned into a plain SQLITE_ERROR on the way */
        snprintf(zWhy, sizeof(zWhy), "fault at %d: reported as %s (%d), "
                 "not as the I/O error: \"%s\"", iAt, sqlite3_errstr(rcExt),
                 rcExt, zRes ? zRes : "");
        bOk = 0;
      }else if( zIntegrity==0 || strcmp(zIntegrity, "ok")!=0 || zDump==0 ){
        snprintf(zWhy, sizeof(zWhy), "fault at %d: integrity_check says %s",
                 iAt, zIntegrity ? zIntegrity : "(cannot run)");
        bOk = 0;
      }else if( rc==SQLITE_OK && strcmp(zDump, zAfter)!=0 ){
        snprintf(zWhy, sizeof(zWhy), "fault at %d: success reported, but the "
                 "database is not as after the statements", iAt);
        bOk = 0;
      }else if( rc!=SQLITE_OK && strcmp(zDump, zAfter)!=0
             && strcmp(zDump, zBefore)!=0 ){
        snprintf(zWhy, sizeof(zWhy), "fault at %d: \"%s\", and the database "
                 "is neither as before nor as after the statements", iAt,
                 zRes ? zRes : "");
        bOk = 0;
      }
      if( rc!=SQLITE_OK ) nErr++;
      else nOkRc++;
      sqlite3_free(zDump);
      sqlite3_free(zIntegrity);
      sqlite3_free(zRes);
      zIntegrity = zRes = 0;
      if( !bHit ) break;
      if( iAt>5000 ){
        snprintf(zWhy, sizeof(zWhy), "the fault is still reached at %d", iAt);
        bOk = 0;
      }
    }
    snprintf(zName, sizeof(zName), "ioerr: %s (%s): %s %s fails (%s), %d "
             "points: before or after, never between, the code kept",
             pS->zName, zMode,
             pK->bPersist ? "every" : "one", azMethod[pK->eMethod],
             sqlite3_errstr(pK->rc), iAt/nStride);
    check(zName, bOk, zWhy);
  }

done:
  free(aBase);
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  removeDb(zPath);
  sqlite3_free(zPath);
}

int main(void){
  const char *zStride = getenv("IOERR_STRIDE");
  int nStride = zStride && atoi(zStride)>0 ? atoi(zStride) : 1;
  size_t i;
  if( slowMode() ) nStride *= 8;
  if( faultVfsRegister()!=SQLITE_OK ){
    printf("not ok - ioerr: the test VFS registers\n");
    return 1;
  }
  for(i=0; i<sizeof(aScenario)/sizeof(aScenario[0]); i++){
    const char *zOmitted = sqlOmitted(aScenario[i].zOp);
    if( zOmitted ){
      char *zName = sqlite3_mprintf("ioerr: %s", aScenario[i].zName);
      skipOmitted(zName, zOmitted);
      sqlite3_free(zName);
      continue;
    }
    testScenario(&aScenario[i], "delete", nStride);
    testScenario(&aScenario[i], "wal", nStride);
  }
  printf("# %d runs with a fault armed (stride %d)\n", nRuns, nStride);
  return nFailed ? 1 : 0;
}
