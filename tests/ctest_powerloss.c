/*
** Power loss: what a power cut during migrate(), migrate_down(),
** migrate_baseline() and migrate_copy() leaves behind is the database
** before the call or after it, never between.
**
**   make build/ctest_powerloss && LIB=./libsqlmig.so ./build/ctest_powerloss
**   POWERLOSS_WRONG=1 ./build/ctest_powerloss   (the wrong ordering below
**                                                 in place of every call)
**
** A killed process keeps what it wrote in the operating system's cache; a
** power cut loses what was written since the last sync. A test VFS of its
** own ("plvfs", a shim over the default VFS) passes every call through and
** records, in order, each write (offset and bytes), truncate, sync and
** delete of the database, its journal and its WAL. One fault-free run of
** each scenario is recorded; then, for every sync point of it (the cut
** comes just before sync k took effect, k = 1..n, and once after the last
** event), the files a power cut would leave are built from the recording:
** each file as its last sync before the cut made it, plus, of the writes
** and truncates after that sync,
**   - none (lost),
**   - all (the cache reached the disk, the sync had not returned),
**   - some, 512-byte sector by sector, chosen by a seeded coin (torn, as
**     SQLite's own crash tests tear unsynced writes), two seeds;
** a delete takes effect when it is made; the -shm file is not kept (it is
** rebuilt from the WAL). Each such set of files is laid down in a fresh
** directory and opened with plain SQLite: PRAGMA integrity_check is ok,
** and every table and the schema (sqlmig_history, the migrated tables and
** the caller's own rows written in the same transaction) equal the state
** before the call or the state after it. With synchronous=FULL a cut after
** the call returned must never give the state before it (the call is
** durable); with synchronous=NORMAL in WAL mode it may (SQLite does not
** sync a WAL commit there: the last transaction can be lost), and the test
** prints how often, but it still never loses anything else and never
** leaves a state between.
**
** The check is shown to be able to fail: a migrator with the wrong
** ordering (its up script committed in one transaction, the history in a
** second one: here a hand-written CREATE TABLE committed before migrate()
** records a revision whose up does nothing) must give states between; the
** test counts them and fails if it finds none. POWERLOSS_WRONG=1 runs that
** wrong ordering in place of every scenario, so that every check fails.
**
** Rollback journal (DELETE) and WAL, synchronous FULL and NORMAL. The last
** line gives the number of cut points tried.
*/
#define _XOPEN_SOURCE 700     /* mkdtemp */
#include "ctest.h"
#include <sys/stat.h>
#include <errno.h>

/* ------------------------------------------------- the recording VFS --- */

enum { E_WRITE, E_TRUNC, E_SYNC, E_DELETE };

typedef struct Event Event;
struct Event {
  int eType;
  int iFile;               /* index in azFile */
  sqlite3_int64 iOff;      /* write: offset; truncate: new size */
  int n;                   /* write: bytes */
  unsigned char *a;        /* write: the bytes (malloc) */
};

#define MAX_FILE 8
/* The recording (a test program: plain statics are fine) */
static struct {
  int bOn;                 /* record the calls */
  char *azFile[MAX_FILE];  /* full paths of the files seen (malloc) */
  int nFile;
  Event *a;
  int n, nAlloc;
  int iReturned;           /* events recorded when the call returned */
} R;

static sqlite3_vfs *pOrig;

typedef struct PlFile PlFile;
struct PlFile {
  sqlite3_file base;
  int iFile;               /* -1: not recorded (temp files, -shm) */
  sqlite3_file *pReal;     /* right after this struct */
};
#define PREAL(p) (((PlFile*)(p))->pReal)

/* zPath as the VFS names it to xOpen (sqlite3_free), or NULL */
static char *fullName(const char *zPath){
  char *z = sqlite3_malloc(pOrig->mxPathname+1);
  if( z && pOrig->xFullPathname(pOrig, zPath, pOrig->mxPathname+1, z) ){
    sqlite3_free(z);
    z = 0;
  }
  return z;
}

static int fileIndex(const char *zPath){
  int i;
  for(i=0; i<R.nFile; i++){
    if( strcmp(R.azFile[i], zPath)==0 ) return i;
  }
  if( R.nFile==MAX_FILE ) return -1;
  R.azFile[R.nFile] = malloc(strlen(zPath)+1);
  if( R.azFile[R.nFile]==0 ) return -1;
  strcpy(R.azFile[R.nFile], zPath);
  return R.nFile++;
}

