/*
** sqlmig internal header: what the files of ext/ share.
**
** Every cross-file name starts with `sqlmig` and is declared here with
** SQLMIG_PRIVATE, which the amalgamation defines as `static` so that an
** app linking amalgamation/sqlmig.c exports only sqlite3_sqlmig_init.
** Sections follow the file that implements them.
*/
#ifndef SQLMIG_INT_H
#define SQLMIG_INT_H

#include "sqlite3ext.h"
#ifndef SQLMIG_AMALGAMATION
SQLITE_EXTENSION_INIT3
#endif
#include "sqlmig.h"

#include <stddef.h>
#include <string.h>

#ifndef SQLMIG_PRIVATE
# define SQLMIG_PRIVATE
#endif

/* Name of the history store: an ordinary table in main. */
#define SQLMIG_STORE "sqlmig_history"

/* The oldest SQLite the extension supports. */
#define SQLMIG_MIN_SQLITE 3031000

/* ---------------------------------------------------------------- util.c */

/*
** Per-connection state, shared by everything registered on one connection
** (there is no global mutable state). Reference-counted: each registration
** holds one reference and releases it through its destructor.
*/
typedef struct SqlmigConn SqlmigConn;
struct SqlmigConn {
  sqlite3 *db;
  int nRef;          /* registrations still holding this object */
  int bMigrating;    /* migrate() is running scripts on this connection */
  struct SqlmigFileMemo *pFileMemo;  /* the last migration_files() rows */
  void (*xFileMemoFree)(struct SqlmigFileMemo*);  /* frees it (set by
                     ** sqlmig.c, so util.c needs no file above it) */
  char zNow[24];     /* migrate_clock(): the quoted time, "" = wall clock */
  void *pKnown;      /* the `migrations` table whose known cache is current */
};

SQLMIG_PRIVATE SqlmigConn *sqlmigConnRef(SqlmigConn *p);
SQLMIG_PRIVATE void sqlmigConnUnref(void *p);

/*
** 1 if the history store exists in main, 0 if not; an SQLite error code
** (negated) on failure.
*/
SQLMIG_PRIVATE int sqlmigStoreExists(sqlite3 *db);
/* The same for table zName of main. */
SQLMIG_PRIVATE int sqlmigTableExists(sqlite3 *db, const char *zName);

/*
** ` "name"` (with the leading space) for messages about a revision named
** zName, "" when it has none: `revision 3 "add email"` / `revision 3`.
** sqlite3_malloc'd; NULL only when out of memory.
*/
SQLMIG_PRIVATE char *sqlmigRevLabel(const char *zName);

/*
** Value v as a message shows it: a number as written, text quoted ('x'),
** "NULL", "a blob" (never its bytes, which need not be UTF-8).
** sqlite3_malloc'd; NULL only when out of memory.
*/
SQLMIG_PRIVATE char *sqlmigValueShown(sqlite3_value *v);

/*
** The code to report for failure rc of the last call on db: SQLite's
** extended code (SQLITE_IOERR_READ, SQLITE_BUSY_SNAPSHOT, ...) when it
** belongs to rc, else rc. Never flattens a code to SQLITE_ERROR.
*/
SQLMIG_PRIVATE int sqlmigErrcode(sqlite3 *db, int rc);

/*
** The affinity SQLite gives a column of declared type zType: 'i'nteger,
** 't'ext, 'b'lob (none), 'r'eal or 'n'umeric (the migrate path's
** foreign-key check and the diff both use it).
*/
SQLMIG_PRIVATE char sqlmigAffinity(const char *zType);

/* --------------------------------------------------------------- token.c */

/* Token kinds of sqlmigToken(). */
enum {
  SQLMIG_TK_SPACE = 1,   /* white space */
  SQLMIG_TK_COMMENT,     /* -- or block comment */
  SQLMIG_TK_SEMI,        /* ; */
  SQLMIG_TK_WORD,        /* bare word: keyword or name */
  SQLMIG_TK_NUMBER,      /* 1, 1.5e3, .5, 0x1F */
  SQLMIG_TK_STRING,      /* 'string' */
  SQLMIG_TK_BLOB,        /* x'00ff' */
  SQLMIG_TK_QUOTED,      /* "identifier", [identifier], `identifier` */
  SQLMIG_TK_VARIABLE,    /* ?1 :a @a $a */
  SQLMIG_TK_LP,          /* ( */
  SQLMIG_TK_RP,          /* ) */
  SQLMIG_TK_COMMA,       /* , */
  SQLMIG_TK_DOT,         /* . */
  SQLMIG_TK_OP           /* any other operator or byte */
};

/* Why a token runs unterminated to the end of the text. */
enum {
  SQLMIG_OPEN_NONE = 0,
  SQLMIG_OPEN_STRING,
  SQLMIG_OPEN_COMMENT,
  SQLMIG_OPEN_IDENT
};

/*
** Length of the token at z[0] (n>=1 bytes available; the result is
** between 1 and n). Sets *peType to a SQLMIG_TK_ kind and *peOpen to a
** SQLMIG_OPEN_ value, not NONE when the token runs unterminated to z[n].
*/
SQLMIG_PRIVATE int sqlmigToken(const unsigned char *z, int n, int *peType,
                               int *peOpen);

