/*
** C test: migrate() from several threads at once.
**
**   make build/ctest_threads && LIB=./libsqlmig.so ./build/ctest_threads
**
** 1. Separate databases: two threads, each with its own connection to its
**    own file (one in rollback-journal mode, one in WAL), register 50
**    revisions and cycle migrate() / migrate(25) / migrate(0) at the same
**    time. Each revision's scripts log their run into a table, so after
**    the cycles every revision must have run up and down exactly once per
**    cycle, and every call must have returned the exact version. Shared
**    mutable state in the extension would show up here (and under
**    helgrind/ASan).
** 2. One database: two threads with busy_timeout on the same file run the
**    start-up idiom (BEGIN; INSERT OR IGNORE the same revisions; SELECT
**    migrate(); COMMIT) in rounds that add revisions, in rollback-journal
**    and WAL mode, and then the autocommit form (INSERT OR IGNORE, then
**    SELECT migrate()). A call may fail only with SQLITE_BUSY ("database
**    is locked"); the thread rolls back and retries. In the end every
**    revision's up script has run exactly once (its row in a log table).
**
** Loads the extension from env LIB (default ./libsqlmig.so). Threads only
** collect results; the main thread prints `ok - ...` / `not ok - ...`.
** Exits 1 when any check failed.
*/
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ctest.h"

/*
** Opens zPath with the extension loaded, in serialized mode (the connection
** may be shared by threads). Unlike ctest.h's openDb() it prints nothing:
** it returns NULL and sets *pzErr (sqlite3_free) on failure.
*/
static sqlite3 *openShared(const char *zPath, char **pzErr){
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc = sqlite3_open_v2(zPath, &db,
      SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE|SQLITE_OPEN_FULLMUTEX, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_enable_load_extension(db, 1);
  if( rc==SQLITE_OK ){
    rc = sqlite3_load_extension(db, libPath(), "sqlite3_sqlmig_init", &zErr);
  }
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot open %s with %s: %s", zPath, libPath(),
                             zErr ? zErr : sqlite3_errmsg(db));
    sqlite3_free(zErr);
    sqlite3_close(db);
    return 0;
  }
  return db;
}

/* Appends a failure description to *pzLog (the first few only). */
static void logFailure(char **pzLog, int *pnFail, const char *zFmt,
                       const char *zA, const char *zB){
  (*pnFail)++;
  if( *pnFail<=3 ){
    char *z = sqlite3_mprintf(zFmt, zA, zB);
    char *zNew = sqlite3_mprintf("%s#   %s\n", *pzLog ? *pzLog : "", z);
    sqlite3_free(z);
    sqlite3_free(*pzLog);
    *pzLog = zNew;
  }
}

/* --------------------------------------- part 1: separate databases --- */

#define N_REV 50

typedef struct SoloJob SoloJob;
struct SoloJob {
  const char *zPath;
  const char *zJournal;    /* journal_mode */
  int nCycle;
  pthread_barrier_t *pBarrier;
  int nFail;               /* wrong results */
  char *zLog;              /* the first of them */
};

/* Checks that zSql gives zWant on db; logs a failure otherwise. */
static void soloExpect(SoloJob *p, sqlite3 *db, const char *zSql,
                       const char *zWant){
  char *zGot = 0;
  run(db, zSql, &zGot);
  if( zGot==0 || strcmp(zGot, zWant)!=0 ){
    char *zWhat = sqlite3_mprintf("%s: want %s", zSql, zWant);
    logFailure(&p->zLog, &p->nFail, "%s, got %s", zWhat,
               zGot ? zGot : "(no row)");
    sqlite3_free(zWhat);
  }
  sqlite3_free(zGot);
}

