/*
** ctest_fault.h: an allocator that fails on demand, for the allocation-
** failure tests (ctest_nomem.c, ctest_diffnomem.c). faultInstall() wraps
** SQLite's own allocator and must run before anything initializes SQLite;
** then faultArm(N, bPersist) makes allocation N fail (and every later one
** when bPersist), counting from the arming, until faultDisarm().
*/
#ifndef SQLMIG_CTEST_FAULT_H
#define SQLMIG_CTEST_FAULT_H

#include <sqlite3.h>

static sqlite3_mem_methods faultSys;  /* SQLite's own allocator */
static int faultArmed = 0;    /* count (and maybe fail) allocations */
static int faultAt = 0;       /* 1-based allocation that fails; 0: none */
static int faultPersist = 0;  /* fail every allocation after faultAt too */
static int faultCount = 0;    /* allocations counted since arming */
static int faultInjected = 0; /* allocations failed since arming */

/* 1 when this allocation must fail. */
static int faultHit(void){
  if( !faultArmed ) return 0;
  faultCount++;
  if( faultAt>0 && (faultCount==faultAt || (faultPersist && faultCount>faultAt)) ){
    faultInjected++;
    return 1;
  }
  return 0;
}
static void *faultMalloc(int n){
  return faultHit() ? 0 : faultSys.xMalloc(n);
}
static void *faultRealloc(void *p, int n){
  return faultHit() ? 0 : faultSys.xRealloc(p, n);
}

/* Installs the failing allocator (no lookaside, memory statistics on) and
** initializes SQLite. Returns 0, or 1 after printing a `not ok` line. */
static int faultInstall(const char *zTest){
  sqlite3_mem_methods wrap;
  if( sqlite3_config(SQLITE_CONFIG_GETMALLOC, &faultSys)!=SQLITE_OK ){
    printf("not ok - %s: SQLITE_CONFIG_GETMALLOC failed\n", zTest);
    return 1;
  }
  wrap = faultSys;
  wrap.xMalloc = faultMalloc;
  wrap.xRealloc = faultRealloc;
  if( sqlite3_config(SQLITE_CONFIG_MALLOC, &wrap)!=SQLITE_OK
   || sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0)!=SQLITE_OK
   || sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1)!=SQLITE_OK
   || sqlite3_initialize()!=SQLITE_OK ){
    printf("not ok - %s: cannot install the failing allocator\n", zTest);
    return 1;
  }
  return 0;
}

static void faultArm(int iAt, int bPersist){
  faultAt = iAt;
  faultPersist = bPersist;
  faultCount = 0;
  faultInjected = 0;
  faultArmed = 1;
}

static void faultDisarm(void){
  faultArmed = 0;
}

#endif /* SQLMIG_CTEST_FAULT_H */