/*
** Index of the first token at or after z[i] that is not white space or a
** comment (nor a ';' when bSkipSemi), or n when there is none; sets
** *peType (0 at the end) and *pnTok for it.
*/
SQLMIG_PRIVATE int sqlmigNextToken(const unsigned char *z, int n, int i,
                                   int bSkipSemi, int *peType, int *pnTok);

/* SQL white space (space, \t \n \v \f \r); ASCII upper case. */
SQLMIG_PRIVATE int sqlmigIsSpace(unsigned char c);
SQLMIG_PRIVATE unsigned char sqlmigUpper(unsigned char c);

/* True if the bare word z[0..n) is zKw (upper case), ignoring case. */
SQLMIG_PRIVATE int sqlmigWordIs(const unsigned char *z, int n,
                                const char *zKw);

/*
** True if the name token z[0..n) (bare word, quoted identifier or string)
** unquotes to zName / to the name token zB[0..nB), ignoring ASCII case.
*/
SQLMIG_PRIVATE int sqlmigNameIs(const unsigned char *z, int n,
                                const char *zName);
SQLMIG_PRIVATE int sqlmigNameEq(const unsigned char *zA, int nA,
                                const unsigned char *zB, int nB);
/* True if the name token z[0..n) unquotes to a name starting zPrefix. */
SQLMIG_PRIVATE int sqlmigNameHasPrefix(const unsigned char *z, int n,
                                       const char *zPrefix);

/* -------------------------------------------------------------- script.c */

/*
** Length in bytes of the statement that starts at z[0] (at most n bytes),
** including its terminating ';' when there is one. Knows quoted strings
** and identifiers, comments, and CREATE TRIGGER ... BEGIN ... END bodies
** (with CASE ... END inside them). *pbOpen is set to 1 when the text ends
** inside a literal, comment or trigger body, else 0.
*/
SQLMIG_PRIVATE int sqlmigStmtLength(const char *z, int n, int *pbOpen);

/* What migrate() does with one statement of a script (sqlmigGuardStmt). */
#define SQLMIG_RUN  0      /* runs it */
#define SQLMIG_SKIP 1      /* BEGIN, COMMIT, PRAGMA foreign_keys: nothing */

/*
** The script guard's state while it walks one script statement by
** statement: the BEGIN ... COMMIT block and the savepoints the script has
** open. Zero it before the first statement; sqlmigGuardFree() after.
** Pointers point into the script, which must outlive the walk.
*/
typedef struct SqlmigSavepoint SqlmigSavepoint;
struct SqlmigSavepoint {
  const char *zName;       /* its name token */
  int nName;
  const char *zStmt;       /* the SAVEPOINT statement, for messages */
  int nStmt;
};
typedef struct SqlmigGuard SqlmigGuard;
struct SqlmigGuard {
  const char *zBegin;      /* the BEGIN not yet committed, or NULL */
  int nBegin;
  SqlmigSavepoint *aSave;  /* the savepoints open, oldest first */
  int nSave, nSaveAlloc;
};

/*
** Takes the next statement z[0..n) of a script. Returns SQLITE_OK with
** *peAction set to SQLMIG_RUN or SQLMIG_SKIP; SQLITE_ERROR with *pzWhy
** set to the (static) reason it is refused; or SQLITE_NOMEM.
** Refused: a bare ROLLBACK, COMMIT/END without BEGIN, BEGIN inside BEGIN
** or inside a savepoint, RELEASE / ROLLBACK TO of a savepoint the script
** did not open, savepoint names starting with sqlmig_, ATTACH, DETACH,
** VACUUM, PRAGMA journal_mode, and any statement other than SELECT/VALUES/
** EXPLAIN/PRAGMA/CREATE VIEW that names the history store.
*/
SQLMIG_PRIVATE int sqlmigGuardStmt(SqlmigGuard *p, const char *z, int n,
                                   int *peAction, const char **pzWhy);

/*
** After the last statement: the reason the script is still unbalanced (a
** BEGIN without COMMIT, a SAVEPOINT never released) with the statement
** that opened it in *pz / *pn, or NULL when it is complete.
*/
SQLMIG_PRIVATE const char *sqlmigGuardEnd(SqlmigGuard *p, const char **pz,
                                          int *pn);
SQLMIG_PRIVATE void sqlmigGuardFree(SqlmigGuard *p);

/*
** Checks every statement of script zScript[0..nScript) (nScript<0: up to
** its NUL) before any runs. Returns
** SQLITE_OK, SQLITE_NOMEM, or SQLITE_ERROR with *pzErr set (sqlite3_malloc)
** to "<reason> in: <excerpt>" for the first refused statement, or
** "incomplete statement (unterminated ...) in: <excerpt>".
*/
SQLMIG_PRIVATE int sqlmigScriptGuard(const char *zScript, int nScript,
                                     char **pzErr);

/*
** True if the SQL text z[0..n) names the history store (bare, quoted, or as
** a string where SQLite takes one for a table name).
*/
SQLMIG_PRIVATE int sqlmigNamesStore(const char *z, int n);

/*
** The first ~60 characters of the statement z[0..n), with leading blanks
** and comments skipped, runs of white space folded to one space, and
** "..." appended when cut (never inside a UTF-8 character). Caller frees
** with sqlite3_free(); NULL only when out of memory.
*/
SQLMIG_PRIVATE char *sqlmigExcerpt(const char *z, int n);

