/*
** runner: sqlmig's scenario runner.
**
**   build/runner [--lib PATH] tests/foo.test ...
**
** Each .test file holds cases: SQL, a line `----`, then the rows the SQL
** must print (tests/README.md has the full format). For every file the
** runner makes a fresh temporary directory, makes it the working directory
** (so `ATTACH 'x.db'` lands there), opens `<dir>/test.db` and loads the
** extension into it (--lib, default ./libsqlmig.so, resolved against the
** directory the runner was started in, which is the repository root under
** `make test`). Built with -DSQLMIG_STATIC, the extension is linked in and
** registered once with sqlite3_auto_extension() instead; nothing is loaded
** and the load-extension API is never referenced, so that build also
** compiles with -DSQLITE_OMIT_LOAD_EXTENSION.
**
** Each case runs its SQL statement by statement (sqlite3_prepare_v2 and the
** tail pointer), printing one line per row with the columns joined by '|';
** the first error ends the case with a line `error: <sqlite3_errmsg>`. The
** printed lines are compared with the expected ones and the runner prints
** `ok - <file>:<line>` or `not ok - <file>:<line>: ...` followed by a
** `#`-prefixed diff. Lines starting with `.` are directives (.reopen,
** .snapshot, .open2, ...). The exit status is 1 if any case failed, 2 on a
** usage error.
**
** All memory goes through sqlite3_malloc64/sqlite3_free/sqlite3_str; the
** runner finishes with sqlite3_shutdown() so that valgrind and ASan see no
** leak. Running out of memory ends the runner with status 2.
*/
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#ifdef SQLMIG_STATIC
# include "../ext/sqlmig.h"
#else
# include <sqlite3.h>
#endif

/* A line of a file: not NUL-terminated, any trailing '\r' removed. */
typedef struct Line Line;
struct Line {
  const char *z;
  int n;
};

/* An array of lines, pointing into text owned by someone else. */
typedef struct LineArray LineArray;
struct LineArray {
  Line *a;
  int n;
  int nAlloc;
};

/* What .snapshot remembers about the database files. */
typedef struct Snapshot Snapshot;
struct Snapshot {
  int bTaken;
  int bDb;                 /* test.db existed */
  unsigned char *aDb;      /* its bytes (sqlite3_malloc64) */
  sqlite3_int64 nDb;
  int bWal;                /* test.db-wal existed */
  unsigned char *aWal;     /* its bytes */
  sqlite3_int64 nWal;
  int bJournal;            /* test.db-journal existed */
};

/* State of one run of the runner. */
typedef struct Runner Runner;
struct Runner {
  const char *zLibArg;     /* --lib as given */
  char *zLib;              /* what to load: absolute, or a bare name */
  char *zRoot;             /* working directory at start (repository root) */
  const char *zFile;       /* test file being run, as given */
  char *zDir;              /* its temporary directory */
  char *zDbPath;           /* <zDir>/test.db */
  sqlite3 *aDb[2];         /* connection 1 and (after .open2) 2 */
  int iCur;                /* index into aDb of the connection in use */
  Snapshot snap;
  int nOk;                 /* cases passed, all files */
  int nFail;               /* cases failed, all files */
};

/* Reports running out of memory and ends the process. */
static void oom(void){
  fprintf(stderr, "runner: out of memory\n");
  exit(2);
}

/* Returns p, or ends the process when p is NULL (allocation failed). */
static void *check(void *p){
  if( p==0 ) oom();
  return p;
}

/* sqlite3_mprintf() that never returns NULL. Free with sqlite3_free(). */
static char *mprintf(const char *zFmt, ...){
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  return check(z);
}

/* A new sqlite3_str with no database handle. */
static sqlite3_str *strNew(void){
  sqlite3_str *p = sqlite3_str_new(0);
  if( sqlite3_str_errcode(p)!=SQLITE_OK ) oom();
  return p;
}

/* Finishes p and returns its text (never NULL; "" when empty). */
static char *strFinish(sqlite3_str *p){
  char *z;
  if( sqlite3_str_errcode(p)!=SQLITE_OK ) oom();
  z = sqlite3_str_finish(p);
  return z ? z : mprintf("%s", "");
}

/* Appends one line to pArr. */
static void lineAppend(LineArray *pArr, const char *z, int n){
  if( pArr->n>=pArr->nAlloc ){
    int nNew = pArr->nAlloc ? pArr->nAlloc*2 : 32;
    pArr->a = check(sqlite3_realloc64(pArr->a, sizeof(Line)*(sqlite3_uint64)nNew));
    pArr->nAlloc = nNew;
  }
  pArr->a[pArr->n].z = z;
  pArr->a[pArr->n].n = n;
  pArr->n++;
}

/* Splits z into lines (on '\n', dropping a '\r' before it). A final line
** without '\n' counts; an empty z gives no lines. */
static void splitLines(const char *z, LineArray *pArr){
  while( *z ){
    const char *zEnd = strchr(z, '\n');
    int n = zEnd ? (int)(zEnd - z) : (int)strlen(z);
    int nLine = n;
    if( nLine>0 && z[nLine-1]=='\r' ) nLine--;
    lineAppend(pArr, z, nLine);
    z += n;
    if( *z=='\n' ) z++;
  }
}

