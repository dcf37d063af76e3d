/*
** C test: several processes migrating one database, and a process killed
** in the middle of migrate().
**
**   make build/ctest_procs && LIB=./libsqlmig.so ./build/ctest_procs
**
** 1. Concurrent processes: four forked processes open the same file
**    (busy_timeout 5000) and, released at the same moment, each run the
**    start-up idiom (BEGIN; INSERT OR IGNORE the revisions it knows;
**    SELECT migrate(); COMMIT) in rounds that add revisions, retrying a
**    call that fails with SQLITE_BUSY; then the same with INSERT OR IGNORE
**    and SELECT migrate() as two autocommit statements. Each up script
**    logs its run in a table: in the end every revision has run exactly
**    once. Done in rollback-journal and WAL mode.
** 2. Killed mid-migrate(): a child runs migrate() over three revisions
**    whose middle one runs long (a recursive CTE inserting many rows plus
**    an index); the parent SIGKILLs it after a delay taken as a fraction of
**    a measured full run. The database must then be either fully before
**    (no revision applied, none of their tables) or fully after (all three
**    applied, all tables and rows there), pass integrity_check, and the
**    next migrate() must complete it. Done for migrate() in autocommit and
**    for the start-up idiom, in rollback-journal and WAL mode.
**
** Loads the extension from env LIB (default ./libsqlmig.so). Children
** report through their exit status and `#` lines; the parent prints the
** `ok - ...` / `not ok - ...` lines. Exits 1 when any check failed. Under
** valgrind (LD_PRELOAD has vgpreload, or VALGRIND_MODE=1) the long script
** is shorter and there are fewer kills.
*/
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ctest.h"

/* Seconds since some fixed point, for measuring. */
static double now(void){
  struct timeval tv;
  gettimeofday(&tv, 0);
  return (double)tv.tv_sec + (double)tv.tv_usec/1e6;
}

/* Sleeps s seconds. */
static void pauseSeconds(double s){
  struct timespec ts;
  if( s<=0 ) return;
  ts.tv_sec = (time_t)s;
  ts.tv_nsec = (long)((s - (double)ts.tv_sec)*1e9);
  while( nanosleep(&ts, &ts)!=0 && errno==EINTR ){}
}

/* Size of file zPath plus zSuffix, -1 when it does not exist. */
static long fileSize(const char *zPath, const char *zSuffix){
  struct stat st;
  char *z = sqlite3_mprintf("%s%s", zPath, zSuffix);
  long n = stat(z, &st)==0 ? (long)st.st_size : -1;
  sqlite3_free(z);
  return n;
}

/* openDb() with a 5 s busy timeout: the processes wait for each other. */
static sqlite3 *openBusy(const char *zPath){
  sqlite3 *db = openDb(zPath);
  if( db ) sqlite3_busy_timeout(db, 5000);
  return db;
}

/* Runs zSql, which must work; returns its result (caller frees) or NULL. */
static char *must(sqlite3 *db, const char *zSql){
  char *zRes = 0;
  if( run(db, zSql, &zRes)!=SQLITE_OK ){
    printf("# %s: %s\n", zSql, zRes);
    fflush(stdout);
    sqlite3_free(zRes);
    return 0;
  }
  return zRes ? zRes : sqlite3_mprintf("%s", "");
}

/* ------------------------------------ part 1: concurrent processes --- */

#define N_PROC 4
#define N_PER_ROUND 4

/* The INSERT OR IGNORE of revisions 1..nRev (sqlite3_free the result). */
static char *revisionsInsert(int nRev){
  sqlite3_str *p = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendall(p, "INSERT OR IGNORE INTO migrations"
                           "(version, name, up, down) VALUES ");
  for(i=1; i<=nRev; i++){
    sqlite3_str_appendf(p, "%s(%d, 'rev %d', "
        "'INSERT INTO log(v, pid) VALUES (%d, sqlmig_test_pid());"
        " CREATE TABLE s%d(x);"
        " WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c"
        " WHERE n<2000) INSERT INTO s%d SELECT n FROM c;', "
        "'DROP TABLE s%d')", i>1 ? ", " : "", i, i, i, i, i, i);
  }
  return sqlite3_str_finish(p);
}

/* sqlmig_test_pid(): the calling process's id, logged by the scripts. */
static void pidFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_int(ctx, (int)getpid());
}

