/*
** sqlmig command: argument parsing and dispatch.
**
**   sqlmig up|down|redo|status|plan|check|drift|baseline [OPTIONS] DATABASE...
**   sqlmig new NAME [-d DIR] [--format F]
**   sqlmig diff DESIRED [NAME] [OPTIONS] DATABASE
**
** Options may stand anywhere after the command, as `--opt VALUE` or
** `--opt=VALUE` (`-j4`, `-dDIR` for the short ones); `--` ends them. Everything is parsed and checked before
** any database is opened, so a usage error (exit 2, message on stderr)
** writes nothing anywhere. Commands that read the migration folder read it
** once here through migration_files() on a private in-memory connection,
** so a missing or broken folder is one error naming it (exit 1), again
** before any database is opened.
*/
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "sqlmig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char zUsage[] =
  "usage: sqlmig up|down|redo|status|plan|check|drift|baseline [OPTIONS] DATABASE...\n"
  "       sqlmig new NAME [-d DIR] [--format F]\n"
  "       sqlmig diff DESIRED [NAME] [OPTIONS] DATABASE\n";

static const char zHelp[] =
  "\n"
  "commands:\n"
  "  up        register the folder's files and migrate to the newest (--to N)\n"
  "  down      revert the newest applied revision (--steps K, --to N)\n"
  "  redo      revert the newest applied revision and apply it again\n"
  "  status    one line per revision: applied, pending, baselined, ...\n"
  "  plan      what up would run, changing nothing\n"
  "  check     migrate_check(): exit 1 when a revision's way back is broken\n"
  "  drift     migrate_drift(): exit 1 when the schema drifted\n"
  "  baseline  adopt a database another tool migrated (--to N: up to N)\n"
  "  new       write the next empty migration file(s) into DIR\n"
  "  diff      write the migration from DATABASE to DESIRED (.sql or database)\n"
  "\n"
  "options:\n"
  "  -d DIR               migration folder (default db/migrations)\n"
  "  -j N                 databases migrated at once (default: cores)\n"
  "  --to N               target version (up, down, plan, check, baseline)\n"
  "  --steps K            down: revert the newest K revisions\n"
  "  --json               one JSON document instead of text\n"
  "  --exit-code          status, plan: exit 1 when something is left to do\n"
  "  --check-first        try every database (rolled back) before applying any\n"
  "  --timeout SEC        wait for a busy database (default 5)\n"
  "  --format F           new, diff: layout of an empty folder\n"
  "                       (golang-migrate, dbmate, goose, flyway, diesel, sqlx)\n"
  "  --rename 'a -> b'    diff: rename hints (repeatable, or comma list)\n"
  "  --allow-destructive  diff: write a migration that can lose data\n"
  "\n"
  "exit status: 0 done, 1 failed or something found, 2 usage error\n";

