/*
** sqlmig benchmark driver: the core budgets of SPEC section 5.
**
**   build/bench LIB DIR [-n N] [-r REPS] [-s SCENARIO] [-S]
**
** (what `make bench` runs through bench/run.sh). LIB is the extension to
** load, DIR an empty directory for the database files (every measurement
** starts from a fresh file there). N is the number of revisions (default
** 1000), REPS the repetitions per measurement (default 7); -s runs only the
** scenarios whose name starts with SCENARIO (for profiling one of them:
** `perf record build/bench ./libsqlmig.so /tmp/x -s apply-create -r 20`).
** -S sets PRAGMA synchronous=OFF on every connection: no fsync at commit,
** so the ratios show CPU cost alone and are steadier on a busy machine.
**
** Output: one line per measurement,
**
**   RESULT|<scenario>|<sqlmig ms>|<baseline ms>|<budget>
**
** with the medians over REPS of wall-clock time (CLOCK_MONOTONIC), both
** sides measured alternately in this one process, and <budget> the highest
** acceptable ratio sqlmig/baseline ("info" when there is none), and
** `INFO|<text>` notes. run.sh
** turns these lines into the table of bench/results.md. Progress and
** sanity-check failures go to stderr; a failed check exits 1.
**
** Scenarios (a table at the end of this file; add a row to add one):
**   apply-*    migrate() of N registered one-statement revisions vs the
**              same scripts run with sqlite3_exec() in one BEGIN...COMMIT;
**              only the migrate() call is timed. Variants: CREATE TABLE,
**              INSERT, ALTER TABLE ADD COLUMN.
**   register   INSERT of those N revisions into `migrations` vs the same
**              INSERT into an ordinary table (info: not a budget).
**   startup    the start-up idiom on a database where all N are applied:
**              BEGIN; INSERT OR IGNORE x N; SELECT migrate(); COMMIT; vs
**              the same INSERT OR IGNORE into an ordinary table.
** The issue-3 scenarios (diff rebuild, migrate_copy, schema diff) are shell
** scripts, bench/diff_*.sh, that run.sh runs after this program.
*/
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Keeps a function out of line, so a profiler can find it by name. */
#if defined(__GNUC__) || defined(__clang__)
# define BENCH_NOINLINE __attribute__((noinline))
#else
# define BENCH_NOINLINE
#endif

/* What every scenario gets. */
typedef struct Bench Bench;
struct Bench {
  const char *zLib;        /* the extension */
  const char *zDir;        /* directory for the database files */
  int nRev;                /* revisions per scenario */
  int nRep;                /* repetitions per measurement */
  int bNoSync;             /* -S: PRAGMA synchronous=OFF on every connection */
};

/* The scripts of one revision set. */
typedef struct RevSet RevSet;
struct RevSet {
  const char *zSetup;      /* run on a fresh database first, or NULL */
  char **azUp;
  char **azDown;
  int n;
};

/* Milliseconds on the monotonic clock. */
static double nowMs(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec*1000.0 + (double)t.tv_nsec/1e6;
}

/*
** Milliseconds of CPU time used by this process: unlike the wall clock,
** blind to waiting (fsync, other processes running), so its ratios stay
** steady on a busy machine. Reported as a note next to the wall time.
*/
static double cpuMs(void){
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec*1000.0 + (double)t.tv_nsec/1e6;
}

/* Prints a message and exits: the benchmark is broken, not slow. */
static void fatal(sqlite3 *db, const char *zWhat){
  fprintf(stderr, "bench: %s: %s\n", zWhat, db ? sqlite3_errmsg(db) : "");
  exit(1);
}

static void execOrDie(sqlite3 *db, const char *zSql){
  char *zErr = 0;
  if( sqlite3_exec(db, zSql, 0, 0, &zErr)!=SQLITE_OK ){
    fprintf(stderr, "bench: %s\n  in: %.200s\n", zErr ? zErr : "?", zSql);
    exit(1);
  }
}