/*
** A child of part 1: waits for the start gate, then runs nRound rounds of
** the start-up idiom. Exit status: 0 when every round succeeded with a
** plausible result and every failure was SQLITE_BUSY, else 1.
*/
static int raceChild(const char *zPath, int fdGate, int iChild, int nRound,
                     int bIdiom){
  sqlite3 *db = openBusy(zPath);
  char c;
  int r, nBad = 0, nBusy = 0;
  if( db==0 ) return 1;
  sqlite3_create_function(db, "sqlmig_test_pid", 0, SQLITE_UTF8, 0, pidFunc,
                          0, 0);
  if( read(fdGate, &c, 1)<0 ) return 1;   /* EOF: everyone starts now */
  for(r=1; r<=nRound; r++){
    int nRev = r*N_PER_ROUND, nTry;
    char *zIns = revisionsInsert(nRev);
    char *zSql = bIdiom
        ? sqlite3_mprintf("BEGIN; %s; SELECT migrate(); COMMIT", zIns)
        : sqlite3_mprintf("%s; SELECT migrate()", zIns);
    for(nTry=0; nTry<100; nTry++){
      char *zRes = 0;
      int rc = run(db, zSql, &zRes);
      if( rc==SQLITE_OK ){
        /* others may have registered and applied later revisions */
        int v = zRes ? atoi(zRes) : 0;
        if( v<nRev || v>nRound*N_PER_ROUND ){
          printf("# child %d round %d: migrate() gave %s\n", iChild, r,
                 zRes ? zRes : "(no row)");
          nBad++;
        }
        sqlite3_free(zRes);
        break;
      }
      if( (rc&0xff)==SQLITE_BUSY || strstr(zRes, "database is locked") ){
        nBusy++;
      }else{
        printf("# child %d round %d: failed with rc %d: %s\n", iChild, r,
               sqlite3_extended_errcode(db), zRes);
        nBad++;
      }
      sqlite3_free(zRes);
      if( !sqlite3_get_autocommit(db) ) sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
      pauseSeconds(0.001*(1 + (iChild*7 + nTry*3)%5));
    }
    if( nTry>=100 ){
      printf("# child %d round %d: still busy after 100 tries\n", iChild, r);
      nBad++;
    }
    sqlite3_free(zSql);
    sqlite3_free(zIns);
  }
  if( nBusy ) printf("# child %d: %d SQLITE_BUSY retries\n", iChild, nBusy);
  fflush(stdout);
  if( sqlite3_close(db)!=SQLITE_OK ) nBad++;
  return nBad ? 1 : 0;
}

static void testRace(const char *zJournal, int bIdiom, int nRound){
  char *zPath = tempDbName("ctest_procs", "race");
  char *zName, *zRes, *zWant, *zSql;
  pid_t aPid[N_PROC];
  int aGate[2];
  int i, nBadExit = 0;
  sqlite3 *db;

  removeDb(zPath);
  db = openBusy(zPath);
  if( db==0 ){ check("race: open", 0, zPath); sqlite3_free(zPath); return; }
  zSql = sqlite3_mprintf("PRAGMA journal_mode=%s;"
                         " CREATE TABLE log(v INTEGER, pid INTEGER)", zJournal);
  sqlite3_free(must(db, zSql));
  sqlite3_free(zSql);
  sqlite3_close(db);

  if( pipe(aGate)!=0 ){ check("race: pipe", 0, strerror(errno)); return; }
  fflush(stdout);
  for(i=0; i<N_PROC; i++){
    aPid[i] = fork();
    if( aPid[i]==0 ){
      int rc;
      close(aGate[1]);
      rc = raceChild(zPath, aGate[0], i+1, nRound, bIdiom);
      sqlite3_free(zPath);      /* the child's copy: valgrind checks it */
      _exit(rc);
    }
  }
  close(aGate[0]);
  pauseSeconds(0.05);
  close(aGate[1]);                   /* releases every child at once */
  for(i=0; i<N_PROC; i++){
    int st = 0;
    if( aPid[i]<0 || waitpid(aPid[i], &st, 0)<0
     || !WIFEXITED(st) || WEXITSTATUS(st)!=0 ){
      nBadExit++;
    }
  }
  zName = sqlite3_mprintf("race (%s journal): %d processes, %d rounds of %s"
      " each: every call succeeded or failed with SQLITE_BUSY", zJournal,
      N_PROC, nRound, bIdiom ? "the start-up idiom"
                             : "INSERT OR IGNORE, then migrate()");
  zWant = sqlite3_mprintf("%d processes failed", nBadExit);
  check(zName, nBadExit==0, zWant);
  sqlite3_free(zName);
  sqlite3_free(zWant);

  db = openBusy(zPath);
  zRes = db ? must(db, "SELECT count(*) || '|' || count(DISTINCT v) || '|' ||"
      " (SELECT count(*) FROM migrations WHERE applied_at IS NOT NULL) || '|'"
      " || (SELECT count(*) FROM sqlite_master WHERE name GLOB 's[0-9]*')"
      " FROM log") : 0;
  zWant = sqlite3_mprintf("%d|%d|%d|%d", nRound*N_PER_ROUND,
      nRound*N_PER_ROUND, nRound*N_PER_ROUND, nRound*N_PER_ROUND);
  zName = sqlite3_mprintf("race (%s journal): every revision applied exactly "
                          "once", zJournal);
  {
    char *zWhy = sqlite3_mprintf("log rows|distinct|applied|tables: got %s, "
                                 "want %s", zRes, zWant);
    check(zName, zRes && strcmp(zRes, zWant)==0, zWhy);
    sqlite3_free(zWhy);
  }
  sqlite3_free(zName);
  sqlite3_free(zRes);
  zRes = db ? must(db, "SELECT count(DISTINCT pid) FROM log") : 0;
  if( zRes ) printf("# race (%s journal): revisions applied by %s different "
                    "processes\n", zJournal, zRes);
  sqlite3_free(zRes);
  sqlite3_free(zWant);
  sqlite3_close(db);
  removeDb(zPath);
  sqlite3_free(zPath);
}

