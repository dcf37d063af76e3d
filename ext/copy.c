/* sqlmig: copy (not written yet). */
#include "sqlmig_int.h"

int sqlmigCopyRegister(sqlite3 *db, SqlmigConn *pConn){
  (void)db; (void)pConn;
  return SQLITE_OK;
}