/* Thread body of part 1. */
static void *soloThread(void *pArg){
  SoloJob *p = (SoloJob*)pArg;
  sqlite3 *db;
  char *zErr = 0;
  sqlite3_str *pIns;
  char *zSql;
  int i, c;

  removeDb(p->zPath);
  db = openShared(p->zPath, &zErr);
  pthread_barrier_wait(p->pBarrier);
  if( db==0 ){
    logFailure(&p->zLog, &p->nFail, "%s%s", zErr, "");
    sqlite3_free(zErr);
    return 0;
  }
  zSql = sqlite3_mprintf("PRAGMA journal_mode=%s; PRAGMA synchronous=OFF;"
                         " CREATE TABLE log(v INTEGER, dir INTEGER);"
                         " SELECT 'ready'", p->zJournal);
  soloExpect(p, db, zSql, "ready");
  sqlite3_free(zSql);

  /* 50 revisions: each makes a table and logs its up and down runs */
  pIns = sqlite3_str_new(db);
  sqlite3_str_appendall(pIns,
      "INSERT INTO migrations(version, name, up, down) VALUES ");
  for(i=1; i<=N_REV; i++){
    sqlite3_str_appendf(pIns, "%s(%d, 'rev %d', "
        "'CREATE TABLE t%d(x); INSERT INTO t%d VALUES (%d);"
        " INSERT INTO log VALUES (%d, 1);', "
        "'DROP TABLE t%d; INSERT INTO log VALUES (%d, -1);')",
        i>1 ? ", " : "", i, i, i, i, i, i, i, i);
  }
  sqlite3_str_appendall(pIns, "; SELECT count(*) FROM migrations");
  zSql = sqlite3_str_finish(pIns);
  soloExpect(p, db, zSql ? zSql : "SELECT 'out of memory'", "50");
  sqlite3_free(zSql);

  for(c=0; c<p->nCycle; c++){
    soloExpect(p, db, "SELECT migrate()", "50");
    soloExpect(p, db, "SELECT count(*) FROM sqlite_master "
               "WHERE name GLOB 't[0-9]*'", "50");
    soloExpect(p, db, "SELECT migrate(25)", "25");
    soloExpect(p, db, "SELECT count(*) FROM sqlite_master "
               "WHERE name GLOB 't[0-9]*'", "25");
    soloExpect(p, db, "SELECT count(*) FROM migrations "
               "WHERE applied_at IS NOT NULL", "25");
    soloExpect(p, db, "SELECT migrate(0)", "NULL");
    soloExpect(p, db, "SELECT count(*) FROM sqlite_master "
               "WHERE name GLOB 't[0-9]*'", "0");
  }
  /* Every revision ran up and down exactly nCycle times */
  zSql = sqlite3_mprintf("SELECT count(*) FROM (SELECT v FROM log GROUP BY v"
      " HAVING sum(dir=1)=%d AND sum(dir=-1)=%d)", p->nCycle, p->nCycle);
  soloExpect(p, db, zSql, "50");
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("%d", 2*N_REV*p->nCycle);
  soloExpect(p, db, "SELECT count(*) FROM log", zSql);
  sqlite3_free(zSql);
  if( sqlite3_close(db)!=SQLITE_OK ){
    logFailure(&p->zLog, &p->nFail, "close: %s%s", sqlite3_errmsg(db), "");
    sqlite3_close_v2(db);
  }
  removeDb(p->zPath);
  return 0;
}

static void testSeparate(int nCycle){
  SoloJob aJob[2];
  pthread_t aThread[2];
  pthread_barrier_t barrier;
  int i;
  memset(aJob, 0, sizeof(aJob));
  pthread_barrier_init(&barrier, 0, 2);
  for(i=0; i<2; i++){
    aJob[i].zPath = tempDbName("ctest_threads", i ? "solo_b" : "solo_a");
    aJob[i].zJournal = i ? "wal" : "delete";
    aJob[i].nCycle = nCycle;
    aJob[i].pBarrier = &barrier;
    pthread_create(&aThread[i], 0, soloThread, &aJob[i]);
  }
  for(i=0; i<2; i++){
    char *zName;
    pthread_join(aThread[i], 0);
    zName = sqlite3_mprintf("separate databases: thread %d (%s journal), "
        "%d revisions, %d cycles of migrate(), migrate(25), migrate(0): "
        "exact results", i+1, aJob[i].zJournal, N_REV, nCycle);
    check(zName, aJob[i].nFail==0, aJob[i].zLog ? "" : 0);
    if( aJob[i].zLog ) printf("%s", aJob[i].zLog);
    sqlite3_free(zName);
    sqlite3_free(aJob[i].zLog);
    sqlite3_free((char*)aJob[i].zPath);
  }
  pthread_barrier_destroy(&barrier);
}