/* ------------------------------------------ part 2: kill mid-migrate --- */

/* The three revisions; the second one runs long. */
static char *killRevisions(int nRows){
  return sqlite3_mprintf(
      "INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES"
      " (1, 'a', 'CREATE TABLE a(x); INSERT INTO a VALUES (1);',"
      "  'DROP TABLE a'),"
      " (2, 'big', 'CREATE TABLE big(n INTEGER, pad TEXT);"
      "  WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c"
      "  WHERE n<%d) INSERT INTO big SELECT n, printf(''%%040d'', n) FROM c;"
      "  CREATE INDEX big_pad ON big(pad);',"
      "  'DROP TABLE big'),"
      " (3, 'z', 'CREATE TABLE z(y); INSERT INTO z VALUES (3);',"
      "  'DROP TABLE z')", nRows);
}

/* The migrate() call of a kill run: the start-up idiom (registering the
** revisions in the same transaction) or a plain call. sqlite3_free it. */
static char *killMigrate(int bIdiom, int nRows){
  char *zIns, *zSql;
  if( !bIdiom ) return sqlite3_mprintf("SELECT migrate()");
  zIns = killRevisions(nRows);
  zSql = sqlite3_mprintf("BEGIN; %s; SELECT migrate(); COMMIT", zIns);
  sqlite3_free(zIns);
  return zSql;
}

/*
** A child of part 2: tells the parent through fdReady that it is about to
** call migrate() (bIdiom: the start-up idiom, else migrate() on revisions
** the parent registered), then does. Exit status 0 when it returned 3.
*/
static int killChild(const char *zPath, int fdReady, int bIdiom, int nRows){
  sqlite3 *db = openBusy(zPath);
  char *zSql, *zRes = 0;
  int rc;
  if( db==0 ) return 2;
  zSql = killMigrate(bIdiom, nRows);
  if( write(fdReady, "g", 1)!=1 ) return 2;
  rc = run(db, zSql, &zRes);
  if( rc!=SQLITE_OK || zRes==0 || strcmp(zRes, "3")!=0 ){
    printf("# child: migrate() gave rc %d: %s\n", rc, zRes);
    fflush(stdout);
    return 1;
  }
  sqlite3_free(zRes);
  sqlite3_free(zSql);
  sqlite3_close(db);
  return 0;
}

