/*
** sqlmig command: writing migration files (`new`, and the files of `diff`).
**
**   sqlmig new add_email -d db/migrations
**
** The folder's layout is what migration_files() says of its newest file
** (the hidden `format` and `path` columns): its format, and its numbering
** (a 14-digit version is a UTC timestamp YYYYMMDDHHMMSS, anything else a
** sequence, padded to the width the newest file uses). The next version
** is the current UTC time for timestamps (or newest + 1 when the clock is
** not past it) and newest + 1 for sequences. An empty or missing folder
** takes --format (default golang-migrate: NNNNNN_name.up.sql /
** .down.sql); --format also wins over the folder's layout when given
** (migration_files reads every file by its own name, so mixed folders
** work). Files are created with O_EXCL (never overwritten); afterwards
** migration_files() must read the new version back, or the files are
** removed again and the error reported.
*/
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "sqlmig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char cliFormatList[] = "golang-migrate, dbmate, goose, flyway, diesel, sqlx";

int cliFormatKnown(const char *zFormat){
  static const char *const azFormat[] = {
    "golang-migrate", "dbmate", "goose", "flyway", "diesel", "sqlx"
  };
  size_t i;
  for(i=0; i<sizeof(azFormat)/sizeof(azFormat[0]); i++){
    if( strcmp(zFormat, azFormat[i])==0 ) return 1;
  }
  return 0;
}

/* The folder's layout as `new` continues it. */
typedef struct Layout Layout;
struct Layout {
  char zFormat[32];
  int bTimestamp;          /* versions are YYYYMMDDHHMMSS */
  int nWidth;              /* zero-padded width of a sequence number */
  sqlite3_int64 iMax;      /* newest version in the folder, 0 when none */
};

/* Creates folder zDir and its parents (mkdir -p); returns 0 or errno. */
static int makeFolder(const char *zDir){
  char *z = sqlite3_mprintf("%s", zDir);
  char *s;
  int rc = 0;
  if( z==0 ) return ENOMEM;
  for(s=z+1; ; s++){
    if( *s=='/' || *s==0 ){
      char c = *s;
      *s = 0;
      if( mkdir(z, 0777)!=0 && errno!=EEXIST ){ rc = errno; break; }
      *s = c;
      if( c==0 ) break;
    }
  }
  sqlite3_free(z);
  return rc;
}

/* Leading digits of the file name of zPath (Flyway's V skipped). */
static int digitsOfName(const char *zPath, const char *zFormat){
  const char *zBase = strrchr(zPath, '/');
  int n = 0;
  zBase = zBase ? zBase+1 : zPath;
  if( strcmp(zFormat, "flyway")==0 && (*zBase=='V' || *zBase=='U') ) zBase++;
  while( zBase[n]>='0' && zBase[n]<='9' ) n++;
  return n;
}

/*
** Reads the layout of p->zDir into *pL with migration_files() on db.
** Returns 0, or 1 after printing the error.
*/
static int readLayout(const CliOpts *p, sqlite3 *db, Layout *pL){
  sqlite3_stmt *pStmt = 0;
  struct stat st;
  int rc;
  memset(pL, 0, sizeof(*pL));
  if( stat(p->zDir, &st)==0 ){
    rc = sqlite3_prepare_v2(db,
        "SELECT version, format, path FROM migration_files(?1)"
        " ORDER BY version DESC LIMIT 1", -1, &pStmt, 0);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, p->zDir, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
    }
    if( rc==SQLITE_ROW ){
      const char *zFormat = (const char*)sqlite3_column_text(pStmt, 1);
      const char *zPath = (const char*)sqlite3_column_text(pStmt, 2);
      pL->iMax = sqlite3_column_int64(pStmt, 0);
      sqlite3_snprintf(sizeof(pL->zFormat), pL->zFormat, "%s", zFormat ? zFormat : "");
      pL->bTimestamp = pL->iMax>=10000000000000LL;
      pL->nWidth = digitsOfName(zPath ? zPath : "", pL->zFormat);
      rc = SQLITE_OK;
    }else if( rc==SQLITE_DONE ){
      rc = SQLITE_OK;
    }
    if( rc!=SQLITE_OK ){
      cliError("%s", sqlite3_errmsg(db));
      sqlite3_finalize(pStmt);
      return 1;
    }
    sqlite3_finalize(pStmt);
  }
  if( p->zFormat ){
    sqlite3_snprintf(sizeof(pL->zFormat), pL->zFormat, "%s", p->zFormat);
  }
  if( pL->iMax==0 ){
    if( pL->zFormat[0]==0 ) sqlite3_snprintf(sizeof(pL->zFormat), pL->zFormat, "golang-migrate");
    /* each tool's own default numbering */
    pL->bTimestamp = strcmp(pL->zFormat, "golang-migrate")!=0
                  && strcmp(pL->zFormat, "flyway")!=0;
    pL->nWidth = strcmp(pL->zFormat, "golang-migrate")==0 ? 6 : 0;
  }
  if( strcmp(pL->zFormat, "diesel")==0 ) pL->bTimestamp = 1;
  if( !cliFormatKnown(pL->zFormat) ){
    cliError("new: \"%s\" uses the %s layout, which new does not write "
             "(pass --format: %s)", p->zDir, pL->zFormat, cliFormatList);
    return 1;
  }
  return 0;
}

