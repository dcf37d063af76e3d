/*
** ctest.h: what the C tests (tests/ctest_*.c) share. Each test is one
** program; this header gives it the `ok - ...` / `not ok - ...` lines that
** tests/run.sh counts, and where to find the extension.
*/
#ifndef SQLMIG_CTEST_H
#define SQLMIG_CTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks that failed so far (a test program: plain statics are fine). */
static int nFailed = 0;

/* Records one check; zWhy explains a failure. */
static inline void check(const char *zName, int bOk, const char *zWhy){
  if( bOk ){
    printf("ok - %s\n", zName);
  }else{
    printf("not ok - %s: %s\n", zName, zWhy ? zWhy : "failed");
    nFailed++;
  }
  fflush(stdout);
}

/* The extension to load: env LIB, else ./libsqlmig.so. */
static inline const char *libPath(void){
  const char *z = getenv("LIB");
  return z && z[0] ? z : "./libsqlmig.so";
}

/* Under valgrind (or with VALGRIND_MODE=1) a test does less. */
static inline int slowMode(void){
  const char *zPre = getenv("LD_PRELOAD");
  const char *zVg = getenv("VALGRIND_MODE");
  return (zPre && strstr(zPre, "vgpreload")) || (zVg && zVg[0]=='1');
}

#endif /* SQLMIG_CTEST_H */
