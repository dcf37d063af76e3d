/*
** sqlmig: migration files, in the folders other tools keep.
**
**   INSERT OR REPLACE INTO migrations
**     SELECT * FROM migration_files('db/migrations');
**   SELECT version, format, path FROM migration_files('db/migrations');
**   SELECT * FROM migration_files(NULL, 'bundle');  -- rows (name, text)
**   SELECT * FROM migration_files('migrations', NULL, 'sqlite');
**
** Each file's layout is recognised by its name and, for one-file
** revisions, its markers:
**
**   <v>_<name>.up.sql + <v>_<name>.down.sql   golang-migrate, sqlx, pop
**   <v>_<name>.sql, "-- migrate:up/down"      dbmate
**   <v>_<name>.sql, "-- +goose Up/Down"       goose
**   <v>_<name>.sql, no markers                sqlx (up only)
**   V<v>__<name>.sql + U<v>__<name>.sql       Flyway
**   <v>_<name>/up.sql + down.sql              Diesel (dashes in v dropped)
**   <v>_<name>/migration.sql [+ down.sql]     Prisma (migration_lock.toml)
**   <tag>.sql + meta/_journal.json            drizzle-kit (the journal's
**                                             order and idx decide)
**
** Markers are read as their tool reads them; a line that nearly is one is
** an error naming the line. A dialect word ending a name
** (1_users.sqlite3.up.sql, 0001_users_sqlite.up.sql) marks the file for
** that dialect: the third argument keeps one dialect's files, pop/fizz's
** way; without it a folder of several dialects is an error. Versions are
** integers from 0; 19 to 40 digits are kept as digits (zLong) and ordered
** by value.
**
** Marker lines never reach the scripts. A folder is read one level deep
** (Diesel's and Prisma's folders one more); only `.sql` files count, and
** a folder of .sql files none of which is read is an error (never zero
** rows in silence). Everything is read and checked before a row is
** returned: a bad file fails the whole call, naming it. The bundle form
** takes the same names (a folder prefix is ignored, Diesel's and Prisma's
** folder kept) with their texts from a table, for apps that ship their
** files as resources. One parser serves both.
**
** The folder reader is left out with -DSQLMIG_OMIT_FILES (and on Windows,
** which has no <dirent.h>); the bundle form stays.
**
** After a successful call the connection remembers each row's version,
** up checksum and path (sqlmigFilesPath), so that an INSERT refused for a
** changed file can name it.
*/
#include "sqlmig_int.h"
#include <stdlib.h>
#include <stdarg.h>


#if defined(_WIN32) && !defined(SQLMIG_OMIT_FILES)
# define SQLMIG_OMIT_FILES 1
#endif
#ifndef SQLMIG_OMIT_FILES
# include <stdio.h>
# include <errno.h>
# include <dirent.h>
# include <sys/stat.h>
#endif

/* How a file takes part in its revision. */
enum { ROLE_BOTH, ROLE_UP, ROLE_DOWN };
/* Which files pair up into one revision. */
enum { FAM_SINGLE, FAM_UPDOWN, FAM_FLYWAY, FAM_DIESEL };

/* One file, parsed. */
typedef struct FilePiece FilePiece;
struct FilePiece {
  sqlite3_int64 iVersion;  /* when zLong is NULL */
  char *zLong;             /* a version of 19 digits or more, as digits */
  int eFamily, eRole;
  int eDialect;            /* DIALECT_* of the word ending the name, or 0 */
  int nNameBare;           /* length of zName without that word */
  int bListed;             /* drizzle: listed by the journal */
  const char *zFormat;
  char *zName;             /* from the file name */
  char *zTag;              /* one-file revisions: the base name less .sql */
  char *zText;             /* up (ROLE_BOTH, ROLE_UP) or down (ROLE_DOWN) */
  char *zDown;             /* ROLE_BOTH: the down section, NULL if none */
  char *zPath;             /* as shown in messages and the path column */
};

struct SqlmigFileSet {
  FilePiece *a;            /* pieces, then (after sqlmigFilesFinish) rows */
  int n, nAlloc;
  char *zJournal;          /* drizzle's meta/_journal.json, NULL if none */
  char *zJournalPath;
  char *zLock;             /* Prisma's migration_lock.toml, NULL if none */
  char *zLockPath;
};

static void pieceFree(FilePiece *p){
  sqlite3_free(p->zLong);
  sqlite3_free(p->zName);
  sqlite3_free(p->zTag);
  sqlite3_free(p->zText);
  sqlite3_free(p->zDown);
  sqlite3_free(p->zPath);
}

void sqlmigFilesFree(SqlmigFileSet *pSet){
  int i;
  if( pSet==0 ) return;
  for(i=0; i<pSet->n; i++) pieceFree(&pSet->a[i]);
  sqlite3_free(pSet->a);
  sqlite3_free(pSet->zJournal);
  sqlite3_free(pSet->zJournalPath);
  sqlite3_free(pSet->zLock);
  sqlite3_free(pSet->zLockPath);
  sqlite3_free(pSet);
}

