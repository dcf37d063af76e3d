/*
** migrate_check() sees the caller's own functions and collations: a schema
** whose generated column calls an application function, an index with an
** application collation, and scripts calling both, check as they migrate.
**
**   make build/ctest_checkapp && LIB=./libsqlmig.so ./build/ctest_checkapp
**
** The connection registers app_if(c, a, b) (deterministic, as SQLite's
** own iif() of 3.32+) and the collation app_rev (reversed byte order);
** the revisions use them; migrate() applies them; migrate_check() must
** then answer (no error such as `unknown function: app_if()`), find the
** problem planted in revision 3 (its down forgets an index), and change
** nothing.
*/
#include "ctest.h"

static void appIf(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc;
  sqlite3_result_value(ctx, sqlite3_value_int(argv[0]) ? argv[1] : argv[2]);
}

static int appRev(void *p, int n1, const void *z1, int n2, const void *z2){
  int r = memcmp(z1, z2, (size_t)(n1<n2 ? n1 : n2));
  (void)p;
  if( r==0 ) r = n1-n2;
  return -r;
}

static int appRegister(sqlite3 *db){
  int rc = sqlite3_create_function(db, "app_if", 3,
      SQLITE_UTF8|SQLITE_DETERMINISTIC, 0, appIf, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_collation(db, "app_rev", SQLITE_UTF8, 0, appRev);
  }
  return rc;
}

#define REVS "INSERT INTO migrations(version, name, up, down) VALUES" \
  " (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT" \
  " COLLATE app_rev, vip INT, label TEXT GENERATED ALWAYS AS" \
  " (app_if(vip, ''VIP '' || name, name)));" \
  " INSERT INTO users(name, vip) VALUES (''ann'', 1), (''bob'', 0);'," \
  " 'DROP TABLE users')," \
  " (2, 'by name', 'CREATE INDEX users_name ON users(name COLLATE app_rev);" \
  " UPDATE users SET vip = app_if(name = ''bob'', 1, vip);'," \
  " 'DROP INDEX users_name; UPDATE users SET vip = 0 WHERE name = ''bob'''), " \
  " (3, 'forgets', 'CREATE INDEX users_label ON users(label)', 'SELECT 1')"

int main(void){
  char *zPath = tempDbName("ctest_checkapp", "main");
  sqlite3 *db = 0;
  char *zRes = 0;
  int rc;
  removeDb(zPath);
  if( buildOmitsDiff() ){
    skipOmitted("checkapp: migrate_check with the caller's functions",
                "migrate_check");
    goto done;
  }
  db = openDb(zPath);
  if( db==0 || appRegister(db)!=SQLITE_OK ){
    check("checkapp: set-up", 0, "cannot open or register");
    goto done;
  }
  rc = run(db, REVS "; SELECT migrate();", &zRes);
  check("checkapp: migrate() applies revisions that use app_if and app_rev",
        rc==SQLITE_OK && zRes && strcmp(zRes, "3")==0, zRes);
  sqlite3_free(zRes);
  zRes = 0;

  rc = run(db, "SELECT group_concat(version || ' ' || \"check\" || ': ' ||"
           " detail, '; ') FROM migrate_check()", &zRes);
  check("checkapp: migrate_check() runs with the caller's function in a "
        "generated column and its collation in an index, and finds revision "
        "3's forgotten index", rc==SQLITE_OK && zRes
        && strcmp(zRes, "3 down leaves a difference: index \"users_label\" "
                  "left behind; 3 up again fails: index users_label already "
                  "exists in: CREATE INDEX users_label ON users(label)")==0,
        zRes);
  sqlite3_free(zRes);
  zRes = 0;

  rc = run(db, "SELECT group_concat(label || '/' || vip, ',') FROM"
           " (SELECT label, vip FROM users ORDER BY name COLLATE app_rev)",
           &zRes);
  check("checkapp: the database is as migrate() left it", rc==SQLITE_OK
        && zRes && strcmp(zRes, "VIP bob/1,VIP ann/1")==0, zRes);
  sqlite3_free(zRes);
  zRes = 0;
  sqlite3_close(db);

done:
  sqlite3_close(db);
  removeDb(zPath);
  sqlite3_free(zPath);
  return nFailed ? 1 : 0;
}