/* Reads a whole file into *pa (sqlite3_malloc64, NUL-terminated) and *pn.
** Returns 0 on success, 1 when the file does not exist, -1 on another
** error (errno set). */
static int readFile(const char *zPath, unsigned char **pa, sqlite3_int64 *pn){
  FILE *f = fopen(zPath, "rb");
  unsigned char *a = 0;
  sqlite3_int64 n = 0, nAlloc = 0;
  *pa = 0;
  *pn = 0;
  if( f==0 ) return errno==ENOENT ? 1 : -1;
  for(;;){
    size_t got;
    if( nAlloc-n<4096 ){
      nAlloc = nAlloc ? nAlloc*2 : 65536;
      a = check(sqlite3_realloc64(a, (sqlite3_uint64)nAlloc+1));
    }
    got = fread(a+n, 1, (size_t)(nAlloc-n), f);
    n += (sqlite3_int64)got;
    if( got==0 ) break;
  }
  if( ferror(f) ){
    fclose(f);
    sqlite3_free(a);
    return -1;
  }
  fclose(f);
  if( a==0 ) a = check(sqlite3_malloc64(1));
  a[n] = 0;
  *pa = a;
  *pn = n;
  return 0;
}

/* Does the file exist? */
static int fileExists(const char *zPath){
  return access(zPath, F_OK)==0;
}

/* ------------------------------------------------------------ output */

/* Appends row text zRow to the lines of pOut: each
** '\n' inside starts a new output line, and an empty line prints as ''
** (so no output line is ever blank; blank lines end an expected block). */
static void outRow(sqlite3_str *pOut, const char *zRow){
  LineArray lines = {0, 0, 0};
  int i;
  if( zRow[0]==0 ){
    sqlite3_str_appendall(pOut, "''\n");
    return;
  }
  splitLines(zRow, &lines);
  /* splitLines drops a final empty line after a trailing '\n': keep it */
  if( zRow[strlen(zRow)-1]=='\n' ) lineAppend(&lines, "", 0);
  for(i=0; i<lines.n; i++){
    if( lines.a[i].n==0 ){
      sqlite3_str_appendall(pOut, "''");
    }else{
      sqlite3_str_append(pOut, lines.a[i].z, lines.a[i].n);
    }
    sqlite3_str_appendchar(pOut, 1, '\n');
  }
  sqlite3_free(lines.a);
}

/* Appends the current row of pStmt to pOut in the runner's format. */
static void outStmtRow(sqlite3_stmt *pStmt, sqlite3_str *pOut){
  sqlite3_str *pRow = strNew();
  char *zRow;
  int i, nCol = sqlite3_column_count(pStmt);
  for(i=0; i<nCol; i++){
    if( i>0 ) sqlite3_str_appendchar(pRow, 1, '|');
    switch( sqlite3_column_type(pStmt, i) ){
      case SQLITE_NULL:
        sqlite3_str_appendall(pRow, "NULL");
        break;
      case SQLITE_BLOB: {
        const unsigned char *a = sqlite3_column_blob(pStmt, i);
        int j, n = sqlite3_column_bytes(pStmt, i);
        if( a==0 && n>0 ) oom();
        sqlite3_str_appendall(pRow, "x'");
        for(j=0; j<n; j++) sqlite3_str_appendf(pRow, "%02x", a[j]);
        sqlite3_str_appendchar(pRow, 1, '\'');
        break;
      }
      default: {
        const char *z = (const char*)sqlite3_column_text(pStmt, i);
        if( z==0 ) oom();
        if( z[0]==0 ){
          sqlite3_str_appendall(pRow, "''");
        }else{
          sqlite3_str_appendall(pRow, z);
        }
        break;
      }
    }
  }
  zRow = strFinish(pRow);
  outRow(pOut, zRow);
  sqlite3_free(zRow);
}

/* Runs every statement of zSql on db, appending result rows to pOut. On
** the first error appends "error: <message>" and returns 1; else 0. */
static int execSql(sqlite3 *db, const char *zSql, sqlite3_str *pOut){
  const char *z = zSql;
  while( z && *z ){
    sqlite3_stmt *pStmt = 0;
    const char *zTail = 0;
    int rc = sqlite3_prepare_v2(db, z, -1, &pStmt, &zTail);
    if( rc!=SQLITE_OK ){
      sqlite3_str_appendf(pOut, "error: %s\n", sqlite3_errmsg(db));
      sqlite3_finalize(pStmt);
      return 1;
    }
    z = zTail;
    if( pStmt==0 ) continue;          /* only white space or a comment */
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      outStmtRow(pStmt, pOut);
    }
    if( rc!=SQLITE_DONE ){
      sqlite3_str_appendf(pOut, "error: %s\n", sqlite3_errmsg(db));
      sqlite3_finalize(pStmt);
      return 1;
    }
    sqlite3_finalize(pStmt);
  }
  return 0;
}