/* The integer result of a one-value query. */
static sqlite3_int64 queryInt(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 v = -1;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)!=SQLITE_OK ) fatal(db, zSql);
  if( sqlite3_step(pStmt)==SQLITE_ROW ) v = sqlite3_column_int64(pStmt, 0);
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ) fatal(db, zSql);
  return v;
}

/*
** Opens DIR/zName with the extension loaded; a fresh, empty file when
** bFresh (any earlier file and journal are removed first).
*/
static sqlite3 *openDb(Bench *p, const char *zName, int bFresh){
  sqlite3 *db = 0;
  char *zPath = sqlite3_mprintf("%s/%s", p->zDir, zName);
  char *zErr = 0;
  if( zPath==0 ) fatal(0, "out of memory");
  if( bFresh ){
    char *zJrnl = sqlite3_mprintf("%s-journal", zPath);
    unlink(zPath);
    if( zJrnl ) unlink(zJrnl);
    sqlite3_free(zJrnl);
  }
  if( sqlite3_open(zPath, &db)!=SQLITE_OK ) fatal(db, zPath);
  sqlite3_enable_load_extension(db, 1);
  if( sqlite3_load_extension(db, p->zLib, 0, &zErr)!=SQLITE_OK ){
    fprintf(stderr, "bench: cannot load %s: %s\n", p->zLib, zErr);
    exit(1);
  }
  if( p->bNoSync ) execOrDie(db, "PRAGMA synchronous=OFF");
  sqlite3_free(zPath);
  return db;
}

/* Median of a[0..n), which it sorts. */
static int cmpDouble(const void *a, const void *b){
  double x = *(const double*)a, y = *(const double*)b;
  return x<y ? -1 : x>y;
}
static double median(double *a, int n){
  qsort(a, (size_t)n, sizeof(double), cmpDouble);
  return n%2 ? a[n/2] : (a[n/2-1]+a[n/2])/2.0;
}

static void report(const char *zScenario, double *aMig, double *aBase,
                   int nRep, const char *zBudget){
  printf("RESULT|%s|%.2f|%.2f|%s\n", zScenario, median(aMig, nRep),
         median(aBase, nRep), zBudget);
  fflush(stdout);
}

/* The CPU-time medians of a scenario, as a note. */
static void reportCpu(const char *zScenario, double *aMig, double *aBase,
                      int nRep){
  double m = median(aMig, nRep), b = median(aBase, nRep);
  printf("INFO|%s: CPU time %.2f vs %.2f ms, ratio %.2fx\n", zScenario, m, b,
         b>0.0 ? m/b : 0.0);
  fflush(stdout);
}

/* ------------------------------------------------------- revision sets --- */

static void revSetFree(RevSet *pSet){
  int i;
  for(i=0; i<pSet->n; i++){
    sqlite3_free(pSet->azUp[i]);
    sqlite3_free(pSet->azDown[i]);
  }
  sqlite3_free(pSet->azUp);
  sqlite3_free(pSet->azDown);
  memset(pSet, 0, sizeof(*pSet));
}

/* Allocates room for n revisions. */
static void revSetInit(RevSet *pSet, int n, const char *zSetup){
  size_t nByte = sizeof(char*)*(size_t)n;
  pSet->zSetup = zSetup;
  pSet->n = n;
  pSet->azUp = sqlite3_malloc64(nByte);
  pSet->azDown = sqlite3_malloc64(nByte);
  if( pSet->azUp==0 || pSet->azDown==0 ) fatal(0, "out of memory");
  memset(pSet->azUp, 0, nByte);
  memset(pSet->azDown, 0, nByte);
}

static void revSetCheck(RevSet *pSet){
  int i;
  for(i=0; i<pSet->n; i++){
    if( pSet->azUp[i]==0 || pSet->azDown[i]==0 ) fatal(0, "out of memory");
  }
}