/*
** Prepares zPath for a kill run: journal mode, and (unless bIdiom) the
** three revisions registered, pending.
*/
static int killSetup(const char *zPath, const char *zJournal, int bIdiom,
                     int nRows){
  sqlite3 *db;
  char *zSql, *zRes;
  removeDb(zPath);
  db = openBusy(zPath);
  if( db==0 ) return 0;
  /* the parent's connections skip fsync; the killed child keeps FULL */
  zSql = sqlite3_mprintf("PRAGMA journal_mode=%s; PRAGMA synchronous=OFF;"
                         " CREATE TABLE keep(k);"
                         " INSERT INTO keep VALUES ('untouched')", zJournal);
  zRes = must(db, zSql);
  sqlite3_free(zSql);
  if( zRes && !bIdiom ){
    sqlite3_free(zRes);
    zSql = killRevisions(nRows);
    zRes = must(db, zSql);
    sqlite3_free(zSql);
  }
  sqlite3_free(zRes);
  sqlite3_close(db);
  return zRes!=0;
}

/*
** Forks a killChild on zPath and kills it rDelay seconds after it said
** it starts (rDelay<0: lets it finish). Returns the seconds it ran, or -1.
*/
static double killRun(const char *zPath, int bIdiom, int nRows,
                      double rDelay, int *pbKilled){
  int aReady[2];
  pid_t pid;
  char c;
  double t0;
  int st = 0;
  *pbKilled = 0;
  if( pipe(aReady)!=0 ) return -1;
  fflush(stdout);
  pid = fork();
  if( pid<0 ) return -1;
  if( pid==0 ){
    close(aReady[0]);
    _exit(killChild(zPath, aReady[1], bIdiom, nRows));   /* frees all */
  }
  close(aReady[1]);
  if( read(aReady[0], &c, 1)!=1 ){
    close(aReady[0]);
    waitpid(pid, &st, 0);
    return -1;
  }
  t0 = now();
  close(aReady[0]);
  if( rDelay>=0 ){
    pauseSeconds(rDelay);
    kill(pid, SIGKILL);
  }
  waitpid(pid, &st, 0);
  *pbKilled = WIFSIGNALED(st) && WTERMSIG(st)==SIGKILL;
  if( !*pbKilled && !(WIFEXITED(st) && WEXITSTATUS(st)==0) ) return -1;
  return now() - t0;
}

/*
** After a kill: classifies the database as 0 (fully before), 1 (fully
** after) or -1 (anything else), with *pzState describing it.
*/
static int killState(sqlite3 *db, int bIdiom, int nRows, char **pzState){
  char *zBefore = sqlite3_mprintf("%d|0|0|untouched|ok|-", bIdiom ? 0 : 3);
  char *zAfter = sqlite3_mprintf("3|3|4|untouched|ok|%d,%lld", nRows,
                                 (long long)nRows*(nRows+1)/2);
  char *zBig = 0;
  int eState;
  *pzState = must(db,
      "SELECT (SELECT count(*) FROM migrations) || '|' ||"
      " (SELECT count(*) FROM migrations WHERE applied_at IS NOT NULL) || '|'"
      " || (SELECT count(*) FROM sqlite_master WHERE name IN"
      "   ('a', 'big', 'big_pad', 'z')) || '|' ||"
      " (SELECT group_concat(k) FROM keep) || '|' ||"
      " (SELECT group_concat(integrity_check) FROM pragma_integrity_check)");
  if( *pzState ){
    zBig = must(db, "SELECT count(*) FROM sqlite_master WHERE name='big'");
    if( zBig && strcmp(zBig, "1")==0 ){
      sqlite3_free(zBig);
      zBig = must(db, "SELECT count(*) || ',' || sum(n) FROM big");
    }else if( zBig ){
      sqlite3_free(zBig);
      zBig = sqlite3_mprintf("-");
    }
    if( zBig ){
      char *z = sqlite3_mprintf("%s|%s", *pzState, zBig);
      sqlite3_free(*pzState);
      *pzState = z;
    }
  }
  eState = *pzState==0 ? -1 : strcmp(*pzState, zBefore)==0 ? 0
         : strcmp(*pzState, zAfter)==0 ? 1 : -1;
  if( eState<0 ){
    char *z = sqlite3_mprintf("%s (want %s or %s)", *pzState, zBefore,
                              zAfter);
    sqlite3_free(*pzState);
    *pzState = z;
  }
  sqlite3_free(zBig);
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  return eState;
}