/*
** The checksum of up script z[0..n): "v2:" and 16 lower-case hex digits,
** a 64-bit hash of the script's tokens (white space, comments and stray
** or trailing semicolons left out) into zOut[SQLMIG_CHECKSUM_LEN+1].
** Stored in databases, so its values never change.
*/
#define SQLMIG_CHECKSUM_LEN 19
SQLMIG_PRIVATE void sqlmigChecksum(const char *z, int n, char *zOut);

/*
** 1 when zStored is the checksum of script z[0..n): a "v2:" checksum as
** above, or 16 bare hex digits (version 1, sqlmig 0.1: a hash of the raw
** bytes). 0 otherwise, also for a NULL or malformed zStored.
*/
SQLMIG_PRIVATE int sqlmigChecksumMatches(const char *z, int n,
                                         const char *zStored);

/* ----------------------------------------------------------------- tvf.c */

/*
** A table-valued function whose rows are computed in one go (migrate_plan,
** migrate_changes, migrate_copy_report). xFilter computes every row for
** the argc arguments given into pState (szState bytes, zeroed before the
** first call) and sets *pnRow; on failure it returns the error code with
** *pzErr set to the whole message (sqlite3_malloc). xColumn returns
** column iCol of row iRow: a visible one (< nCol) or, from nCol on, a
** hidden result column (declared after the argument columns). xFree
** releases what xFilter kept in pState, also after a failure. The hidden
** argument columns echo the arguments.
*/
#define SQLMIG_TVF_MAXARG 3
typedef struct SqlmigTvf SqlmigTvf;
struct SqlmigTvf {
  const char *zName;       /* the function's name */
  const char *zSchema;     /* CREATE TABLE x(columns..., arguments HIDDEN) */
  int nCol;                /* visible columns; the argument columns follow */
  int nArg;                /* argument columns, at most SQLMIG_TVF_MAXARG */
  int nArgMin;             /* arguments that must be given */
  const char *zUsage;      /* the error when they are not, after "name: " */
  size_t szState;
  int (*xFilter)(SqlmigConn *pConn, void *pState, int argc,
                 sqlite3_value **argv, int *pnRow, char **pzErr);
  void (*xColumn)(void *pState, int iRow, int iCol, sqlite3_context *ctx);
  void (*xFree)(void *pState);
};

/* Registers pDef (which must outlive the connection) as an eponymous,
** direct-only virtual table whose xFilter gets pConn. */
SQLMIG_PRIVATE int sqlmigTvfRegister(sqlite3 *db, const SqlmigTvf *pDef,
                                     SqlmigConn *pConn);

/* --------------------------------------------------------------- input.c */

/*
** A script column as it will be stored: text z[0..n), not necessarily
** NUL-terminated (it may point into a BLOB), or NULL when z is.
*/
typedef struct SqlmigScript SqlmigScript;
struct SqlmigScript {
  const char *z;
  int n;
};

/*
** Versions. One below SQLMIG_LONG_MIN is its own key in the store; a
** "long" one (19 to SQLMIG_VERSION_MAXDIGITS digits) is kept as written in
** SQLMIG_VERSIONS, whose order-preserving key the store uses (input.c).
*/
#define SQLMIG_VERSIONS "sqlmig_versions"
#define SQLMIG_LONG_MIN ((sqlite3_int64)1000000000000000000)
#define SQLMIG_VERSION_MAXDIGITS 40
#define SQLMIG_VERSION_BUF 48

/* The version column v of a written row, as its key: an integer of 0 or
** more, an integral real or text holding one, or a long version (as text
** or integer), whose key is handed out when bAssign (else "not
** registered" is an error). */
SQLMIG_PRIVATE int sqlmigVersionArg(sqlite3 *db, sqlite3_value *v,
    int bAssign, sqlite3_int64 *piVersion, char **pzErr);
/* Key iKey as written, in zBuf (SQLMIG_VERSION_BUF bytes); returns zBuf. */
SQLMIG_PRIVATE const char *sqlmigVersionShow(sqlite3 *db, sqlite3_int64 iKey,
                                             char *zBuf);
/* The same, returning SQLITE_OK or the lookup's error (for results that
** must be known before a change is committed). */
SQLMIG_PRIVATE int sqlmigVersionText(sqlite3 *db, sqlite3_int64 iKey,
                                     char *zBuf);
/* Key iKey as a result: an integer, or the text of a long version. */
SQLMIG_PRIVATE void sqlmigVersionResult(sqlite3_context *ctx, sqlite3 *db,
                                        sqlite3_int64 iKey);
/* The digits z[0..n) without leading zeros into zOut (at least
** SQLMIG_VERSION_BUF bytes): their number, -1 when z is not all digits,
** -2 when there are more than SQLMIG_VERSION_MAXDIGITS. */
SQLMIG_PRIVATE int sqlmigVersionDigits(const char *z, int n, char *zOut);
/* The key of long version zDigits into *piKey (-1: none; handed out and
** recorded when bAssign). */
SQLMIG_PRIVATE int sqlmigVersionLongKey(sqlite3 *db, const char *zDigits,
    int bAssign, sqlite3_int64 *piKey, char **pzErr);
/* For a long version in v: its key (-1 when not registered) and the key
** below it; SQLITE_DONE when v is not a long version. */
SQLMIG_PRIVATE int sqlmigVersionFind(sqlite3 *db, sqlite3_value *v,
    sqlite3_int64 *piKey, sqlite3_int64 *piPrev);