static void record(int eType, int iFile, sqlite3_int64 iOff, const void *z,
                   int n){
  Event *e;
  if( !R.bOn || iFile<0 ) return;
  if( R.n==R.nAlloc ){
    int nNew = R.nAlloc ? R.nAlloc*2 : 256;
    Event *aNew = realloc(R.a, sizeof(Event)*nNew);
    if( aNew==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
    R.a = aNew;
    R.nAlloc = nNew;
  }
  e = &R.a[R.n++];
  memset(e, 0, sizeof(*e));
  e->eType = eType;
  e->iFile = iFile;
  e->iOff = iOff;
  if( eType==E_WRITE ){
    e->n = n;
    e->a = malloc(n>0 ? (size_t)n : 1);
    if( e->a==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
    memcpy(e->a, z, (size_t)n);
  }
}

static void recordingClear(void){
  int i;
  for(i=0; i<R.n; i++) free(R.a[i].a);
  for(i=0; i<R.nFile; i++) free(R.azFile[i]);
  free(R.a);
  memset(&R, 0, sizeof(R));
}

static int plClose(sqlite3_file *p){
  return PREAL(p)->pMethods->xClose(PREAL(p));
}
static int plRead(sqlite3_file *p, void *z, int n, sqlite3_int64 off){
  return PREAL(p)->pMethods->xRead(PREAL(p), z, n, off);
}
static int plWrite(sqlite3_file *p, const void *z, int n, sqlite3_int64 off){
  record(E_WRITE, ((PlFile*)p)->iFile, off, z, n);
  return PREAL(p)->pMethods->xWrite(PREAL(p), z, n, off);
}
static int plTruncate(sqlite3_file *p, sqlite3_int64 n){
  record(E_TRUNC, ((PlFile*)p)->iFile, n, 0, 0);
  return PREAL(p)->pMethods->xTruncate(PREAL(p), n);
}
static int plSync(sqlite3_file *p, int flags){
  record(E_SYNC, ((PlFile*)p)->iFile, 0, 0, 0);
  return PREAL(p)->pMethods->xSync(PREAL(p), flags);
}
static int plFileSize(sqlite3_file *p, sqlite3_int64 *pn){
  return PREAL(p)->pMethods->xFileSize(PREAL(p), pn);
}
static int plLock(sqlite3_file *p, int e){
  return PREAL(p)->pMethods->xLock(PREAL(p), e);
}
static int plUnlock(sqlite3_file *p, int e){
  return PREAL(p)->pMethods->xUnlock(PREAL(p), e);
}
static int plCheckReservedLock(sqlite3_file *p, int *pRes){
  return PREAL(p)->pMethods->xCheckReservedLock(PREAL(p), pRes);
}
static int plFileControl(sqlite3_file *p, int op, void *pArg){
  return PREAL(p)->pMethods->xFileControl(PREAL(p), op, pArg);
}
static int plSectorSize(sqlite3_file *p){
  return PREAL(p)->pMethods->xSectorSize(PREAL(p));
}
static int plDeviceCharacteristics(sqlite3_file *p){
  return PREAL(p)->pMethods->xDeviceCharacteristics(PREAL(p));
}
static int plShmMap(sqlite3_file *p, int i, int n, int b, void volatile **pp){
  return PREAL(p)->pMethods->xShmMap(PREAL(p), i, n, b, pp);
}
static int plShmLock(sqlite3_file *p, int off, int n, int flags){
  return PREAL(p)->pMethods->xShmLock(PREAL(p), off, n, flags);
}
static void plShmBarrier(sqlite3_file *p){
  PREAL(p)->pMethods->xShmBarrier(PREAL(p));
}
static int plShmUnmap(sqlite3_file *p, int bDelete){
  return PREAL(p)->pMethods->xShmUnmap(PREAL(p), bDelete);
}
/* No memory-mapped I/O: every write goes through xWrite and is recorded */
static int plFetch(sqlite3_file *p, sqlite3_int64 off, int n, void **pp){
  (void)p; (void)off; (void)n;
  *pp = 0;
  return SQLITE_OK;
}
static int plUnfetch(sqlite3_file *p, sqlite3_int64 off, void *pPage){
  (void)p; (void)off; (void)pPage;
  return SQLITE_OK;
}

static const sqlite3_io_methods plIo = {
  3, plClose, plRead, plWrite, plTruncate, plSync, plFileSize, plLock,
  plUnlock, plCheckReservedLock, plFileControl, plSectorSize,
  plDeviceCharacteristics, plShmMap, plShmLock, plShmBarrier, plShmUnmap,
  plFetch, plUnfetch
};

static int plOpen(sqlite3_vfs *pVfs, const char *zName, sqlite3_file *pFile,
                  int flags, int *pOutFlags){
  PlFile *p = (PlFile*)pFile;
  int rc;
  (void)pVfs;
  p->pReal = (sqlite3_file*)&p[1];
  p->base.pMethods = 0;
  p->iFile = -1;
  if( zName
   && (flags & (SQLITE_OPEN_MAIN_DB|SQLITE_OPEN_MAIN_JOURNAL|SQLITE_OPEN_WAL)) ){
    p->iFile = fileIndex(zName);
  }
  rc = pOrig->xOpen(pOrig, zName, p->pReal, flags, pOutFlags);
  if( p->pReal->pMethods ) p->base.pMethods = &plIo;
  return rc;
}
static int plDelete(sqlite3_vfs *v, const char *z, int bSync){
  int i;
  (void)v;
  for(i=0; i<R.nFile; i++){
    if( strcmp(R.azFile[i], z)==0 ) record(E_DELETE, i, 0, 0, 0);
  }
  return pOrig->xDelete(pOrig, z, bSync);
}
static int plAccess(sqlite3_vfs *v, const char *z, int flags, int *pRes){
  (void)v;
  return pOrig->xAccess(pOrig, z, flags, pRes);
}
static int plFullPathname(sqlite3_vfs *v, const char *z, int n, char *zOut){
  (void)v;
  return pOrig->xFullPathname(pOrig, z, n, zOut);
}
static void *plDlOpen(sqlite3_vfs *v, const char *z){
  (void)v;
  return pOrig->xDlOpen(pOrig, z);
}
static void plDlError(sqlite3_vfs *v, int n, char *z){
  (void)v;
  pOrig->xDlError(pOrig, n, z);
}
static void (*plDlSym(sqlite3_vfs *v, void *p, const char *z))(void){
  (void)v;
  return pOrig->xDlSym(pOrig, p, z);
}
static void plDlClose(sqlite3_vfs *v, void *p){
  (void)v;
  pOrig->xDlClose(pOrig, p);
}
static int plRandomness(sqlite3_vfs *v, int n, char *z){
  (void)v;
  return pOrig->xRandomness(pOrig, n, z);
}
static int plSleep(sqlite3_vfs *v, int n){
  (void)v;
  return pOrig->xSleep(pOrig, n);
}
static int plCurrentTime(sqlite3_vfs *v, double *p){
  (void)v;
  return pOrig->xCurrentTime(pOrig, p);
}
static int plGetLastError(sqlite3_vfs *v, int n, char *z){
  (void)v;
  return pOrig->xGetLastError ? pOrig->xGetLastError(pOrig, n, z) : 0;
}
static int plCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *p){
  (void)v;
  return pOrig->xCurrentTimeInt64(pOrig, p);
}

static sqlite3_vfs plVfs;

static int plVfsRegister(void){
  pOrig = sqlite3_vfs_find(0);
  if( pOrig==0 || pOrig->iVersion<2 ) return SQLITE_ERROR;
  memset(&plVfs, 0, sizeof(plVfs));
  plVfs.iVersion = 2;
  plVfs.szOsFile = (int)sizeof(PlFile) + pOrig->szOsFile;
  plVfs.mxPathname = pOrig->mxPathname;
  plVfs.zName = "plvfs";
  plVfs.xOpen = plOpen;
  plVfs.xDelete = plDelete;
  plVfs.xAccess = plAccess;
  plVfs.xFullPathname = plFullPathname;
  plVfs.xDlOpen = plDlOpen;
  plVfs.xDlError = plDlError;
  plVfs.xDlSym = plDlSym;
  plVfs.xDlClose = plDlClose;
  plVfs.xRandomness = plRandomness;
  plVfs.xSleep = plSleep;
  plVfs.xCurrentTime = plCurrentTime;
  plVfs.xGetLastError = plGetLastError;
  plVfs.xCurrentTimeInt64 = plCurrentTimeInt64;
  return sqlite3_vfs_register(&plVfs, 0);
}

/* ------------------------------------------------------ file images --- */

/* One file's bytes; bExists 0: absent. */
typedef struct Image Image;
struct Image {
  int bExists;
  unsigned char *a;
  sqlite3_int64 n, nAlloc;
};

static void imageFree(Image *p){
  free(p->a);
  memset(p, 0, sizeof(*p));
}

static void imageResize(Image *p, sqlite3_int64 n){
  if( n>p->nAlloc ){
    sqlite3_int64 nNew = p->nAlloc ? p->nAlloc : 4096;
    unsigned char *aNew;
    while( nNew<n ) nNew *= 2;
    aNew = realloc(p->a, (size_t)nNew);
    if( aNew==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
    p->a = aNew;
    p->nAlloc = nNew;
  }
  if( n>p->n ) memset(p->a+p->n, 0, (size_t)(n-p->n));
  p->n = n;
}

/* Applies bytes z[0..n) at iOff. */
static void imageWrite(Image *p, sqlite3_int64 iOff, const unsigned char *z,
                       int n){
  p->bExists = 1;
  if( iOff+n>p->n ) imageResize(p, iOff+n);
  if( n>0 ) memcpy(p->a+iOff, z, (size_t)n);
}

/* Applies event e to p; with pRng, only a coin-chosen part of it: each
** 512-byte sector of a write, or a truncate as a whole. */
static void imageApply(Image *p, const Event *e, Rng *pRng){
  if( e->eType==E_TRUNC ){
    if( pRng && rnd(pRng, 2) ) return;
    p->bExists = 1;
    if( e->iOff<p->n ) p->n = e->iOff;
    else imageResize(p, e->iOff);
    return;
  }
  if( pRng==0 ){
    imageWrite(p, e->iOff, e->a, e->n);
  }else{
    int i = 0;
    p->bExists = 1;
    while( i<e->n ){
      /* up to the next 512-byte boundary of the file */
      int nSec = 512 - (int)((e->iOff+i) % 512);
      if( nSec>e->n-i ) nSec = e->n-i;
      if( rnd(pRng, 2) ) imageWrite(p, e->iOff+i, e->a+i, nSec);
      i += nSec;
    }
  }
}

/*
** The files a power cut leaves when it comes just before event iCut
** (R.n: after the last one), started from apBase[] (the files before the
** recording). eHow: 0 unsynced changes lost, 1 all of them written,
** 2.. torn with seed eHow. aOut[] gets one image per recorded file.
*/
static void cutImages(const Image *aBase, int iCut, int eHow, Image *aOut){
  Image aDur[MAX_FILE];
  int aFirst[MAX_FILE];    /* first event not yet synced, per file */
  int i, f;
  Rng rng;
  rng.s = 0x9e3779b97f4a7c15ULL * (unsigned long long)(eHow*1000 + iCut + 1);
  for(f=0; f<R.nFile; f++){
    memset(&aDur[f], 0, sizeof(Image));
    aDur[f].bExists = aBase[f].bExists;
    if( aBase[f].bExists ) imageWrite(&aDur[f], 0, aBase[f].a, (int)aBase[f].n);
    aDur[f].bExists = aBase[f].bExists;
    aFirst[f] = 0;
  }
  for(i=0; i<iCut; i++){
    const Event *e = &R.a[i];
    f = e->iFile;
    if( e->eType==E_SYNC ){
      int k;
      for(k=aFirst[f]; k<i; k++){
        if( R.a[k].iFile==f && R.a[k].eType!=E_SYNC ){
          imageApply(&aDur[f], &R.a[k], 0);
        }
      }
      aFirst[f] = i+1;
    }else if( e->eType==E_DELETE ){
      imageFree(&aDur[f]);
      aFirst[f] = i+1;
    }
  }
  for(f=0; f<R.nFile; f++){
    aOut[f] = aDur[f];
    for(i=aFirst[f]; i<iCut; i++){
      const Event *e = &R.a[i];
      if( e->iFile!=f || e->eType==E_SYNC || e->eType==E_DELETE ) continue;
      if( eHow==0 ){
        if( !aOut[f].bExists && e->eType==E_WRITE ) aOut[f].bExists = 1;
        continue;          /* created, its bytes lost */
      }
      imageApply(&aOut[f], e, eHow==1 ? 0 : &rng);
    }
  }
}

/* Writes image p to zPath (removing zPath when p is absent). */
static int imageLay(const Image *p, const char *zPath){
  FILE *f;
  unlink(zPath);
  if( !p->bExists ) return 0;
  f = fopen(zPath, "wb");
  if( f==0 ) return 1;
  if( p->n>0 && fwrite(p->a, 1, (size_t)p->n, f)!=(size_t)p->n ){
    fclose(f);
    return 1;
  }
  return fclose(f)!=0;
}

/* Reads zPath into *p (absent when it does not exist). */
static int imageRead(Image *p, const char *zPath){
  FILE *f = fopen(zPath, "rb");
  unsigned char buf[8192];
  size_t n;
  memset(p, 0, sizeof(*p));
  if( f==0 ) return errno==ENOENT ? 0 : 1;
  p->bExists = 1;
  while( (n = fread(buf, 1, sizeof(buf), f))>0 ){
    imageWrite(p, p->n, buf, (int)n);
  }
  p->bExists = 1;
  fclose(f);
  return 0;
}

/* ------------------------------------------------------------ checks --- */

/*
** Every table's rows and the schema of the database at zPath, as one
** string (sqlite3_free); NULL with *pzErr set when it cannot be read.
** *pzIntegrity gets PRAGMA integrity_check's answer. Plain SQLite: the
** extension is not loaded, so nothing of sqlmig runs on the way.
*/
static char *dumpPath(const char *zPath, char **pzIntegrity){
  sqlite3 *db = 0;
  sqlite3_str *pOut = sqlite3_str_new(0);
  sqlite3_stmt *pTab = 0;
  int rc = sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READWRITE, 0);
  *pzIntegrity = 0;
  if( rc==SQLITE_OK ) rc = run(db, "PRAGMA integrity_check", pzIntegrity);
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db, "SELECT name, type, sql FROM sqlite_master "
        "WHERE sql NOT NULL ORDER BY name", -1, &pTab, 0);
  }
  while( rc==SQLITE_OK && sqlite3_step(pTab)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pTab, 0);
    const char *zType = (const char*)sqlite3_column_text(pTab, 1);
    sqlite3_stmt *pCol = 0, *pRow = 0;
    sqlite3_str *pSel;
    char *zSel;
    sqlite3_str_appendf(pOut, "%s\n", (const char*)sqlite3_column_text(pTab, 2));
    if( strcmp(zType, "table")!=0 || strncmp(zName, "sqlite_", 7)==0
     || sqlite3_strnicmp((const char*)sqlite3_column_text(pTab, 2),
                         "CREATE VIRTUAL", 14)==0 ){
      continue;            /* no rows of its own (sqlmig's guard table) */
    }
    pSel = sqlite3_str_new(0);
    sqlite3_str_appendall(pSel, "SELECT ''");
    rc = sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1,
                            &pCol, 0);
    if( rc==SQLITE_OK ) sqlite3_bind_text(pCol, 1, zName, -1, SQLITE_STATIC);
    while( rc==SQLITE_OK && sqlite3_step(pCol)==SQLITE_ROW ){
      sqlite3_str_appendf(pSel, "||','||quote(\"%w\")",
                          (const char*)sqlite3_column_text(pCol, 0));
    }
    sqlite3_finalize(pCol);
    sqlite3_str_appendf(pSel, " FROM \"%w\" ORDER BY 1", zName);
    zSel = sqlite3_str_finish(pSel);
    if( rc==SQLITE_OK ) rc = sqlite3_prepare_v2(db, zSel, -1, &pRow, 0);
    while( rc==SQLITE_OK && sqlite3_step(pRow)==SQLITE_ROW ){
      sqlite3_str_appendf(pOut, "  %s\n",
                          (const char*)sqlite3_column_text(pRow, 0));
    }
    sqlite3_finalize(pRow);
    sqlite3_free(zSel);
  }
  sqlite3_finalize(pTab);
  if( rc!=SQLITE_OK && getenv("POWERLOSS_DEBUG") ){
    printf("# %s: rc %d %s\n", zPath, rc, sqlite3_errmsg(db));
  }
  sqlite3_close(db);
  if( rc!=SQLITE_OK ){
    sqlite3_free(sqlite3_str_finish(pOut));
    if( *pzIntegrity==0 ) *pzIntegrity = sqlite3_mprintf("(cannot open)");
    return 0;
  }
  return sqlite3_str_finish(pOut);
}

