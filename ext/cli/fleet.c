/*
** sqlmig command: one command over many databases.
**
**   sqlmig up -d db/migrations -j 8 tenants/a.db tenants/b.db ...
**
** Up to -j worker threads take the next database from a shared counter
** and run cliRunOne() on it; each has its own connection and its own
** transaction, so one that fails leaves that file as it was and the others
** go on. Results are kept per database and printed in argument order once
** all are done (so the report does not depend on scheduling): failures on
** stderr as `sqlmig: PATH: message`, the rest on stdout, then the summary
** line `N migrated, M already current, K failed`. While it runs, a
** progress line (done / total, databases per second) goes to stderr when
** stderr is a terminal, and nowhere otherwise.
**
** --check-first runs every database once with the transaction rolled back
** and applies to none when any failed (libSQL's protocol for its
** multi-database schemas); a database that changes between the two passes
** is still protected by its own transaction in the second.
*/
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the workers share; lives on cliFleet()'s stack. */
typedef struct Fleet Fleet;
struct Fleet {
  const CliOpts *p;
  CliResult *aRes;         /* one per database, in argument order */
  int bRollback;           /* the --check-first pass */
  pthread_mutex_t mutex;   /* guards iNext, nDone, tLast */
  int iNext;               /* next database to take */
  int nDone;
  int bProgress;           /* stderr is a terminal */
  double tStart, tLast;
};

static double nowSeconds(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec/1e9;
}

/* Prints the progress line (with the mutex held), at most 10 times a second. */
static void showProgress(Fleet *f, int bFinal){
  double t = nowSeconds();
  if( !bFinal && t - f->tLast < 0.1 ) return;
  f->tLast = t;
  fprintf(stderr, "\r%d/%d databases, %.0f per second\033[K",
          f->nDone, f->p->nDb, t>f->tStart ? f->nDone/(t - f->tStart) : 0.0);
  if( bFinal ) fputs("\r\033[K", stderr);
  fflush(stderr);
}

static void *fleetWorker(void *pArg){
  Fleet *f = (Fleet*)pArg;
  while( 1 ){
    int i;
    pthread_mutex_lock(&f->mutex);
    i = f->iNext < f->p->nDb ? f->iNext++ : -1;
    pthread_mutex_unlock(&f->mutex);
    if( i<0 ) break;
    cliRunOne(f->p, f->p->azDb[i], f->bRollback, &f->aRes[i]);
    pthread_mutex_lock(&f->mutex);
    f->nDone++;
    if( f->bProgress ) showProgress(f, 0);
    pthread_mutex_unlock(&f->mutex);
  }
  return 0;
}

/* Runs every database once (bRollback: the check pass). */
static void fleetPass(Fleet *f, int bRollback){
  int nThread = f->p->nJobs < f->p->nDb ? f->p->nJobs : f->p->nDb;
  pthread_t *aThread = 0;
  int i, nStarted = 0;

  f->bRollback = bRollback;
  f->iNext = 0;
  f->nDone = 0;
  f->tStart = f->tLast = nowSeconds();
  if( nThread>1 && sqlite3_threadsafe() ){
    aThread = (pthread_t*)sqlite3_malloc64(sizeof(pthread_t)*(sqlite3_uint64)nThread);
  }
  if( aThread ){
    for(i=0; i<nThread; i++){
      if( pthread_create(&aThread[nStarted], 0, fleetWorker, f)==0 ) nStarted++;
    }
  }
  /* Too few threads (or one job): this thread takes what is left. */
  if( nStarted==0 ) fleetWorker(f);
  for(i=0; i<nStarted; i++) pthread_join(aThread[i], 0);
  sqlite3_free(aThread);
  if( f->bProgress ) showProgress(f, 1);
}

/* Counts of each outcome. */
static void countOutcomes(const Fleet *f, int *aCount){
  int i;
  memset(aCount, 0, sizeof(int)*(CLI_FAILED+1));
  for(i=0; i<f->p->nDb; i++) aCount[f->aRes[i].eOutcome]++;
}

/* The summary line (without newline) into pOut. */
static void summary(const CliOpts *p, const int *aCount, int bRefused,
                    sqlite3_str *pOut){
  switch( p->eCmd ){
    case CLI_STATUS: case CLI_PLAN:
      sqlite3_str_appendf(pOut, "%d current, %d pending, %d failed",
                          aCount[CLI_CURRENT], aCount[CLI_FINDINGS], aCount[CLI_FAILED]);
      break;
    case CLI_CHECK:
      sqlite3_str_appendf(pOut, "%d ok, %d broken, %d failed",
                          aCount[CLI_CURRENT], aCount[CLI_FINDINGS], aCount[CLI_FAILED]);
      break;
    case CLI_DRIFT:
      sqlite3_str_appendf(pOut, "%d ok, %d drifted, %d failed",
                          aCount[CLI_CURRENT], aCount[CLI_FINDINGS], aCount[CLI_FAILED]);
      break;
    default:
      if( bRefused ){
        sqlite3_str_appendf(pOut, "0 migrated, 0 already current, %d failed "
                            "(--check-first: nothing applied to the other %d)",
                            aCount[CLI_FAILED], p->nDb - aCount[CLI_FAILED]);
      }else{
        sqlite3_str_appendf(pOut, "%d migrated, %d already current, %d failed",
                            aCount[CLI_CHANGED], aCount[CLI_CURRENT], aCount[CLI_FAILED]);
      }
      break;
  }
}

