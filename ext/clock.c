/*
** sqlmig: migrate_clock(), the caller's time for the history.
**
**   SELECT migrate_clock('2026-12-07 09:00:00');  -- this connection's "now"
**   SELECT 1 WHERE migrate() < 0;                 -- applied_at is that time
**   SELECT migrate_clock(NULL);                   -- back to the wall clock
**   SELECT migrate_clock();                       -- the setting, or NULL
**
** sqlmig writes times in three places: applied_at (migrate(),
** migrate_baseline()), deleted_at (DELETE FROM migrations) and
** baselined_at. By default each is datetime('now') of the connection's VFS;
** with a clock set they are the caller's time, so that the same statements
** run on several databases at different moments (statement replication,
** rqlite) leave them byte for byte equal. The setting belongs to the
** connection and lasts until changed or the connection closes.
*/
#include "sqlmig_int.h"

/* See sqlmig_int.h */
const char *sqlmigNow(SqlmigConn *pConn){
  return pConn->zNow[0] ? pConn->zNow : "datetime('now')";
}

/* Days in month m (1-12) of year y, proleptic Gregorian. */
static int monthDays(int y, int m){
  static const unsigned char aDays[] = {31,28,31,30,31,30,31,31,30,31,30,31};
  if( m==2 && ((y%4==0 && y%100!=0) || y%400==0) ) return 29;
  return aDays[m-1];
}

/*
** 1 when z (n bytes) is a UTC time as datetime() writes it,
** 'YYYY-MM-DD HH:MM:SS', and names a real moment; else 0.
*/
static int timeValid(const char *z, int n){
  static const char zShape[] = "dddd-dd-dd dd:dd:dd";
  int i, y, mo, d, h, mi, s;
  if( n!=(int)sizeof(zShape)-1 ) return 0;
  for(i=0; i<n; i++){
    if( zShape[i]=='d' ? (z[i]<'0' || z[i]>'9') : z[i]!=zShape[i] ) return 0;
  }
#define TWO(k) ((z[k]-'0')*10 + (z[k+1]-'0'))
  y = TWO(0)*100 + TWO(2);
  mo = TWO(5); d = TWO(8); h = TWO(11); mi = TWO(14); s = TWO(17);
#undef TWO
  return y>=1 && mo>=1 && mo<=12 && d>=1 && d<=monthDays(y, mo)
      && h<24 && mi<60 && s<60;
}

static void clockFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SqlmigConn *pConn = (SqlmigConn*)sqlite3_user_data(ctx);
  if( argc==1 ){
    const char *z = 0;
    int n = 0;
    if( sqlite3_value_type(argv[0])==SQLITE_TEXT ){
      z = (const char*)sqlite3_value_text(argv[0]);
      n = sqlite3_value_bytes(argv[0]);
      if( z==0 ){
        sqlite3_result_error_nomem(ctx);
        return;
      }
    }
    if( sqlite3_value_type(argv[0])==SQLITE_NULL ){
      pConn->zNow[0] = 0;
    }else if( z && timeValid(z, n) ){
      sqlite3_snprintf((int)sizeof(pConn->zNow), pConn->zNow, "'%.*s'", n, z);
    }else{
      char *zGot = sqlmigValueShown(argv[0]);
      char *zMsg = zGot ? sqlite3_mprintf("migrate_clock: the time must be "
          "UTC text as 'YYYY-MM-DD HH:MM:SS' (a real date and time), got %s",
          zGot) : 0;
      if( zMsg ) sqlite3_result_error(ctx, zMsg, -1);
      else sqlite3_result_error_nomem(ctx);
      sqlite3_free(zGot);
      sqlite3_free(zMsg);
      return;
    }
  }
  if( pConn->zNow[0] ){
    /* Without the quotes */
    sqlite3_result_text(ctx, pConn->zNow+1, (int)strlen(pConn->zNow)-2,
                        SQLITE_TRANSIENT);
  }
}

int sqlmigClockRegister(sqlite3 *db, SqlmigConn *pConn){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<2; i++){
    rc = sqlite3_create_function_v2(db, "migrate_clock", i,
        SQLITE_UTF8|SQLITE_DIRECTONLY, sqlmigConnRef(pConn), clockFunc, 0, 0,
        sqlmigConnUnref);
  }
  return rc;
}
