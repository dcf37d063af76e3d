/* sqlmig: migrate() (being written). */
#include "sqlmig_int.h"

int sqlmigMigrateRegister(sqlite3 *db, SqlmigConn *pConn){
  (void)db; (void)pConn;
  return SQLITE_OK;
}