/* N revisions, each creating one table. */
static void revSetCreate(RevSet *pSet, int n){
  int i;
  revSetInit(pSet, n, 0);
  for(i=0; i<n; i++){
    pSet->azUp[i] = sqlite3_mprintf("CREATE TABLE t%d(a INTEGER, b TEXT);", i);
    pSet->azDown[i] = sqlite3_mprintf("DROP TABLE t%d;", i);
  }
  revSetCheck(pSet);
}

/* N revisions, each inserting one row into t. */
static void revSetInsert(RevSet *pSet, int n){
  int i;
  revSetInit(pSet, n, "CREATE TABLE t(a INTEGER, b TEXT);");
  for(i=0; i<n; i++){
    pSet->azUp[i] = sqlite3_mprintf(
        "INSERT INTO t VALUES(%d, 'row number %d');", i, i);
    pSet->azDown[i] = sqlite3_mprintf("DELETE FROM t WHERE a=%d;", i);
  }
  revSetCheck(pSet);
}

/* N revisions, each adding a column to t (N must stay below 2000). */
static void revSetAlter(RevSet *pSet, int n){
  int i;
  revSetInit(pSet, n, "CREATE TABLE t(a INTEGER, b TEXT);");
  for(i=0; i<n; i++){
    pSet->azUp[i] = sqlite3_mprintf(
        "ALTER TABLE t ADD COLUMN c%d INTEGER DEFAULT %d;", i, i);
    pSet->azDown[i] = sqlite3_mprintf("ALTER TABLE t DROP COLUMN c%d;", i);
  }
  revSetCheck(pSet);
}

/*
** Inserts the revisions of pSet into zTable (`migrations`, or an ordinary
** table with the same four columns) with one prepared statement, inside
** BEGIN...COMMIT when bTxn. zVerb is "INSERT" or "INSERT OR IGNORE".
*/
static void revSetInsertRows(sqlite3 *db, RevSet *pSet, const char *zVerb,
                             const char *zTable, int bTxn){
  sqlite3_stmt *pStmt = 0;
  char *zSql = sqlite3_mprintf("%s INTO \"%w\"(version, name, up, down) "
                               "VALUES(?1, ?2, ?3, ?4)", zVerb, zTable);
  int i;
  if( zSql==0 ) fatal(0, "out of memory");
  if( bTxn ) execOrDie(db, "BEGIN");
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)!=SQLITE_OK ) fatal(db, zSql);
  for(i=0; i<pSet->n; i++){
    char zName[32];
    snprintf(zName, sizeof(zName), "rev %d", i+1);
    sqlite3_bind_int64(pStmt, 1, i+1);
    sqlite3_bind_text(pStmt, 2, zName, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(pStmt, 3, pSet->azUp[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 4, pSet->azDown[i], -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)!=SQLITE_DONE ) fatal(db, zSql);
    sqlite3_reset(pStmt);
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ) fatal(db, zSql);
  if( bTxn ) execOrDie(db, "COMMIT");
  sqlite3_free(zSql);
}

/* Runs every up script of pSet with sqlite3_exec() in one transaction. */
static BENCH_NOINLINE void revSetRunDirect(sqlite3 *db, RevSet *pSet){
  int i;
  execOrDie(db, "BEGIN");
  for(i=0; i<pSet->n; i++) execOrDie(db, pSet->azUp[i]);
  execOrDie(db, "COMMIT");
}

/* SELECT migrate(); checks that it reached version nExpect. */
static BENCH_NOINLINE void runMigrate(sqlite3 *db, int nExpect){
  sqlite3_int64 v = queryInt(db, "SELECT migrate()");
  if( v!=nExpect ){
    fprintf(stderr, "bench: migrate() returned %lld, expected %d\n", v,
            nExpect);
    exit(1);
  }
}

static const char zRevTable[] =
  "CREATE TABLE r(version INTEGER PRIMARY KEY, name TEXT, up TEXT, down TEXT)";

