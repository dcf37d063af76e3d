/*
** sqlmig command: what the files of ext/cli/ share.
**
** The command is a thin driver of the SQL contract: every action it takes
** is a statement calling migration_files(), migrate(), migrate_plan,
** migrate_status, migrate_check, migrate_drift, migrate_baseline,
** migrate_down, migrate_diff or migrate_changes on a connection that has
** the extension compiled in (sqlite3_sqlmig_init, SQLITE_CORE).
**
**   main.c   argument parsing, usage, the folder check, dispatch
**   run.c    one database: open it, run one command in one transaction
**   fleet.c  many databases: worker threads, progress, report, summary
**   write.c  migration files: the folder's layout, `new`, writing pairs
**   diff.c   `diff DESIRED [NAME] DATABASE`
**
** Exit status: 0 done; 1 a database failed, a finding (check, drift,
** status/plan --exit-code), a refused diff, an unreadable folder; 2 a
** usage error (nothing opened).
*/
#ifndef SQLMIG_CLI_H
#define SQLMIG_CLI_H

#include "sqlite3.h"

/* Commands. */
enum {
  CLI_UP = 1, CLI_DOWN, CLI_REDO, CLI_STATUS, CLI_PLAN, CLI_CHECK,
  CLI_DRIFT, CLI_BASELINE, CLI_NEW, CLI_DIFF
};

/* The parsed command line; strings point into argv except zRenames. */
typedef struct CliOpts CliOpts;
struct CliOpts {
  int eCmd;
  const char *zCmd;          /* the command as typed */
  const char *zDir;          /* -d DIR, default db/migrations */
  int nJobs;                 /* -j N, default the number of cores */
  int bTo;                   /* --to given */
  sqlite3_int64 iTo;         /* --to N */
  int nSteps;                /* --steps K, 0 when not given */
  int bJson;                 /* --json */
  int bExitCode;             /* --exit-code */
  int bAllowDestructive;     /* --allow-destructive */
  int bCheckFirst;           /* --check-first */
  int msTimeout;             /* --timeout SECONDS, in ms (default 5000) */
  const char *zFormat;       /* --format F (new, diff), NULL = folder's */
  char *zRenames;            /* --rename pairs joined by ", " (malloc'd) */
  const char *zName;         /* new NAME, diff [NAME] */
  const char *zDesired;      /* diff DESIRED */
  const char **azDb;         /* the DATABASE arguments */
  const char **azPos;        /* every positional argument (malloc'd) */
  int nDb;
};

/* Outcome of one database. */
enum {
  CLI_CHANGED = 1,   /* migrated (up/down/redo/baseline) */
  CLI_CURRENT,       /* nothing to do / nothing found */
  CLI_FINDINGS,      /* status/plan with something left, check/drift rows */
  CLI_FAILED         /* an error: zErr says what */
};

/* What one database's run leaves for the report (all sqlite3_malloc'd). */
typedef struct CliResult CliResult;
struct CliResult {
  int eOutcome;
  char *zText;       /* lines for stdout (without the path), or NULL */
  char *zErr;        /* the error, when eOutcome==CLI_FAILED */
  char *zJson;       /* this database's JSON object (--json) */
};

/* ---------------------------------------------------------------- main.c */

/* Prints "sqlmig: MESSAGE" on stderr (printf-style). */
void cliError(const char *zFmt, ...);

/*
** The text of errno value e in zBuf (nBuf bytes), first letter lowercased
** as error text is here ("no such file or directory"); thread-safe.
** CLI_ERRNO(e) gives it a buffer that lives until the end of the block.
*/
const char *cliErrnoText(int e, char *zBuf, int nBuf);
#define CLI_ERRNO(e) cliErrnoText((e), (char[128]){0}, 128)

/* ----------------------------------------------------------------- run.c */

/*
** Opens zPath for command p->eCmd into *pDb, the extension registered and
** the busy timeout set; bCreate lets a missing file be created. On error
** returns non-zero with *pzErr (sqlite3_malloc'd) saying what is wrong
** with the file, *pDb NULL.
*/
int cliOpen(const CliOpts *p, const char *zPath, int bCreate,
            sqlite3 **pDb, char **pzErr);

/*
** Runs command p->eCmd on database zPath, in one transaction, and fills
** *pRes. bRollback: roll the transaction back whatever happens (the
** --check-first pass). Returns pRes->eOutcome. Thread-safe: it opens its
** own connections.
*/
int cliRunOne(const CliOpts *p, const char *zPath, int bRollback,
              CliResult *pRes);

/* Frees what *pRes holds. */
void cliResultClear(CliResult *pRes);

/* --------------------------------------------------------------- fleet.c */

/* Runs p->eCmd on every p->azDb, reports, returns the exit status. */
int cliFleet(const CliOpts *p);

/* --------------------------------------------------------------- write.c */

/*
** Writes the next migration of the folder p->zDir named zName, holding
** zUp and zDown (NULL: the empty files of `new`), in the folder's layout
** (p->zFormat when given or the folder is empty), creates the folder when
** missing, checks that migration_files() reads the result and prints each
** path written on stdout. Returns 0, or 1 after printing the error.
*/
int cliWriteMigration(const CliOpts *p, const char *zName,
                      const char *zUp, const char *zDown);

/* Returns 1 if zFormat names a layout `new` can write. */
int cliFormatKnown(const char *zFormat);

/* The layouts `new --format` takes, for messages. */
extern const char cliFormatList[];

/* ---------------------------------------------------------------- diff.c */

/* The diff command; returns the exit status. */
int cliDiff(const CliOpts *p);

#endif /* SQLMIG_CLI_H */