/* ---------------------------------------------------------- scenarios --- */

#define R1 "(1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);" \
  " INSERT INTO users(name) VALUES (''ann''), (''bob'');', 'DROP TABLE users')"
#define R2 "(2, 'posts', 'CREATE TABLE posts(id INTEGER PRIMARY KEY," \
  " uid INTEGER REFERENCES users(id), body TEXT);" \
  " INSERT INTO posts(uid, body) SELECT id, ''hi '' || name FROM users;'," \
  " 'DROP TABLE posts')"
#define R3 "(3, 'rebuild users', 'CREATE TABLE users_new(id INTEGER PRIMARY KEY," \
  " name TEXT NOT NULL DEFAULT '''');" \
  " INSERT INTO users_new SELECT id, coalesce(name, '''') FROM users;" \
  " DROP TABLE users; ALTER TABLE users_new RENAME TO users;'," \
  " 'CREATE TABLE users_old(id INTEGER PRIMARY KEY, name TEXT);" \
  " INSERT INTO users_old SELECT id, name FROM users;" \
  " DROP TABLE users; ALTER TABLE users_old RENAME TO users;')"
#define INS "INSERT INTO migrations(version, name, up, down) VALUES "
/* the app's own table, with enough rows that a rebuild spans pages */
#define APP "CREATE TABLE app(k INTEGER PRIMARY KEY, v TEXT);" \
  " WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<300)" \
  " INSERT INTO app(v) SELECT printf('%0200d', i) FROM c;"
