/* sqlmig: diff (not written yet). */
#include "sqlmig_int.h"

int sqlmigDiffRegister(sqlite3 *db, SqlmigConn *pConn){
  (void)db; (void)pConn;
  return SQLITE_OK;
}