/* ------------------------------------------ part 2: one database --- */

#define N_PER_ROUND 5

/* How part 2 calls migrate() */
#define FORM_IDIOM      0   /* BEGIN; INSERT OR IGNORE; migrate(); COMMIT */
#define FORM_AUTOCOMMIT 1   /* INSERT OR IGNORE, then migrate(), autocommit */
#define FORM_READFIRST  2   /* the idiom after a read: may get SQLITE_BUSY */
#define N_ROWS 3000       /* rows each up script inserts: it takes a while */

typedef struct SharedJob SharedJob;
struct SharedJob {
  const char *zPath;
  int iThread;
  int nRound;
  int eForm;               /* FORM_IDIOM, FORM_AUTOCOMMIT, FORM_READFIRST */
  pthread_barrier_t *pBarrier;
  int nOk;                 /* rounds that succeeded */
  int nBusy;               /* attempts that failed with SQLITE_BUSY */
  int nWait;               /* calls of the busy handler */
  char *zBusy;             /* the first SQLITE_BUSY message */
  int nFail;               /* wrong outcomes */
  char *zLog;
};

/* 1 when a failure is the clean kind: busy, database is locked. */
static int isBusy(int rc, const char *zMsg){
  return (rc&0xff)==SQLITE_BUSY
      || (zMsg && strstr(zMsg, "database is locked"));
}

/* Sleeps about n microseconds. */
static void pause_us(long n){
  struct timespec ts;
  ts.tv_sec = n/1000000;
  ts.tv_nsec = (n%1000000)*1000;
  nanosleep(&ts, 0);
}

/*
** The busy handler of part 2: what busy_timeout(5000) does (sleep and
** retry for up to 5 s), counting its calls so the test can tell that the
** threads really did wait for each other.
*/
static int busyWait(void *pArg, int nPrior){
  SharedJob *p = (SharedJob*)pArg;
  p->nWait++;
  if( nPrior>=5000 ) return 0;
  pause_us(1000);
  return 1;
}

