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

/* -------------------------------------------------------------- sqlmig.c */

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
};

SQLMIG_PRIVATE SqlmigConn *sqlmigConnRef(SqlmigConn *p);
SQLMIG_PRIVATE void sqlmigConnUnref(void *p);

/*
** ` "name"` (with the leading space) for messages about a revision named
** zName, "" when it has none: `revision 3 "add email"` / `revision 3`.
** sqlite3_malloc'd; NULL only when out of memory.
*/
SQLMIG_PRIVATE char *sqlmigRevLabel(const char *zName);

/* -------------------------------------------------------------- script.c */

/*
** Length in bytes of the statement that starts at z[0] (at most n bytes),
** including its terminating ';' when there is one. Knows quoted strings
** and identifiers, comments, and CREATE TRIGGER ... BEGIN ... END bodies
** (with CASE ... END inside them). *pbOpen is set to 1 when the text ends
** inside a literal, comment or trigger body, else 0.
*/
SQLMIG_PRIVATE int sqlmigStmtLength(const char *z, int n, int *pbOpen);

/*
** Why the single statement z[0..n) may not run inside migrate(), or NULL
** when it may. The text is static, e.g. "COMMIT is not allowed in a
** script". Refused: BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, RELEASE,
** ATTACH, DETACH, VACUUM, PRAGMA foreign_keys / journal_mode (any schema
** prefix), and any statement other than SELECT/VALUES/EXPLAIN/PRAGMA/
** CREATE VIEW that names the history store table.
*/
SQLMIG_PRIVATE const char *sqlmigStmtRefusal(const char *z, int n);

/*
** Checks every statement of a whole script before any runs. Returns
** SQLITE_OK, SQLITE_NOMEM, or SQLITE_ERROR with *pzErr set (sqlite3_malloc)
** to "<reason> in: <excerpt>" for the first refused statement, or
** "incomplete statement (unterminated ...) in: <excerpt>".
*/
SQLMIG_PRIVATE int sqlmigScriptGuard(const char *zScript, char **pzErr);

/*
** The first ~60 characters of the statement z[0..n), with leading blanks
** and comments skipped, runs of white space folded to one space, and
** "..." appended when cut (never inside a UTF-8 character). Caller frees
** with sqlite3_free(); NULL only when out of memory.
*/
SQLMIG_PRIVATE char *sqlmigExcerpt(const char *z, int n);

/*
** The checksum of script p[0..n): a 64-bit hash as 16 lower-case hex
** digits into zHex[SQLMIG_CHECKSUM_LEN+1], NUL-terminated. Stored in
** databases, so its values never change.
*/
#define SQLMIG_CHECKSUM_LEN 16
SQLMIG_PRIVATE void sqlmigChecksum(const void *p, size_t n, char *zHex);

/* ----------------------------------------------------------------- tvf.c */

/*
** A table-valued function whose rows are computed in one go (migrate_plan,
** migrate_changes, migrate_copy_report). xFilter computes every row for
** the argc arguments given into pState (szState bytes, zeroed before the
** first call) and sets *pnRow; on failure it returns the error code with
** *pzErr set to the whole message (sqlite3_malloc). xColumn returns visible
** column iCol (< nCol) of row iRow. xFree releases what xFilter kept in
** pState, also after a failure. The hidden argument columns echo the
** arguments.
*/
#define SQLMIG_TVF_MAXARG 2
typedef struct SqlmigTvf SqlmigTvf;
struct SqlmigTvf {
  const char *zName;       /* the function's name */
  const char *zSchema;     /* CREATE TABLE x(columns..., arguments HIDDEN) */
  int nCol;                /* visible columns; the argument columns follow */
  int nArg;                /* argument columns, at most SQLMIG_TVF_MAXARG */
  int nArgMin;             /* arguments that must be given */
  const char *zUsage;      /* the error when they are not, after "name: " */
  size_t szState;
  int (*xFilter)(sqlite3 *db, void *pState, int argc, sqlite3_value **argv,
                 int *pnRow, char **pzErr);
  void (*xColumn)(void *pState, int iRow, int iCol, sqlite3_context *ctx);
  void (*xFree)(void *pState);
};

/* Registers pDef (which must outlive the connection) as an eponymous,
** direct-only virtual table. */
SQLMIG_PRIVATE int sqlmigTvfRegister(sqlite3 *db, const SqlmigTvf *pDef);

/* ---------------------------------------------------------- migrations.c */

/* Registers the eponymous `migrations` virtual table. */
SQLMIG_PRIVATE int sqlmigMigrationsRegister(sqlite3 *db, SqlmigConn *pConn);

/*
** 1 if the history store exists in main, 0 if not; an SQLite error code
** (negated) on failure.
*/
SQLMIG_PRIVATE int sqlmigStoreExists(sqlite3 *db);

/* ------------------------------------------------------------- migrate.c */

/* Registers migrate(), migrate(N) and the migrate_plan table function. */
SQLMIG_PRIVATE int sqlmigMigrateRegister(sqlite3 *db, SqlmigConn *pConn);

/* ---------------------------------------------------------------- diff.c */

/* Registers migrate_diff() and the migrate_changes table function. */
SQLMIG_PRIVATE int sqlmigDiffRegister(sqlite3 *db, SqlmigConn *pConn);

/*
** Checks argument iArg (1-based) of function zFunc: text naming an attached
** schema. Sets *pzName (pointing into pVal) and returns SQLITE_OK, or
** returns SQLITE_ERROR with *pzErr (sqlite3_malloc) set to
** `<zFunc>: no such schema: "x"` / `<zFunc>: argument N must be a schema
** name, not null`, or SQLITE_NOMEM.
*/
SQLMIG_PRIVATE int sqlmigSchemaArg(sqlite3 *db, const char *zFunc,
    sqlite3_value *pVal, int iArg, const char **pzName, char **pzErr);

/*
** The ordinary tables of schema zSchema that the diff and copy handle (not
** sqlite_*, sqlmig_*, virtual or shadow tables), parents before children
** by foreign keys, else by name. *pazName (NULL-terminated) and its names
** are sqlite3_malloc'd: free with sqlmigFreeNames(). SQLITE_OK,
** SQLITE_NOMEM, or an error with *pzErr set.
*/
SQLMIG_PRIVATE int sqlmigTableList(sqlite3 *db, const char *zFunc,
    const char *zSchema, char ***pazName, int *pnName, char **pzErr);
SQLMIG_PRIVATE void sqlmigFreeNames(char **az, int n);

/* ---------------------------------------------------------------- copy.c */

/* Registers migrate_copy() and the migrate_copy_report table function. */
SQLMIG_PRIVATE int sqlmigCopyRegister(sqlite3 *db, SqlmigConn *pConn);

#endif /* SQLMIG_INT_H */