/* The same for long version zDigits. */
SQLMIG_PRIVATE int sqlmigVersionPlace(sqlite3 *db, const char *zDigits,
    sqlite3_int64 *piKey, sqlite3_int64 *piPrev);
/* Numeric order of two versions written as digits (no leading zeros). */
SQLMIG_PRIVATE int sqlmigDigitsCmp(const char *a, const char *b);
/* Script column zWhich ("up" or "down") of revision iVersion: text or a
** UTF-8 BLOB (byte order mark dropped); NULL only for down. */
/* Index of the first byte of z[0..n) that is not valid UTF-8 (or is NUL),
** -1 when there is none. */
SQLMIG_PRIVATE int sqlmigUtf8Invalid(const unsigned char *z, int n);
SQLMIG_PRIVATE int sqlmigScriptArg(const char *zVersion, const char *zWhich,
    sqlite3_value *v, SqlmigScript *pOut, char **pzErr);
/* The script guard on s, the error naming the revision and statement. */
SQLMIG_PRIVATE int sqlmigScriptCheck(const char *zVersion,
    const char *zWhich, const SqlmigScript *s, char **pzErr);
/* Binds s (NULL when s->z is) to parameter i of pStmt. */
SQLMIG_PRIVATE int sqlmigBindScript(sqlite3_stmt *pStmt, int i,
                                    const SqlmigScript *s);
/*
** If SQL text z[0..n) names "<schema>.migrations" or
** "<schema>.sqlmig_migrations" with a schema other than main, the index of
** that schema token (*pnName: the qualified name's length); else -1.
*/
SQLMIG_PRIVATE int sqlmigOtherSchemaName(const unsigned char *z, int n,
                                         int *pnName);

/* ---------------------------------------------------------- migrations.c */

/* Registers the eponymous `migrations` virtual table. */
SQLMIG_PRIVATE int sqlmigMigrationsRegister(sqlite3 *db, SqlmigConn *pConn);

/*
** For migrate()'s no-op path (migrations.c): 1 when this transaction's
** known-revisions cache (built by a start-up INSERT OR IGNORE) is current
** and holds only applied revisions, none deleted, each up script matching
** its checksum; *piNewest is then the newest (-1: none). 0 when the store
** must be read instead, or an error code (negative).
*/
SQLMIG_PRIVATE int sqlmigKnownApplied(SqlmigConn *pConn,
                                      sqlite3_int64 *piNewest);

/*
** The one reader of the history store (history.c), ascending by version,
** for migrate(), migrate_baseline() and migrate_check(). Open returns
** SQLITE_OK, SQLITE_DONE when there is no store, or an error code; Next
** SQLITE_ROW with the fields set, SQLITE_DONE, or an error code. Only the
** text columns named in Open's mask are read; Text gives one of them
** (SQLITE_NOMEM when it could not be had), valid until the next step.
*/
#define SQLMIG_H_NAME      0x01
#define SQLMIG_H_UP        0x02
#define SQLMIG_H_DOWN      0x04
#define SQLMIG_H_CHECKSUM  0x08
#define SQLMIG_H_APPLIED   0x10   /* applied_at, NULL while pending */
#define SQLMIG_H_BASELINE  0x20   /* bBaselined from main.sqlmig_baseline */
typedef struct SqlmigHistory SqlmigHistory;
struct SqlmigHistory {
  sqlite3 *db;
  sqlite3_stmt *pStmt;
  sqlite3_int64 iVersion;
  int bApplied;            /* applied_at IS NOT NULL */
  int bDeleted;            /* deleted_at IS NOT NULL */
  int bHasDown;            /* down IS NOT NULL */
  int bBaselined;          /* in sqlmig_baseline (SQLMIG_H_BASELINE) */
};
SQLMIG_PRIVATE int sqlmigHistoryOpen(sqlite3 *db, unsigned mCols,
                                     SqlmigHistory *p);
SQLMIG_PRIVATE int sqlmigHistoryNext(SqlmigHistory *p);
SQLMIG_PRIVATE int sqlmigHistoryText(SqlmigHistory *p, unsigned eCol,
                                     const char **pz, int *pn);
SQLMIG_PRIVATE void sqlmigHistoryClose(SqlmigHistory *p);

/* --------------------------------------------------------------- clock.c */

/* Registers migrate_clock(). */
SQLMIG_PRIVATE int sqlmigClockRegister(sqlite3 *db, SqlmigConn *pConn);
/*
** The SQL expression sqlmig writes for "now" on this connection: the
** migrate_clock() time as a literal, else datetime('now'). Static or
** owned by pConn; valid until the next migrate_clock().
*/
SQLMIG_PRIVATE const char *sqlmigNow(SqlmigConn *pConn);

/* --------------------------------------------------------------- owner.c */

/*
** Registers the `sqlmig` module, which reads the owner table of databases
** written by earlier versions of sqlmig.
*/
SQLMIG_PRIVATE int sqlmigOwnerRegister(sqlite3 *db, SqlmigConn *pConn);
/*
** Drops that owner table from main when it is there (a write: call it
** only where sqlmig writes anyway). SQLITE_OK or an SQLite error code.
*/
SQLMIG_PRIVATE int sqlmigOwnerDrop(sqlite3 *db);

/* ----------------------------------------------------------------- files.c */