void cliError(const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  fputs("sqlmig: ", stderr);
  vfprintf(stderr, zFmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

const char *cliErrnoText(int e, char *zBuf, int nBuf){
  if( strerror_r(e, zBuf, (size_t)nBuf)!=0 ) sqlite3_snprintf(nBuf, zBuf, "error %d", e);
  if( zBuf[0]>='A' && zBuf[0]<='Z' && !(zBuf[1]>='A' && zBuf[1]<='Z') ){
    zBuf[0] = (char)(zBuf[0] - 'A' + 'a');
  }
  return zBuf;
}

/* Reports a usage error and returns 2. */
static int usageError(const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  fputs("sqlmig: ", stderr);
  vfprintf(stderr, zFmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  fputs(zUsage, stderr);
  fputs("(sqlmig --help for more)\n", stderr);
  return 2;
}

static const struct { const char *zName; int eCmd; } aCmd[] = {
  { "up", CLI_UP }, { "down", CLI_DOWN }, { "redo", CLI_REDO },
  { "status", CLI_STATUS }, { "plan", CLI_PLAN }, { "check", CLI_CHECK },
  { "drift", CLI_DRIFT }, { "baseline", CLI_BASELINE }, { "new", CLI_NEW },
  { "diff", CLI_DIFF },
};

/* Option bits, and which commands take each option. */
enum {
  O_DIR = 1<<0, O_JOBS = 1<<1, O_TO = 1<<2, O_STEPS = 1<<3, O_JSON = 1<<4,
  O_EXIT = 1<<5, O_DESTR = 1<<6, O_RENAME = 1<<7, O_CHECKF = 1<<8,
  O_TIMEOUT = 1<<9, O_FORMAT = 1<<10
};

static int optionsOf(int eCmd){
  int fleet = O_DIR | O_JOBS | O_TIMEOUT | O_JSON;
  switch( eCmd ){
    case CLI_UP:       return fleet | O_TO | O_CHECKF;
    case CLI_DOWN:     return fleet | O_TO | O_STEPS | O_CHECKF;
    case CLI_REDO:     return fleet | O_CHECKF;
    case CLI_STATUS:   return fleet | O_EXIT;
    case CLI_PLAN:     return fleet | O_TO | O_EXIT;
    case CLI_CHECK:    return fleet | O_TO;
    case CLI_DRIFT:    return fleet;
    case CLI_BASELINE: return fleet | O_TO | O_CHECKF;
    case CLI_NEW:      return O_DIR | O_FORMAT;
    case CLI_DIFF:     return O_DIR | O_FORMAT | O_RENAME | O_DESTR | O_TIMEOUT;
  }
  return 0;
}

/* Parses a whole non-negative integer; returns 0 on success. */
static int parseInt(const char *z, sqlite3_int64 mx, sqlite3_int64 *pOut){
  sqlite3_int64 v = 0;
  if( z==0 || *z==0 ) return 1;
  for(; *z; z++){
    if( *z<'0' || *z>'9' ) return 1;
    if( v > (mx - (*z-'0'))/10 ) return 1;
    v = v*10 + (*z-'0');
  }
  *pOut = v;
  return 0;
}

/*
** Checks one --rename value ("a -> b", or several joined by commas) and
** appends it to p->zRenames. Returns 0, or 2 after a usage error.
*/
static int addRename(CliOpts *p, const char *zVal){
  const char *z = zVal;
  char *zNew;
  while( 1 ){
    const char *zEnd = strchr(z, ',');
    const char *zArrow;
    size_t n = zEnd ? (size_t)(zEnd - z) : strlen(z);
    const char *a = z, *b;
    while( a<z+n && (*a==' ' || *a=='\t') ) a++;
    zArrow = strstr(a, "->");
    if( zArrow==0 || zArrow>=z+n || zArrow==a
     || (strstr(zArrow+2, "->")!=0 && strstr(zArrow+2, "->")<z+n) ){
      return usageError("--rename '%s': expected 'old -> new' pairs, "
                        "separated by commas", zVal);
    }
    for(b=zArrow+2; b<z+n && (*b==' ' || *b=='\t'); b++){}
    if( b==z+n ){
      return usageError("--rename '%s': expected 'old -> new' pairs, "
                        "separated by commas", zVal);
    }
    if( zEnd==0 ) break;
    z = zEnd+1;
  }
  zNew = p->zRenames ? sqlite3_mprintf("%s, %s", p->zRenames, zVal)
                     : sqlite3_mprintf("%s", zVal);
  if( zNew==0 ){
    cliError("out of memory");
    return 2;
  }
  sqlite3_free(p->zRenames);
  p->zRenames = zNew;
  return 0;
}

/*
** Parses argv into *p. Returns 0, 2 after a usage error, or -1 when
** --help/--version printed what was asked.
*/
static int parseArgs(int argc, char **argv, CliOpts *p){
  int i, nPos = 0, mAllowed, bOptsDone = 0;
  const char **azPos;
  size_t k;
  long nCore;

  memset(p, 0, sizeof(*p));
  p->zDir = "db/migrations";
  p->msTimeout = 5000;
  nCore = sysconf(_SC_NPROCESSORS_ONLN);
  p->nJobs = nCore>0 ? (int)(nCore>256 ? 256 : nCore) : 1;

  if( argc<2 ) return usageError("no command given");
  if( strcmp(argv[1], "-h")==0 || strcmp(argv[1], "--help")==0
   || strcmp(argv[1], "help")==0 ){
    fputs(zUsage, stdout);
    fputs(zHelp, stdout);
    return -1;
  }
  if( strcmp(argv[1], "--version")==0 || strcmp(argv[1], "version")==0 ){
    printf("sqlmig %s (SQLite %s)\n", SQLMIG_VERSION, sqlite3_libversion());
    return -1;
  }
  for(k=0; k<sizeof(aCmd)/sizeof(aCmd[0]); k++){
    if( strcmp(argv[1], aCmd[k].zName)==0 ) p->eCmd = aCmd[k].eCmd;
  }
  if( p->eCmd==0 ){
    if( argv[1][0]=='-' ){
      return usageError("option %s before the command", argv[1]);
    }
    return usageError("unknown command \"%s\"", argv[1]);
  }
  p->zCmd = argv[1];
  mAllowed = optionsOf(p->eCmd);

  azPos = (const char**)sqlite3_malloc64(sizeof(char*)*(sqlite3_uint64)argc);
  if( azPos==0 ){
    cliError("out of memory");
    return 2;
  }
  p->azPos = azPos;          /* freed by the caller, also after an error */
  for(i=2; i<argc; i++){
    const char *zArg = argv[i];
    const char *zVal = 0;
    char zOpt[32];
    int bit = 0, bTakesValue = 0;
    const char *zEq;
    sqlite3_int64 v;
    if( bOptsDone || zArg[0]!='-' || zArg[1]==0 ){
      azPos[nPos++] = zArg;
      continue;
    }
    if( strcmp(zArg, "--")==0 ){ bOptsDone = 1; continue; }
    zEq = zArg[1]=='-' ? strchr(zArg, '=') : 0;
    if( zArg[1]!='-' && zArg[2]!=0 && (zArg[1]=='d' || zArg[1]=='j') ){
      /* -j4, -ddb/migrations */
      zOpt[0] = '-';
      zOpt[1] = zArg[1];
      zOpt[2] = 0;
      zVal = zArg+2;
    }else if( zEq ){
      size_t n = (size_t)(zEq - zArg);
      if( n>=sizeof(zOpt) ) n = sizeof(zOpt)-1;
      memcpy(zOpt, zArg, n);
      zOpt[n] = 0;
      zVal = zEq+1;
    }else{
      size_t n = strlen(zArg);
      if( n>=sizeof(zOpt) ) n = sizeof(zOpt)-1;
      memcpy(zOpt, zArg, n);
      zOpt[n] = 0;
    }
    if( strcmp(zOpt, "-d")==0 || strcmp(zOpt, "--dir")==0 ){
      bit = O_DIR; bTakesValue = 1;
    }else if( strcmp(zOpt, "-j")==0 || strcmp(zOpt, "--jobs")==0 ){
      bit = O_JOBS; bTakesValue = 1;
    }else if( strcmp(zOpt, "--to")==0 ){
      bit = O_TO; bTakesValue = 1;
    }else if( strcmp(zOpt, "--steps")==0 ){
      bit = O_STEPS; bTakesValue = 1;
    }else if( strcmp(zOpt, "--timeout")==0 ){
      bit = O_TIMEOUT; bTakesValue = 1;
    }else if( strcmp(zOpt, "--format")==0 ){
      bit = O_FORMAT; bTakesValue = 1;
    }else if( strcmp(zOpt, "--rename")==0 ){
      bit = O_RENAME; bTakesValue = 1;
    }else if( strcmp(zOpt, "--json")==0 ){
      bit = O_JSON;
    }else if( strcmp(zOpt, "--exit-code")==0 ){
      bit = O_EXIT;
    }else if( strcmp(zOpt, "--allow-destructive")==0 ){
      bit = O_DESTR;
    }else if( strcmp(zOpt, "--check-first")==0 ){
      bit = O_CHECKF;
    }else{
      return usageError("unknown option %s", zArg);
    }
    if( (mAllowed & bit)==0 ){
      return usageError("%s: option %s does not apply", p->zCmd, zOpt);
    }
    if( bTakesValue && zVal==0 ){
      if( i+1>=argc ){
        return usageError("option %s needs a value", zOpt);
      }
      zVal = argv[++i];
    }else if( !bTakesValue && zVal ){
      return usageError("option %s takes no value", zOpt);
    }
    switch( bit ){
      case O_DIR:
        if( zVal[0]==0 ) return usageError("-d: empty folder name");
        p->zDir = zVal;
        break;
      case O_JOBS:
        if( parseInt(zVal, 4096, &v) || v<1 ){
          return usageError("-j %s: expected a number of jobs from 1 to 4096", zVal);
        }
        p->nJobs = (int)v;
        break;
      case O_TO:
        if( parseInt(zVal, 0x7fffffffffffffffLL, &v) ){
          return usageError("--to %s: expected a version (a whole number, 0 or more)", zVal);
        }
        p->bTo = 1;
        p->iTo = v;
        break;
      case O_STEPS:
        if( parseInt(zVal, 1000000000, &v) || v<1 ){
          return usageError("--steps %s: expected a number of revisions, 1 or more", zVal);
        }
        p->nSteps = (int)v;
        break;
      case O_TIMEOUT:
        if( parseInt(zVal, 2000000, &v) ){
          return usageError("--timeout %s: expected whole seconds", zVal);
        }
        p->msTimeout = (int)v*1000;
        break;
      case O_FORMAT:
        if( !cliFormatKnown(zVal) ){
          return usageError("--format %s: unknown layout (one of %s)", zVal, cliFormatList);
        }
        p->zFormat = zVal;
        break;
      case O_RENAME: {
        int rc = addRename(p, zVal);
        if( rc ) return rc;
        break;
      }
      case O_JSON:  p->bJson = 1; break;
      case O_EXIT:  p->bExitCode = 1; break;
      case O_DESTR: p->bAllowDestructive = 1; break;
      case O_CHECKF: p->bCheckFirst = 1; break;
    }
  }

  if( p->bTo && p->nSteps ){
    return usageError("down: give --to or --steps, not both");
  }
  if( p->eCmd==CLI_NEW ){
    const char *z;
    if( nPos!=1 ){
      return usageError(nPos ? "new: one NAME only" : "new: no NAME given");
    }
    p->zName = azPos[0];
    for(z=p->zName; *z; z++){
      if( !((*z>='a' && *z<='z') || (*z>='A' && *z<='Z') || (*z>='0' && *z<='9')
            || *z=='_' || *z=='-') ){
        return usageError("new: name \"%s\" may hold only letters, digits, _ and -",
                          p->zName);
      }
    }
  }else if( p->eCmd==CLI_DIFF ){
    if( nPos<2 || nPos>3 ){
      return usageError("diff: expected DESIRED [NAME] DATABASE");
    }
    p->zDesired = azPos[0];
    p->zName = nPos==3 ? azPos[1] : "schema_diff";
    p->azDb = azPos + nPos - 1;
    p->nDb = 1;
    if( nPos==3 ){
      const char *z;
      for(z=p->zName; *z; z++){
        if( !((*z>='a' && *z<='z') || (*z>='A' && *z<='Z') || (*z>='0' && *z<='9')
              || *z=='_' || *z=='-') ){
          return usageError("diff: name \"%s\" may hold only letters, digits, _ and -",
                            p->zName);
        }
      }
      if( p->zName[0]==0 ){
        return usageError("diff: empty NAME");
      }
    }
    return 0;
  }else{
    if( nPos==0 ){
      return usageError("%s: no DATABASE given", p->zCmd);
    }
    p->azDb = azPos;
    p->nDb = nPos;
    return 0;
  }
  return 0;
}

/*
** Reads the folder once with migration_files() on a private connection:
** a missing or unreadable folder, or a file it cannot read, is reported
** here before any database is opened. With --to N (up, plan), N must be
** 0 or a version in the folder. Returns 0 or 1.
*/
static int checkFolder(const CliOpts *p){
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  int rc, bad = 0;
  char *zErr = 0;
  int needTo = p->bTo && p->iTo>0 && (p->eCmd==CLI_UP || p->eCmd==CLI_PLAN);

  rc = sqlite3_open(":memory:", &db);
  if( rc==SQLITE_OK ) rc = sqlite3_sqlmig_init(db, &zErr, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db,
        "SELECT count(*), sum(version=?2) FROM migration_files(?1)",
        -1, &pStmt, 0);
  }
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, p->zDir, -1, SQLITE_STATIC);
    sqlite3_bind_int64(pStmt, 2, p->iTo);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ){
      rc = SQLITE_OK;
      if( needTo && sqlite3_column_int(pStmt, 1)==0 ){
        cliError("--to %lld: no revision %lld in \"%s\"", p->iTo, p->iTo, p->zDir);
        bad = 1;
      }
    }
  }
  if( rc!=SQLITE_OK ){
    cliError("%s", zErr ? zErr : db ? sqlite3_errmsg(db) : "out of memory");
    bad = 1;
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zErr);
  sqlite3_close(db);
  return bad;
}

int main(int argc, char **argv){
  CliOpts opts;
  int rc = parseArgs(argc, argv, &opts);
  if( rc ){
    sqlite3_free((void*)opts.azPos);
    sqlite3_free(opts.zRenames);
    return rc<0 ? 0 : rc;
  }
  switch( opts.eCmd ){
    case CLI_NEW:
      rc = cliWriteMigration(&opts, opts.zName, 0, 0);
      break;
    case CLI_DIFF:
      rc = cliDiff(&opts);
      break;
    case CLI_DRIFT:
    case CLI_DOWN:
      rc = cliFleet(&opts);
      break;
    default:
      rc = checkFolder(&opts);
      if( rc==0 ) rc = cliFleet(&opts);
      break;
  }
  sqlite3_free((void*)opts.azPos);
  sqlite3_free(opts.zRenames);
  return rc;
}