/* Thread body of part 2. */
static void *sharedThread(void *pArg){
  SharedJob *p = (SharedJob*)pArg;
  char *zErr = 0;
  sqlite3 *db = openShared(p->zPath, &zErr);
  int r;

  if( db==0 ){
    /* cannot take part: the others would wait at the barrier forever */
    fprintf(stderr, "%s\n", zErr);
    exit(1);
  }
  sqlite3_busy_handler(db, busyWait, p);
  for(r=1; r<=p->nRound; r++){
    /* Every revision so far, as an app would list them at start-up */
    int nRev = r*N_PER_ROUND, i, nTry;
    sqlite3_str *pIns = sqlite3_str_new(db);
    char *zIns, *zWant;
    sqlite3_str_appendall(pIns, "INSERT OR IGNORE INTO migrations"
                                "(version, name, up, down) VALUES ");
    for(i=1; i<=nRev; i++){
      sqlite3_str_appendf(pIns, "%s(%d, 'rev %d', "
          "'INSERT INTO log(v) VALUES (%d); CREATE TABLE s%d(x);"
          " WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c"
          " WHERE n<%d) INSERT INTO s%d SELECT n FROM c;', "
          "'DROP TABLE s%d')", i>1 ? ", " : "", i, i, i, i, N_ROWS, i, i);
    }
    zIns = sqlite3_str_finish(pIns);
    zWant = sqlite3_mprintf("%d", nRev);
    pthread_barrier_wait(p->pBarrier);    /* all threads start the round */
    pause_us((r*p->iThread*397)%1500);     /* in varying order */
    for(nTry=0; nTry<200; nTry++){
      char *zRes = 0;
      const char *zStep = "the transaction";
      int rc;
      if( p->eForm!=FORM_AUTOCOMMIT ){
        char *zSql = sqlite3_mprintf("BEGIN; %s%s; SELECT migrate(); COMMIT;",
            p->eForm==FORM_READFIRST ? "SELECT count(*) FROM migrations; " : "",
            zIns);
        rc = run(db, zSql, &zRes);
        sqlite3_free(zSql);
      }else{
        zStep = "INSERT OR IGNORE";
        rc = run(db, zIns, &zRes);
        if( rc==SQLITE_OK ){
          sqlite3_free(zRes);
          zStep = "SELECT migrate()";
          rc = run(db, "SELECT migrate()", &zRes);
        }
      }
      if( rc==SQLITE_OK ){
        if( zRes==0 || strcmp(zRes, zWant)!=0 ){
          logFailure(&p->zLog, &p->nFail, "migrate() returned %s, want %s",
                     zRes ? zRes : "(no row)", zWant);
        }
        p->nOk++;
        sqlite3_free(zRes);
        break;
      }
      if( !isBusy(rc, zRes) ){
        char *zCode = sqlite3_mprintf("round %d try %d: %s failed with rc %d",
            r, nTry+1, zStep, sqlite3_extended_errcode(db));
        logFailure(&p->zLog, &p->nFail, "%s: %s", zCode, zRes);
        sqlite3_free(zCode);
      }else{
        p->nBusy++;
        if( p->zBusy==0 ){
          p->zBusy = sqlite3_mprintf("rc %d: %s",
                                     sqlite3_extended_errcode(db), zRes);
        }
      }
      sqlite3_free(zRes);
      if( !sqlite3_get_autocommit(db) ){
        sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
      }
      pause_us(1000 + (p->iThread*777 + nTry*313)%4000);
    }
    if( nTry>=200 ){
      logFailure(&p->zLog, &p->nFail, "round %s: gave up after %s tries",
                 zWant, "200");
    }
    sqlite3_free(zIns);
    sqlite3_free(zWant);
  }
  if( sqlite3_close(db)!=SQLITE_OK ){
    logFailure(&p->zLog, &p->nFail, "close: %s%s", sqlite3_errmsg(db), "");
    sqlite3_close_v2(db);
  }
  return 0;
}