/* The revisions of a folder of migration files (or of a bundle). */
typedef struct SqlmigFileSet SqlmigFileSet;
typedef struct SqlmigFileMemo SqlmigFileMemo;
typedef struct SqlmigFileRow SqlmigFileRow;
struct SqlmigFileRow {
  sqlite3_int64 iVersion;            /* when zLong is NULL */
  const char *zLong;                 /* a version of 19 digits or more */
  const char *zName, *zUp, *zDown;   /* zDown NULL: no down script */
  const char *zFormat;               /* "dbmate", "goose", "flyway", ... */
  const char *zPath;                 /* the up file, as named */
};

/*
** Reads the folder named by pDir, or (pDir NULL) the bundle table named by
** pBundle, into *ppSet: one row per revision, ascending; pDialect (NULL,
** or a NULL value: none) keeps one dialect's files. On failure
** nothing is returned and *pzErr names the file and the reason.
*/
SQLMIG_PRIVATE int sqlmigFilesLoad(sqlite3 *db, sqlite3_value *pDir,
    sqlite3_value *pBundle, sqlite3_value *pDialect, SqlmigFileSet **ppSet,
    char **pzErr);
SQLMIG_PRIVATE int sqlmigFilesCount(const SqlmigFileSet *pSet);
SQLMIG_PRIVATE void sqlmigFilesRow(const SqlmigFileSet *pSet, int i,
                                   SqlmigFileRow *pRow);
SQLMIG_PRIVATE void sqlmigFilesFree(SqlmigFileSet *pSet);
SQLMIG_PRIVATE void sqlmigFilesMemoFree(SqlmigFileMemo *p);
/*
** The path of the file that gave revision zVersion (as shown) with up
** checksum zSum
** in the last migration_files() call on pConn, or NULL.
*/
SQLMIG_PRIVATE const char *sqlmigFilesPath(SqlmigConn *pConn,
    const char *zVersion, const char *zSum);
/* Registers migration_files(). */
SQLMIG_PRIVATE int sqlmigFilesRegister(sqlite3 *db, SqlmigConn *pConn);

/* -------------------------------------------------------------- baseline.c */

/* The table of baselined revisions: a second table of the store. */
#define SQLMIG_BASELINE "sqlmig_baseline"
/* Registers migrate_baseline() and migrate_status(). */
SQLMIG_PRIVATE int sqlmigBaselineRegister(sqlite3 *db, SqlmigConn *pConn);

/* ---------------------------------------------------------------- writes.c */

/* A set of table names (unquoted, compared ignoring ASCII case). */
typedef struct SqlmigNames SqlmigNames;
struct SqlmigNames {
  char **az;
  int n, nAlloc;
};
SQLMIG_PRIVATE void sqlmigNamesFree(SqlmigNames *p);
SQLMIG_PRIVATE int sqlmigNamesHas(const SqlmigNames *p, const char *z);
/* Adds a copy of z[0..n) (n<0: NUL-terminated) unless it is there. */
SQLMIG_PRIVATE int sqlmigNamesAdd(SqlmigNames *p, const char *z, int n);

/* What the statements of a script write (zero it before use). */
typedef struct SqlmigWrites SqlmigWrites;
struct SqlmigWrites {
  SqlmigNames dml;             /* tables written by INSERT/UPDATE/DELETE */
  SqlmigNames ddl;             /* tables created, altered, dropped, indexed */
  SqlmigNames renamed;         /* tables renamed (the old names) */
  SqlmigNames idx;             /* tables indexed or unindexed: their rows stay */
  SqlmigNames dropIdx;         /* indexes dropped (their tables found later) */
  char **azTrigger;        /* CREATE TRIGGER texts of the script */
  int nTrigger;
  int bUnknown;            /* a writing statement of another kind */
  int bSchema;             /* a table's definition may have changed */
};

/*
** Reads what script zScript writes into *pW (see writes.c). SQLITE_OK, or
** an error reading the schema's triggers and indexes. Free with
** sqlmigWritesFree() in any case.
*/
SQLMIG_PRIVATE int sqlmigScriptWrites(sqlite3 *db, SqlmigWrites *pW,
                                      const char *zScript);
SQLMIG_PRIVATE void sqlmigWritesFree(SqlmigWrites *p);

/* ----------------------------------------------------------------- drift.c */

/* Where migrate() records the schema it leaves: a table of the store. */
#define SQLMIG_SCHEMA "sqlmig_schema"

/* One object of sqlite_master, shared by the snapshots that hold it. */
typedef struct SqlmigObj SqlmigObj;
struct SqlmigObj {
  int nRef;
  int bSkip;               /* SQLite's or sqlmig's own, or no sql */
  sqlite3_int64 iRowid;    /* its row in sqlite_master */
  char *zType, *zName, *zTbl, *zSql;
  char *zCanon;            /* canonical text of zSql (drift.c) */
};
/* A snapshot of main's schema: objects sorted by type, then name. */
typedef struct SqlmigSnap SqlmigSnap;
struct SqlmigSnap {
  SqlmigObj **ap;
  int n, nAlloc;
};
/* Snapshots, their comparison and drift: left out with -DSQLMIG_OMIT_DIFF
** (a build for apps that only migrate), all but sqlmigSchemaRecord. */
#ifndef SQLMIG_OMIT_DIFF
/* A new object from a row (type, name, tbl_name, sql, rowid), nRef 0. */
SQLMIG_PRIVATE SqlmigObj *sqlmigObjNew(sqlite3_stmt *pStmt);
SQLMIG_PRIVATE void sqlmigObjUnref(SqlmigObj *o);
/* Snapshot order: type, then name ignoring case. */
SQLMIG_PRIVATE int sqlmigObjCmp(const SqlmigObj *a, const SqlmigObj *b);
/* Inserts o at index i of p (o->nRef counts it). */
SQLMIG_PRIVATE int sqlmigSnapAdd(SqlmigSnap *p, int i, SqlmigObj *o);
/* One difference between two snapshots, in migrate_changes' words. */
typedef struct SqlmigDelta SqlmigDelta;
struct SqlmigDelta {
  const char *zKind;       /* table, index, view, trigger */
  char *zObject;
  const char *zChange;     /* drift: create, drop, add column, ...; check:
                           ** left behind, missing, differs */
  char *zDetail;           /* a sentence naming the objects */
};
typedef struct SqlmigDeltas SqlmigDeltas;
struct SqlmigDeltas {
  SqlmigDelta *a;
  int n, nAlloc;
};