static void testKill(const char *zJournal, int bIdiom, int nRows,
                     const double *aFrac, int nFrac){
  char *zPath = tempDbName("ctest_procs", "kill");
  char *zLabel = sqlite3_mprintf("kill (%s journal, %s)", zJournal,
      bIdiom ? "start-up idiom" : "migrate() in autocommit");
  char *zName;
  double rFull;
  int bKilled, i, nBefore = 0, nAfter = 0, nHot = 0;

  /* A full run, to know how long migrate() takes */
  rFull = killSetup(zPath, zJournal, bIdiom, nRows)
        ? killRun(zPath, bIdiom, nRows, -1, &bKilled) : -1;
  zName = sqlite3_mprintf("%s: a full run completes", zLabel);
  check(zName, rFull>0, "the child failed");
  sqlite3_free(zName);
  if( rFull<=0 ){ sqlite3_free(zLabel); sqlite3_free(zPath); return; }

  for(i=0; i<nFrac; i++){
    double rDelay = rFull*aFrac[i];
    char *zState = 0, *zRes = 0, *zWhy;
    sqlite3 *db;
    int eState = -1, bOk;
    long nJournal;
    if( !killSetup(zPath, zJournal, bIdiom, nRows) ){
      check("kill: setup", 0, zPath);
      break;
    }
    if( killRun(zPath, bIdiom, nRows, rDelay, &bKilled)<0 ){
      zName = sqlite3_mprintf("%s at %.0f%%: child ran", zLabel, aFrac[i]*100);
      check(zName, 0, "the child failed without being killed");
      sqlite3_free(zName);
      continue;
    }
    nJournal = fileSize(zPath, strcmp(zJournal, "wal")==0 ? "-wal"
                                                          : "-journal");
    if( bKilled && nJournal>0 && strcmp(zJournal, "wal")!=0 ) nHot++;

    db = openBusy(zPath);
    if( db ){
      sqlite3_exec(db, "PRAGMA synchronous=OFF", 0, 0, 0);
      eState = killState(db, bIdiom, nRows, &zState);
    }
    if( eState==0 ) nBefore++;
    if( eState==1 ) nAfter++;
    zName = sqlite3_mprintf("%s at %.0f%% of a full run (%.3fs, %s): fully "
        "before or fully after", zLabel, aFrac[i]*100, rDelay,
        bKilled ? "killed" : "had finished");
    check(zName, eState>=0, zState ? zState : "cannot open");
    sqlite3_free(zName);
    sqlite3_free(zState);

    /* The next migrate() completes it (the idiom registers first) */
    if( db ){
      char *zSql = killMigrate(bIdiom, nRows);
      bOk = run(db, zSql, &zRes)==SQLITE_OK && zRes && strcmp(zRes, "3")==0;
      sqlite3_free(zSql);
      if( bOk ){
        sqlite3_free(zRes);
        bOk = killState(db, 0, nRows, &zRes)==1;
      }
      zName = sqlite3_mprintf("%s at %.0f%%: the next migrate() completes it",
                              zLabel, aFrac[i]*100);
      zWhy = sqlite3_mprintf("got %s", zRes);
      check(zName, bOk, zWhy);
      sqlite3_free(zWhy);
      sqlite3_free(zName);
      sqlite3_free(zRes);
      sqlite3_close(db);
    }
  }
  printf("# %s: full run %.3fs; %d kills left it before, %d after; %d hot "
         "journals rolled back\n", zLabel, rFull, nBefore, nAfter, nHot);
  if( strcmp(zJournal, "wal")!=0 ){
    zName = sqlite3_mprintf("%s: some kills hit an open transaction (hot "
                            "journal)", zLabel);
    check(zName, nHot>0, "no kill left a hot journal: the timing is off");
    sqlite3_free(zName);
  }
  removeDb(zPath);
  sqlite3_free(zLabel);
  sqlite3_free(zPath);
}

int main(void){
  static const double aFrac[] = { 0.05, 0.25, 0.45, 0.65, 0.85, 2.0 };
  static const double aFracSlow[] = { 0.5, 2.0 };
  int bSlow = slowMode();
  int nRows = bSlow ? 4000 : 40000;
  const double *a = bSlow ? aFracSlow : aFrac;
  int n = bSlow ? 2 : (int)(sizeof(aFrac)/sizeof(aFrac[0]));

  signal(SIGPIPE, SIG_IGN);
  testRace("delete", 1, bSlow ? 2 : 5);
  testRace("wal", 1, bSlow ? 2 : 5);
  testRace("delete", 0, bSlow ? 2 : 5);
  testRace("wal", 0, bSlow ? 2 : 5);
  testKill("delete", 0, nRows, a, n);
  testKill("wal", 0, nRows, a, n);
  testKill("delete", 1, nRows, a, n);
  testKill("wal", 1, nRows, a, n);
  return nFailed ? 1 : 0;
}