/* Part 2 for one journal mode and calling form, nThread threads. */
static void testShared(const char *zJournal, int eForm, int nThread,
                       int nRound){
  static const char *azForm[] = {
    "BEGIN; INSERT OR IGNORE; migrate(); COMMIT",
    "INSERT OR IGNORE, then migrate() in autocommit",
    "BEGIN; SELECT FROM migrations; INSERT OR IGNORE; migrate(); COMMIT"
  };
  SharedJob aJob[4];
  pthread_t aThread[4];
  pthread_barrier_t barrier;
  char *zPath = tempDbName("ctest_threads", "shared");
  char *zErr = 0;
  char *zRes = 0;
  char *zSql, *zLabel;
  sqlite3 *db;
  int i, nBusy = 0, nWait = 0;

  removeDb(zPath);
  zLabel = sqlite3_mprintf("same database (%s journal, %s, %d threads)",
      zJournal, azForm[eForm], nThread);
  db = openShared(zPath, &zErr);
  if( db==0 ){
    char *zName = sqlite3_mprintf("%s: open", zLabel);
    check(zName, 0, zErr);
    sqlite3_free(zName);
    sqlite3_free(zErr);
    sqlite3_free(zLabel);
    sqlite3_free(zPath);
    return;
  }
  zSql = sqlite3_mprintf("PRAGMA journal_mode=%s; PRAGMA synchronous=OFF;"
                         " CREATE TABLE log(v INTEGER)", zJournal);
  run(db, zSql, &zRes);
  sqlite3_free(zSql);
  sqlite3_free(zRes);
  sqlite3_close(db);

  memset(aJob, 0, sizeof(aJob));
  pthread_barrier_init(&barrier, 0, (unsigned)nThread);
  for(i=0; i<nThread; i++){
    aJob[i].zPath = zPath;
    aJob[i].iThread = i;
    aJob[i].nRound = nRound;
    aJob[i].eForm = eForm;
    aJob[i].pBarrier = &barrier;
    pthread_create(&aThread[i], 0, sharedThread, &aJob[i]);
  }
  for(i=0; i<nThread; i++){
    char *zName;
    pthread_join(aThread[i], 0);
    nBusy += aJob[i].nBusy;
    nWait += aJob[i].nWait;
    if( aJob[i].zBusy ){
      printf("# thread %d, first SQLITE_BUSY: %s\n", i+1, aJob[i].zBusy);
      sqlite3_free(aJob[i].zBusy);
    }
    zName = sqlite3_mprintf("%s: thread %d: %d rounds succeeded, every "
        "failure was SQLITE_BUSY", zLabel, i+1, aJob[i].nOk);
    check(zName, aJob[i].nFail==0 && aJob[i].nOk==nRound,
          aJob[i].zLog ? "" : "rounds missing");
    if( aJob[i].zLog ) printf("%s", aJob[i].zLog);
    sqlite3_free(zName);
    sqlite3_free(aJob[i].zLog);
  }
  pthread_barrier_destroy(&barrier);
  printf("# %s: the busy handler ran %d times; %d attempts failed with "
         "SQLITE_BUSY and were retried\n", zLabel, nWait, nBusy);

  /* Each revision's up script ran exactly once */
  db = openShared(zPath, &zErr);
  if( db ){
    char *zWant = sqlite3_mprintf("%d|%d|%d|%d", nRound*N_PER_ROUND,
        nRound*N_PER_ROUND, nRound*N_PER_ROUND, nRound*N_PER_ROUND);
    char *zName = sqlite3_mprintf("%s: every revision applied exactly once",
                                  zLabel);
    char *zWhy;
    run(db, "SELECT count(*) || '|' || count(DISTINCT v) || '|' ||"
        " (SELECT count(*) FROM migrations WHERE applied_at IS NOT NULL)"
        " || '|' || (SELECT count(*) FROM sqlite_master"
        " WHERE name GLOB 's[0-9]*') FROM log", &zRes);
    zWhy = sqlite3_mprintf("log rows|distinct|applied|tables: got %s, "
                           "want %s", zRes, zWant);
    check(zName, zRes && strcmp(zRes, zWant)==0, zWhy);
    sqlite3_free(zWhy);
    sqlite3_free(zRes);
    sqlite3_free(zName);
    sqlite3_free(zWant);
    sqlite3_close(db);
  }else{
    check("reopen after the threads", 0, zErr);
    sqlite3_free(zErr);
  }
  removeDb(zPath);
  sqlite3_free(zLabel);
  sqlite3_free(zPath);
}

int main(void){
  int bSlow = slowMode();
  const char *zOnly = getenv("THREADS_ONLY");   /* debugging: one part */
  if( !sqlite3_threadsafe() ){
    printf("not ok - threads: SQLite was built without thread safety\n");
    return 1;
  }
  if( zOnly && strcmp(zOnly, "separate")==0 ){
    testSeparate(bSlow ? 2 : 8);
    return nFailed ? 1 : 0;
  }
  if( zOnly && strcmp(zOnly, "autocommit")==0 ){
    testShared("delete", FORM_AUTOCOMMIT, 3, bSlow ? 3 : 8);
    return nFailed ? 1 : 0;
  }
  testSeparate(bSlow ? 2 : 8);
  testShared("delete", FORM_IDIOM, 2, bSlow ? 3 : 8);
  testShared("wal", FORM_IDIOM, 3, bSlow ? 3 : 8);
  testShared("delete", FORM_AUTOCOMMIT, 3, bSlow ? 3 : 8);
  testShared("wal", FORM_AUTOCOMMIT, 2, bSlow ? 3 : 8);
  testShared("delete", FORM_READFIRST, 2, bSlow ? 3 : 8);
  testShared("wal", FORM_READFIRST, 3, bSlow ? 3 : 8);
  return nFailed ? 1 : 0;
}