/* main's objects (with those comparisons leave out when bAll). */
SQLMIG_PRIVATE int sqlmigSnapTake(sqlite3 *db, int bAll, SqlmigSnap **pp);
SQLMIG_PRIVATE void sqlmigSnapFree(SqlmigSnap *p);
/* 1 when a and b hold the same objects with the same canonical texts. */
SQLMIG_PRIVATE int sqlmigSnapEqual(const SqlmigSnap *a, const SqlmigSnap *b);
/*
** Appends to pOut the differences of pLive (read from dbLive's main) from
** pRef, worded for migrate_check (eWords 0) or migrate_drift (1).
*/
SQLMIG_PRIVATE int sqlmigSnapCompare(sqlite3 *dbLive, const SqlmigSnap *pRef,
    const SqlmigSnap *pLive, int eWords, SqlmigDeltas *pOut);
SQLMIG_PRIVATE void sqlmigDeltasFree(SqlmigDeltas *p);
#endif /* SQLMIG_OMIT_DIFF */
/* Records main's schema in main.sqlmig_schema, for migrate_drift(). */
SQLMIG_PRIVATE int sqlmigSchemaRecord(sqlite3 *db);
#ifndef SQLMIG_OMIT_DIFF
/* Registers migrate_drift(). */
SQLMIG_PRIVATE int sqlmigDriftRegister(sqlite3 *db, SqlmigConn *pConn);
/* Registers migrate_check() (check.c). */
SQLMIG_PRIVATE int sqlmigCheckRegister(sqlite3 *db, SqlmigConn *pConn);
#endif

/* ------------------------------------------------------------- fkcheck.c */

/*
** The foreign-key check of migrate() with foreign keys on, sized to what
** each script changes. One per migrate() call: sqlmigFkBefore() reads the
** script and records what it needs of the database before the script
** runs; sqlmigFkAfter() (after it ran, enforcement back on) returns
** SQLITE_OK, or SQLITE_ERROR with *pzErr "foreign key violations: ..."
** listing the violations the script introduced (those already there are
** not counted), or another error with *pzErr set.
*/
typedef struct SqlmigFk SqlmigFk;
SQLMIG_PRIVATE SqlmigFk *sqlmigFkNew(void);
SQLMIG_PRIVATE void sqlmigFkFree(SqlmigFk *p);
SQLMIG_PRIVATE int sqlmigFkBefore(SqlmigFk *p, sqlite3 *db,
                                  const char *zScript);
SQLMIG_PRIVATE int sqlmigFkAfter(SqlmigFk *p, sqlite3 *db, char **pzErr);

/* ------------------------------------------------------------- migrate.c */

/*
** Runs script zSql as migrate() runs a revision's script: statement by
** statement as the guard allows (the whole script guarded first when
** bGuard), legacy_alter_table restored afterwards, and, when pFk is not
** NULL, foreign-key enforcement paused around it and the scoped check
** after it. On failure *pzErr says why and names the statement.
*/
SQLMIG_PRIVATE int sqlmigRunStep(sqlite3 *db, const char *zSql, int bGuard,
                                 SqlmigFk *pFk, char **pzErr);
/* Registers migrate(), migrate(N) and the migrate_plan table function. */
SQLMIG_PRIVATE int sqlmigMigrateRegister(sqlite3 *db, SqlmigConn *pConn);

/* ---------------------------------------------------------------- diff.c */

/* The rest, to the end of this header: the diff, data diff and copy, left
** out with -DSQLMIG_OMIT_DIFF. */
#ifndef SQLMIG_OMIT_DIFF

/* Registers migrate_diff() and the migrate_changes table function. */
SQLMIG_PRIVATE int sqlmigDiffRegister(sqlite3 *db, SqlmigConn *pConn);

/*
** diffschema.c: checks argument iArg (1-based) of function zFunc: text
** naming an attached schema. Sets *pzName (pointing into pVal) and returns SQLITE_OK, or
** returns SQLITE_ERROR with *pzErr (sqlite3_malloc) set to
** `<zFunc>: no such schema: "x"` / `<zFunc>: argument N must be a schema
** name, not null`, or SQLITE_NOMEM.
*/
SQLMIG_PRIVATE int sqlmigSchemaArg(sqlite3 *db, const char *zFunc,
    sqlite3_value *pVal, int iArg, const char **pzName, char **pzErr);