/* --------------------------------------------------------- scenarios --- */

/*
** apply-*: migrate() of pSet's registered revisions vs the same scripts
** run directly in one transaction. Also reports the registration (info).
*/
static void benchApply(Bench *p, const char *zScenario, RevSet *pSet){
  double *aMig = sqlite3_malloc64(sizeof(double)*6*(size_t)p->nRep);
  double *aBase = aMig + p->nRep;
  double *aReg = aBase + p->nRep;
  double *aRegBase = aReg + p->nRep;
  double *aMigCpu = aRegBase + p->nRep;
  double *aBaseCpu = aMigCpu + p->nRep;
  char zLabel[200];
  int r, k;
  if( aMig==0 ) fatal(0, "out of memory");
  for(r=0; r<p->nRep; r++){
    for(k=0; k<2; k++){
      sqlite3 *db;
      double t0, c0;
      if( (k+r)%2==0 ){                     /* alternate which goes first */
        db = openDb(p, "apply_mig.db", 1);
        if( pSet->zSetup ) execOrDie(db, pSet->zSetup);
        t0 = nowMs();
        revSetInsertRows(db, pSet, "INSERT", "migrations", 1);
        aReg[r] = nowMs() - t0;
        c0 = cpuMs();
        t0 = nowMs();
        runMigrate(db, pSet->n);
        aMig[r] = nowMs() - t0;
        aMigCpu[r] = cpuMs() - c0;
        if( queryInt(db, "SELECT count(*) FROM migrations WHERE applied_at "
                         "IS NOT NULL")!=pSet->n ){
          fatal(0, "migrate() did not apply every revision");
        }
      }else{
        db = openDb(p, "apply_base.db", 1);
        if( pSet->zSetup ) execOrDie(db, pSet->zSetup);
        execOrDie(db, zRevTable);
        t0 = nowMs();
        revSetInsertRows(db, pSet, "INSERT", "r", 1);
        aRegBase[r] = nowMs() - t0;
        c0 = cpuMs();
        t0 = nowMs();
        revSetRunDirect(db, pSet);
        aBase[r] = nowMs() - t0;
        aBaseCpu[r] = cpuMs() - c0;
      }
      sqlite3_close(db);
    }
  }
  snprintf(zLabel, sizeof(zLabel), "%s: migrate() of %d revisions vs "
           "sqlite3_exec of each in one BEGIN...COMMIT", zScenario, pSet->n);
  report(zLabel, aMig, aBase, p->nRep, "1.10");
  reportCpu(zScenario, aMigCpu, aBaseCpu, p->nRep);
  snprintf(zLabel, sizeof(zLabel), "%s: registering %d revisions "
           "(INSERT INTO migrations vs INSERT INTO ordinary table)",
           zScenario, pSet->n);
  report(zLabel, aReg, aRegBase, p->nRep, "info");
  sqlite3_free(aMig);
}

static void benchApplyCreate(Bench *p, const char *zScenario){
  RevSet set;
  revSetCreate(&set, p->nRev);
  benchApply(p, zScenario, &set);
  revSetFree(&set);
}

static void benchApplyInsert(Bench *p, const char *zScenario){
  RevSet set;
  revSetInsert(&set, p->nRev);
  benchApply(p, zScenario, &set);
  revSetFree(&set);
}

static void benchApplyAlter(Bench *p, const char *zScenario){
  RevSet set;
  revSetAlter(&set, p->nRev<1990 ? p->nRev : 1990);
  benchApply(p, zScenario, &set);
  revSetFree(&set);
}