/* Runs a SQL script file the way the sqlite3 shell reads it: a line that
** starts with '.' or '#' when no statement is pending is a shell command
** or comment and is skipped (the extension is already loaded); other lines
** collect until sqlite3_complete() says a statement is whole. Rows and the
** first error go to pOut. */
static void execScriptFile(Runner *p, const char *zPath, sqlite3_str *pOut){
  char *zFull = zPath[0]=='/' ? mprintf("%s", zPath)
                              : mprintf("%s/%s", p->zRoot, zPath);
  unsigned char *aText = 0;
  sqlite3_int64 nText = 0;
  LineArray lines = {0, 0, 0};
  sqlite3_str *pSql = strNew();
  int i, bErr = 0;
  int rc = readFile(zFull, &aText, &nText);
  if( rc!=0 ){
    sqlite3_str_appendf(pOut, "error: cannot read %s: %s\n", zPath,
                        rc>0 ? "no such file" : strerror(errno));
    goto done;
  }
  splitLines((const char*)aText, &lines);
  for(i=0; i<lines.n && !bErr; i++){
    const Line *pL = &lines.a[i];
    if( sqlite3_str_length(pSql)==0 ){
      int j = 0;
      if( pL->n>0 && (pL->z[0]=='.' || pL->z[0]=='#') ) continue;
      while( j<pL->n && (pL->z[j]==' ' || pL->z[j]=='\t') ) j++;
      if( j==pL->n ) continue;
    }
    sqlite3_str_append(pSql, pL->z, pL->n);
    sqlite3_str_appendchar(pSql, 1, '\n');
    if( sqlite3_str_errcode(pSql)!=SQLITE_OK ) oom();
    if( sqlite3_complete(sqlite3_str_value(pSql)) ){
      bErr = execSql(p->aDb[p->iCur], sqlite3_str_value(pSql), pOut);
      sqlite3_str_reset(pSql);
    }
  }
  if( !bErr && sqlite3_str_length(pSql)>0 ){
    execSql(p->aDb[p->iCur], sqlite3_str_value(pSql), pOut);
  }
done:
  sqlite3_free(strFinish(pSql));
  sqlite3_free(lines.a);
  sqlite3_free(aText);
  sqlite3_free(zFull);
}

/* ------------------------------------------------------- connections */

/* Opens the test database as connection i (closing what was there) and,
** unless bNoExt, loads the extension into it. Returns NULL, or an error
** message to free with sqlite3_free(). */
/* readfile(PATH): the file's bytes as a BLOB, as the sqlite3 shell has
** it (NULL when it cannot be read). */
static void readfileFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zPath = (const char*)sqlite3_value_text(argv[0]);
  unsigned char *a = 0;
  sqlite3_int64 n = 0;
  (void)argc;
  if( zPath && readFile(zPath, &a, &n)==0 ){
    sqlite3_result_blob64(ctx, a, (sqlite3_uint64)n, sqlite3_free);
  }
}