/*
** diff.c: the ordinary tables of schema zSchema that the diff and copy handle (not
** sqlite_*, sqlmig_*, virtual or shadow tables), parents before children
** by foreign keys, else by name. *pazName (NULL-terminated) and its names
** are sqlite3_malloc'd: free with sqlmigFreeNames(). SQLITE_OK,
** SQLITE_NOMEM, or an error with *pzErr set.
*/
SQLMIG_PRIVATE int sqlmigTableList(sqlite3 *db, const char *zFunc,
    const char *zSchema, char ***pazName, int *pnName, char **pzErr);
SQLMIG_PRIVATE void sqlmigFreeNames(char **az, int n);

/* ------------------------ diffschema.c, diffinput.c, diffalter.c, diff.c */

/*
** The schema diff, in four layers, each calling only the ones before it
** (tests/check_layers.sh): diffschema.c cuts CREATE texts into tokens and
** reads a schema (objects, canonical texts, parsed tables); diffinput.c
** reads the arguments (schemas or scripts) and the rename hints;
** diffalter.c decides, per changed table, ALTER TABLE or a rebuild and
** writes its SQL; diff.c orders and assembles the changes and registers
** migrate_diff() and migrate_changes(). datadiff.c and copy.c sit above.
*/
/* Token kinds. White space and comments produce no token. */
#define DT_WORD   1     /* bare identifier or keyword */
#define DT_ID     2     /* "quoted", [bracketed] or `backticked` name */
#define DT_STRING 3     /* 'literal' */
#define DT_NUMBER 4
#define DT_BLOB   5     /* x'..' */
#define DT_PUNCT  6     /* punctuation, operators, parameters */

typedef struct DiffTok DiffTok;
struct DiffTok {
  int eType;
  int iOff;           /* byte offset in the SQL text */
  int n;              /* length in bytes */
};

/*
** A fixed-size open-addressing map from names (ASCII case-insensitive,
** borrowed pointers) to ints. Sized at creation for the most entries it
** will hold.
*/
typedef struct DiffHashEnt DiffHashEnt;
struct DiffHashEnt {
  const char *zKey;
  int nKey;
  int iVal;
};
typedef struct DiffHash DiffHash;
struct DiffHash {
  DiffHashEnt *a;
  unsigned nSlot;
};

#define DO_TABLE   0
#define DO_INDEX   1
#define DO_VIEW    2
#define DO_TRIGGER 3

/* Column flags, from its definition in the CREATE text. */
#define DC_PK        0x001
#define DC_UNIQUE    0x002
#define DC_NOTNULL   0x004
#define DC_CHECK     0x008
#define DC_DEFAULT   0x010   /* a DEFAULT other than NULL */
#define DC_DFLT_EXPR 0x020   /* DEFAULT (expr) or CURRENT_* */
#define DC_FK        0x040
#define DC_GENERATED 0x080
#define DC_STORED    0x100
#define DC_PKDESC    0x200

typedef struct DiffCol DiffCol;
struct DiffCol {
  char *zName;          /* exact, from pragma_table_xinfo */
  char *zType;          /* declared type, from pragma_table_xinfo */
  int bNotNull;
  int iPk;
  int eHidden;          /* 2, 3: generated */
  int iTok0, iTok1;     /* definition after the name: tokens [iTok0,iTok1) */
  char *zCanon;         /* canonical text of that definition */
  char *zDflt;          /* DEFAULT as pragma_table_xinfo shows it, or NULL */
  char *zFk;            /* canonical text from its REFERENCES on, or NULL */
  unsigned flags;
};

typedef struct DiffTable DiffTable;
struct DiffTable {
  DiffTok *aTok;
  int nTok;
  int bParsed;          /* CREATE text and pragma agree */
  int iNameTok;         /* token of the name (after any schema prefix) */
  int iFirstItem;       /* token after "(" */
  DiffCol *aCol;
  int nCol;
  int *aCons0;          /* table constraints: tokens [aCons0[i],aCons1[i]) */
  int *aCons1;
  char **azCons;        /* their canonical texts */
  int nCons;
  char *zOpts;          /* canonical text after the closing ")" */
  int bWithoutRowid;
  int bAutoinc;
  int bStrict;
  int bComment;         /* the CREATE text holds a comment */
};

typedef struct DiffObj DiffObj;
struct DiffObj {
  int eType;            /* DO_* */
  char *zName;
  char *zTbl;
  char *zSql;
  char *zCanon;
  int bVirtual;
  DiffTable *pTab;      /* tables that differ: parsed on demand */
  int iPeer;            /* same-type object of that name in the other schema */
  int eState;           /* DS_* */
};

/* What happens to an object. */
#define DS_KEEP    0
#define DS_DROP    1    /* from: dropped (explicitly or with its table) */
#define DS_CREATE  2    /* to: created */
#define DS_ALTER   3    /* to: table changed by ALTER TABLE */
#define DS_REBUILD 4    /* to: table rebuilt (or virtual table recreated) */

typedef struct DiffSchema DiffSchema;
struct DiffSchema {
  sqlite3 *db;          /* the caller's, or a private one (a script) */
  const char *zSchema;
  DiffObj *a;
  int n;
  DiffHash hName;       /* tables, views, indexes by name */
  DiffHash hTrig;       /* triggers by name */
  sqlite3_stmt *pXinfo;
  sqlite3_stmt *pFk;
};

typedef struct DiffChange DiffChange;
struct DiffChange {
  const char *zKind;
  char *zObject;
  const char *zChange;
  int bDestructive;
  char *zDetail;
  char *zSql;
};

