/* sqlmig: the migrations table (being written). */
#include "sqlmig_int.h"

int sqlmigMigrationsRegister(sqlite3 *db, SqlmigConn *pConn){
  (void)db; (void)pConn;
  return SQLITE_OK;
}