/* The next version after the folder's newest. */
static sqlite3_int64 nextVersion(const Layout *pL){
  if( pL->bTimestamp ){
    time_t t = time(0);
    struct tm tm;
    sqlite3_int64 v;
    gmtime_r(&t, &tm);
    v = (sqlite3_int64)(tm.tm_year+1900)*10000000000LL
      + (sqlite3_int64)(tm.tm_mon+1)*100000000LL + (sqlite3_int64)tm.tm_mday*1000000LL
      + tm.tm_hour*10000LL + tm.tm_min*100LL + tm.tm_sec;
    return v>pL->iMax ? v : pL->iMax+1;
  }
  return pL->iMax+1;
}

/*
** Writes zText to the new file zPath (O_EXCL). Returns 0, or 1 after
** printing the error.
*/
static int writeNewFile(const char *zPath, const char *zText){
  size_t n = strlen(zText), done = 0;
  int fd = open(zPath, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if( fd<0 ){
    cliError("cannot create \"%s\": %s", zPath, CLI_ERRNO(errno));
    return 1;
  }
  while( done<n ){
    ssize_t k = write(fd, zText+done, n-done);
    if( k<0 && errno==EINTR ) continue;
    if( k<=0 ){
      cliError("cannot write \"%s\": %s", zPath, CLI_ERRNO(errno));
      close(fd);
      unlink(zPath);
      return 1;
    }
    done += (size_t)k;
  }
  if( close(fd)!=0 ){
    cliError("cannot write \"%s\": %s", zPath, CLI_ERRNO(errno));
    unlink(zPath);
    return 1;
  }
  return 0;
}

/* zText with a final newline when it has text and lacks one. */
static char *withNewline(const char *zText){
  size_t n = strlen(zText);
  return sqlite3_mprintf("%s%s", zText, n && zText[n-1]!='\n' ? "\n" : "");
}

int cliWriteMigration(const CliOpts *p, const char *zName,
                      const char *zUp, const char *zDown){
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  Layout L;
  sqlite3_int64 v;
  char zVer[32];
  char *azPath[2] = {0, 0};
  char *azText[2] = {0, 0};
  char *zSub = 0, *zUpN = 0, *zDownN = 0;
  char *zErr = 0;
  int i, nFile = 0, rc = 1, nWritten = 0, bMadeSub = 0;

  if( sqlite3_open(":memory:", &db)!=SQLITE_OK
   || sqlite3_sqlmig_init(db, &zErr, 0)!=SQLITE_OK ){
    cliError("cannot open a private connection: %s", zErr ? zErr : "out of memory");
    goto done;
  }
  if( readLayout(p, db, &L) ) goto done;
  v = nextVersion(&L);
  if( L.bTimestamp ){
    sqlite3_snprintf(sizeof(zVer), zVer, "%lld", v);
  }else{
    sqlite3_snprintf(sizeof(zVer), zVer, "%0*lld", L.nWidth, v);
  }
  zUpN = withNewline(zUp ? zUp : "");
  zDownN = withNewline(zDown ? zDown : "");
  if( zUpN==0 || zDownN==0 ) goto oom;

  if( strcmp(L.zFormat, "golang-migrate")==0 ){
    azPath[0] = sqlite3_mprintf("%s/%s_%s.up.sql", p->zDir, zVer, zName);
    azPath[1] = sqlite3_mprintf("%s/%s_%s.down.sql", p->zDir, zVer, zName);
    azText[0] = sqlite3_mprintf("%s", zUpN);
    azText[1] = sqlite3_mprintf("%s", zDownN);
    nFile = 2;
  }else if( strcmp(L.zFormat, "flyway")==0 ){
    azPath[0] = sqlite3_mprintf("%s/V%s__%s.sql", p->zDir, zVer, zName);
    azPath[1] = sqlite3_mprintf("%s/U%s__%s.sql", p->zDir, zVer, zName);
    azText[0] = sqlite3_mprintf("%s", zUpN);
    azText[1] = sqlite3_mprintf("%s", zDownN);
    nFile = 2;
  }else if( strcmp(L.zFormat, "diesel")==0 ){
    if( strlen(zVer)!=14 ){
      cliError("new: version %s is not a YYYYMMDDHHMMSS timestamp, which a "
               "Diesel folder name needs", zVer);
      goto done;
    }
    zSub = sqlite3_mprintf("%s/%.4s-%.2s-%.2s-%s_%s", p->zDir, zVer, zVer+4,
                           zVer+6, zVer+8, zName);
    if( zSub==0 ) goto oom;
    azPath[0] = sqlite3_mprintf("%s/up.sql", zSub);
    azPath[1] = sqlite3_mprintf("%s/down.sql", zSub);
    azText[0] = sqlite3_mprintf("%s", zUpN);
    azText[1] = sqlite3_mprintf("%s", zDownN);
    nFile = 2;
  }else if( strcmp(L.zFormat, "dbmate")==0 ){
    azPath[0] = sqlite3_mprintf("%s/%s_%s.sql", p->zDir, zVer, zName);
    azText[0] = sqlite3_mprintf("-- migrate:up\n%s\n-- migrate:down\n%s", zUpN, zDownN);
    nFile = 1;
  }else if( strcmp(L.zFormat, "goose")==0 ){
    azPath[0] = sqlite3_mprintf("%s/%s_%s.sql", p->zDir, zVer, zName);
    if( zUp ){
      /* goose itself sends a StatementBegin/End block as one statement,
      ** so triggers and other multi-statement texts stay whole */
      azText[0] = sqlite3_mprintf(
          "-- +goose Up\n-- +goose StatementBegin\n%s-- +goose StatementEnd\n\n"
          "-- +goose Down\n-- +goose StatementBegin\n%s-- +goose StatementEnd\n",
          zUpN, zDownN);
    }else{
      azText[0] = sqlite3_mprintf("-- +goose Up\n\n-- +goose Down\n");
    }
    nFile = 1;
  }else{  /* sqlx, one-way: the file is the up script; there is no down */
    azPath[0] = sqlite3_mprintf("%s/%s_%s.sql", p->zDir, zVer, zName);
    azText[0] = sqlite3_mprintf("%s", zUpN);
    nFile = 1;
    if( zDown ){
      cliError("note: the sqlx one-way layout keeps no down script; "
               "the revision is irreversible");
    }
  }
  for(i=0; i<nFile; i++){
    if( azPath[i]==0 || azText[i]==0 ) goto oom;
  }

  if( (rc = makeFolder(p->zDir))!=0 ){
    cliError("cannot create folder \"%s\": %s", p->zDir, CLI_ERRNO(rc));
    rc = 1;
    goto done;
  }
  rc = 1;
  if( zSub ){
    if( mkdir(zSub, 0777)!=0 ){
      cliError("cannot create folder \"%s\": %s", zSub, CLI_ERRNO(errno));
      goto done;
    }
    bMadeSub = 1;
  }
  for(i=0; i<nFile; i++){
    if( writeNewFile(azPath[i], azText[i]) ) goto undo;
    nWritten++;
  }

  /* The files must read back as the next revision. */
  if( sqlite3_prepare_v2(db, "SELECT count(*) FROM migration_files(?1) WHERE version=?2",
                         -1, &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, p->zDir, -1, SQLITE_STATIC);
    sqlite3_bind_int64(pStmt, 2, v);
    if( sqlite3_step(pStmt)==SQLITE_ROW && sqlite3_column_int(pStmt, 0)==1 ){
      rc = 0;
    }else{
      cliError("new: the files written do not read back as revision %lld: %s",
               v, sqlite3_errmsg(db));
    }
  }else{
    cliError("%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  if( rc==0 ){
    for(i=0; i<nFile; i++) printf("%s\n", azPath[i]);
    goto done;
  }

undo:
  for(i=0; i<nWritten; i++) unlink(azPath[i]);
  if( bMadeSub ) rmdir(zSub);
  rc = 1;
  goto done;

oom:
  cliError("out of memory");
  rc = 1;

done:
  for(i=0; i<2; i++){
    sqlite3_free(azPath[i]);
    sqlite3_free(azText[i]);
  }
  sqlite3_free(zSub);
  sqlite3_free(zUpN);
  sqlite3_free(zDownN);
  sqlite3_free(zErr);
  sqlite3_close(db);
  return rc;
}