/* A rename hint: table zTbl[0] of from is zTbl[1] of to; with zCol[0]
** set, column zCol[0] of that table is column zCol[1]. */
typedef struct DiffRename DiffRename;
struct DiffRename {
  char *zTbl[2];
  char *zCol[2];
  char *zText;          /* the hint as written, for errors */
};

typedef struct DiffCtx DiffCtx;
struct DiffCtx {
  sqlite3 *db;
  const char *zFunc;
  char *zErr;
  DiffSchema aS[2];     /* 0: from, 1: to */
  sqlite3 *aPriv[2];    /* private databases of schema scripts */
  DiffRename *aRen;     /* rename hints */
  int nRen;
  DiffChange *aCh;
  int nCh;
  int nChAlloc;
  int eSound;           /* from's views and triggers all resolve: 1 yes,
                        ** 0 no, -1 not checked yet */
};

/*
** diffschema.c: tokens of CREATE text zSql (sqlite3_malloc'd array), word
** and punctuation tests, names unquoted, strings finished (NULL with
** *pRc set on OOM), the name map, reading and parsing a schema, and the
** context's cleanup and error. Contracts at the definitions.
*/
SQLMIG_PRIVATE void sqlmigDiffCtxFree(DiffCtx *p);
SQLMIG_PRIVATE int sqlmigDiffDbError(DiffCtx *p, int rc,
    const DiffSchema *pS);
SQLMIG_PRIVATE char *sqlmigDiffFinish(sqlite3_str *p, int *pRc);
SQLMIG_PRIVATE int sqlmigDiffHashFind(DiffHash *pH, const char *z, int n);
SQLMIG_PRIVATE void sqlmigDiffHashFree(DiffHash *pH);
SQLMIG_PRIVATE int sqlmigDiffHashInit(DiffHash *pH, int nMax);
SQLMIG_PRIVATE void sqlmigDiffHashSet(DiffHash *pH, const char *z, int iVal);
SQLMIG_PRIVATE int sqlmigDiffIsPunct(const char *z, const DiffTok *t, char c);
SQLMIG_PRIVATE int sqlmigDiffIsWord(const char *z, const DiffTok *t,
    const char *zWord);
SQLMIG_PRIVATE int sqlmigDiffParseTable(DiffCtx *p, DiffSchema *pS,
    DiffObj *o);
SQLMIG_PRIVATE int sqlmigDiffReadSchema(DiffCtx *p, DiffSchema *pS,
    sqlite3 *db, const char *zSchema);
SQLMIG_PRIVATE int sqlmigDiffSetError(DiffCtx *p, char *zErr);
SQLMIG_PRIVATE char *sqlmigDiffTokName(const char *z, const DiffTok *t,
    int *pRc);
SQLMIG_PRIVATE int sqlmigDiffTokenize(const char *zSql, DiffTok **paTok,
    int *pnTok);

/*
** diffalter.c: records a change (taking ownership of zDetail and zSql);
** tries ALTER TABLE for table f becoming d (emitting it when bEmit;
** returns 1 when it suffices); writes SQLite's generalized rebuild.
*/
SQLMIG_PRIVATE int sqlmigDiffAdd(DiffCtx *p, const char *zKind,
    const char *zObject, const char *zChange, int bDestructive, char *zDetail,
    char *zSql);
SQLMIG_PRIVATE int sqlmigDiffRebuild(DiffCtx *p, DiffObj *f, DiffObj *d);
SQLMIG_PRIVATE int sqlmigDiffTryAlter(DiffCtx *p, DiffObj *f, DiffObj *d,
    int bEmit, int *pRc);

/*
** diffinput.c: the arguments. sqlmigDiffSchemaArg reads argument iArg
** (1: from, 2: to) into p->aS[iArg-1]: an attached schema, or a schema
** script loaded into a private database. sqlmigDiffHints reads the rename
** hints; sqlmigDiffApplyHints checks them against the schemas and pairs
** renamed tables. sqlmigDiffColTo/From map a column name of table f
** (from) to d (to) and back, NULL when it has no counterpart by hint.
** (sqlmigDiffCtxFree in diffschema.c frees the hints and the private
** databases with the rest.)
*/
SQLMIG_PRIVATE int sqlmigDiffSchemaArg(DiffCtx *p, sqlite3_value *pVal,
    int iArg);
SQLMIG_PRIVATE int sqlmigDiffHints(DiffCtx *p, sqlite3_value *pVal);
SQLMIG_PRIVATE int sqlmigDiffApplyHints(DiffCtx *p);
SQLMIG_PRIVATE const char *sqlmigDiffColTo(const DiffCtx *p,
    const DiffObj *f, const char *zCol);
SQLMIG_PRIVATE const char *sqlmigDiffColFrom(const DiffCtx *p,
    const DiffObj *f, const DiffObj *d, const char *zCol);

/* ------------------------------------------------------------ datadiff.c */

/* Registers migrate_data_diff(). */
SQLMIG_PRIVATE int sqlmigDataDiffRegister(sqlite3 *db, SqlmigConn *pConn);

/* ---------------------------------------------------------------- copy.c */

/* Registers migrate_copy() and the migrate_copy_report table function. */
SQLMIG_PRIVATE int sqlmigCopyRegister(sqlite3 *db, SqlmigConn *pConn);

#endif /* SQLMIG_OMIT_DIFF */

#endif /* SQLMIG_INT_H */