#define GOOSE "CREATE TABLE goose_db_version(id INTEGER PRIMARY KEY" \
  " AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL);" \
  " INSERT INTO goose_db_version(version_id, is_applied)" \
  " VALUES (0, 1), (1, 1), (2, 1), (3, 1);" \
  " CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');" \
  " CREATE TABLE posts(id INTEGER PRIMARY KEY, uid INTEGER, body TEXT);"

typedef struct Scenario Scenario;
struct Scenario {
  const char *zName;
  const char *zSetup;      /* made without recording */
  const char *zOp;         /* recorded: one transaction */
};

static const Scenario aScenario[] = {
  { "migrate() up with a rebuild, in the caller's transaction with its writes",
    APP INS R1 "; SELECT migrate();",
    "BEGIN; INSERT INTO app(v) VALUES ('before');"
    " INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES "
    R1 "," R2 "," R3 "; SELECT migrate();"
    " UPDATE app SET v = 'after ' || v WHERE k % 7 = 0; COMMIT;" },
  { "migrate() on its own",
    APP INS R1 "; SELECT migrate();" INS R2 "," R3 ";",
    "SELECT migrate();" },
  { "migrate_down() of two, in the caller's transaction with its writes",
    APP INS R1 "," R2 "," R3 "; SELECT migrate();",
    "BEGIN; DELETE FROM app WHERE k % 3 = 0; SELECT migrate_down(2);"
    " INSERT INTO app(v) VALUES ('after'); COMMIT;" },
  { "migrate_baseline() of goose's applied set, with the caller's writes",
    APP GOOSE INS R1 "," R2 "," R3 ";",
    "BEGIN; INSERT INTO app(v) VALUES ('before'); SELECT migrate_baseline();"
    " INSERT INTO app(v) VALUES ('after'); COMMIT;" },
  { "migrate_copy() into main, with the caller's writes",
    APP INS R1 "," R2 "; SELECT migrate();",
    "ATTACH ':memory:' AS src;"
    " CREATE TABLE src.users(id INTEGER PRIMARY KEY, name TEXT);"
    " WITH RECURSIVE c(i) AS (SELECT 10 UNION ALL SELECT i+1 FROM c WHERE i<400)"
    " INSERT INTO src.users SELECT i, printf('%0100d', i) FROM c;"
    " CREATE TABLE src.posts(id INTEGER PRIMARY KEY, uid INTEGER, body TEXT);"
    " INSERT INTO src.posts SELECT id, id, name FROM src.users;"
    " BEGIN; INSERT INTO app(v) VALUES ('before');"
    " SELECT migrate_copy('src', 'main'); COMMIT;" },
};

