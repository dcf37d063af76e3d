/*
** sqlmig command: `diff DESIRED [NAME] [OPTIONS] DATABASE`.
**
**   sqlmig diff schema.sql add_email app.db
**   sqlmig diff staging.db app.db --rename 'users.fullname -> users.name'
**
** DESIRED is a SQLite database (a file that starts with SQLite's header)
** or a schema script (anything else, usually a .sql file). The revision
** goes from DATABASE as `up` would leave it: inside a transaction that is
** rolled back, the folder's files (when the folder exists) are registered
** and migrated, then migrate_diff(main, desired) is the up script and
** migrate_diff(desired, main) the down, with the --rename hints (reversed
** for the down). migrate_changes() lists what is destructive; unless
** --allow-destructive, those changes are printed and nothing is written
** (exit 1). Otherwise write.c writes the pair as the folder's next
** migration. DATABASE and DESIRED are never changed.
*/
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The hints with every `a -> b` turned into `b -> a` (sqlite3_malloc'd). */
static char *reverseRenames(const char *zRenames){
  sqlite3_str *pOut = sqlite3_str_new(0);
  const char *z = zRenames;
  int nPair = 0;
  while( z && *z ){
    const char *zEnd = strchr(z, ',');
    const char *zArrow = strstr(z, "->");
    const char *a = z, *aEnd, *b, *bEnd;
    if( zEnd==0 ) zEnd = z + strlen(z);
    /* main.c checked that each pair has one arrow */
    while( *a==' ' || *a=='\t' ) a++;
    aEnd = zArrow;
    while( aEnd>a && (aEnd[-1]==' ' || aEnd[-1]=='\t') ) aEnd--;
    b = zArrow+2;
    while( *b==' ' || *b=='\t' ) b++;
    bEnd = zEnd;
    while( bEnd>b && (bEnd[-1]==' ' || bEnd[-1]=='\t') ) bEnd--;
    sqlite3_str_appendf(pOut, "%s%.*s -> %.*s", nPair ? ", " : "",
                        (int)(bEnd-b), b, (int)(aEnd-a), a);
    nPair++;
    z = *zEnd ? zEnd+1 : zEnd;
  }
  return sqlite3_str_finish(pOut);
}

/* 1 if zPath starts with SQLite's file header, 0 if not, -1 on error. */
static int isDatabaseFile(const char *zPath){
  static const char zHeader[] = "SQLite format 3";
  char aBuf[16];
  size_t n;
  FILE *f = fopen(zPath, "rb");
  if( f==0 ) return -1;
  n = fread(aBuf, 1, sizeof(aBuf), f);
  fclose(f);
  return n==16 && memcmp(aBuf, zHeader, 16)==0;
}

/* The whole file zPath as text (sqlite3_malloc'd), NULL after an error. */
static char *readText(const char *zPath){
  sqlite3_str *pOut = sqlite3_str_new(0);
  char aBuf[8192];
  size_t n;
  FILE *f = fopen(zPath, "rb");
  if( f==0 ){
    cliError("diff: cannot read \"%s\": %s", zPath, CLI_ERRNO(errno));
    sqlite3_free(sqlite3_str_finish(pOut));
    return 0;
  }
  while( (n = fread(aBuf, 1, sizeof(aBuf), f))>0 ){
    sqlite3_str_append(pOut, aBuf, (int)n);
  }
  if( ferror(f) ){
    cliError("diff: cannot read \"%s\": %s", zPath, CLI_ERRNO(errno));
    fclose(f);
    sqlite3_free(sqlite3_str_finish(pOut));
    return 0;
  }
  fclose(f);
  if( sqlite3_str_errcode(pOut) ){
    cliError("diff: \"%s\": out of memory", zPath);
    sqlite3_free(sqlite3_str_finish(pOut));
    return 0;
  }
  if( sqlite3_str_length(pOut)==0 ) return sqlite3_mprintf("");
  return sqlite3_str_finish(pOut);
}

/* Text of the first column of one-row query zSql with ?1..?3 bound. */
static int queryText(sqlite3 *db, const char *zSql, const char *z1,
                     const char *z2, const char *z3, char **pzOut){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  *pzOut = 0;
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, z1, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, z2, -1, SQLITE_STATIC);
    if( z3 ) sqlite3_bind_text(pStmt, 3, z3, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ){
      const char *z = (const char*)sqlite3_column_text(pStmt, 0);
      *pzOut = sqlite3_mprintf("%s", z ? z : "");
      rc = *pzOut ? SQLITE_OK : SQLITE_NOMEM;
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

int cliDiff(const CliOpts *p){
  const char *zDb = p->azDb[0];
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0, *zScript = 0, *zUp = 0, *zDown = 0, *zBack = 0, *zSql = 0;
  const char *zDesired;        /* schema name or script text */
  struct stat st;
  int rc, bDb, nDestr = 0, exitCode = 1, bAttached = 0;

  bDb = isDatabaseFile(p->zDesired);
  if( bDb<0 ){
    cliError("diff: cannot read \"%s\": %s", p->zDesired, CLI_ERRNO(errno));
    return 1;
  }
  if( !bDb ){
    zScript = readText(p->zDesired);
    if( zScript==0 ) return 1;
  }
  if( p->zRenames ){
    zBack = reverseRenames(p->zRenames);
    if( zBack==0 ){
      cliError("out of memory");
      goto done;
    }
  }
  if( cliOpen(p, zDb, 0, &db, &zErr) ){
    cliError("%s: %s", zDb, zErr);
    goto done;
  }
  if( bDb ){
    /* ATTACH cannot run inside a transaction: first attach, then begin */
    zSql = sqlite3_mprintf("ATTACH %Q AS sqlmig_desired", p->zDesired);
    rc = zSql ? sqlite3_exec(db, zSql, 0, 0, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    zSql = 0;
    if( rc==SQLITE_OK ){
      bAttached = 1;
      rc = sqlite3_exec(db, "SELECT count(*) FROM sqlmig_desired.sqlite_master", 0, 0, 0);
    }
    if( rc!=SQLITE_OK ){
      cliError("diff: %s: %s", p->zDesired, sqlite3_errmsg(db));
      goto done;
    }
    zDesired = "sqlmig_desired";
  }else{
    zDesired = zScript;
  }
  rc = sqlite3_exec(db, "BEGIN", 0, 0, 0);
  if( rc==SQLITE_OK && stat(p->zDir, &st)==0 ){
    zSql = sqlite3_mprintf("INSERT OR REPLACE INTO sqlmig_migrations "
                           "SELECT * FROM migration_files(%Q); SELECT migrate();",
                           p->zDir);
    rc = zSql ? sqlite3_exec(db, zSql, 0, 0, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    zSql = 0;
  }
  if( rc!=SQLITE_OK ){
    cliError("%s: %s", zDb, sqlite3_errmsg(db));
    goto done;
  }
  if( p->zRenames ){
    rc = queryText(db, "SELECT migrate_diff('main', ?1, ?2)", zDesired, p->zRenames, 0, &zUp);
    if( rc==SQLITE_OK ){
      rc = queryText(db, "SELECT migrate_diff(?1, 'main', ?2)", zDesired, zBack, 0, &zDown);
    }
  }else{
    rc = queryText(db, "SELECT migrate_diff('main', ?1)", zDesired, "", 0, &zUp);
    if( rc==SQLITE_OK ){
      rc = queryText(db, "SELECT migrate_diff(?1, 'main')", zDesired, "", 0, &zDown);
    }
  }
  if( rc!=SQLITE_OK ){
    cliError("diff: %s", sqlite3_errmsg(db));
    goto done;
  }
  if( zUp[0]==0 ){
    printf("%s already matches %s: nothing written\n", zDb, p->zDesired);
    exitCode = 0;
    goto done;
  }

  rc = sqlite3_prepare_v2(db,
      "SELECT kind, object, change, coalesce(detail, '')"
      " FROM migrate_changes('main', ?1, ?2) WHERE destructive", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zDesired, -1, SQLITE_STATIC);
    if( p->zRenames ) sqlite3_bind_text(pStmt, 2, p->zRenames, -1, SQLITE_STATIC);
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      if( nDestr==0 ){
        fprintf(p->bAllowDestructive ? stdout : stderr,
                "destructive changes (they can lose data):\n");
      }
      nDestr++;
      fprintf(p->bAllowDestructive ? stdout : stderr, "  %s %s: %s: %s\n",
              (const char*)sqlite3_column_text(pStmt, 0),
              (const char*)sqlite3_column_text(pStmt, 1),
              (const char*)sqlite3_column_text(pStmt, 2),
              (const char*)sqlite3_column_text(pStmt, 3));
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if( rc!=SQLITE_OK ){
    cliError("diff: %s", sqlite3_errmsg(db));
    goto done;
  }
  /* The transaction only served the diff: nothing of it stays. */
  sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  if( nDestr && !p->bAllowDestructive ){
    cliError("diff: %d destructive change%s: nothing written "
             "(--allow-destructive writes them; --rename 'a -> b' keeps a renamed "
             "table's or column's data)", nDestr, nDestr==1 ? "" : "s");
    goto done;
  }
  exitCode = cliWriteMigration(p, p->zName, zUp, zDown);

done:
  if( db && !sqlite3_get_autocommit(db) ) sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  if( bAttached ) sqlite3_exec(db, "DETACH sqlmig_desired", 0, 0, 0);
  sqlite3_close(db);
  sqlite3_free(zErr);
  sqlite3_free(zScript);
  sqlite3_free(zUp);
  sqlite3_free(zDown);
  sqlite3_free(zBack);
  return exitCode;
}