/* Prints the JSON document of the run with SQLite's json functions. */
static int printJson(const Fleet *f, const int *aCount, int bRefused){
  const CliOpts *p = f->p;
  sqlite3_str *pArr = sqlite3_str_new(0);
  char *zArr;
  sqlite3 *mem = 0;
  sqlite3_stmt *pStmt = 0;
  int i, rc = 1;
  const char *zFound = p->eCmd==CLI_CHECK ? "broken"
                     : p->eCmd==CLI_DRIFT ? "drifted" : "pending";
  int bWrite = p->eCmd==CLI_UP || p->eCmd==CLI_DOWN || p->eCmd==CLI_REDO
            || p->eCmd==CLI_BASELINE;

  sqlite3_str_appendchar(pArr, 1, '[');
  for(i=0; i<p->nDb; i++){
    if( i ) sqlite3_str_appendchar(pArr, 1, ',');
    sqlite3_str_appendall(pArr, f->aRes[i].zJson ? f->aRes[i].zJson : "null");
  }
  sqlite3_str_appendchar(pArr, 1, ']');
  zArr = sqlite3_str_finish(pArr);
  if( zArr && sqlite3_open(":memory:", &mem)==SQLITE_OK
   && sqlite3_prepare_v2(mem,
        "SELECT CASE WHEN ?3 THEN json_object('command', ?1, 'databases', json(?2),"
        "  'migrated', ?4, 'current', ?5, 'failed', ?6, 'check_first_refused', ?8)"
        " ELSE json_set(json_object('command', ?1, 'databases', json(?2),"
        "  'current', ?5, 'failed', ?6), '$.' || ?7, ?9) END",
        -1, &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, p->zCmd, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zArr, -1, SQLITE_STATIC);
    sqlite3_bind_int(pStmt, 3, bWrite);
    sqlite3_bind_int(pStmt, 4, bRefused ? 0 : aCount[CLI_CHANGED]);
    sqlite3_bind_int(pStmt, 5, bRefused ? 0 : aCount[CLI_CURRENT]);
    sqlite3_bind_int(pStmt, 6, aCount[CLI_FAILED]);
    sqlite3_bind_text(pStmt, 7, zFound, -1, SQLITE_STATIC);
    if( bWrite ) sqlite3_bind_int(pStmt, 8, bRefused);
    sqlite3_bind_int(pStmt, 9, aCount[CLI_FINDINGS]);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      printf("%s\n", (const char*)sqlite3_column_text(pStmt, 0));
      rc = 0;
    }
  }
  if( rc ) cliError("cannot build the JSON report: out of memory");
  sqlite3_finalize(pStmt);
  sqlite3_close(mem);
  sqlite3_free(zArr);
  return rc;
}

/* Prints the report of the pass in f; returns the exit status. */
static int report(const Fleet *f, int bRefused){
  const CliOpts *p = f->p;
  int aCount[CLI_FAILED+1];
  int i, rc = 0;
  int bWrite = p->eCmd==CLI_UP || p->eCmd==CLI_DOWN || p->eCmd==CLI_REDO
            || p->eCmd==CLI_BASELINE;
  sqlite3_str *pLine = sqlite3_str_new(0);
  char *zLine;

  countOutcomes(f, aCount);
  for(i=0; i<p->nDb; i++){
    const CliResult *r = &f->aRes[i];
    if( r->eOutcome==CLI_FAILED ){
      fflush(stdout);
      cliError("%s: %s", p->azDb[i], r->zErr ? r->zErr : "out of memory");
    }else if( p->bJson || bRefused ){
      /* nothing on stdout but the document; refused: nothing was applied */
    }else if( bWrite ){
      printf("%s: %s\n", p->azDb[i], r->zText ? r->zText : "");
    }else{
      if( p->nDb>1 ) printf("%s%s:\n", i ? "\n" : "", p->azDb[i]);
      fputs(r->zText ? r->zText : "", stdout);
    }
  }
  summary(p, aCount, bRefused, pLine);
  zLine = sqlite3_str_finish(pLine);
  if( p->bJson ){
    if( printJson(f, aCount, bRefused) ) rc = 1;
  }else if( bWrite || p->nDb>1 ){
    if( !bWrite ) fputc('\n', stdout);
    printf("%s\n", zLine ? zLine : "");
  }
  sqlite3_free(zLine);
  fflush(stdout);

  if( aCount[CLI_FAILED] || bRefused ) rc = 1;
  if( aCount[CLI_FINDINGS] ){
    if( p->eCmd==CLI_CHECK || p->eCmd==CLI_DRIFT ) rc = 1;
    if( (p->eCmd==CLI_STATUS || p->eCmd==CLI_PLAN) && p->bExitCode ) rc = 1;
  }
  return rc;
}

int cliFleet(const CliOpts *p){
  Fleet f;
  int i, rc;

  memset(&f, 0, sizeof(f));
  f.p = p;
  f.bProgress = p->nDb>1 && isatty(STDERR_FILENO);
  f.aRes = (CliResult*)sqlite3_malloc64(sizeof(CliResult)*(sqlite3_uint64)p->nDb);
  if( f.aRes==0 ){
    cliError("out of memory");
    return 1;
  }
  memset(f.aRes, 0, sizeof(CliResult)*(size_t)p->nDb);
  pthread_mutex_init(&f.mutex, 0);
  if( p->bCheckFirst ){
    int aCount[CLI_FAILED+1];
    fleetPass(&f, 1);
    countOutcomes(&f, aCount);
    if( aCount[CLI_FAILED] ){
      rc = report(&f, 1);
      goto done;
    }
    for(i=0; i<p->nDb; i++) cliResultClear(&f.aRes[i]);
  }
  fleetPass(&f, 0);
  rc = report(&f, 0);

done:
  for(i=0; i<p->nDb; i++) cliResultClear(&f.aRes[i]);
  sqlite3_free(f.aRes);
  pthread_mutex_destroy(&f.mutex);
  return rc;
}
