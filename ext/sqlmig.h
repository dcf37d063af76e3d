/*
** sqlmig: schema and data migrations stored in the database itself.
**
** Public header. Loadable-extension users need nothing from it: `.load
** ./libsqlmig` (or sqlite3_load_extension) finds sqlite3_sqlmig_init.
** Apps that compile SQLite in build the ext/ sources (or amalgamation/sqlmig.c)
** with -DSQLITE_CORE and call sqlite3_sqlmig_init(db, &zErr, NULL) right
** after sqlite3_open, or register it once for every connection with
** sqlite3_auto_extension((void(*)(void))sqlite3_sqlmig_init) where the
** SQLite is the app's own (Apple's system SQLite does not support
** process-wide auto-extensions: call the init per connection there).
** `make amalgamation` writes the two files to copy into such an app.
*/
#ifndef SQLMIG_H
#define SQLMIG_H

#include "sqlite3.h"

#define SQLMIG_VERSION        "0.1.0"
#define SQLMIG_VERSION_NUMBER 1000

#ifndef SQLMIG_API
# if defined(_WIN32)
#  define SQLMIG_API __declspec(dllexport)
# else
#  define SQLMIG_API __attribute__((visibility("default")))
# endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
** Registers the `migrations` table, migrate(), migrate_plan(), the diff
** and copy functions and sqlmig_version() on connection db. Returns
** SQLITE_OK, or an error code with *pzErrMsg set to a message the caller
** frees with sqlite3_free(). pApi is NULL when linked statically.
*/
SQLMIG_API int sqlite3_sqlmig_init(sqlite3 *db, char **pzErrMsg,
                                   const struct sqlite3_api_routines *pApi);

#ifdef __cplusplus
}
#endif

#endif /* SQLMIG_H */