/*
** The timed part of the start-up idiom with sqlmig: BEGIN; INSERT OR
** IGNORE of every revision of pSet; SELECT migrate(); COMMIT. Adds the
** milliseconds of the INSERT part to *pIns and of migrate() to *pMig.
** Functions of their own so that a profiler can be pointed at them
** (valgrind --tool=callgrind --toggle-collect=startupIdiomSqlmig, or
** startupInsertPart, startupMigratePart, startupIdiomBaseline).
*/
static BENCH_NOINLINE void startupInsertPart(sqlite3 *db, RevSet *pSet){
  revSetInsertRows(db, pSet, "INSERT OR IGNORE", "migrations", 0);
}
static BENCH_NOINLINE void startupMigratePart(sqlite3 *db, RevSet *pSet){
  runMigrate(db, pSet->n);
}
static BENCH_NOINLINE void startupIdiomSqlmig(sqlite3 *db, RevSet *pSet,
                                              double *pIns, double *pMig){
  double t0 = nowMs(), t1, t2;
  execOrDie(db, "BEGIN");
  startupInsertPart(db, pSet);
  t1 = nowMs();
  startupMigratePart(db, pSet);
  t2 = nowMs();
  execOrDie(db, "COMMIT");
  *pIns += t1 - t0;
  *pMig += t2 - t1;
}

/* The baseline of the start-up idiom: the same INSERT OR IGNORE into r. */
static BENCH_NOINLINE void startupIdiomBaseline(sqlite3 *db, RevSet *pSet){
  execOrDie(db, "BEGIN");
  revSetInsertRows(db, pSet, "INSERT OR IGNORE", "r", 0);
  execOrDie(db, "COMMIT");
}

/*
** startup: BEGIN; INSERT OR IGNORE of N known revisions; SELECT migrate();
** COMMIT; on a database where all N are applied, vs the same INSERT OR
** IGNORE into an ordinary table that holds them. Each repetition uses a
** new connection, warmed up (schema read) before the clock starts. The
** INSERT and migrate() parts are also reported (info).
*/
static void benchStartup(Bench *p, const char *zScenario){
  double *aMig = sqlite3_malloc64(sizeof(double)*6*(size_t)p->nRep);
  double *aBase = aMig + p->nRep;
  double *aIns = aBase + p->nRep;
  double *aNoop = aIns + p->nRep;
  double *aMigCpu = aNoop + p->nRep;
  double *aBaseCpu = aMigCpu + p->nRep;
  char zLabel[200];
  RevSet set;
  sqlite3 *db;
  int r, k;
  if( aMig==0 ) fatal(0, "out of memory");
  (void)zScenario;
  revSetCreate(&set, p->nRev);

  /* Both databases hold the N tables and the N revisions */
  db = openDb(p, "startup_mig.db", 1);
  revSetInsertRows(db, &set, "INSERT", "migrations", 1);
  runMigrate(db, set.n);
  sqlite3_close(db);
  db = openDb(p, "startup_base.db", 1);
  execOrDie(db, zRevTable);
  revSetInsertRows(db, &set, "INSERT", "r", 1);
  revSetRunDirect(db, &set);
  sqlite3_close(db);

  for(r=0; r<p->nRep; r++){
    for(k=0; k<2; k++){
      double t0, c0;
      if( (k+r)%2==0 ){
        db = openDb(p, "startup_mig.db", 0);
        queryInt(db, "SELECT count(*) FROM sqlite_master");
        aIns[r] = aNoop[r] = 0.0;
        c0 = cpuMs();
        t0 = nowMs();
        startupIdiomSqlmig(db, &set, &aIns[r], &aNoop[r]);
        aMig[r] = nowMs() - t0;
        aMigCpu[r] = cpuMs() - c0;
        if( queryInt(db, "SELECT count(*) FROM migrations")!=set.n ){
          fatal(0, "start-up idiom changed the revisions");
        }
      }else{
        db = openDb(p, "startup_base.db", 0);
        queryInt(db, "SELECT count(*) FROM sqlite_master");
        c0 = cpuMs();
        t0 = nowMs();
        startupIdiomBaseline(db, &set);
        aBase[r] = nowMs() - t0;
        aBaseCpu[r] = cpuMs() - c0;
      }
      sqlite3_close(db);
    }
  }
  snprintf(zLabel, sizeof(zLabel), "startup: INSERT OR IGNORE %d known "
           "revisions + no-op migrate() vs INSERT OR IGNORE into ordinary "
           "table", set.n);
  report(zLabel, aMig, aBase, p->nRep, "1.50");
  reportCpu("startup", aMigCpu, aBaseCpu, p->nRep);
  snprintf(zLabel, sizeof(zLabel), "startup, part: the INSERT OR IGNORE "
           "into migrations (baseline: whole baseline)");
  report(zLabel, aIns, aBase, p->nRep, "info");
  printf("RESULT|startup, part: the no-op migrate()|%.2f|-|info\n",
         median(aNoop, p->nRep));
  revSetFree(&set);
  sqlite3_free(aMig);
}