/*
** The wrong ordering: revision 2's up committed by hand in a transaction
** of its own, then migrate() records a revision 2 whose up does nothing,
** in a second one. A cut between the two commits leaves a state between.
*/
static const Scenario wrongOrder = {
  "wrong ordering (the up script and the history in two transactions)",
  APP INS R1 "; SELECT migrate();",
  "BEGIN; CREATE TABLE posts(id INTEGER PRIMARY KEY, uid INTEGER, body TEXT);"
  " INSERT INTO posts(uid, body) SELECT id, 'hi ' || name FROM users; COMMIT;"
  " BEGIN; INSERT INTO migrations(version, name, up, down) VALUES"
  " (2, 'posts', 'SELECT 1', 'DROP TABLE posts'); SELECT migrate(); COMMIT;"
};

static int nCutPoints = 0;       /* cut points tried, all scenarios */
static char *zDir = 0;           /* the work directory */

/* Results of one scenario in one mode */
typedef struct Tally Tally;
struct Tally {
  int nCut, nBefore, nAfter, nBetween, nBad, nLostAfterReturn;
  char zWhy[600];
};

/*
** Records pS in journal mode zMode with synchronous zSync and checks every
** cut point. Returns 1 when the recording could be made.
*/
static int runScenario(const Scenario *pS, const char *zMode,
                       const char *zSync, Tally *pT){
  static const char *const azSuffix[] = { "", "-journal", "-wal", "-shm" };
  char *zPath = sqlite3_mprintf("%s/pl.db", zDir);
  char *zCut = sqlite3_mprintf("%s/cut.db", zDir);
  Image aBase[MAX_FILE];
  char *zBefore = 0, *zAfter = 0, *zRes = 0, *zInt = 0;
  sqlite3 *db = 0;
  int i, f, ok = 0;
  size_t k;

  memset(pT, 0, sizeof(*pT));
  memset(aBase, 0, sizeof(aBase));
  recordingClear();
  for(k=0; k<4; k++){
    char *z = sqlite3_mprintf("%s%s", zPath, azSuffix[k]);
    unlink(z);
    sqlite3_free(z);
  }

  /* the start: made, closed (a WAL is checkpointed away), then read */
  db = openDbVfs(zPath, "plvfs");
  if( db ){
    char *zSetup = sqlite3_mprintf("PRAGMA journal_mode=%s; %s", zMode,
                                   pS->zSetup);
    if( run(db, zSetup, &zRes)!=SQLITE_OK ){
      snprintf(pT->zWhy, sizeof(pT->zWhy), "setup: %s", zRes);
      sqlite3_close(db);
      db = 0;
    }
    sqlite3_free(zSetup);
    sqlite3_free(zRes);
    zRes = 0;
  }
  if( db==0 ) goto done;
  sqlite3_close(db);
  zBefore = dumpPath(zPath, &zInt);
  sqlite3_free(zInt);
  zInt = 0;

  /* the recorded run: open, the call, close (its checkpoint included) */
  R.bOn = 0;
  db = openDbVfs(zPath, "plvfs");
  if( db==0 ) goto done;
  {
    char *zSync2 = sqlite3_mprintf("PRAGMA synchronous=%s; PRAGMA mmap_size=0;"
                                   " SELECT count(*) FROM sqlite_master;", zSync);
    run(db, zSync2, &zRes);
    sqlite3_free(zSync2);
    sqlite3_free(zRes);
    zRes = 0;
  }
  /* the files as they are now, before the first recorded event */
  for(k=0; k<3; k++){
    char *z = sqlite3_mprintf("%s%s", zPath, azSuffix[k]);
    char *zFull = z ? fullName(z) : 0;
    if( zFull ) fileIndex(zFull);
    sqlite3_free(z);
    sqlite3_free(zFull);
  }
  for(f=0; f<R.nFile; f++){
    if( imageRead(&aBase[f], R.azFile[f]) ){
      snprintf(pT->zWhy, sizeof(pT->zWhy), "cannot read %s", R.azFile[f]);
      sqlite3_close(db);
      goto done;
    }
  }
  R.bOn = 1;
  if( run(db, pS->zOp, &zRes)!=SQLITE_OK ){
    snprintf(pT->zWhy, sizeof(pT->zWhy), "the call failed: %s", zRes);
    R.bOn = 0;
    sqlite3_close(db);
    goto done;
  }
  R.iReturned = R.n;
  sqlite3_free(zRes);
  zRes = 0;
  sqlite3_close(db);
  R.bOn = 0;
  zAfter = dumpPath(zPath, &zInt);
  sqlite3_free(zInt);
  zInt = 0;
  if( zBefore==0 || zAfter==0 || strcmp(zBefore, zAfter)==0 ){
    snprintf(pT->zWhy, sizeof(pT->zWhy), "%s", zBefore==0 || zAfter==0
             ? "cannot read the database" : "the call changed nothing");
    goto done;
  }
  ok = 1;

  /* every cut point: just before each sync, and after the last event */
  for(i=0; i<=R.n; i++){
    int eHow;
    if( i<R.n && R.a[i].eType!=E_SYNC ) continue;
    for(eHow=0; eHow<4; eHow++){
      Image aCut[MAX_FILE];
      char *zDump;
      int bBad = 0;
      cutImages(aBase, i, eHow, aCut);
      for(f=0; f<R.nFile; f++){
        /* the same suffix ("", -journal, -wal) after cut.db */
        const char *zName = R.azFile[f];
        const char *zSuf = zName, *zHit;
        char *zTo;
        while( (zHit = strstr(zSuf, "pl.db"))!=0 ) zSuf = zHit+5;
        zTo = sqlite3_mprintf("%s%s", zCut, zSuf);
        if( imageLay(&aCut[f], zTo) ) bBad = 1;
        sqlite3_free(zTo);
        imageFree(&aCut[f]);
      }
      {
        char *zShm = sqlite3_mprintf("%s-shm", zCut);
        unlink(zShm);
        sqlite3_free(zShm);
      }
      pT->nCut++;
      nCutPoints++;
      zDump = bBad ? 0 : dumpPath(zCut, &zInt);
      if( zDump==0 || zInt==0 || strcmp(zInt, "ok")!=0 ){
        pT->nBad++;
        if( pT->zWhy[0]==0 ){
          snprintf(pT->zWhy, sizeof(pT->zWhy), "cut before event %d of %d "
                   "(variant %d): integrity_check says %s", i, R.n, eHow,
                   zInt ? zInt : "(cannot run)");
        }
      }else if( strcmp(zDump, zAfter)==0 ){
        pT->nAfter++;
      }else if( strcmp(zDump, zBefore)==0 ){
        pT->nBefore++;
        /* the call had returned, and is lost: only WAL with
        ** synchronous=NORMAL may do that */
        if( i>=R.iReturned ) pT->nLostAfterReturn++;
      }else{
        pT->nBetween++;
        if( pT->zWhy[0]==0 ){
          snprintf(pT->zWhy, sizeof(pT->zWhy), "cut before event %d of %d "
                   "(variant %d): the database is neither as before nor as "
                   "after the call", i, R.n, eHow);
        }
      }
      sqlite3_free(zDump);
      sqlite3_free(zInt);
      zInt = 0;
      for(k=0; k<4; k++){
        char *z = sqlite3_mprintf("%s%s", zCut, azSuffix[k]);
        unlink(z);
        sqlite3_free(z);
      }
    }
  }

done:
  for(f=0; f<MAX_FILE; f++) imageFree(&aBase[f]);
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  for(k=0; k<4; k++){
    char *z = sqlite3_mprintf("%s%s", zPath, azSuffix[k]);
    unlink(z);
    sqlite3_free(z);
  }
  sqlite3_free(zPath);
  sqlite3_free(zCut);
  return ok;
}

