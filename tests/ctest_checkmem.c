/*
** migrate_check() of a database much bigger than a memory bound stays
** within the bound: its private copy is a temporary file with a page cache
** of the caller's size, not an in-memory database (which needed as much
** memory as the database: a 40 MB file took 40 MB more).
**
**   make build/ctest_checkmem && LIB=./libsqlmig.so ./build/ctest_checkmem
**
** The program turns SQLite's memory statistics on before it initialises
** (a program linking SQLite can; a loadable extension cannot), builds a
** database of about 40 MB (a table of 200-byte rows) with revisions that
** touch it (an index, a column added and dropped, which rewrites the
** table, a derived table, and one whose down forgets its index), and runs
** migrate_check(): the allocator's high-water mark during the call may
** exceed what was in use before it by at most BOUND_MB (the copy's page
** cache of 2 MB, the sorter's and the statement journal's buffers), a
** quarter of the database, so an in-memory copy fails it. The check must
** still find the planted problem, and leave the database as it was.
*/
#include "ctest.h"

#define BOUND_MB 10

#define SETUP "PRAGMA journal_mode=DELETE; BEGIN;" \
  " CREATE TABLE t(id INTEGER PRIMARY KEY, b INTEGER, pad BLOB);" \
  " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)" \
  " INSERT INTO t SELECT i, i %% 997, randomblob(200) FROM n;" \
  " INSERT INTO migrations(version, name, up, down) VALUES" \
  " (1, 'index on b', 'CREATE INDEX t_b ON t(b)', 'DROP INDEX t_b')," \
  " (2, 'a note', 'ALTER TABLE t ADD COLUMN note TEXT'," \
  "  'ALTER TABLE t DROP COLUMN note')," \
  " (3, 'tags', 'CREATE TABLE tags(id INTEGER PRIMARY KEY, tag TEXT);" \
  "  INSERT INTO tags SELECT id, ''tag '' || b FROM t WHERE id %% 50 = 0'," \
  "  'DROP TABLE tags')," \
  " (4, 'forgets', 'CREATE INDEX t_pad ON t(pad)', 'SELECT 1');" \
  " COMMIT; SELECT migrate(2);"

#define STATE "SELECT (SELECT group_concat(type || ' ' || name || ' ' ||" \
  " coalesce(sql, ''), '; ') FROM (SELECT * FROM sqlite_master ORDER BY name))" \
  " || ' | ' || (SELECT count(*) || ':' || sum(b) || ':' || sum(length(pad))" \
  " || ':' || sum(unicode(hex(pad)) * id) FROM t) || ' | ' ||" \
  " (SELECT group_concat(version || '=' || (applied_at IS NOT NULL))" \
  " FROM migrations)"

int main(void){
  char *zPath = tempDbName("ctest_checkmem", "main");
  char *zSql = 0, *zRes = 0, *zBefore = 0, *zAfter = 0;
  sqlite3 *db = 0;
  sqlite3_int64 nUsed, nHigh, nDb = 0;
  int nRow = 200000;
  int rc;
  char zWhy[200];

  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1);
  sqlite3_initialize();
  removeDb(zPath);
  if( buildOmitsDiff() ){
    skipOmitted("checkmem: migrate_check within a memory bound",
                "migrate_check");
    goto done;
  }
  db = openDb(zPath);
  zSql = sqlite3_mprintf(SETUP, nRow);
  if( db==0 || zSql==0 ){
    check("checkmem: set-up", 0, "cannot open the database");
    goto done;
  }
  rc = run(db, zSql, &zRes);
  check("checkmem: set-up builds the table and applies revisions 1 and 2",
        rc==SQLITE_OK && zRes && strcmp(zRes, "2")==0, zRes);
  if( rc!=SQLITE_OK ) goto done;
  sqlite3_free(zRes);
  zRes = 0;
  if( run(db, "SELECT page_count * page_size FROM pragma_page_count,"
          " pragma_page_size", &zRes)==SQLITE_OK && zRes ){
    nDb = atoll(zRes);
  }
  sqlite3_free(zRes);
  zRes = 0;
  run(db, STATE, &zBefore);

  /* Without the statistics the bound below would hold vacuously */
  nUsed = sqlite3_memory_used();
  snprintf(zWhy, sizeof(zWhy), "database %lld bytes, in use %lld",
           nDb, nUsed);
  check("checkmem: the database is more than 4 times the bound and SQLite "
        "counts its memory", nDb > 4*(sqlite3_int64)BOUND_MB*1024*1024
        && nUsed > 0, zWhy);

  sqlite3_memory_highwater(1);
  nUsed = sqlite3_memory_used();
  rc = run(db, "SELECT group_concat(version || ' ' || \"check\" || ': ' ||"
           " detail, '; ') FROM migrate_check()", &zRes);
  nHigh = sqlite3_memory_highwater(0);
  check("checkmem: migrate_check() finds revision 4's forgotten index and "
        "nothing else", rc==SQLITE_OK && zRes
        && strcmp(zRes, "4 down leaves a difference: index \"t_pad\" left "
                  "behind; 4 up again fails: index t_pad already exists in: "
                  "CREATE INDEX t_pad ON t(pad)")==0, zRes);
  snprintf(zWhy, sizeof(zWhy), "%.1f MB more than before the call, on a "
           "%.1f MB database", (nHigh - nUsed)/1048576.0, nDb/1048576.0);
  check("checkmem: migrate_check() uses at most " "10" " MB more than "
        "before it, on a database of over 40 MB",
        nHigh - nUsed <= (sqlite3_int64)BOUND_MB*1024*1024, zWhy);
  printf("# %s\n", zWhy);

  run(db, STATE, &zAfter);
  check("checkmem: the database is as it was (schema, rows, history)",
        zBefore && zAfter && strcmp(zBefore, zAfter)==0, zAfter);

done:
  sqlite3_free(zRes);
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  sqlite3_free(zSql);
  sqlite3_close(db);
  removeDb(zPath);
  sqlite3_free(zPath);
  return nFailed ? 1 : 0;
}