/*
** check: SELECT * FROM migrate_check() over N registered revisions, each
** creating a table (up) and dropping it (down), vs running every up script
** and then every down script, newest first, directly in one transaction
** (rolled back: the check writes nothing either). The check runs each up
** twice and each down once, and compares before and after.
*/
static void benchCheck(Bench *p, const char *zScenario){
  double *aMig = sqlite3_malloc64(sizeof(double)*4*(size_t)p->nRep);
  double *aBase = aMig + p->nRep;
  double *aMigCpu = aBase + p->nRep;
  double *aBaseCpu = aMigCpu + p->nRep;
  char zLabel[200];
  RevSet set;
  sqlite3 *dbMig, *dbBase;
  int r, k, i;
  if( aMig==0 ) fatal(0, "out of memory");
  revSetCreate(&set, p->nRev);
  dbMig = openDb(p, "check_mig.db", 1);
  revSetInsertRows(dbMig, &set, "INSERT", "migrations", 1);
  dbBase = openDb(p, "check_base.db", 1);
  for(r=0; r<p->nRep; r++){
    for(k=0; k<2; k++){
      double t0, c0 = cpuMs();
      t0 = nowMs();
      if( (k+r)%2==0 ){
        if( queryInt(dbMig, "SELECT count(*) FROM migrate_check()")!=0 ){
          fatal(0, "migrate_check() found problems in a clean history");
        }
        aMig[r] = nowMs() - t0;
        aMigCpu[r] = cpuMs() - c0;
      }else{
        execOrDie(dbBase, "BEGIN");
        for(i=0; i<set.n; i++) execOrDie(dbBase, set.azUp[i]);
        for(i=set.n-1; i>=0; i--) execOrDie(dbBase, set.azDown[i]);
        execOrDie(dbBase, "ROLLBACK");
        aBase[r] = nowMs() - t0;
        aBaseCpu[r] = cpuMs() - c0;
      }
    }
  }
  sqlite3_close(dbMig);
  sqlite3_close(dbBase);
  snprintf(zLabel, sizeof(zLabel), "%s: migrate_check() of %d revisions vs "
           "running their up and down scripts directly", zScenario, set.n);
  report(zLabel, aMig, aBase, p->nRep, "3.00");
  reportCpu(zScenario, aMigCpu, aBaseCpu, p->nRep);
  revSetFree(&set);
  sqlite3_free(aMig);
}