int main(void){
  static const char *const azMode[] = { "delete", "wal" };
  static const char *const azSync[] = { "FULL", "NORMAL" };
  const char *zTmp = getenv("TMPDIR");
  const char *zWrong = getenv("POWERLOSS_WRONG");
  int bWrong = zWrong && zWrong[0]=='1';
  size_t i, m, s;
  Tally t;
  char zName[400];

  if( plVfsRegister()!=SQLITE_OK ){
    printf("not ok - powerloss: the test VFS registers\n");
    return 1;
  }
  zDir = sqlite3_mprintf("%s/ctest_powerloss.XXXXXX",
                         zTmp && zTmp[0] ? zTmp : "/tmp");
  if( zDir==0 || mkdtemp(zDir)==0 ){
    printf("not ok - powerloss: cannot make a work directory\n");
    return 1;
  }

  for(i=0; i<sizeof(aScenario)/sizeof(aScenario[0]); i++){
    const Scenario *pS = bWrong ? &wrongOrder : &aScenario[i];
    if( sqlOmitted(aScenario[i].zOp) ){
      snprintf(zName, sizeof(zName), "powerloss: %s", aScenario[i].zName);
      skipOmitted(zName, sqlOmitted(aScenario[i].zOp));
      continue;
    }
    for(m=0; m<2; m++){
      for(s=0; s<2; s++){
        int bFullDurable = s==0;        /* FULL: a returned call is kept */
        int bOk;
        char zWhy[800];
        int bRan = runScenario(pS, azMode[m], azSync[s], &t);
        snprintf(zName, sizeof(zName), "powerloss: %s%s (%s, synchronous=%s): "
                 "%d cut points, each before or after, never between%s",
                 aScenario[i].zName, bWrong ? " (POWERLOSS_WRONG=1: the wrong "
                 "ordering in its place)" : "", azMode[m], azSync[s], t.nCut,
                 bFullDurable ? ", and kept once it returned" : "");
        bOk = bRan && t.nBad==0 && t.nBetween==0 && t.nAfter>0
           && (!bFullDurable || t.nLostAfterReturn==0);
        if( bRan && bOk==0 && t.zWhy[0]==0 ){
          snprintf(t.zWhy, sizeof(t.zWhy), "%d cut points after the call "
                   "returned give the database before it", t.nLostAfterReturn);
        }
        snprintf(zWhy, sizeof(zWhy), "%s (before %d, after %d, between %d, "
                 "unreadable %d)", t.zWhy, t.nBefore, t.nAfter, t.nBetween,
                 t.nBad);
        check(zName, bOk, zWhy);
        if( bOk ){
          printf("#   before %d, after %d%s\n", t.nBefore, t.nAfter,
                 !bFullDurable && t.nLostAfterReturn
                 ? "; the returned call lost at some cuts (NORMAL)" : "");
        }
      }
    }
  }

  /* The check can fail: the wrong ordering gives states between */
  if( !bWrong ){
    int nBetween = 0, nCut = 0;
    for(m=0; m<2; m++){
      if( runScenario(&wrongOrder, azMode[m], "FULL", &t) ){
        nBetween += t.nBetween;
        nCut += t.nCut;
      }
    }
    snprintf(zName, sizeof(zName), "powerloss: the check catches a %s: "
             "%d of %d cut points between", wrongOrder.zName, nBetween, nCut);
    check(zName, nBetween>0, "no cut point found the state between the two "
          "transactions: the check cannot fail");
  }

  printf("# powerloss: %d cut points tried\n", nCutPoints);
  recordingClear();
  rmdir(zDir);
  sqlite3_free(zDir);
  return nFailed ? 1 : 0;
}