static char *connOpen(Runner *p, int i, int bNoExt){
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc;
  if( p->aDb[i] ){
    sqlite3_close_v2(p->aDb[i]);
    p->aDb[i] = 0;
  }
#ifdef SQLMIG_STATIC
  if( bNoExt ){
    sqlite3_cancel_auto_extension((void(*)(void))sqlite3_sqlmig_init);
  }
#endif
  rc = sqlite3_open_v2(p->zDbPath, &db,
                       SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
#ifdef SQLMIG_STATIC
  if( bNoExt ){
    sqlite3_auto_extension((void(*)(void))sqlite3_sqlmig_init);
  }
#endif
  if( rc!=SQLITE_OK ){
    zErr = mprintf("cannot open %s: %s", p->zDbPath,
                   db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return zErr;
  }
  sqlite3_create_function(db, "readfile", 1, SQLITE_UTF8, 0, readfileFunc,
                          0, 0);
#ifndef SQLMIG_STATIC
  if( !bNoExt ){
    sqlite3_enable_load_extension(db, 1);
    rc = sqlite3_load_extension(db, p->zLib, "sqlite3_sqlmig_init", &zErr);
    if( rc!=SQLITE_OK ){
      /* SQLite reports the last name it tried (PATH.so): say when PATH
      ** itself exists, as it then most likely has undefined symbols */
      char *zMsg = mprintf("cannot load %s: %s%s", p->zLibArg,
          zErr ? zErr : sqlite3_errstr(rc),
          fileExists(p->zLib) ? " (the file exists: see `ldd -r` on it)" : "");
      sqlite3_free(zErr);
      sqlite3_close(db);
      return zMsg;
    }
  }
#endif
  p->aDb[i] = db;
  return 0;
}

/* Closes both connections. Returns NULL, or a message (sqlite3_free) when
** a connection could not close (statements or blobs left open). */
static char *connCloseAll(Runner *p){
  char *zErr = 0;
  int i;
  for(i=0; i<2; i++){
    if( p->aDb[i] && sqlite3_close(p->aDb[i])!=SQLITE_OK ){
      if( zErr==0 ){
        zErr = mprintf("connection %d does not close: %s", i+1,
                       sqlite3_errmsg(p->aDb[i]));
      }
      sqlite3_close_v2(p->aDb[i]);
    }
    p->aDb[i] = 0;
  }
  p->iCur = 0;
  return zErr;
}

/* ---------------------------------------------------------- snapshot */

/* Forgets the snapshot. */
static void snapClear(Snapshot *s){
  sqlite3_free(s->aDb);
  sqlite3_free(s->aWal);
  memset(s, 0, sizeof(*s));
}

/* Reads the current state of the database files into s (cleared first).
** Returns NULL or an error message (sqlite3_free). */
static char *snapTake(Runner *p, Snapshot *s){
  char *zWal = mprintf("%s-wal", p->zDbPath);
  char *zJournal = mprintf("%s-journal", p->zDbPath);
  char *zErr = 0;
  int rc;
  snapClear(s);
  rc = readFile(p->zDbPath, &s->aDb, &s->nDb);
  if( rc<0 ){
    zErr = mprintf("cannot read %s: %s", p->zDbPath, strerror(errno));
    goto done;
  }
  s->bDb = rc==0;
  rc = readFile(zWal, &s->aWal, &s->nWal);
  if( rc<0 ){
    zErr = mprintf("cannot read %s: %s", zWal, strerror(errno));
    goto done;
  }
  s->bWal = rc==0;
  s->bJournal = fileExists(zJournal);
  s->bTaken = 1;
done:
  sqlite3_free(zWal);
  sqlite3_free(zJournal);
  return zErr;
}

/* 1 when both snapshots show the same files with the same bytes. */
static int snapEqual(const Snapshot *a, const Snapshot *b){
  if( a->bDb!=b->bDb || a->bWal!=b->bWal || a->bJournal!=b->bJournal ){
    return 0;
  }
  if( a->nDb!=b->nDb || a->nWal!=b->nWal ) return 0;
  if( a->nDb>0 && memcmp(a->aDb, b->aDb, (size_t)a->nDb) ) return 0;
  if( a->nWal>0 && memcmp(a->aWal, b->aWal, (size_t)a->nWal) ) return 0;
  return 1;
}

/* -------------------------------------------------------- directives */

/* Sets a sqlite3_db_config() boolean option on connection db. zName is
** the directive's option name. Returns NULL or an error message. */
static char *dbconfig(sqlite3 *db, const char *zName, const char *zVal){
  static const struct { const char *zName; int op; } aOpt[] = {
    { "defensive", SQLITE_DBCONFIG_DEFENSIVE },
    { "fkey",      SQLITE_DBCONFIG_ENABLE_FKEY },
    { "trigger",   SQLITE_DBCONFIG_ENABLE_TRIGGER },
#ifdef SQLITE_DBCONFIG_LEGACY_ALTER_TABLE
    { "legacy_alter_table", SQLITE_DBCONFIG_LEGACY_ALTER_TABLE },
#endif
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    { "trusted_schema", SQLITE_DBCONFIG_TRUSTED_SCHEMA },
#endif
  };
  size_t i;
  int bOn, bNow = -1;
  if( zVal && strcmp(zVal, "on")==0 ) bOn = 1;
  else if( zVal && strcmp(zVal, "off")==0 ) bOn = 0;
  else return mprintf("usage: .dbconfig NAME on|off");
  for(i=0; i<sizeof(aOpt)/sizeof(aOpt[0]); i++){
    if( strcmp(zName, aOpt[i].zName)==0 ){
      int rc = sqlite3_db_config(db, aOpt[i].op, bOn, &bNow);
      if( rc!=SQLITE_OK ) return mprintf("%s", sqlite3_errstr(rc));
      if( bNow!=bOn ) return mprintf("%s stays %s", zName, bNow?"on":"off");
      return 0;
    }
  }
  return mprintf("unknown .dbconfig option: %s", zName);
}

/* 1 when zPath is a directory (not a link to one). */
static int isDir(const char *zPath){
  struct stat st;
  return lstat(zPath, &st)==0 && S_ISDIR(st.st_mode);
}

/* Creates the folders zPath lies in (not zPath itself). */
static char *makeParents(const char *zPath){
  char *zDir = mprintf("%s", zPath), *zSlash;
  for(zSlash=strchr(zDir, '/'); zSlash; zSlash=strchr(zSlash+1, '/')){
    *zSlash = 0;
    if( zDir[0] && mkdir(zDir, 0777)!=0 && errno!=EEXIST ){
      char *zErr = mprintf("cannot create %s: %s", zDir, strerror(errno));
      sqlite3_free(zDir);
      return zErr;
    }
    *zSlash = '/';
  }
  sqlite3_free(zDir);
  return 0;
}

/* Writes n bytes of z to file zPath (created with its folders). */
static char *writeFile(const char *zPath, const char *z, size_t n){
  FILE *f;
  char *zErr = makeParents(zPath);
  if( zErr ) return zErr;
  f = fopen(zPath, "wb");
  if( f==0 ) return mprintf("cannot write %s: %s", zPath, strerror(errno));
  if( n ) fwrite(z, 1, n, f);
  fclose(f);
  return 0;
}

/* Copies zFrom (a file or a folder, recursively) to zTo. */
static char *copyPath(const char *zFrom, const char *zTo){
  char *zErr = 0;
  if( isDir(zFrom) ){
    DIR *d = opendir(zFrom);
    struct dirent *e;
    if( d==0 ) return mprintf("cannot read %s: %s", zFrom, strerror(errno));
    zErr = makeParents(zTo);
    if( zErr==0 && mkdir(zTo, 0777)!=0 && errno!=EEXIST ){
      zErr = mprintf("cannot create %s: %s", zTo, strerror(errno));
    }
    while( zErr==0 && (e = readdir(d))!=0 ){
      char *zA, *zB;
      if( strcmp(e->d_name, ".")==0 || strcmp(e->d_name, "..")==0 ) continue;
      zA = mprintf("%s/%s", zFrom, e->d_name);
      zB = mprintf("%s/%s", zTo, e->d_name);
      zErr = copyPath(zA, zB);
      sqlite3_free(zA);
      sqlite3_free(zB);
    }
    closedir(d);
  }else{
    unsigned char *a = 0;
    sqlite3_int64 n = 0;
    int rc = readFile(zFrom, &a, &n);
    if( rc!=0 ){
      return mprintf("cannot read %s: %s", zFrom,
                     rc>0 ? "no such file" : strerror(errno));
    }
    zErr = writeFile(zTo, (const char*)a, (size_t)n);
    sqlite3_free(a);
  }
  return zErr;
}

/* .write PATH TEXT: TEXT with \n as a newline, \xHH as that byte, \\ as a
** backslash. */
static char *writeDirective(const char *zPath, const char *zText){
  char *zOut = mprintf("%s", zText);
  size_t i, j = 0;
  char *zErr;
  for(i=0; zText[i]; i++){
    if( zText[i]=='\\' && zText[i+1]=='n' ){ zOut[j++] = '\n'; i++; }
    else if( zText[i]=='\\' && zText[i+1]=='\\' ){ zOut[j++] = '\\'; i++; }
    else if( zText[i]=='\\' && zText[i+1]=='x' && zText[i+2] && zText[i+3] ){
      char zHex[3];
      zHex[0] = zText[i+2]; zHex[1] = zText[i+3]; zHex[2] = 0;
      zOut[j++] = (char)strtol(zHex, 0, 16);
      i += 3;
    }
    else zOut[j++] = zText[i];
  }
  zErr = writeFile(zPath, zOut, j);
  sqlite3_free(zOut);
  return zErr;
}

/* Runs the directive line zLine (starting with '.'), appending what it
** prints to pOut. Errors print as "error: ..." like SQL errors. */
static void runDirective(Runner *p, char *zLine, sqlite3_str *pOut){
  char *azArg[4] = {0, 0, 0, 0};
  char *zErr = 0;
  char *z = zLine;
  int nArg = 0;
  /* split on blanks; .exec-file takes the rest of the line as its path */
  while( *z && nArg<4 ){
    while( *z==' ' || *z=='\t' ) *z++ = 0;
    if( *z==0 ) break;
    azArg[nArg++] = z;
    if( nArg==3 && strcmp(azArg[0], ".write")==0 ){
      break;                    /* the rest of the line is the text */
    }
    if( nArg==2 && strcmp(azArg[0], ".exec-file")==0 ){
      char *zEnd = z + strlen(z);
      while( zEnd>z && (zEnd[-1]==' ' || zEnd[-1]=='\t') ) *--zEnd = 0;
      break;
    }
    while( *z && *z!=' ' && *z!='\t' ) z++;
  }

  if( p->aDb[p->iCur]==0 && (strcmp(azArg[0], ".dbconfig")==0
                           || strcmp(azArg[0], ".exec-file")==0) ){
    zErr = mprintf("connection %d is not open", p->iCur+1);
  }else if( strcmp(azArg[0], ".reopen")==0 && nArg<=2 ){
    int bNoExt = nArg==2 && strcmp(azArg[1], "noext")==0;
    if( nArg==2 && !bNoExt ){
      zErr = mprintf("usage: .reopen [noext]");
    }else{
      zErr = connOpen(p, p->iCur, bNoExt);
    }
  }else if( strcmp(azArg[0], ".open2")==0 && nArg<=2 ){
    int bNoExt = nArg==2 && strcmp(azArg[1], "noext")==0;
    if( nArg==2 && !bNoExt ){
      zErr = mprintf("usage: .open2 [noext]");
    }else{
      zErr = connOpen(p, 1, bNoExt);
    }
  }else if( strcmp(azArg[0], ".use")==0 && nArg==2 ){
    if( strcmp(azArg[1], "1")==0 ){
      p->iCur = 0;
    }else if( strcmp(azArg[1], "2")==0 ){
      if( p->aDb[1]==0 ){
        zErr = mprintf("connection 2 is not open (use .open2)");
      }else{
        p->iCur = 1;
      }
    }else{
      zErr = mprintf("usage: .use 1|2");
    }
  }else if( strcmp(azArg[0], ".dbconfig")==0 && nArg==3 ){
    zErr = dbconfig(p->aDb[p->iCur], azArg[1], azArg[2]);
  }else if( strcmp(azArg[0], ".snapshot")==0 && nArg==1 ){
    zErr = snapTake(p, &p->snap);
  }else if( strcmp(azArg[0], ".unchanged")==0 && nArg==1 ){
    if( !p->snap.bTaken ){
      zErr = mprintf(".unchanged needs a .snapshot first");
    }else{
      Snapshot now;
      memset(&now, 0, sizeof(now));
      zErr = snapTake(p, &now);
      if( zErr==0 ){
        sqlite3_str_appendall(pOut,
            snapEqual(&p->snap, &now) ? "unchanged\n" : "changed\n");
      }
      snapClear(&now);
    }
  }else if( strcmp(azArg[0], ".exec-file")==0 && nArg==2 ){
    execScriptFile(p, azArg[1], pOut);
  }else if( strcmp(azArg[0], ".copy")==0 && nArg==3 ){
    char *zFrom = mprintf("%s/%s", p->zRoot, azArg[1]);
    zErr = copyPath(zFrom, azArg[2]);
    sqlite3_free(zFrom);
  }else if( strcmp(azArg[0], ".write")==0 && (nArg==2 || nArg==3) ){
    zErr = writeDirective(azArg[1], nArg==3 ? azArg[2] : "");
  }else if( strcmp(azArg[0], ".rm")==0 && nArg==2 ){
    if( unlink(azArg[1])!=0 ){
      zErr = mprintf("cannot remove %s: %s", azArg[1], strerror(errno));
    }

  }else{
    zErr = mprintf("unknown directive or wrong arguments: %s", zLine);
  }
  if( zErr ){
    sqlite3_str_appendf(pOut, "error: %s\n", zErr);
    sqlite3_free(zErr);
  }
}

/* -------------------------------------------------------- reporting */

/* Prints line z[0..n) of a diff with its marker, as a '#' comment. */
static void diffLine(char cMark, const Line *pL){
  printf("#   %c %.*s\n", cMark, pL->n, pL->z);
}

/* Prints a line diff between the expected and actual lines (longest
** common subsequence; for huge outputs just both lists). */
static void printDiff(const LineArray *pExp, const LineArray *pGot){
  int nE = pExp->n, nG = pGot->n;
  int *aL;                         /* aL[i*(nG+1)+j]: LCS of suffixes */
  int i, j;
  if( (sqlite3_int64)(nE+1)*(nG+1) > 4000000 ){
    for(i=0; i<nE; i++) diffLine('-', &pExp->a[i]);
    for(j=0; j<nG; j++) diffLine('+', &pGot->a[j]);
    return;
  }
  aL = check(sqlite3_malloc64(sizeof(int)*(sqlite3_uint64)(nE+1)*(nG+1)));
#define L(I,J) aL[(I)*(nG+1)+(J)]
  for(i=nE; i>=0; i--){
    for(j=nG; j>=0; j--){
      if( i==nE || j==nG ){
        L(i,j) = 0;
      }else if( pExp->a[i].n==pGot->a[j].n
             && memcmp(pExp->a[i].z, pGot->a[j].z, (size_t)pExp->a[i].n)==0 ){
        L(i,j) = 1 + L(i+1,j+1);
      }else{
        L(i,j) = L(i+1,j)>=L(i,j+1) ? L(i+1,j) : L(i,j+1);
      }
    }
  }
  i = j = 0;
  while( i<nE || j<nG ){
    if( i<nE && j<nG && pExp->a[i].n==pGot->a[j].n
     && memcmp(pExp->a[i].z, pGot->a[j].z, (size_t)pExp->a[i].n)==0 ){
      diffLine(' ', &pExp->a[i]);
      i++; j++;
    }else if( i<nE && (j==nG || L(i+1,j)>=L(i,j+1)) ){
      diffLine('-', &pExp->a[i++]);
    }else{
      diffLine('+', &pGot->a[j++]);
    }
  }
#undef L
  sqlite3_free(aL);
}

/* Compares the case's output with its expected lines and prints the
** result line (and, on failure, the SQL's first line and a diff). */
static void report(Runner *p, int iLine, const char *zSql,
                   const LineArray *pExp, const char *zOut){
  LineArray got = {0, 0, 0};
  int i, bSame;
  splitLines(zOut, &got);
  bSame = got.n==pExp->n;
  for(i=0; bSame && i<got.n; i++){
    bSame = got.a[i].n==pExp->a[i].n
         && memcmp(got.a[i].z, pExp->a[i].z, (size_t)got.a[i].n)==0;
  }
  if( bSame ){
    p->nOk++;
    printf("ok - %s:%d\n", p->zFile, iLine);
  }else{
    int nSql = (int)strcspn(zSql, "\n");
    p->nFail++;
    printf("not ok - %s:%d: ", p->zFile, iLine);
    if( pExp->n<=1 && got.n<=1 ){
      if( pExp->n ) printf("expected \"%.*s\"", pExp->a[0].n, pExp->a[0].z);
      else printf("expected nothing");
      if( got.n ) printf(" got \"%.*s\"\n", got.a[0].n, got.a[0].z);
      else printf(" got nothing\n");
    }else{
      printf("output differs (%d line%s expected, %d got; "
             "- expected, + got)\n", pExp->n, pExp->n==1 ? "" : "s", got.n);
    }
    printf("#   sql: %.*s%s\n", nSql>72 ? 72 : nSql, zSql,
           (nSql>72 || zSql[nSql+(zSql[nSql]!=0)]) ? " ..." : "");
    if( pExp->n>1 || got.n>1 ) printDiff(pExp, &got);
  }
  fflush(stdout);
  sqlite3_free(got.a);
}

/* ------------------------------------------------------- test files */

/* Is line pL empty or only blanks? */
static int isBlank(const Line *pL){
  int i;
  for(i=0; i<pL->n; i++){
    if( pL->z[i]!=' ' && pL->z[i]!='\t' ) return 0;
  }
  return 1;
}

/*
** 1 when db has a function or a table-valued function/module named zName
** (what -DSQLMIG_OMIT_DIFF leaves out is neither), 0 when not, -1 when db
** cannot tell.
*/
static int hasName(sqlite3 *db, const char *zName){
  sqlite3_stmt *pStmt = 0;
  int rc;
  if( db==0 ) return -1;
  rc = sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_function_list WHERE "
      "name=?1 UNION ALL SELECT 1 FROM pragma_module_list WHERE name=?1", -1,
      &pStmt, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(pStmt);
  }
  sqlite3_finalize(pStmt);
  return rc==SQLITE_ROW ? 1 : rc==SQLITE_DONE ? 0 : -1;
}

/* Runs the cases of the file's lines. */
static void runCases(Runner *p, const LineArray *pLines){
  int i = 0;
  while( i<pLines->n ){
    const Line *pL = &pLines->a[i];
    LineArray exp = {0, 0, 0};
    sqlite3_str *pSql, *pOut;
    char *zSql, *zOut;
    int iStart, iSep, nSqlLine = 0;
    if( isBlank(pL) || pL->z[0]=='#' ){ i++; continue; }

    /* SQL: up to a line exactly "----" */
    iStart = i;
    for(iSep=i; iSep<pLines->n; iSep++){
      const Line *pS = &pLines->a[iSep];
      if( pS->n==4 && memcmp(pS->z, "----", 4)==0 ) break;
    }
    if( iSep==pLines->n ){
      p->nFail++;
      printf("not ok - %s:%d: case has no ---- line\n", p->zFile, iStart+1);
      return;
    }
    pSql = strNew();
    for(i=iStart; i<iSep; i++){
      sqlite3_str_append(pSql, pLines->a[i].z, pLines->a[i].n);
      sqlite3_str_appendchar(pSql, 1, '\n');
      if( !isBlank(&pLines->a[i]) ) nSqlLine++;
    }
    zSql = strFinish(pSql);

    /* expected lines: up to a blank line or the end of the file */
    for(i=iSep+1; i<pLines->n && !isBlank(&pLines->a[i]); i++){
      lineAppend(&exp, pLines->a[i].z, pLines->a[i].n);
    }

    /* .require X.Y.Z: the rest of the file needs that SQLite version */
    if( nSqlLine==1 && strncmp(zSql, ".require ", 9)==0 ){
      int iMajor = 0, iMinor = 0, iPatch = 0;
      if( sscanf(zSql+9, "%d.%d.%d", &iMajor, &iMinor, &iPatch)==3
       && sqlite3_libversion_number()<iMajor*1000000+iMinor*1000+iPatch ){
        printf("# %s:%d to the end skipped: needs SQLite %d.%d.%d, this is"
               " %s\n", p->zFile, iStart+1, iMajor, iMinor, iPatch,
               sqlite3_libversion());
        sqlite3_free(zSql);
        sqlite3_free(exp.a);
        return;
      }
    }

    /* .needs NAME / .omitted NAME: the rest of the file is for a build
    ** with / without function or table NAME (-DSQLMIG_OMIT_DIFF) */
    if( nSqlLine==1 && (strncmp(zSql, ".needs ", 7)==0
                        || strncmp(zSql, ".omitted ", 9)==0) ){
      int bNeeds = zSql[1]=='n';
      char *zName = mprintf("%s", zSql + (bNeeds ? 7 : 9));
      int bHas;
      zName[strcspn(zName, " \r\n")] = 0;
      bHas = hasName(p->aDb[p->iCur], zName);
      if( hasName(p->aDb[p->iCur], "sqlmig_version")!=1 ){
        bHas = -1;       /* a connection without the extension cannot tell */
      }
      if( bHas<0 ){
        p->nFail++;
        printf("not ok - %s:%d: cannot tell whether %s is registered\n",
               p->zFile, iStart+1, zName);
      }else if( bHas!=bNeeds ){
        printf("skip - %s:%d to the end: %s is %sin this build%s\n",
               p->zFile, iStart+1, zName, bHas ? "" : "not ",
               bHas ? "" : " (-DSQLMIG_OMIT_DIFF)");
      }
      sqlite3_free(zName);
      if( bHas!=bNeeds ){
        sqlite3_free(zSql);
        sqlite3_free(exp.a);
        return;
      }
    }

    pOut = strNew();
    if( zSql[0]=='.' && nSqlLine==1 && (strncmp(zSql, ".require ", 9)==0
                                        || strncmp(zSql, ".needs ", 7)==0
                                        || strncmp(zSql, ".omitted ", 9)==0) ){
      /* the version is new enough, the build has what is needed */
    }else if( zSql[0]=='.' && nSqlLine==1 ){
      zSql[strcspn(zSql, "\r\n")] = 0;
      {
        char *zCopy = mprintf("%s", zSql);
        runDirective(p, zCopy, pOut);
        sqlite3_free(zCopy);
      }
    }else if( p->aDb[p->iCur]==0 ){
      sqlite3_str_appendf(pOut, "error: connection %d is not open\n",
                          p->iCur+1);
    }else{
      execSql(p->aDb[p->iCur], zSql, pOut);
    }
    zOut = strFinish(pOut);
    report(p, iStart+1, zSql, &exp, zOut);
    sqlite3_free(zOut);
    sqlite3_free(zSql);
    sqlite3_free(exp.a);
  }
}

/* Removes every file in directory zDir (and its folders), then zDir. */
static void removeDir(const char *zDir){
  DIR *d = opendir(zDir);
  if( d ){
    struct dirent *e;
    while( (e = readdir(d))!=0 ){
      char *zPath;
      if( strcmp(e->d_name, ".")==0 || strcmp(e->d_name, "..")==0 ) continue;
      zPath = mprintf("%s/%s", zDir, e->d_name);
      if( isDir(zPath) ){
        removeDir(zPath);
      }else if( unlink(zPath)!=0 ){
        fprintf(stderr, "runner: cannot remove %s: %s\n", zPath,
                strerror(errno));
      }
      sqlite3_free(zPath);
    }
    closedir(d);
  }
  if( rmdir(zDir)!=0 ){
    fprintf(stderr, "runner: cannot remove %s: %s\n", zDir, strerror(errno));
  }
}

/* Runs one test file; failures to set it up count as one failed case. */
static void runFile(Runner *p, const char *zFile){
  unsigned char *aText = 0;
  sqlite3_int64 nText = 0;
  LineArray lines = {0, 0, 0};
  const char *zTmp = getenv("TMPDIR");
  char *zErr = 0;
  int rc;

  p->zFile = zFile;
  rc = readFile(zFile, &aText, &nText);
  if( rc!=0 ){
    p->nFail++;
    printf("not ok - %s: cannot read: %s\n", zFile,
           rc>0 ? "no such file" : strerror(errno));
    return;
  }
  splitLines((const char*)aText, &lines);

  p->zDir = mprintf("%s/sqlmig-test-XXXXXX", zTmp && zTmp[0] ? zTmp : "/tmp");
  if( mkdtemp(p->zDir)==0 ){
    zErr = mprintf("cannot create %s: %s", p->zDir, strerror(errno));
    sqlite3_free(p->zDir);
    p->zDir = 0;
    goto done;
  }
  if( chdir(p->zDir)!=0 ){
    zErr = mprintf("cannot enter %s: %s", p->zDir, strerror(errno));
    goto done;
  }
  p->zDbPath = mprintf("%s/test.db", p->zDir);
  zErr = connOpen(p, 0, 0);
  if( zErr ) goto done;
  runCases(p, &lines);
  zErr = connCloseAll(p);

done:
  if( zErr ){
    p->nFail++;
    printf("not ok - %s: %s\n", zFile, zErr);
    sqlite3_free(zErr);
  }
  sqlite3_free(connCloseAll(p));
  snapClear(&p->snap);
  if( chdir(p->zRoot)!=0 ){
    fprintf(stderr, "runner: cannot return to %s: %s\n", p->zRoot,
            strerror(errno));
    exit(2);
  }
  if( p->zDir ) removeDir(p->zDir);
  sqlite3_free(p->zDir);
  sqlite3_free(p->zDbPath);
  p->zDir = p->zDbPath = 0;
  sqlite3_free(lines.a);
  sqlite3_free(aText);
  fflush(stdout);
}

/* The working directory, sqlite3_malloc'ed. */
static char *currentDir(void){
  sqlite3_uint64 n = 256;
  for(;;){
    char *z = check(sqlite3_malloc64(n));
    if( getcwd(z, (size_t)n) ) return z;
    sqlite3_free(z);
    if( errno!=ERANGE ){
      fprintf(stderr, "runner: getcwd: %s\n", strerror(errno));
      exit(2);
    }
    n *= 2;
  }
}

int main(int argc, char **argv){
  Runner r;
  int i, nFile = 0;
  memset(&r, 0, sizeof(r));
  r.zLibArg = "./libsqlmig.so";
  for(i=1; i<argc; i++){
    if( strcmp(argv[i], "--lib")==0 && i+1<argc ){
      r.zLibArg = argv[++i];
    }else if( argv[i][0]=='-' ){
      fprintf(stderr, "usage: %s [--lib PATH] FILE.test...\n", argv[0]);
      return 2;
    }else{
      nFile++;
    }
  }
  if( nFile==0 ){
    fprintf(stderr, "usage: %s [--lib PATH] FILE.test...\n", argv[0]);
    return 2;
  }
  r.zRoot = currentDir();
  /* the working directory changes per file: make the path absolute */
  if( r.zLibArg[0]=='/' || strchr(r.zLibArg, '/')==0 ){
    r.zLib = mprintf("%s", r.zLibArg);
  }else{
    const char *z = r.zLibArg;
    while( z[0]=='.' && z[1]=='/' ) z += 2;
    r.zLib = mprintf("%s/%s", r.zRoot, z);
  }
#ifdef SQLMIG_STATIC
  if( sqlite3_auto_extension((void(*)(void))sqlite3_sqlmig_init)!=SQLITE_OK ){
    fprintf(stderr, "runner: sqlite3_auto_extension failed\n");
    return 2;
  }
#endif
  for(i=1; i<argc; i++){
    if( strcmp(argv[i], "--lib")==0 ){ i++; continue; }
    runFile(&r, argv[i]);
  }
  sqlite3_free(r.zLib);
  sqlite3_free(r.zRoot);
#ifdef SQLMIG_STATIC
  sqlite3_reset_auto_extension();
#endif
  sqlite3_shutdown();
  return r.nFail ? 1 : 0;
}