static int fileError(char **pzErr, const char *zPath, const char *zFmt, ...){
  va_list ap;
  char *zWhy;
  va_start(ap, zFmt);
  zWhy = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  *pzErr = zWhy ? sqlite3_mprintf("migration_files: \"%s\" %s", zPath, zWhy)
                : 0;
  sqlite3_free(zWhy);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* The length of the decimal digits (and, when bDash, '-') at z[0]. */
static int digitsLen(const char *z, int bDash){
  int i = 0;
  while( (z[i]>='0' && z[i]<='9') || (bDash && z[i]=='-' && i>0) ) i++;
  return i;
}

/*
** Sets pPiece's version from z[0..n) (digits, and dashes that are
** dropped): iVersion, or zLong for 19 digits or more (leading zeros do not
** count). Returns SQLITE_OK, SQLITE_NOMEM, or SQLITE_TOOBIG when there are
** more than SQLMIG_VERSION_MAXDIGITS.
*/
static int versionOf(FilePiece *pPiece, const char *z, int n){
  char zDigits[SQLMIG_VERSION_MAXDIGITS*2+2];
  char zOut[SQLMIG_VERSION_BUF];
  int i, nDigit = 0, nOut;
  for(i=0; i<n; i++){
    if( z[i]=='-' ) continue;
    if( nDigit>=(int)sizeof(zDigits)-1 ) return SQLITE_TOOBIG;
    zDigits[nDigit++] = z[i];
  }
  nOut = sqlmigVersionDigits(zDigits, nDigit, zOut);
  if( nOut<0 ) return SQLITE_TOOBIG;
  if( nOut>18 ){
    pPiece->zLong = sqlite3_mprintf("%s", zOut);
    pPiece->iVersion = SQLMIG_LONG_MIN;
    return pPiece->zLong ? SQLITE_OK : SQLITE_NOMEM;
  }
  pPiece->iVersion = 0;
  for(i=0; i<nOut; i++) pPiece->iVersion = pPiece->iVersion*10 + zOut[i]-'0';
  return SQLITE_OK;
}

/* Version order of two pieces. */
static int versionCmp(const FilePiece *a, const FilePiece *b){
  if( a->zLong || b->zLong ){
    if( a->zLong && b->zLong ) return sqlmigDigitsCmp(a->zLong, b->zLong);
    return a->zLong ? 1 : -1;
  }
  return a->iVersion==b->iVersion ? 0 : a->iVersion<b->iVersion ? -1 : 1;
}

/* pPiece's version as written, in zBuf (SQLMIG_VERSION_BUF bytes). */
static const char *versionText(const FilePiece *p, char *zBuf){
  if( p->zLong ) sqlite3_snprintf(SQLMIG_VERSION_BUF, zBuf, "%s", p->zLong);
  else sqlite3_snprintf(SQLMIG_VERSION_BUF, zBuf, "%lld", p->iVersion);
  return zBuf;
}

/*
** Dialects, as the word that ends a file's name: "1_users.sqlite3.up.sql"
** (pop/fizz), "0001_users_sqlite.up.sql". DIALECT_SQLITE first.
*/
enum { DIALECT_NONE, DIALECT_SQLITE, DIALECT_POSTGRES, DIALECT_MYSQL,
       DIALECT_COCKROACH, DIALECT_MSSQL, DIALECT_ORACLE, DIALECT_CLICKHOUSE,
       DIALECT_N };
static const char *const azDialect[DIALECT_N] = {
  "", "sqlite", "postgres", "mysql", "cockroach", "mssql", "oracle",
  "clickhouse"
};
static const struct { const char *zWord; int eDialect; } aDialectWord[] = {
  { "sqlite", DIALECT_SQLITE },      { "sqlite3", DIALECT_SQLITE },
  { "postgres", DIALECT_POSTGRES },  { "postgresql", DIALECT_POSTGRES },
  { "mysql", DIALECT_MYSQL },        { "mariadb", DIALECT_MYSQL },
  { "cockroach", DIALECT_COCKROACH },{ "cockroachdb", DIALECT_COCKROACH },
  { "mssql", DIALECT_MSSQL },        { "sqlserver", DIALECT_MSSQL },
  { "oracle", DIALECT_ORACLE },      { "clickhouse", DIALECT_CLICKHOUSE },
};

/* The DIALECT_* that word z[0..n) names (any case), or 0. */
static int dialectOf(const char *z, int n){
  int i;
  for(i=0; i<(int)(sizeof(aDialectWord)/sizeof(aDialectWord[0])); i++){
    if( (int)strlen(aDialectWord[i].zWord)==n
     && sqlite3_strnicmp(z, aDialectWord[i].zWord, n)==0 ){
      return aDialectWord[i].eDialect;
    }
  }
  return 0;
}

static int endsWith(const char *z, int n, const char *zEnd){
  int nEnd = (int)strlen(zEnd);
  return n>=nEnd && memcmp(z+n-nEnd, zEnd, nEnd)==0;
}

/* Marker lines of one-file revisions. */
enum { MK_NONE, MK_UP, MK_DOWN, MK_DROP, MK_BAD, MK_NEAR };

/* 1 if z[0..n) is zWord, ignoring ASCII case. */
static int wordIs(const char *z, int n, const char *zWord){
  return (int)strlen(zWord)==n && sqlite3_strnicmp(z, zWord, n)==0;
}

/*
** What line z[0..n) (no newline) marks, as each tool reads it:
**
**   dbmate  "--" at the start of the line, optional white space, then
**           "migrate:up" or "migrate:down" exactly (lowercase, nothing
**           around the colon), then the end or white space and options.
**   goose   any line that starts, after white space, with "--" and holds
**           "+goose": without its "--"s and its first "+goose", trimmed,
**           one of up, down, statementbegin, statementend, no transaction
**           in any case (envsub and anything else: MK_BAD). goose refuses
**           such a line when white space comes before the "--" (MK_NEAR).
**
** A line either tool would take for a comment although it is nearly a
** marker ("-- migrate:Up", "-- migrate: down", "  -- migrate:up",
** "-- goose Up") is MK_NEAR: left as it is, it would silently move a down
** script into the up. *peTool is set to 1 (dbmate) or 2 (goose) for
** markers and near misses; *pzWhy to the reason of a near miss.
*/
static int lineMarker(const char *z, int n, int *peTool, const char **pzWhy){
  int i = 0, j, k, bPlus = 0;
  static const char *const azGoose[] = {
    "up", "down", "statementbegin", "statementend", "no transaction"
  };
  static const int aeGoose[] = { MK_UP, MK_DOWN, MK_DROP, MK_DROP, MK_DROP };
  while( n>0 && sqlmigIsSpace((unsigned char)z[n-1]) ) n--;
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  if( i+2>n || z[i]!='-' || z[i+1]!='-' ) return MK_NONE;

  /* goose: "--" and "+goose" anywhere in the line */
  for(j=i+2; j+6<=n; j++){
    if( memcmp(z+j, "+goose", 6)==0 ) break;
  }
  if( j+6<=n ){
    sqlite3_str *p;
    char *zCmd;
    int eMark = MK_BAD, nCmd, iCmd = 0;
    *peTool = 2;
    if( i>0 ){
      *pzWhy = "starts with white space (goose reads annotations only at "
               "the start of the line)";
      return MK_NEAR;
    }
    p = sqlite3_str_new(0);
    for(k=0; k<n; k++){
      if( k==j ){ k += 5; continue; }
      if( z[k]=='-' && k+1<n && z[k+1]=='-' ){ k++; continue; }
      sqlite3_str_appendchar(p, 1, z[k]);
    }
    if( sqlite3_str_errcode(p) ){
      sqlite3_free(sqlite3_str_finish(p));
      return -1;
    }
    nCmd = sqlite3_str_length(p);
    zCmd = sqlite3_str_finish(p);
    if( zCmd==0 ) return MK_BAD;        /* an empty annotation */
    while( iCmd<nCmd && sqlmigIsSpace((unsigned char)zCmd[iCmd]) ) iCmd++;
    while( nCmd>iCmd && sqlmigIsSpace((unsigned char)zCmd[nCmd-1]) ) nCmd--;
    for(k=0; k<(int)(sizeof(azGoose)/sizeof(azGoose[0])); k++){
      if( wordIs(zCmd+iCmd, nCmd-iCmd, azGoose[k]) ) eMark = aeGoose[k];
    }
    sqlite3_free(zCmd);
    return eMark;
  }

  /* dbmate, exactly */
  if( i==0 ){
    j = 2;
    while( j<n && sqlmigIsSpace((unsigned char)z[j]) ) j++;
    for(k=0; k<2; k++){
      const char *zMark = k==0 ? "migrate:up" : "migrate:down";
      int nMark = (int)strlen(zMark);
      if( n-j>=nMark && memcmp(z+j, zMark, nMark)==0
       && (n-j==nMark || sqlmigIsSpace((unsigned char)z[j+nMark])) ){
        *peTool = 1;
        return k==0 ? MK_UP : MK_DOWN;
      }
    }
  }

  /* near misses: "--", "migrate" ":" up|down in any case and spacing;
  ** "--", "+"?, "goose", up|down */
  j = i+2;
  while( j<n && sqlmigIsSpace((unsigned char)z[j]) ) j++;
  if( j<n && z[j]=='+' ){
    bPlus = 1;
    j++;
    while( j<n && sqlmigIsSpace((unsigned char)z[j]) ) j++;
  }
  for(k=0; k<2; k++){
    const char *zTool = k==0 ? "migrate" : "goose";
    int nTool = (int)strlen(zTool), iWord, nWord;
    int jj = j;
    if( n-jj<nTool || sqlite3_strnicmp(z+jj, zTool, nTool)!=0 ) continue;
    if( k==0 && bPlus ) continue;
    jj += nTool;
    if( jj<n && !sqlmigIsSpace((unsigned char)z[jj]) && z[jj]!=':' ) continue;
    while( jj<n && sqlmigIsSpace((unsigned char)z[jj]) ) jj++;
    if( k==0 ){
      if( jj>=n || z[jj]!=':' ) continue;
      jj++;
      while( jj<n && sqlmigIsSpace((unsigned char)z[jj]) ) jj++;
    }
    iWord = jj;
    while( jj<n && !sqlmigIsSpace((unsigned char)z[jj]) ) jj++;
    nWord = jj-iWord;
    if( !wordIs(z+iWord, nWord, "up") && !wordIs(z+iWord, nWord, "down") ){
      continue;
    }
    *peTool = k+1;
    *pzWhy = k==0 ? "is not a dbmate marker (dbmate reads only \"-- "
        "migrate:up\" and \"-- migrate:down\": lowercase, no space around "
        "the colon, at the start of the line)"
      : "is not a goose annotation (goose reads \"-- +goose Up\" and \"-- "
        "+goose Down\")";
    return MK_NEAR;
  }
  return MK_NONE;
}

/* 1 if z[0..n) holds nothing but white space and comments. */
static int isBlank(const char *z, int n){
  int eType, nTok;
  return sqlmigNextToken((const unsigned char*)z, n, 0, 0, &eType, &nTok)==n;
}

/*
** Splits a one-file revision z[0..n) at its markers into pPiece's zText
** and zDown and sets its zFormat (dbmate, goose, or sqlx when there are no
** markers). Marker lines are dropped; so is what precedes the first one
** when it is only comments (SQL there is an error: neither tool runs it).
*/
static int splitSections(FilePiece *pPiece, const char *z, int n,
                         char **pzErr){
  sqlite3_str *aSec[3];          /* before the markers, up, down */
  int nSeen[3] = {0, 0, 0};
  int eSec = 0, eTool = 0, i = 0, iLine = 0, rc = SQLITE_OK, k;
  for(k=0; k<3; k++) aSec[k] = sqlite3_str_new(0);
  while( i<n && rc==SQLITE_OK ){
    int iEnd = i, eLineTool = 0, eMark;
    const char *zWhy = 0;
    while( iEnd<n && z[iEnd]!='\n' ) iEnd++;
    iLine++;
    eMark = lineMarker(z+i, iEnd-i, &eLineTool, &zWhy);
    if( eMark<0 ){
      rc = SQLITE_NOMEM;
      break;
    }
    if( eMark==MK_NEAR ){
      int nLine = iEnd-i;
      while( nLine>0 && sqlmigIsSpace((unsigned char)z[i+nLine-1]) ) nLine--;
      rc = fileError(pzErr, pPiece->zPath, "line %d: \"%.*s\" %s", iLine,
                     nLine, z+i, zWhy);
      break;
    }
    if( eMark!=MK_NONE && eTool && eLineTool!=eTool ){
      rc = fileError(pzErr, pPiece->zPath, "mixes dbmate and goose markers "
                     "(line %d)", iLine);
      break;
    }
    if( eMark!=MK_NONE ) eTool = eLineTool;
    if( eMark==MK_BAD ){
      rc = fileError(pzErr, pPiece->zPath, "line %d: %.*s: this goose "
                     "annotation is not supported", iLine, iEnd-i, z+i);
      break;
    }else if( eMark==MK_UP || eMark==MK_DOWN ){
      eSec = eMark==MK_UP ? 1 : 2;
      if( nSeen[eSec]++ ){
        rc = fileError(pzErr, pPiece->zPath, "has two %s markers",
                       eSec==1 ? "up" : "down");
      }
    }else if( eMark==MK_NONE ){
      sqlite3_str_append(aSec[eSec], z+i, iEnd-i + (iEnd<n));
    }
    i = iEnd+1;
  }
  if( rc==SQLITE_OK && eTool==0 ){
    pPiece->zFormat = "sqlx";
  }else if( rc==SQLITE_OK ){
    pPiece->zFormat = eTool==1 ? "dbmate" : "goose";
    if( nSeen[1]==0 ){
      rc = fileError(pzErr, pPiece->zPath, "has a down marker but no up "
                     "marker");
    }else if( !isBlank(sqlite3_str_value(aSec[0]),
                       sqlite3_str_length(aSec[0])) ){
      rc = fileError(pzErr, pPiece->zPath, "has SQL before its up marker "
                     "(%s would not run it)", pPiece->zFormat);
    }
  }
  for(k=0; k<3; k++){
    if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(aSec[k]);
  }
  if( rc==SQLITE_OK ){
    /* sqlite3_str_finish gives NULL for an empty string: keep "" */
    k = eTool==0 ? 0 : 1;
    pPiece->zText = sqlite3_str_finish(aSec[k]);
    aSec[k] = 0;
    if( pPiece->zText==0 && (pPiece->zText = sqlite3_mprintf(""))==0 ){
      rc = SQLITE_NOMEM;
    }
    if( nSeen[2] ){
      pPiece->zDown = sqlite3_str_finish(aSec[2]);
      aSec[2] = 0;
      if( pPiece->zDown==0 && (pPiece->zDown = sqlite3_mprintf(""))==0 ){
        rc = SQLITE_NOMEM;
      }
    }
  }
  for(k=0; k<3; k++) sqlite3_free(sqlite3_str_finish(aSec[k]));
  return rc;
}

/*
** Parses the name of file zRel (a path relative to the folder, '/'
** separated) into pPiece: version, name, family, role, format. Returns
** SQLITE_OK, SQLITE_DONE for a file that is not a migration (not .sql), or
** an error naming pPiece->zPath.
*/
static int parseName(FilePiece *pPiece, const char *zRel, char **pzErr){
  const char *zBase = strrchr(zRel, '/');
  const char *zPath = pPiece->zPath;
  int nBase, nV, nName, i, rc = SQLITE_OK;
  const char *zName;
  zBase = zBase ? zBase+1 : zRel;
  nBase = (int)strlen(zBase);
  if( !endsWith(zBase, nBase, ".sql") ) return SQLITE_DONE;

  /* Diesel: <v>_<name>/up.sql and down.sql; Prisma: <v>_<name>/
  ** migration.sql (with the down.sql that `prisma migrate diff` writes) */
  if( zBase>zRel && (strcmp(zBase, "up.sql")==0
                     || strcmp(zBase, "down.sql")==0
                     || strcmp(zBase, "migration.sql")==0) ){
    const char *zDir = zBase-1;
    while( zDir>zRel && zDir[-1]!='/' ) zDir--;
    nV = digitsLen(zDir, 1);
    if( nV>0 && zDir[nV]=='_' ){
      rc = versionOf(pPiece, zDir, nV);
      pPiece->eFamily = FAM_DIESEL;
      pPiece->eRole = zBase[0]=='d' ? ROLE_DOWN : ROLE_UP;
      pPiece->zFormat = zBase[0]=='m' ? "prisma" : "diesel";
      zName = zDir+nV+1;
      nName = (int)(zBase-1-zName);
      goto named;
    }
  }

  /* Flyway: V<v>__<name>.sql, U<v>__<name>.sql; R__ and dotted refused */
  if( (zBase[0]=='V' || zBase[0]=='U' || zBase[0]=='R')
   && strstr(zBase, "__") ){
    const char *zSep = strstr(zBase, "__");
    if( zBase[0]=='R' ){
      return fileError(pzErr, zPath, "is a Flyway repeatable migration: "
          "sqlmig applies each revision once, in version order (give it a "
          "version: V<version>__<name>.sql)");
    }
    nV = digitsLen(zBase+1, 0);
    if( zBase+1+nV!=zSep || nV==0 ){
      return fileError(pzErr, zPath, "has Flyway version \"%.*s\", which is "
          "not a whole number: sqlmig orders revisions by integer versions "
          "(rename it, e.g. V1.1 to V101)", (int)(zSep-zBase-1), zBase+1);
    }
    rc = versionOf(pPiece, zBase+1, nV);
    pPiece->eFamily = FAM_FLYWAY;
    pPiece->eRole = zBase[0]=='V' ? ROLE_UP : ROLE_DOWN;
    pPiece->zFormat = "flyway";
    zName = zSep+2;
    nName = nBase-4-(int)(zName-zBase);
    goto named;
  }

  /* <v>_<name>.up.sql / .down.sql / .sql */
  nV = digitsLen(zBase, 0);
  if( nV==0 || zBase[nV]!='_' ){
    return fileError(pzErr, zPath, "is not a migration file name (expected "
        "<version>_<name>.sql, <version>_<name>.up.sql and .down.sql, "
        "V<version>__<name>.sql, <version>_<name>/up.sql, or "
        "<version>_<name>/migration.sql)");
  }
  rc = versionOf(pPiece, zBase, nV);
  zName = zBase+nV+1;
  if( endsWith(zBase, nBase, ".up.sql") ){
    pPiece->eFamily = FAM_UPDOWN;
    pPiece->eRole = ROLE_UP;
    nName = nBase-7-(int)(zName-zBase);
  }else if( endsWith(zBase, nBase, ".down.sql") ){
    pPiece->eFamily = FAM_UPDOWN;
    pPiece->eRole = ROLE_DOWN;
    nName = nBase-9-(int)(zName-zBase);
  }else{
    pPiece->eFamily = FAM_SINGLE;
    pPiece->eRole = ROLE_BOTH;
    nName = nBase-4-(int)(zName-zBase);
  }
  if( pPiece->eFamily==FAM_UPDOWN ) pPiece->zFormat = "golang-migrate";

named:
  if( rc==SQLITE_TOOBIG ){
    return fileError(pzErr, zPath, "has a version of more than %d digits, "
                     "the most sqlmig orders", SQLMIG_VERSION_MAXDIGITS);
  }
  if( rc ) return rc;
  if( nName<0 ) nName = 0;
  pPiece->zName = sqlite3_mprintf("%.*s", nName, zName);
  if( pPiece->zName==0 ) return SQLITE_NOMEM;
  /* A dialect word after the name's last '.' or '_' */
  pPiece->nNameBare = nName;
  for(i=nName-1; i>0; i--){
    if( zName[i]=='.' || zName[i]=='_' ){
      pPiece->eDialect = dialectOf(zName+i+1, nName-i-1);
      if( pPiece->eDialect ) pPiece->nNameBare = i;
      break;
    }
  }
  if( pPiece->eFamily==FAM_SINGLE ){
    pPiece->zTag = sqlite3_mprintf("%.*s", nBase-4, zBase);
    if( pPiece->zTag==0 ) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/*
** Adds file zRel (its path as shown: zPath) holding z[0..n) to pSet.
** Files that are not .sql are left out.
*/
static int filesAdd(SqlmigFileSet *pSet, const char *zPath, const char *zRel,
                    const char *z, int n, char **pzErr){
  FilePiece piece;
  int rc, iBad;
  memset(&piece, 0, sizeof(piece));
  piece.zPath = sqlite3_mprintf("%s", zPath);
  if( piece.zPath==0 ) return SQLITE_NOMEM;
  rc = parseName(&piece, zRel, pzErr);
  if( rc==SQLITE_OK ){
    int nBom = n>=3 && memcmp(z, "\xef\xbb\xbf", 3)==0 ? 3 : 0;
    z += nBom;
    n -= nBom;
    iBad = sqlmigUtf8Invalid((const unsigned char*)z, n);
    if( iBad>=0 && z[iBad]==0 ){
      rc = fileError(pzErr, piece.zPath, "holds a NUL byte at offset %d: "
                     "only the text before it would run", nBom+iBad);
    }else if( iBad>=0 ){
      rc = fileError(pzErr, piece.zPath, "is not UTF-8 text (byte %d)", iBad);
    }
  }
  if( rc==SQLITE_OK ){
    if( piece.eRole==ROLE_BOTH ){
      rc = splitSections(&piece, z, n, pzErr);
    }else{
      piece.zText = sqlite3_mprintf("%.*s", n, z);
      if( piece.zText==0 ) rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_OK && pSet->n==pSet->nAlloc ){
    int nNew = pSet->nAlloc ? pSet->nAlloc*2 : 16;
    FilePiece *aNew = sqlite3_realloc64(pSet->a, nNew*sizeof(FilePiece));
    if( aNew==0 ){
      rc = SQLITE_NOMEM;
    }else{
      pSet->a = aNew;
      pSet->nAlloc = nNew;
    }
  }
  if( rc==SQLITE_OK ){
    pSet->a[pSet->n++] = piece;
  }else{
    pieceFree(&piece);
  }
  return rc==SQLITE_DONE ? SQLITE_OK : rc;
}

/* Version order; the up before the down of one revision, then by path. */
static int pieceCmp(const void *pA, const void *pB){
  const FilePiece *a = (const FilePiece*)pA, *b = (const FilePiece*)pB;
  int c = versionCmp(a, b);
  if( c ) return c;
  if( a->eRole!=b->eRole ) return a->eRole<b->eRole ? -1 : 1;
  return strcmp(a->zPath, b->zPath);
}

/* ------------------------------------------------ drizzle, Prisma, dialects */

/*
** drizzle-kit: meta/_journal.json lists the revisions, {"entries": [{"idx":
** 0, "tag": "0000_name", ...}, ...]}, in the order they apply; each is
** <tag>.sql beside meta/. The journal decides: a revision's version is its
** idx, entries must ascend, every entry needs its file and every one-file
** revision of the folder its entry; its "dialect" must be eWant's when
** that is given. Read with SQLite's JSON functions.
*/
static int journalApply(sqlite3 *db, SqlmigFileSet *pSet, int eWant,
                        char **pzErr){
  const char *zJ = pSet->zJournalPath;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iPrev = -1;
  int rc, i, iEntry = 0;
  rc = sqlite3_prepare_v2(db, "SELECT json_extract(value, '$.idx'), "
      "json_type(value, '$.idx'), json_extract(value, '$.tag'), "
      "json_type(value, '$.tag') FROM json_each(?1, '$.entries')", -1,
      &pStmt, 0);
  if( rc!=SQLITE_OK ){
    if( rc==SQLITE_NOMEM ) return rc;
    return fileError(pzErr, zJ, "needs SQLite's JSON functions to be read "
                     "(SQLite 3.38, or a build with JSON1): %s",
                     sqlite3_errmsg(db));
  }
  rc = sqlite3_bind_text(pStmt, 1, pSet->zJournal, -1, SQLITE_STATIC);
  if( rc==SQLITE_OK && eWant ){
    sqlite3_stmt *pDialect = 0;
    rc = sqlite3_prepare_v2(db, "SELECT json_extract(?1, '$.dialect')", -1,
                            &pDialect, 0);
    if( rc==SQLITE_OK ){
      rc = sqlite3_bind_text(pDialect, 1, pSet->zJournal, -1, SQLITE_STATIC);
    }
    if( rc==SQLITE_OK && (rc = sqlite3_step(pDialect))==SQLITE_ROW ){
      const char *zD = (const char*)sqlite3_column_text(pDialect, 0);
      int eGot = zD ? dialectOf(zD, (int)strlen(zD)) : eWant;
      rc = SQLITE_OK;
      if( zD && eGot!=eWant && (eGot!=0 || eWant!=DIALECT_SQLITE
                                || (strcmp(zD, "turso")!=0
                                    && strcmp(zD, "libsql")!=0)) ){
        rc = fileError(pzErr, zJ, "says dialect \"%s\": these migrations "
                       "are not for %s", zD, azDialect[eWant]);
      }
    }
    sqlite3_finalize(pDialect);
  }
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zTag = (const char*)sqlite3_column_text(pStmt, 3);
    sqlite3_int64 iIdx = sqlite3_column_int64(pStmt, 0);
    rc = SQLITE_OK;
    iEntry++;
    if( zTag==0 || strcmp(zTag, "text")!=0 ){
      rc = fileError(pzErr, zJ, "entry %d has no \"tag\" text", iEntry);
      break;
    }
    zTag = (const char*)sqlite3_column_text(pStmt, 2);
    if( zTag==0 ){ rc = SQLITE_NOMEM; break; }
    if( zType==0 ){
      iIdx = iEntry-1;             /* no idx: its place in the list */
    }else if( strcmp(zType, "integer")!=0 || iIdx<0 ){
      rc = fileError(pzErr, zJ, "entry %d (\"%s\") has an \"idx\" that is "
                     "not a whole number", iEntry, zTag);
      break;
    }
    if( iIdx<=iPrev ){
      rc = fileError(pzErr, zJ, "entry %d (\"%s\") has idx %lld, not above "
          "the entry before it (%lld): the journal's order is the order the "
          "revisions apply in", iEntry, zTag, iIdx, iPrev);
      break;
    }
    iPrev = iIdx;
    for(i=0; i<pSet->n; i++){
      FilePiece *p = &pSet->a[i];
      if( p->zTag && !p->bListed && strcmp(p->zTag, zTag)==0 ) break;
    }
    if( i==pSet->n ){
      rc = fileError(pzErr, zJ, "lists \"%s\", but there is no %s.sql",
                     zTag, zTag);
      break;
    }
    pSet->a[i].bListed = 1;
    pSet->a[i].iVersion = iIdx;
    sqlite3_free(pSet->a[i].zLong);
    pSet->a[i].zLong = 0;
    if( pSet->a[i].zDown==0 ) pSet->a[i].zFormat = "drizzle";
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzErr==0 ){
    rc = fileError(pzErr, zJ, "is not a drizzle journal: %s",
                   sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  for(i=0; rc==SQLITE_OK && i<pSet->n; i++){
    const FilePiece *p = &pSet->a[i];
    if( p->eFamily!=FAM_DIESEL && !p->bListed ){
      rc = fileError(pzErr, p->zPath, "is not listed in %s (drizzle applies "
                     "only the files its journal lists)", zJ);
    }
  }
  return rc;
}

/*
** The dialect Prisma's migration_lock.toml names in its `provider = "..."`
** line: a DIALECT_*, 0 for a provider sqlmig does not know, -1 for none.
*/
static int lockDialect(const char *z, char *zProvider, int nProvider){
  while( *z ){
    const char *zLine = z;
    while( *z==' ' || *z=='\t' ) z++;
    if( strncmp(z, "provider", 8)==0 ){
      const char *zEnd;
      z += 8;
      while( *z==' ' || *z=='\t' ) z++;
      if( *z=='=' ){
        z++;
        while( *z==' ' || *z=='\t' ) z++;
        if( *z=='"' && (zEnd = strchr(z+1, '"'))!=0 ){
          int n = (int)(zEnd-z-1);
          sqlite3_snprintf(nProvider, zProvider, "%.*s", n, z+1);
          return dialectOf(z+1, n);
        }
      }
    }
    z = strchr(zLine, '\n');
    if( z==0 ) break;
    z++;
  }
  return -1;
}

/*
** Keeps the files of one dialect (eWant, DIALECT_*), the way pop/fizz
** does: for one version and role a file for eWant wins over a generic one;
** files of other dialects are left out, and the dialect word leaves the
** kept files' names. With eWant 0, a folder with files of several dialects
** is an error saying which argument to pass. zWhere names the folder or
** bundle; bBundle says which. pSet->a is sorted by pieceCmp.
*/
static int dialectApply(SqlmigFileSet *pSet, int eWant, const char *zWhere,
                        int bBundle, char **pzErr){
  unsigned int mSeen = 0;
  int i, j, k, nOut = 0;
  for(i=0; i<pSet->n; i++) mSeen |= 1u<<pSet->a[i].eDialect;
  if( eWant==0 ){
    int nDialect = 0, iGeneric = -1, iSpecific = -1;
    sqlite3_str *pList;
    char *zList;
    for(i=1; i<DIALECT_N; i++) nDialect += (mSeen>>i)&1;
    if( nDialect==0 ) return SQLITE_OK;
    for(i=0; nDialect==1 && iGeneric<0 && i<pSet->n; i=j){
      int iG = -1, iS = -1;
      for(j=i; j<pSet->n && versionCmp(&pSet->a[j], &pSet->a[i])==0
               && pSet->a[j].eRole==pSet->a[i].eRole; j++){
        if( pSet->a[j].eDialect ) iS = j; else iG = j;
      }
      if( iG>=0 && iS>=0 ){ iGeneric = iG; iSpecific = iS; }
    }
    if( nDialect==1 && iGeneric<0 ) return SQLITE_OK;
    pList = sqlite3_str_new(0);
    for(i=1; i<DIALECT_N; i++){
      if( (mSeen>>i)&1 ){
        sqlite3_str_appendf(pList, "%s%s", sqlite3_str_length(pList) ? ", "
                            : "", azDialect[i]);
      }
    }
    zList = sqlite3_str_finish(pList);
    if( zList==0 ) return SQLITE_NOMEM;
    if( nDialect==1 ){
      char zV[SQLMIG_VERSION_BUF];
      *pzErr = sqlite3_mprintf("migration_files: \"%s\" holds a %s file "
          "beside a generic one for version %s (\"%s\" and \"%s\"): name "
          "the dialect to read, migration_files(%s%Q%s, '%s')", zWhere,
          zList, versionText(&pSet->a[iGeneric], zV), pSet->a[iGeneric].zPath,
          pSet->a[iSpecific].zPath, bBundle ? "NULL, " : "", zWhere,
          bBundle ? "" : ", NULL", zList);
    }else{
      *pzErr = sqlite3_mprintf("migration_files: \"%s\" holds files for "
          "several dialects (%s): name the one to read, migration_files("
          "%s%Q%s, 'sqlite')", zWhere, zList, bBundle ? "NULL, " : "",
          zWhere, bBundle ? "" : ", NULL");
    }
    sqlite3_free(zList);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  for(i=0; i<pSet->n; i=j){
    int bSpecific = 0;
    for(j=i; j<pSet->n && versionCmp(&pSet->a[j], &pSet->a[i])==0
             && pSet->a[j].eRole==pSet->a[i].eRole; j++){
      if( pSet->a[j].eDialect==eWant ) bSpecific = 1;
    }
    for(k=i; k<j; k++){
      FilePiece *p = &pSet->a[k];
      if( p->eDialect==eWant || (p->eDialect==0 && !bSpecific) ){
        if( p->eDialect ) p->zName[p->nNameBare] = 0;
        if( &pSet->a[nOut]!=p ){
          pSet->a[nOut] = *p;
          memset(p, 0, sizeof(*p));
        }
        nOut++;
      }else{
        pieceFree(p);
        memset(p, 0, sizeof(*p));
      }
    }
  }
  if( nOut==0 && pSet->n>0 ){
    pSet->n = 0;
    *pzErr = sqlite3_mprintf("migration_files: \"%s\" holds no file for "
        "dialect %s, and no generic one", zWhere, azDialect[eWant]);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  pSet->n = nOut;
  return SQLITE_OK;
}

/*
** Pairs each down file with its up file: afterwards pSet->a holds one row
** per revision, ascending, zText the up and zDown the down (NULL: none).
*/
static int filesFinish(SqlmigFileSet *pSet, char **pzErr){
  int i, nOut = 0;
  if( pSet->n>1 ) qsort(pSet->a, pSet->n, sizeof(FilePiece), pieceCmp);
  for(i=0; i<pSet->n; i++){
    FilePiece *p = &pSet->a[i];
    FilePiece *pNext = i+1<pSet->n ? &pSet->a[i+1] : 0;
    if( pNext && versionCmp(pNext, p)==0 ){
      if( p->eRole!=ROLE_UP || pNext->eRole!=ROLE_DOWN
       || p->eFamily!=pNext->eFamily
       || (i+2<pSet->n && versionCmp(&pSet->a[i+2], p)==0) ){
        char zV[SQLMIG_VERSION_BUF];
        char *zVersion = sqlite3_mprintf("%s: \"%s\" and \"%s\"",
            versionText(p, zV), p->zPath, pNext->zPath);
        *pzErr = zVersion ? sqlite3_mprintf("migration_files: two files "
            "claim version %s", zVersion) : 0;
        sqlite3_free(zVersion);
        return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      }
      p->zDown = pNext->zText;
      pNext->zText = 0;
      pieceFree(pNext);
      memset(pNext, 0, sizeof(*pNext));
      /* The next round skips it; its version (SQLMIG_LONG_MIN for a long
      ** one, without the digits) equals no later piece's */
      pNext->iVersion = p->iVersion;
      pNext->eRole = -1;
    }else if( p->eRole==ROLE_DOWN ){
      return fileError(pzErr, p->zPath, "is a down script without an up "
                       "script for its version");
    }
    if( p->eRole<0 ) continue;
    if( &pSet->a[nOut]!=p ){
      pSet->a[nOut] = *p;
      memset(p, 0, sizeof(*p));         /* owned by its new slot only */
    }
    nOut++;
  }
  pSet->n = nOut;
  return SQLITE_OK;
}

#ifndef SQLMIG_OMIT_FILES
/* The largest file read (SQLite's default limit on a text's length). */
#define FILE_MAX 1000000000

/* Reads file zPath into *pz (sqlite3_malloc), *pn bytes. */
static int fileRead(const char *zPath, char **pz, int *pn, char **pzErr){
  FILE *f = fopen(zPath, "rb");
  char *z = 0;
  sqlite3_int64 n = 0, nAlloc = 0;
  int rc = SQLITE_OK;
  if( f==0 ) return fileError(pzErr, zPath, "cannot be opened");
  for(;;){
    size_t nGot;
    if( n==nAlloc ){
      char *zNew;
      nAlloc = nAlloc ? nAlloc*2 : 4096;
      if( nAlloc>FILE_MAX ){
        rc = fileError(pzErr, zPath, "is too large");
        break;
      }
      zNew = sqlite3_realloc64(z, nAlloc);
      if( zNew==0 ){ rc = SQLITE_NOMEM; break; }
      z = zNew;
    }
    nGot = fread(z+n, 1, (size_t)(nAlloc-n), f);
    n += (sqlite3_int64)nGot;
    if( nGot==0 ){
      if( ferror(f) ) rc = fileError(pzErr, zPath, "cannot be read");
      break;
    }
  }
  fclose(f);
  if( rc!=SQLITE_OK ){
    sqlite3_free(z);
    return rc;
  }
  *pz = z;
  *pn = (int)n;
  return SQLITE_OK;
}

/* The reason for errno e, in words that do not depend on the locale. */
static const char *errnoWords(int e){
  switch( e ){
    case ENOENT:  return "no such directory";
    case ENOTDIR: return "not a directory";
    case EACCES:  return "permission denied";
    default:      return "cannot be listed";
  }
}

static int nameCmp(const void *pA, const void *pB){
  return strcmp(*(char *const*)pA, *(char *const*)pB);
}

/* 1 when zPath is a directory, 0 when it is a regular file, -1 else. */
static int pathKind(const char *zPath){
  struct stat st;
  if( stat(zPath, &st)!=0 ) return -1;
  return S_ISDIR(st.st_mode) ? 1 : S_ISREG(st.st_mode) ? 0 : -1;
}

/* Reads zPath (relative name zRel) into pSet, when it is a file. */
static int addPath(SqlmigFileSet *pSet, const char *zPath, const char *zRel,
                   char **pzErr){
  char *z = 0;
  int n = 0, rc;
  if( pathKind(zPath)!=0 ) return SQLITE_OK;
  rc = fileRead(zPath, &z, &n, pzErr);
  if( rc==SQLITE_OK ) rc = filesAdd(pSet, zPath, zRel, z, n, pzErr);
  sqlite3_free(z);
  return rc;
}

/*
** Reads file zPath, when there is one, as text into *pz (and its path into
** *pzPath): drizzle's journal, Prisma's lock file.
*/
static int sideRead(const char *zPath, char **pz, char **pzPath,
                    char **pzErr){
  char *z = 0;
  int n = 0, rc;
  if( pathKind(zPath)!=0 ) return SQLITE_OK;
  rc = fileRead(zPath, &z, &n, pzErr);
  if( rc==SQLITE_OK ){
    sqlite3_free(*pz);
    *pz = sqlite3_mprintf("%.*s", n, z ? z : "");
    sqlite3_free(*pzPath);
    *pzPath = sqlite3_mprintf("%s", zPath);
    if( *pz==0 || *pzPath==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_free(z);
  return rc;
}

/* The deepest folder the search for a stray .sql file enters. */
#define SQL_SEARCH_DEPTH 8

/*
** The first .sql file under zDir (names in byte order, depth first,
** hidden entries skipped) into *pzFound (sqlite3_malloc), or NULL.
*/
static int firstSql(const char *zDir, int iDepth, char **pzFound){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  char *zBest = 0, *zBestDir = 0;
  int rc = SQLITE_OK;
  if( d==0 ) return SQLITE_OK;
  /* The smallest name that is a .sql file or a folder holding one */
  while( rc==SQLITE_OK && (pEnt = readdir(d))!=0 ){
    const char *zName = pEnt->d_name;
    char *zPath;
    int eKind;
    if( zName[0]=='.' ) continue;
    if( zBest && strcmp(zName, zBest)>=0 ) continue;
    zPath = sqlite3_mprintf("%s/%s", zDir, zName);
    if( zPath==0 ){ rc = SQLITE_NOMEM; break; }
    eKind = pathKind(zPath);
    if( eKind==0 && endsWith(zName, (int)strlen(zName), ".sql") ){
      sqlite3_free(zBest);
      sqlite3_free(zBestDir);
      zBest = sqlite3_mprintf("%s", zName);
      zBestDir = zPath;
      zPath = 0;
      if( zBest==0 ) rc = SQLITE_NOMEM;
    }else if( eKind==1 && iDepth<SQL_SEARCH_DEPTH ){
      char *zIn = 0;
      rc = firstSql(zPath, iDepth+1, &zIn);
      if( zIn ){
        sqlite3_free(zBest);
        sqlite3_free(zBestDir);
        zBest = sqlite3_mprintf("%s", zName);
        zBestDir = zIn;
        if( zBest==0 ) rc = SQLITE_NOMEM;
      }
    }
    sqlite3_free(zPath);
  }
  closedir(d);
  sqlite3_free(zBest);
  if( rc!=SQLITE_OK ){
    sqlite3_free(zBestDir);
    zBestDir = 0;
  }
  *pzFound = zBestDir;
  return rc;
}

/* Reads the .sql files of folder zDir (and Diesel's folders in it). */
static int dirRead(SqlmigFileSet *pSet, const char *zDir, char **pzErr){
  DIR *d;
  struct dirent *pEnt;
  char **azName = 0;
  int nName = 0, nAlloc = 0, i, rc = SQLITE_OK;
  const char *zSep = zDir[0] && zDir[strlen(zDir)-1]=='/' ? "" : "/";
  errno = 0;
  d = opendir(zDir);
  if( d==0 ){
    const char *zWhy = errnoWords(errno);
    *pzErr = sqlite3_mprintf("migration_files: cannot read directory "
                             "\"%s\": %s", zDir, zWhy);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  while( rc==SQLITE_OK && (pEnt = readdir(d))!=0 ){
    if( pEnt->d_name[0]=='.' ) continue;        /* ., .., hidden files */
    if( nName==nAlloc ){
      char **azNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      azNew = sqlite3_realloc64(azName, nAlloc*sizeof(char*));
      if( azNew==0 ){ rc = SQLITE_NOMEM; break; }
      azName = azNew;
    }
    azName[nName] = sqlite3_mprintf("%s", pEnt->d_name);
    if( azName[nName]==0 ) rc = SQLITE_NOMEM; else nName++;
  }
  closedir(d);
  if( rc==SQLITE_OK && nName>1 ) qsort(azName, nName, sizeof(char*), nameCmp);
  if( rc==SQLITE_OK ){
    char *zSide = sqlite3_mprintf("%s%smeta/_journal.json", zDir, zSep);
    rc = zSide ? sideRead(zSide, &pSet->zJournal, &pSet->zJournalPath, pzErr)
               : SQLITE_NOMEM;
    sqlite3_free(zSide);
  }
  if( rc==SQLITE_OK ){
    char *zSide = sqlite3_mprintf("%s%smigration_lock.toml", zDir, zSep);
    rc = zSide ? sideRead(zSide, &pSet->zLock, &pSet->zLockPath, pzErr)
               : SQLITE_NOMEM;
    sqlite3_free(zSide);
  }
  for(i=0; rc==SQLITE_OK && i<nName; i++){
    char *zPath = sqlite3_mprintf("%s%s%s", zDir, zSep, azName[i]);
    int nV = digitsLen(azName[i], 1);
    if( zPath==0 ){
      rc = SQLITE_NOMEM;
    }else if( pathKind(zPath)==0 ){
      rc = addPath(pSet, zPath, azName[i], pzErr);
    }else if( nV>0 && azName[i][nV]=='_' && pathKind(zPath)==1 ){
      /* Diesel's folder (up.sql, down.sql) or Prisma's (migration.sql) */
      static const char *const azFile[] = {
        "up.sql", "down.sql", "migration.sql"
      };
      int k;
      for(k=0; rc==SQLITE_OK && k<3; k++){
        char *zSub = sqlite3_mprintf("%s/%s", zPath, azFile[k]);
        char *zRel = sqlite3_mprintf("%s/%s", azName[i], azFile[k]);
        rc = zSub && zRel ? addPath(pSet, zSub, zRel, pzErr) : SQLITE_NOMEM;
        sqlite3_free(zSub);
        sqlite3_free(zRel);
      }
    }
    sqlite3_free(zPath);
  }
  for(i=0; i<nName; i++) sqlite3_free(azName[i]);
  sqlite3_free(azName);
  return rc;
}
#endif /* SQLMIG_OMIT_FILES */

/*
** Reads the rows (name, text) of table zTable ("t" or "schema.t") into
** pSet: the bundle form, for files shipped as resources.
*/
static int bundleRead(sqlite3 *db, SqlmigFileSet *pSet, const char *zTable,
                      char **pzErr){
  const char *zDot = strchr(zTable, '.');
  char *zSchema = zDot ? sqlite3_mprintf("%.*s", (int)(zDot-zTable), zTable)
                       : 0;
  sqlite3_stmt *pStmt = 0;
  char *zSql = zDot==0 ? sqlite3_mprintf("SELECT name, text FROM \"%w\"",
                                         zTable)
      : zSchema ? sqlite3_mprintf("SELECT name, text FROM \"%w\".\"%w\"",
                                  zSchema, zDot+1) : 0;
  int rc;
  sqlite3_free(zSchema);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    const char *z = (const char*)sqlite3_column_blob(pStmt, 1);
    int n = sqlite3_column_bytes(pStmt, 1);
    rc = SQLITE_OK;
    if( zName==0 || (z==0 && sqlite3_column_type(pStmt, 1)==SQLITE_NULL) ){
      if( sqlite3_errcode(db)==SQLITE_NOMEM ){ rc = SQLITE_NOMEM; break; }
      *pzErr = sqlite3_mprintf("migration_files: a row of bundle \"%s\" has "
          "a NULL %s", zTable, zName ? "text" : "name");
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
    if( endsWith(zName, (int)strlen(zName), "meta/_journal.json")
     || endsWith(zName, (int)strlen(zName), "migration_lock.toml") ){
      int bJournal = zName[strlen(zName)-1]=='n';
      char **pz = bJournal ? &pSet->zJournal : &pSet->zLock;
      char **pzPath = bJournal ? &pSet->zJournalPath : &pSet->zLockPath;
      sqlite3_free(*pz);
      sqlite3_free(*pzPath);
      *pz = sqlite3_mprintf("%.*s", n, z ? z : "");
      *pzPath = sqlite3_mprintf("%s", zName);
      if( *pz==0 || *pzPath==0 ) rc = SQLITE_NOMEM;
      continue;
    }
    rc = filesAdd(pSet, zName, zName, z ? z : "", n, pzErr);
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK && *pzErr==0 && rc!=SQLITE_NOMEM ){
    rc = sqlmigErrcode(db, rc);
    *pzErr = sqlite3_mprintf("migration_files: cannot read bundle \"%s\" "
        "(a table with columns name and text): %s", zTable,
        sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* The layouts tried, for the message about a folder none of them reads. */
#define LAYOUTS_TRIED "golang-migrate <version>_<name>.up.sql, dbmate, " \
  "goose and sqlx <version>_<name>.sql, Flyway V<version>__<name>.sql, " \
  "Diesel <version>_<name>/up.sql, Prisma <version>_<name>/migration.sql, " \
  "drizzle <tag>.sql with meta/_journal.json"

int sqlmigFilesLoad(sqlite3 *db, sqlite3_value *pDir, sqlite3_value *pBundle,
                    sqlite3_value *pDialect, SqlmigFileSet **ppSet,
                    char **pzErr){
  const char *zDir = (const char*)sqlite3_value_text(pDir);
  const char *zBundle = pBundle ? (const char*)sqlite3_value_text(pBundle) : 0;
  const char *zDialect = 0;
  SqlmigFileSet *pSet;
  int rc, eWant = 0, nRead;
  *ppSet = 0;
  if( (zDir==0)==(zBundle==0) ){
    if( sqlite3_errcode(db)==SQLITE_NOMEM ) return SQLITE_NOMEM;
    *pzErr = sqlite3_mprintf("migration_files: give a directory, or NULL "
        "and a bundle table: migration_files('db/migrations') or "
        "migration_files(NULL, 'bundle')");
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( pDialect && sqlite3_value_type(pDialect)!=SQLITE_NULL ){
    zDialect = (const char*)sqlite3_value_text(pDialect);
    if( zDialect==0 ) return SQLITE_NOMEM;
    eWant = dialectOf(zDialect, (int)strlen(zDialect));
    if( eWant==0 ){
      *pzErr = sqlite3_mprintf("migration_files: unknown dialect %Q (sqlite, "
          "postgres, mysql, cockroach, mssql, oracle or clickhouse; sqlmig "
          "applies sqlite's)", zDialect);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  pSet = sqlite3_malloc64(sizeof(*pSet));
  if( pSet==0 ) return SQLITE_NOMEM;
  memset(pSet, 0, sizeof(*pSet));
  if( zBundle ){
    rc = bundleRead(db, pSet, zBundle, pzErr);
  }else{
#ifdef SQLMIG_OMIT_FILES
    *pzErr = sqlite3_mprintf("migration_files: this build reads no "
        "directories (SQLMIG_OMIT_FILES): pass the files' names and texts "
        "in a table, migration_files(NULL, 'bundle')");
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
#else
    rc = dirRead(pSet, zDir, pzErr);
#endif
  }
  nRead = pSet->n;
  (void)nRead;                 /* without SQLMIG_OMIT_FILES only */
  if( rc==SQLITE_OK && pSet->zJournal ){
    rc = journalApply(db, pSet, eWant, pzErr);
  }
  if( rc==SQLITE_OK && pSet->n>1 ){
    qsort(pSet->a, pSet->n, sizeof(FilePiece), pieceCmp);
  }
  if( rc==SQLITE_OK && pSet->zLock && eWant ){
    char zProvider[40];
    int eLock = lockDialect(pSet->zLock, zProvider, (int)sizeof(zProvider));
    if( eLock>=0 && eLock!=eWant ){
      rc = fileError(pzErr, pSet->zLockPath, "says provider \"%s\": these "
                     "migrations are not for %s", zProvider,
                     azDialect[eWant]);
    }
  }
  if( rc==SQLITE_OK ){
    rc = dialectApply(pSet, eWant, zBundle ? zBundle : zDir, zBundle!=0,
                      pzErr);
  }
#ifndef SQLMIG_OMIT_FILES
  if( rc==SQLITE_OK && nRead==0 && zDir ){
    /* .sql files somewhere, none of them read: never zero rows in silence */
    int nDir = (int)strlen(zDir);
    char *zFirst = 0;
    char *zTop = sqlite3_mprintf("%.*s", nDir>1 && zDir[nDir-1]=='/'
                                 ? nDir-1 : nDir, zDir);
    rc = zTop ? firstSql(zTop, 0, &zFirst) : SQLITE_NOMEM;
    sqlite3_free(zTop);
    if( rc==SQLITE_OK && zFirst ){
      *pzErr = sqlite3_mprintf("migration_files: \"%s\" holds .sql files "
          "but none in a layout sqlmig reads, the first is \"%s\" (tried: "
          LAYOUTS_TRIED ")", zDir, zFirst);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    sqlite3_free(zFirst);
  }
#endif
  if( rc==SQLITE_OK ) rc = filesFinish(pSet, pzErr);
  if( rc!=SQLITE_OK ){
    sqlmigFilesFree(pSet);
    return rc;
  }
  *ppSet = pSet;
  return SQLITE_OK;
}

int sqlmigFilesCount(const SqlmigFileSet *pSet){
  return pSet ? pSet->n : 0;
}

void sqlmigFilesRow(const SqlmigFileSet *pSet, int i, SqlmigFileRow *pRow){
  const FilePiece *p = &pSet->a[i];
  pRow->iVersion = p->iVersion;
  pRow->zLong = p->zLong;
  pRow->zName = p->zName;
  pRow->zUp = p->zText;
  pRow->zDown = p->zDown;
  pRow->zFormat = p->zFormat;
  pRow->zPath = p->zPath;
}

/* ------------------------------------------------ the memo of the last call */

typedef struct MemoRow MemoRow;
struct MemoRow {
  char zVersion[SQLMIG_VERSION_BUF];
  char zSum[SQLMIG_CHECKSUM_LEN+1];
  char *zPath;
};
struct SqlmigFileMemo {
  MemoRow *a;
  int n;
};

void sqlmigFilesMemoFree(SqlmigFileMemo *p){
  int i;
  if( p==0 ) return;
  for(i=0; i<p->n; i++) sqlite3_free(p->a[i].zPath);
  sqlite3_free(p->a);
  sqlite3_free(p);
}

/* Replaces pConn's memo with the rows of pSet (none when out of memory). */
static void memoSet(SqlmigConn *pConn, const SqlmigFileSet *pSet){
  SqlmigFileMemo *p = sqlite3_malloc64(sizeof(*p));
  int i;
  sqlmigFilesMemoFree(pConn->pFileMemo);
  pConn->pFileMemo = 0;
  if( p==0 ) return;
  p->n = 0;
  p->a = sqlite3_malloc64((pSet->n ? pSet->n : 1)*sizeof(MemoRow));
  for(i=0; p->a && i<pSet->n; i++){
    const FilePiece *pP = &pSet->a[i];
    MemoRow *pRow = &p->a[p->n];
    versionText(pP, pRow->zVersion);
    sqlmigChecksum(pP->zText, (int)strlen(pP->zText), pRow->zSum);
    pRow->zPath = sqlite3_mprintf("%s", pP->zPath);
    if( pRow->zPath ) p->n++;
  }
  pConn->pFileMemo = p;
}

const char *sqlmigFilesPath(SqlmigConn *pConn, const char *zVersion,
                            const char *zSum){
  SqlmigFileMemo *p = pConn->pFileMemo;
  int i;
  for(i=0; p && i<p->n; i++){
    if( strcmp(p->a[i].zVersion, zVersion)==0
     && strcmp(p->a[i].zSum, zSum)==0 ){
      return p->a[i].zPath;
    }
  }
  return 0;
}

/* ---------------------------------------------- the table-valued function */

typedef struct FilesState FilesState;
struct FilesState {
  SqlmigFileSet *pSet;
};

static int filesFilter(SqlmigConn *pConn, void *pState, int argc,
                       sqlite3_value **argv, int *pnRow, char **pzErr){
  FilesState *p = (FilesState*)pState;
  int rc = sqlmigFilesLoad(pConn->db, argv[0], argc>1 ? argv[1] : 0,
                           argc>2 ? argv[2] : 0, &p->pSet, pzErr);
  if( rc==SQLITE_OK ){
    *pnRow = p->pSet->n;
    memoSet(pConn, p->pSet);
  }
  return rc;
}

static void filesColumn(void *pState, int iRow, int iCol,
                        sqlite3_context *ctx){
  const FilePiece *p = &((FilesState*)pState)->pSet->a[iRow];
  const char *z = 0;
  switch( iCol ){
    case 0:
      if( p->zLong ){
        sqlite3_result_text(ctx, p->zLong, -1, SQLITE_TRANSIENT);
      }else{
        sqlite3_result_int64(ctx, p->iVersion);
      }
      return;
    case 1: z = p->zName; break;
    case 2: z = p->zText; break;
    case 3: z = p->zDown; break;
    case 4: z = p->zFormat; break;
    default: z = p->zPath; break;
  }
  if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
}

static void filesFree(void *pState){
  sqlmigFilesFree(((FilesState*)pState)->pSet);
}

static const SqlmigTvf filesTvf = {
  "migration_files",
  "CREATE TABLE x(version INTEGER, name TEXT, up TEXT, down TEXT, "
  "dir HIDDEN, bundle HIDDEN, dialect HIDDEN, format TEXT HIDDEN, "
  "path TEXT HIDDEN)",
  4, 3, 1, "needs a directory, migration_files('db/migrations'), or NULL "
  "and a bundle table, migration_files(NULL, 'bundle')",
  sizeof(FilesState), filesFilter, filesColumn, filesFree
};

int sqlmigFilesRegister(sqlite3 *db, SqlmigConn *pConn){
  return sqlmigTvfRegister(db, &filesTvf, pConn);
}