/*
** record: what recording the schema for migrate_drift() adds to migrate()
** of N revisions each creating a table: the statements migrate() runs at
** its end (sqlmigSchemaRecord in ext/drift.c; the same text here), timed
** alone on the schema that migrate() left, against that migrate() whole.
*/
static void benchRecord(Bench *p, const char *zScenario){
  double *aMig = sqlite3_malloc64(sizeof(double)*2*(size_t)p->nRep);
  double *aRec = aMig + p->nRep;
  char zLabel[200];
  RevSet set;
  int r;
  if( aMig==0 ) fatal(0, "out of memory");
  revSetCreate(&set, p->nRev);
  for(r=0; r<p->nRep; r++){
    sqlite3 *db = openDb(p, "record.db", 1);
    double t0;
    revSetInsertRows(db, &set, "INSERT", "migrations", 1);
    t0 = nowMs();
    runMigrate(db, set.n);
    aMig[r] = nowMs() - t0;
    if( queryInt(db, "SELECT count(*) FROM sqlmig_schema")!=set.n ){
      fatal(0, "migrate() did not record the schema");
    }
    t0 = nowMs();
    execOrDie(db, "BEGIN;"
        "CREATE TABLE IF NOT EXISTS main.sqlmig_schema(type TEXT, name TEXT,"
        " tbl_name TEXT, sql TEXT);"
        "DELETE FROM main.sqlmig_schema;"
        "INSERT INTO main.sqlmig_schema SELECT type, name, tbl_name, sql"
        " FROM main.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE"
        " 'sqlite\\_%' ESCAPE '\\' AND name<>'sqlmig' AND name NOT LIKE"
        " 'sqlmig\\_%' ESCAPE '\\';"
        "ROLLBACK");
    aRec[r] = nowMs() - t0;
    sqlite3_close(db);
  }
  snprintf(zLabel, sizeof(zLabel), "%s: recording the schema for "
           "migrate_drift() vs migrate() of %d revisions that includes it",
           zScenario, set.n);
  report(zLabel, aRec, aMig, p->nRep, "0.05");
  revSetFree(&set);
  sqlite3_free(aMig);
}

/*
** Every scenario, in the order of the table. An issue-3 scenario that
** needs C rather than a bench/diff_*.sh script gets a row here.
*/
static const struct {
  const char *zName;
  void (*xRun)(Bench*, const char*);
} aScenario[] = {
  { "apply-create", benchApplyCreate },
  { "apply-insert", benchApplyInsert },
  { "apply-alter",  benchApplyAlter },
  { "startup",      benchStartup },
  { "check",        benchCheck },
  { "record",       benchRecord },
};

static void usage(void){
  fprintf(stderr, "usage: bench LIB DIR [-n REVISIONS] [-r REPS] "
                  "[-s SCENARIO-PREFIX] [-S]\n");
  exit(2);
}

int main(int argc, char **argv){
  Bench b;
  const char *zOnly = 0;
  size_t i;
  int iArg;
  if( argc<3 ) usage();
  memset(&b, 0, sizeof(b));
  b.zLib = argv[1];
  b.zDir = argv[2];
  b.nRev = 1000;
  b.nRep = 7;
  for(iArg=3; iArg<argc; iArg++){
    if( strcmp(argv[iArg], "-S")==0 ){ b.bNoSync = 1; continue; }
    if( iArg+1>=argc ) usage();
    if( strcmp(argv[iArg], "-n")==0 ) b.nRev = atoi(argv[++iArg]);
    else if( strcmp(argv[iArg], "-r")==0 ) b.nRep = atoi(argv[++iArg]);
    else if( strcmp(argv[iArg], "-s")==0 ) zOnly = argv[++iArg];
    else usage();
  }
  if( b.nRev<1 || b.nRep<1 ) usage();
  printf("INFO|SQLite %s (the library build/bench links); %s\n",
         sqlite3_libversion(), b.bNoSync
         ? "PRAGMA synchronous=OFF: no fsync, CPU cost only (-S)"
         : "default synchronous=FULL and journal: commits fsync");
  for(i=0; i<sizeof(aScenario)/sizeof(aScenario[0]); i++){
    if( zOnly && strncmp(aScenario[i].zName, zOnly, strlen(zOnly))!=0 ){
      continue;
    }
    fprintf(stderr, "bench: %s (%d revisions, %d repetitions)\n",
            aScenario[i].zName, b.nRev, b.nRep);
    aScenario[i].xRun(&b, aScenario[i].zName);
  }
  return 0;
}
