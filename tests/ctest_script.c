/*
** Unit test of ext/script.c: statement splitting, the script guard, the
** excerpt used in error messages and the checksum.
**
**   make build/ctest_script && ./build/ctest_script
**
** Includes the source directly (with SQLITE_CORE, so sqlite3_malloc64 is
** the linked library's) to reach its internal functions. Prints one
** `ok - <name>` or `not ok - <name>: <why>` line per check and exits
** non-zero when any check failed. Allocation failure is simulated with a
** wrapping allocator installed through SQLITE_CONFIG_MALLOC.
*/
#define SQLITE_CORE 1
#include "../ext/token.c"
#include "../ext/script.c"
#include "../ext/checksum.c"

#include <stdio.h>
#include <stdlib.h>

/* Test bookkeeping (a test program: plain statics are fine here). */
static int nFailed = 0;

/* Fault injection: the allocation numbered iFailAt (1-based) fails. */
static sqlite3_mem_methods sysMem;
static int nAllocs = 0;
static int iFailAt = 0;

static void *faultMalloc(int n){
  if( iFailAt>0 && ++nAllocs==iFailAt ) return 0;
  return sysMem.xMalloc(n);
}
static void *faultRealloc(void *p, int n){
  if( iFailAt>0 && ++nAllocs==iFailAt ) return 0;
  return sysMem.xRealloc(p, n);
}

/* Records one check. */
static void check(const char *zName, int bOk, const char *zWhy){
  if( bOk ){
    printf("ok - %s\n", zName);
  }else{
    printf("not ok - %s: %s\n", zName, zWhy);
    nFailed++;
  }
}

/* Compares two possibly-NULL strings. */
static int sameText(const char *a, const char *b){
  if( a==0 || b==0 ) return a==b;
  return strcmp(a, b)==0;
}

/* Checks the length and open flag of the first statement of z. */
static void expectLen(const char *zName, const char *z, int nWant,
                      int bOpenWant){
  int bOpen = -1;
  int nGot = sqlmigStmtLength(z, (int)strlen(z), &bOpen);
  char zWhy[200];
  snprintf(zWhy, sizeof(zWhy), "got length %d open %d, want %d open %d",
           nGot, bOpen, nWant, bOpenWant);
  check(zName, nGot==nWant && bOpen==bOpenWant, zWhy);
}

/* Number of statements with a keyword (not only blanks) in z. */
static int countStmts(const char *z, int *pbOpen){
  int n = (int)strlen(z), i = 0, nStmt = 0;
  *pbOpen = 0;
  while( i<n ){
    int eType, nTok;
    int nLen = sqlmigStmtLength(z+i, n-i, pbOpen);
    if( sqlmigNextToken((const unsigned char*)z+i, nLen, 0, 1, &eType, &nTok)
        <nLen ){
      nStmt++;
    }
    i += nLen;
  }
  return nStmt;
}

/* Checks how many statements z splits into. */
static void expectCount(const char *zName, const char *z, int nWant){
  int bOpen;
  int nGot = countStmts(z, &bOpen);
  char zWhy[100];
  snprintf(zWhy, sizeof(zWhy), "got %d statements (open %d), want %d",
           nGot, bOpen, nWant);
  check(zName, nGot==nWant && bOpen==0, zWhy);
}

/*
** What a fresh guard says of the single statement z: its refusal, "skip"
** when migrate() skips it, NULL when it runs.
*/
static const char *stmtVerdict(const char *z){
  SqlmigGuard g;
  const char *zWhy = 0;
  int eAction = -1;
  int rc;
  memset(&g, 0, sizeof(g));
  rc = sqlmigGuardStmt(&g, z, (int)strlen(z), &eAction, &zWhy);
  sqlmigGuardFree(&g);
  if( rc==SQLITE_NOMEM ) return "nomem";
  if( rc==SQLITE_ERROR ) return zWhy ? zWhy : "error without a reason";
  return eAction==SQLMIG_SKIP ? "skip" : 0;
}

/* Checks the verdict of a fresh guard on the single statement z. */
static void expectRefusal(const char *zName, const char *z,
                          const char *zWant){
  const char *zGot = stmtVerdict(z);
  char zWhy[300];
  snprintf(zWhy, sizeof(zWhy), "got \"%s\", want \"%s\"",
           zGot ? zGot : "(null)", zWant ? zWant : "(null)");
  check(zName, sameText(zGot, zWant), zWhy);
}

/* Checks sqlmigScriptGuard(): its result code and error text. */
static void expectGuard(const char *zName, const char *z, int rcWant,
                        const char *zErrWant){
  char *zErr = (char*)"unset";
  int rc = sqlmigScriptGuard(z, -1, &zErr);
  char zWhy[400];
  snprintf(zWhy, sizeof(zWhy), "got rc %d \"%s\", want rc %d \"%s\"",
           rc, zErr ? zErr : "(null)", rcWant, zErrWant ? zErrWant : "(null)");
  check(zName, rc==rcWant && sameText(zErr, zErrWant), zWhy);
  sqlite3_free(zErr);
}

/* Checks sqlmigExcerpt() of z[0..n) (n<0: all of z). */
static void expectExcerpt(const char *zName, const char *z, int n,
                          const char *zWant){
  char *zGot = sqlmigExcerpt(z, n<0 ? (int)strlen(z) : n);
  char zWhy[400];
  snprintf(zWhy, sizeof(zWhy), "got \"%s\", want \"%s\"",
           zGot ? zGot : "(null)", zWant);
  check(zName, sameText(zGot, zWant), zWhy);
  sqlite3_free(zGot);
}

/* Checks the version-1 checksum (raw bytes) of p[0..n). */
static void expectChecksum(const char *zName, const void *p, size_t n,
                           const char *zWant){
  char zHex[18];
  char zWhy[200];
  memset(zHex, 'z', sizeof(zHex));
  scriptChecksumV1(p, n, zHex);
  snprintf(zWhy, sizeof(zWhy), "got %.*s", 17, zHex);
  check(zName, zHex[16]==0 && strcmp(zHex, zWant)==0
               && sqlmigChecksumMatches(p, (int)n, zWant), zWhy);
}

static void testSplit(void){
  expectLen("split: plain", "SELECT 1; SELECT 2;", 9, 0);
  expectLen("split: no semicolon", "SELECT 1", 8, 0);
  expectLen("split: empty", "", 0, 0);
  expectLen("split: stray semicolon", ";SELECT 1;", 1, 0);
  expectLen("split: string with ;", "SELECT 'a;''b;'; x", 16, 0);
  expectLen("split: string with BEGIN;", "INSERT INTO t VALUES('BEGIN;');",
            31, 0);
  expectLen("split: dq identifier", "SELECT \"a;\"\"b\"; x", 15, 0);
  expectLen("split: bracket identifier", "SELECT [a;b]; x", 13, 0);
  expectLen("split: backtick identifier", "SELECT `a;``b`; x", 15, 0);
  expectLen("split: blob", "SELECT x'3b'; x", 13, 0);
  expectLen("split: line comment", "SELECT 1 -- a;b\n; x", 17, 0);
  expectLen("split: line comment at end", "SELECT 1 -- a;b", 15, 0);
  expectLen("split: block comment", "SELECT /* ; */ 1; x", 17, 0);
  expectLen("split: block comment /**/", "SELECT /**/ 1; x", 14, 0);
  expectLen("split: minus and slash", "SELECT 4-2/1; x", 13, 0);
  expectLen("split: unterminated string", "SELECT 'abc; x", 14, 1);
  expectLen("split: unterminated escape", "SELECT 'abc''", 13, 1);
  expectLen("split: unterminated comment", "SELECT 1 /* x; */", 17, 0);
  expectLen("split: unterminated comment 2", "SELECT 1 /* x; *", 16, 1);
  expectLen("split: unterminated comment /*/", "/*/ x", 5, 1);
  expectLen("split: unterminated identifier", "SELECT \"abc; x", 14, 1);
  expectLen("split: unterminated bracket", "SELECT [abc; x", 14, 1);

  {
    static const char zTrig[] =
      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
      "  UPDATE t SET a = 1;\n"
      "  INSERT INTO log VALUES('x;');\n"
      "END;";
    char zBuf[400];
    expectLen("split: trigger body", zTrig, (int)strlen(zTrig), 0);
    snprintf(zBuf, sizeof(zBuf), "%s SELECT 1;", zTrig);
    expectLen("split: trigger then select", zBuf, (int)strlen(zTrig), 0);
    snprintf(zBuf, sizeof(zBuf), "%.*s", (int)strlen(zTrig)-5, zTrig);
    expectLen("split: trigger without END", zBuf, (int)strlen(zBuf), 1);
  }
  {
    static const char zTrig[] =
      "create temp trigger tr after update on t begin "
      "update t set x = case when new.a then 1 else 2 end; "
      "update t set y = case new.b when 1 then case when 1 then 2 end end;"
      "select case when 1 then 2 end; end";
    char zBuf[400];
    snprintf(zBuf, sizeof(zBuf), "%s; SELECT 1", zTrig);
    expectLen("split: trigger with CASE ... END", zBuf,
              (int)strlen(zTrig)+1, 0);
    expectLen("split: trigger at end without ;", zTrig,
              (int)strlen(zTrig), 0);
  }
  {
    static const char zTrig[] =
      "CREATE TEMPORARY TRIGGER IF NOT EXISTS tr BEFORE DELETE ON t "
      "WHEN CASE WHEN old.a THEN 1 END BEGIN SELECT RAISE(ABORT, 'no;'); "
      "END;";
    expectLen("split: trigger with CASE in WHEN", zTrig,
              (int)strlen(zTrig), 0);
  }
  {
    static const char zTrig[] =
      "CREATE TRIGGER \"begin\" AFTER INSERT ON [end] BEGIN "
      "UPDATE t SET x = end; "
      "SELECT CASE WHEN end THEN 1 END; END;";
    expectLen("split: trigger with end as column", zTrig,
              (int)strlen(zTrig), 0);
  }
  expectLen("split: EXPLAIN CREATE TRIGGER",
            "EXPLAIN CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;",
            63, 0);
  expectLen("split: trigger header then ;",
            "CREATE TRIGGER tr AFTER INSERT ON t; SELECT 1;", 36, 0);
  expectLen("split: trigger without BEGIN at end",
            "CREATE TRIGGER tr AFTER INSERT ON t", 35, 1);
  expectLen("split: CASE outside trigger",
            "SELECT CASE WHEN 1 THEN 2 END; SELECT 3;", 30, 0);
  expectLen("split: quoted begin is no keyword",
            "CREATE TABLE \"begin\"(\"end\"); SELECT 1;", 28, 0);
  expectLen("split: CREATE TABLE trigger_log",
            "CREATE TABLE trigger_log(a); SELECT 1;", 28, 0);
  expectCount("split: count mixed script",
              "CREATE TABLE t(a);;\n-- c;\n"
              "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;\n"
              "INSERT INTO t VALUES(';');  /* ; */ ;", 3);
}

static void testRefusal(void){
  static const char *const aStmt[][2] = {
    { "BEGIN", "skip" },
    { "COMMIT", "COMMIT without a BEGIN in the script (migrate() commits "
                "the whole call itself)" },
    { "END", "END without a BEGIN in the script (migrate() commits "
             "the whole call itself)" },
    { "ROLLBACK", "ROLLBACK is not allowed in a script (when a statement "
                  "fails, migrate() rolls the whole call back)" },
    { "ROLLBACK TRANSACTION", "ROLLBACK is not allowed in a script (when a "
                  "statement fails, migrate() rolls the whole call back)" },
    { "SAVEPOINT a", 0 },
    { "RELEASE a", "RELEASE of a savepoint the script did not open" },
    { "RELEASE SAVEPOINT a", "RELEASE of a savepoint the script did not "
                             "open" },
    { "SAVEPOINT sqlmig_migrate", "savepoint names starting with sqlmig_ "
                                  "are reserved for migrate()" },
    { "SAVEPOINT \"SQLMIG_x\"", "savepoint names starting with sqlmig_ "
                                "are reserved for migrate()" },
    { "SAVEPOINT sqlmig", 0 },
    { "ATTACH 'x.db' AS x", "ATTACH is not allowed in a script (attach "
                            "before migrate())" },
    { "DETACH x", "DETACH is not allowed in a script" },
    { "VACUUM", "VACUUM cannot run inside a transaction: run it after "
                "migrate()" },
  };
  static const char zHist[] =
    "statements that change sqlmig_history are not allowed in a script";
  static const char zJournal[] = "PRAGMA journal_mode cannot change inside "
    "a transaction: set it before migrate()";
  static const char zCommit[] = "COMMIT without a BEGIN in the script "
    "(migrate() commits the whole call itself)";
  size_t k;
  for(k=0; k<sizeof(aStmt)/sizeof(aStmt[0]); k++){
    char zName[100];
    snprintf(zName, sizeof(zName), "verdict: %s", aStmt[k][0]);
    expectRefusal(zName, aStmt[k][0], aStmt[k][1]);
  }
  expectRefusal("verdict: mixed case cOmMiT", "cOmMiT;", zCommit);
  expectRefusal("verdict: begin immediate", "begin immediate transaction",
                "skip");
  expectRefusal("verdict: rollback to", "Rollback To sp1",
                "ROLLBACK TO a savepoint the script did not open");
  expectRefusal("verdict: end transaction", "END TRANSACTION;", "END "
                "without a BEGIN in the script (migrate() commits the whole "
                "call itself)");
  expectRefusal("verdict: blanks and semicolons before", "  ;; ; COMMIT",
                zCommit);
  expectRefusal("verdict: comments before",
                "-- one\n/* two; */ ;\n\t-- three;\nCOMMIT", zCommit);
  expectRefusal("verdict: PRAGMA foreign_keys=OFF", "PRAGMA foreign_keys=OFF",
                "skip");
  expectRefusal("verdict: PRAGMA foreign_keys read", "pragma Foreign_Keys;",
                "skip");
  expectRefusal("verdict: PRAGMA main.foreign_keys = 0",
                "PRAGMA main . foreign_keys = 0", "skip");
  expectRefusal("verdict: PRAGMA \"main\".\"foreign_keys\"(1)",
                "PRAGMA \"main\".\"foreign_keys\"(1)", "skip");
  expectRefusal("verdict: PRAGMA [foreign_keys]", "PRAGMA [foreign_keys]",
                "skip");
  expectRefusal("verdict: PRAGMA 'foreign_keys'", "PRAGMA 'foreign_keys' = 1",
                "skip");
  expectRefusal("verdict: PRAGMA journal_mode", "PRAGMA journal_mode=WAL",
                zJournal);
  expectRefusal("verdict: PRAGMA aux.journal_mode(delete)",
                "/* x */ PRAGMA aux.JOURNAL_MODE(delete)", zJournal);
  expectRefusal("verdict: PRAGMA `temp`.`journal_mode`",
                "PRAGMA `temp`.`journal_mode`", zJournal);
  expectRefusal("verdict: only semicolons", " ; ;", "skip");
  expectRefusal("allow: PRAGMA user_version", "PRAGMA user_version = 3", 0);
  expectRefusal("allow: PRAGMA table_info(sqlmig_history)",
                "PRAGMA table_info(sqlmig_history)", 0);
  expectRefusal("allow: PRAGMA foreign_key_check",
                "PRAGMA foreign_key_check", 0);
  expectRefusal("allow: PRAGMA foreign_keys_x", "PRAGMA foreign_keys_x", 0);

  expectRefusal("history: INSERT", "INSERT INTO sqlmig_history VALUES(1)",
                zHist);
  expectRefusal("history: INSERT main.\"SQLMIG_HISTORY\"",
                "insert into main.\"SQLMIG_HISTORY\"(version) values(1)", zHist);
  expectRefusal("history: REPLACE [sqlmig_history]",
                "REPLACE INTO [sqlmig_history] VALUES(1)", zHist);
  expectRefusal("history: UPDATE `Sqlmig_History`",
                "UPDATE `Sqlmig_History` SET up = ''", zHist);
  expectRefusal("history: UPDATE OR IGNORE", "UPDATE OR IGNORE sqlmig_history "
                "SET up = ''", zHist);
  expectRefusal("history: DELETE", "DELETE FROM sqlmig_history", zHist);
  expectRefusal("history: DELETE FROM string name",
                "DELETE FROM 'sqlmig_history'", zHist);
  expectRefusal("history: INSERT INTO main.string name",
                "INSERT INTO main.'sqlmig_history' VALUES(1)", zHist);
  expectRefusal("history: DROP", "DROP TABLE IF EXISTS sqlmig_history", zHist);
  expectRefusal("history: DROP string name",
                "DROP TABLE IF EXISTS 'sqlmig_history'", zHist);
  expectRefusal("history: ALTER", "ALTER TABLE sqlmig_history ADD COLUMN x",
                zHist);
  expectRefusal("history: ALTER RENAME TO",
                "ALTER TABLE t RENAME TO sqlmig_history", zHist);
  expectRefusal("history: CREATE TRIGGER on it",
                "CREATE TRIGGER tr AFTER INSERT ON sqlmig_history BEGIN "
                "SELECT 1; END", zHist);
  expectRefusal("history: CREATE TRIGGER writing it",
                "CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
                "DELETE FROM sqlmig_history; END", zHist);
  expectRefusal("history: CREATE INDEX",
                "CREATE UNIQUE INDEX i ON sqlmig_history(name)", zHist);
  expectRefusal("history: WITH ... INSERT",
                "WITH x(a) AS (SELECT 1) INSERT INTO sqlmig_history(version) "
                "SELECT a FROM x", zHist);
  expectRefusal("history: WITH ... DELETE",
                "WITH RECURSIVE x AS MATERIALIZED (SELECT 1) "
                "DELETE FROM sqlmig_history", zHist);
  expectRefusal("history: after stray semicolons",
                " ;; DELETE FROM sqlmig_history", zHist);
  expectRefusal("allow: SELECT * FROM sqlmig_history",
                "SELECT * FROM sqlmig_history", 0);
  expectRefusal("allow: select from quoted history",
                "  select * from main.\"sqlmig_history\"", 0);
  expectRefusal("allow: VALUES", "VALUES((SELECT count(*) FROM sqlmig_history))",
                0);
  expectRefusal("allow: EXPLAIN DELETE", "EXPLAIN DELETE FROM sqlmig_history",
                0);
  expectRefusal("allow: WITH ... SELECT",
                "WITH h AS (SELECT * FROM sqlmig_history) SELECT * FROM h", 0);
  expectRefusal("allow: CREATE VIEW",
                "CREATE VIEW v AS SELECT * FROM sqlmig_history", 0);
  expectRefusal("allow: CREATE TEMP VIEW",
                "create temp view v as select * from sqlmig_history", 0);
  expectRefusal("allow: literal in INSERT",
                "INSERT INTO t VALUES('sqlmig_history')", 0);
  expectRefusal("allow: literal in DELETE WHERE",
                "DELETE FROM t WHERE name = 'sqlmig_history'", 0);
  expectRefusal("allow: literal in UPDATE",
                "UPDATE t SET note = 'see sqlmig_history; END'", 0);
  expectRefusal("allow: parameter name",
                "INSERT INTO t VALUES(:sqlmig_history)", 0);
  expectRefusal("allow: similar name", "DROP TABLE sqlmig_history2", 0);
  expectRefusal("allow: literal BEGIN;", "INSERT INTO t VALUES('BEGIN;')", 0);
  expectRefusal("allow: quoted \"begin\"", "CREATE TABLE \"begin\"(x)", 0);
  expectRefusal("allow: quoted \"commit\" first", "\"commit\"", 0);
  expectRefusal("allow: trigger body BEGIN ... END",
                "CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
                "UPDATE t SET a = CASE WHEN 1 THEN 2 END; END", 0);
  expectRefusal("allow: blank", "  \n\t", "skip");
  expectRefusal("allow: comments and semicolons", " ;-- x\n; /* y */ ;",
                "skip");
  expectRefusal("allow: empty", "", 0);
  expectRefusal("allow: CREATE TABLE begin_log", "CREATE TABLE begin_log(x)",
                0);
  expectRefusal("allow: DROP TABLE", "DROP TABLE t", 0);
}

static void testGuard(void){
  expectGuard("guard: NULL script", 0, SQLITE_OK, 0);
  expectGuard("guard: empty script", "", SQLITE_OK, 0);
  expectGuard("guard: ordinary script",
              "CREATE TABLE t(a, b);\n"
              "-- a comment; with COMMIT\n"
              "INSERT INTO t VALUES('BEGIN;', \"x\");\n"
              "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
              "  UPDATE t SET b = CASE WHEN new.a THEN 1 END;\n"
              "  SELECT 'END;';\n"
              "END;\n"
              "CREATE TABLE \"begin\"(\"commit\");\n"
              "DROP TABLE t;\n", SQLITE_OK, 0);
  expectGuard("guard: COMMIT in the middle",
              "CREATE TABLE t(a);\n  COMMIT;\nDROP TABLE t;", SQLITE_ERROR,
              "COMMIT without a BEGIN in the script (migrate() commits the "
              "whole call itself) in: COMMIT");
  expectGuard("guard: stray semicolons then BEGIN", "  ;; ; BEGIN",
              SQLITE_ERROR, "BEGIN without a COMMIT in the script in: BEGIN");
  expectGuard("guard: END after a trigger",
              "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;\n"
              "END;", SQLITE_ERROR, "END without a BEGIN in the script (migrate() "
              "commits the whole call itself) in: END");
  expectGuard("guard: pragma with folding",
              "SELECT 1;\n/* c */ PRAGMA\n\tforeign_keys   =  OFF ;",
              SQLITE_OK, 0);
  expectGuard("guard: pragma journal_mode with folding",
              "SELECT 1;\n/* c */ PRAGMA\n\tjournal_mode   =  WAL ;",
              SQLITE_ERROR, "PRAGMA journal_mode cannot change inside a "
              "transaction: set it before migrate() in: PRAGMA journal_mode "
              "= WAL");
  expectGuard("guard: SQLite's 12-step rebuild as written",
              "PRAGMA foreign_keys=OFF;\n"
              "BEGIN TRANSACTION;\n"
              "CREATE TABLE new_t(a INTEGER PRIMARY KEY, b TEXT NOT NULL);\n"
              "INSERT INTO new_t SELECT a, coalesce(b, '') FROM t;\n"
              "DROP TABLE t;\n"
              "ALTER TABLE new_t RENAME TO t;\n"
              "PRAGMA foreign_key_check;\n"
              "COMMIT;\n"
              "PRAGMA foreign_keys=ON;\n", SQLITE_OK, 0);
  expectGuard("guard: several BEGIN ... END pairs",
              "BEGIN; CREATE TABLE a(x); END; begin deferred transaction;"
              " CREATE TABLE b(x); commit transaction;", SQLITE_OK, 0);
  expectGuard("guard: BEGIN inside BEGIN",
              "BEGIN; CREATE TABLE a(x); BEGIN IMMEDIATE; COMMIT; COMMIT;",
              SQLITE_ERROR, "BEGIN inside a transaction the script already "
              "began (transactions do not nest: use SAVEPOINT) in: BEGIN "
              "IMMEDIATE");
  expectGuard("guard: second COMMIT",
              "BEGIN; CREATE TABLE a(x); COMMIT; COMMIT;", SQLITE_ERROR,
              "COMMIT without a BEGIN in the script (migrate() commits the "
              "whole call itself) in: COMMIT");
  expectGuard("guard: ROLLBACK inside BEGIN",
              "BEGIN; CREATE TABLE a(x); ROLLBACK;", SQLITE_ERROR,
              "ROLLBACK is not allowed in a script (when a statement fails, "
              "migrate() rolls the whole call back) in: ROLLBACK");
  expectGuard("guard: savepoints nest and are released",
              "SAVEPOINT a; CREATE TABLE t(x); SAVEPOINT \"B\";"
              " INSERT INTO t VALUES(1); ROLLBACK TO b; RELEASE SAVEPOINT b;"
              " ROLLBACK TRANSACTION TO SAVEPOINT A; RELEASE a;", SQLITE_OK, 0);
  expectGuard("guard: releasing the outer savepoint releases the inner",
              "SAVEPOINT a; SAVEPOINT b; RELEASE a;", SQLITE_OK, 0);
  expectGuard("guard: a released savepoint is gone",
              "SAVEPOINT a; SAVEPOINT b; RELEASE a; RELEASE b;", SQLITE_ERROR,
              "RELEASE of a savepoint the script did not open in: RELEASE b");
  expectGuard("guard: savepoint never released",
              "SAVEPOINT a; CREATE TABLE t(x); SAVEPOINT b; RELEASE b;",
              SQLITE_ERROR, "SAVEPOINT never released by the script (end it "
              "with RELEASE) in: SAVEPOINT a");
  expectGuard("guard: savepoint only rolled back",
              "SAVEPOINT a; CREATE TABLE t(x); ROLLBACK TO a;",
              SQLITE_ERROR, "SAVEPOINT never released by the script (end it "
              "with RELEASE) in: SAVEPOINT a");
  expectGuard("guard: BEGIN inside a savepoint",
              "SAVEPOINT a; BEGIN; COMMIT; RELEASE a;", SQLITE_ERROR,
              "BEGIN inside a savepoint the script opened (transactions do "
              "not nest) in: BEGIN");
  expectGuard("guard: COMMIT with a savepoint open",
              "BEGIN; SAVEPOINT a; COMMIT; RELEASE a;", SQLITE_ERROR,
              "COMMIT while a savepoint the script opened is still open "
              "(RELEASE it first) in: COMMIT");
  expectGuard("guard: savepoint inside BEGIN ... COMMIT",
              "BEGIN; SAVEPOINT a; CREATE TABLE t(x); RELEASE a; COMMIT;",
              SQLITE_OK, 0);
  expectGuard("guard: BEGIN without COMMIT, then comments",
              "CREATE TABLE a(x);\nBEGIN  EXCLUSIVE;\nCREATE TABLE b(x);"
              "\n-- the end\n", SQLITE_ERROR, "BEGIN without a COMMIT in the "
              "script in: BEGIN EXCLUSIVE");
  expectGuard("guard: only comments", "-- nothing to do yet\n/* later */",
              SQLITE_OK, 0);
  expectGuard("guard: history",
              "CREATE TABLE t(a); UPDATE sqlmig_history SET up='x';",
              SQLITE_ERROR, "statements that change sqlmig_history are not "
              "allowed in a script in: UPDATE sqlmig_history SET up='x'");
  expectGuard("guard: first refusal wins", "VACUUM; ATTACH 'a' AS b;",
              SQLITE_ERROR, "VACUUM cannot run inside a transaction: run it after "
              "migrate() in: VACUUM");
  expectGuard("guard: unterminated string",
              "SELECT 1; INSERT INTO t VALUES('abc);", SQLITE_ERROR,
              "incomplete statement (unterminated string) in: "
              "INSERT INTO t VALUES('abc);");
  expectGuard("guard: unterminated comment", "SELECT 1; /* note;",
              SQLITE_ERROR,
              "incomplete statement (unterminated comment) in: /* note;");
  expectGuard("guard: unterminated identifier", "SELECT \"a;",
              SQLITE_ERROR,
              "incomplete statement (unterminated identifier) in: "
              "SELECT \"a;");
  expectGuard("guard: trigger without END",
              "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  SELECT 1;\n",
              SQLITE_ERROR, "incomplete statement (CREATE TRIGGER without "
              "END) in: CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;");
  expectGuard("guard: trailing comment is complete",
              "SELECT 1; -- done", SQLITE_OK, 0);
  {
    /* A length stops the guard: what follows is not the script's */
    char *zErr = 0;
    int rc = sqlmigScriptGuard("SELECT 1; COMMIT", 9, &zErr);
    check("guard: a length bounds the script", rc==SQLITE_OK && zErr==0,
          zErr ? zErr : "want SQLITE_OK");
    sqlite3_free(zErr);
    rc = sqlmigScriptGuard("BEGIN; SELECT 1; COMMIT; VACUUM", 24, &zErr);
    check("guard: a bounded script that balances", rc==SQLITE_OK && zErr==0,
          zErr ? zErr : "want SQLITE_OK");
    sqlite3_free(zErr);
  }
  {
    int rc = sqlmigScriptGuard("COMMIT", -1, 0);
    check("guard: NULL pzErr", rc==SQLITE_ERROR, "want SQLITE_ERROR");
  }
}

static void testBigScript(void){
  const int nStmt = 100000;
  sqlite3_str *pStr = sqlite3_str_new(0);
  char *zScript;
  int i, n, nGot, bOpen;
  char zWhy[100];
  for(i=0; i<nStmt; i++){
    switch( i%4 ){
      case 0:
        sqlite3_str_appendf(pStr, "INSERT INTO t VALUES(%d, 'a;b''c', "
                            "\"q;\"); -- note %d;\n", i, i);
        break;
      case 1:
        sqlite3_str_appendf(pStr, "/* %d; */ UPDATE t SET a = CASE WHEN a "
                            "THEN %d END WHERE b = 'x';\n", i, i);
        break;
      case 2:
        sqlite3_str_appendf(pStr, "CREATE TRIGGER tr%d AFTER INSERT ON t "
                            "BEGIN SELECT ';'; END;\n", i);
        break;
      default:
        sqlite3_str_appendf(pStr, "DELETE FROM t WHERE a = %d;;\n", i);
        break;
    }
  }
  n = sqlite3_str_length(pStr);
  zScript = sqlite3_str_finish(pStr);
  if( zScript==0 ){
    check("big: build script", 0, "out of memory");
    return;
  }
  snprintf(zWhy, sizeof(zWhy), "script is only %d bytes", n);
  check("big: script is over 5 MB", n>5*1000*1000, zWhy);
  nGot = countStmts(zScript, &bOpen);
  snprintf(zWhy, sizeof(zWhy), "got %d statements (open %d)", nGot, bOpen);
  check("big: 100k statements counted", nGot==nStmt && !bOpen, zWhy);
  expectGuard("big: guard accepts", zScript, SQLITE_OK, 0);
  sqlite3_free(zScript);

  /* One long statement: linear too. */
  pStr = sqlite3_str_new(0);
  sqlite3_str_appendall(pStr, "INSERT INTO t VALUES");
  for(i=0; i<nStmt; i++){
    sqlite3_str_appendf(pStr, "%s(%d, 'x')", i ? "," : "", i);
  }
  sqlite3_str_appendall(pStr, "; COMMIT;");
  zScript = sqlite3_str_finish(pStr);
  if( zScript==0 ){
    check("big: build long statement", 0, "out of memory");
    return;
  }
  expectGuard("big: long statement then COMMIT", zScript, SQLITE_ERROR,
              "COMMIT without a BEGIN in the script (migrate() commits the "
              "whole call itself) in: COMMIT");
  sqlite3_free(zScript);
}

static void testExcerpt(void){
  expectExcerpt("excerpt: short", "SELECT 1", -1, "SELECT 1");
  expectExcerpt("excerpt: drops trailing ;", "SELECT 1 ;  \n", -1, "SELECT 1");
  expectExcerpt("excerpt: skips leading comments and ;",
                " \n-- c\n/* d */ ; ;\tDROP  TABLE\n\n t", -1,
                "DROP TABLE t");
  expectExcerpt("excerpt: folds white space",
                "UPDATE\tt\r\n   SET a = 1", -1, "UPDATE t SET a = 1");
  expectExcerpt("excerpt: empty", "  ;  ", -1, "");
  expectExcerpt("excerpt: n bounds the text", "SELECT 1; SELECT 2", 8,
                "SELECT 1");
  expectExcerpt("excerpt: exactly 60",
                "123456789012345678901234567890123456789012345678901234567890",
                -1,
                "123456789012345678901234567890123456789012345678901234567890");
  expectExcerpt("excerpt: 61 is cut",
                "1234567890123456789012345678901234567890123456789012345678901",
                -1,
                "123456789012345678901234567890123456789012345678901234567890"
                "...");
  expectExcerpt("excerpt: cut after folding",
                "ALTR TABLE users          ADD COLUMN email TEXT NOT NULL "
                "DEFAULT '' CHECK (email LIKE '%@%')", -1,
                "ALTR TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '' C"
                "...");
  {
    /* 70 two-byte characters: 60 kept whole, 120 bytes. */
    char zIn[200], zWant[200];
    int i;
    for(i=0; i<70; i++){ zIn[2*i] = (char)0xc3; zIn[2*i+1] = (char)0xa9; }
    zIn[140] = 0;
    memcpy(zWant, zIn, 120);
    memcpy(zWant+120, "...", 4);
    expectExcerpt("excerpt: UTF-8 2-byte not split", zIn, -1, zWant);
    /* 59 ASCII then a 4-byte character then more. */
    memset(zIn, 'a', 59);
    memcpy(zIn+59, "\xf0\x9f\x98\x80" "bcd", 8);
    memcpy(zWant, zIn, 63);
    memcpy(zWant+63, "...", 4);
    expectExcerpt("excerpt: UTF-8 4-byte at the cut", zIn, -1, zWant);
    /* 60 ASCII then a 3-byte character: cut before it. */
    memset(zIn, 'a', 60);
    memcpy(zIn+60, "\xe2\x82\xac", 4);
    memcpy(zWant, zIn, 60);
    memcpy(zWant+60, "...", 4);
    expectExcerpt("excerpt: UTF-8 3-byte after the cut", zIn, -1, zWant);
  }
}

/*
** The checksum: pinned values (computed by an independent implementation
** of the definition in script.c; stored checksums must never change), then
** sensitivity: every single-bit change of a message changes it.
*/
static void testChecksum(void){
  static const struct { size_t n; const char *zHex; } aLen[] = {
    {    1, "a90ff63d1a1e4296" },
    {    7, "900a92522bdbe193" },
    {    8, "19473515e18a836e" },
    {    9, "24e57a6128b8bb88" },
    {   15, "8d83c46ebe3f9dde" },
    {   16, "64acd094b4fc3e21" },
    {   17, "66d8bedbc76d4763" },
    {   63, "da9694083adf3c81" },
    {   64, "d6ce0f4602e56883" },
    {   65, "fed07c94defc20d6" },
    { 1000, "65ed3b0060ce7078" }
  };
  unsigned char aBuf[1000];
  char *zMillion;
  size_t k;

  expectChecksum("checksum: empty", "", 0, "500faaaee3ad846f");
  expectChecksum("checksum: abc", "abc", 3, "6b0334ee11c6338d");
  expectChecksum("checksum: 8 bytes", "12345678", 8, "c2bd6e44a1df1261");
  expectChecksum("checksum: 9 bytes", "123456789", 9, "ee42cf02f7809b07");
  for(k=0; k<sizeof(aBuf); k++) aBuf[k] = (unsigned char)(k*7+3);
  for(k=0; k<sizeof(aLen)/sizeof(aLen[0]); k++){
    char zName[64];
    snprintf(zName, sizeof(zName), "checksum: %d bytes", (int)aLen[k].n);
    expectChecksum(zName, aBuf, aLen[k].n, aLen[k].zHex);
  }
  {
    /* 40 bytes, each of its 320 bits flipped in turn: 321 distinct values,
    ** and a trailing NUL byte is not the same as the shorter message */
    static char aSeen[321][17];
    unsigned char aMsg[41];
    int nDup = 0, i, j;
    memcpy(aMsg, "CREATE TABLE users(id INTEGER PRIMARY K", 40);
    aMsg[40] = 0;
    scriptChecksumV1(aMsg, 40, aSeen[0]);
    for(i=0; i<320; i++){
      aMsg[i/8] ^= (unsigned char)(1<<(i%8));
      scriptChecksumV1(aMsg, 40, aSeen[i+1]);
      aMsg[i/8] ^= (unsigned char)(1<<(i%8));
    }
    for(i=0; i<321; i++){
      for(j=0; j<i; j++) nDup += strcmp(aSeen[i], aSeen[j])==0;
    }
    check("checksum: every one-bit change shows", nDup==0, "duplicates");
    {
      char zA[17];
      scriptChecksumV1(aMsg, 41, zA);
      check("checksum: length counts", strcmp(zA, aSeen[0])!=0, zA);
    }
  }
  zMillion = malloc(1000000);
  if( zMillion==0 ){
    check("checksum: one million a", 0, "out of memory");
    return;
  }
  memset(zMillion, 'a', 1000000);
  expectChecksum("checksum: one million a", zMillion, 1000000, "6da7aed9cbc9e661");
  free(zMillion);
}

/* The checksum (version 2) of the NUL-terminated script z. */
static void checksumOf(const char *z, char *zOut){
  sqlmigChecksum(z, (int)strlen(z), zOut);
}

/*
** Version 2: white space, comments and stray or trailing semicolons do
** not count; any token does. Its values are pinned: databases store them.
*/
static void testCanonicalChecksum(void){
  static const char *const azSame[] = {
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);",
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)",
    "  CREATE TABLE users ( id INTEGER PRIMARY KEY , name TEXT ) ;;\n",
    "-- users\nCREATE TABLE users(id INTEGER PRIMARY KEY, /* pk */ name TEXT);"
    "\n-- done\n",
    ";; CREATE\tTABLE\r\nusers(id INTEGER PRIMARY KEY,name TEXT);;;",
  };
  static const char *const azOther[] = {
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, x);",
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name BLOB);",
    "create table users(id INTEGER PRIMARY KEY, name TEXT);",
    "CREATE TABLE \"users\"(id INTEGER PRIMARY KEY, name TEXT);",
    "CREATE TABLE users(id INTEGER PRIMARY KEY, nameTEXT);",
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); SELECT 1;",
  };
  char zA[SQLMIG_CHECKSUM_LEN+1], zB[SQLMIG_CHECKSUM_LEN+1];
  char zWhy[200];
  size_t k;
  checksumOf(azSame[0], zA);
  check("checksum v2: pinned value", strcmp(zA, "v2:780a1b69b305c806")==0,
        zA);
  for(k=1; k<sizeof(azSame)/sizeof(azSame[0]); k++){
    checksumOf(azSame[k], zB);
    snprintf(zWhy, sizeof(zWhy), "%s vs %s for: %s", zA, zB, azSame[k]);
    check("checksum v2: cosmetic edit keeps it", strcmp(zA, zB)==0, zWhy);
  }
  for(k=0; k<sizeof(azOther)/sizeof(azOther[0]); k++){
    checksumOf(azOther[k], zB);
    snprintf(zWhy, sizeof(zWhy), "same %s for: %s", zB, azOther[k]);
    check("checksum v2: token change shows", strcmp(zA, zB)!=0, zWhy);
  }
  checksumOf("SELECT 'a  b'", zA);
  checksumOf("SELECT 'a b'", zB);
  check("checksum v2: white space in a literal counts", strcmp(zA, zB)!=0,
        zA);
  checksumOf("SELECT 1; SELECT 2", zA);
  checksumOf("SELECT 1 SELECT 2", zB);
  check("checksum v2: a semicolon between statements counts",
        strcmp(zA, zB)!=0, zA);
  checksumOf("SELECT a<=b", zA);
  checksumOf("SELECT a< =b", zB);
  check("checksum v2: operators are whole tokens", strcmp(zA, zB)!=0, zA);
  checksumOf("", zA);
  checksumOf(" -- only a comment\n;", zB);
  check("checksum v2: empty and comment-only agree",
        strcmp(zA, zB)==0 && strcmp(zA, "v2:226b19a32b839487")==0, zB);
  check("checksum v2: matches its own", sqlmigChecksumMatches("SELECT 1;", 9,
        "v2:" "0000000000000000")==0, "a wrong value matched");
  checksumOf("SELECT 1", zA);
  check("checksum v2: verified", sqlmigChecksumMatches("SELECT  1;", 10, zA),
        zA);
  check("checksum: NULL stored never matches",
        sqlmigChecksumMatches("SELECT 1", 8, 0)==0, "matched NULL");
}

/*
** Fails each allocation of the guard and the excerpt in turn: every run
** returns SQLITE_NOMEM or the normal answer, and nothing leaks.
*/
static void testOom(void){
  static const char zScript[] = "CREATE TABLE t(a);\n SAVEPOINT a;"
    " SAVEPOINT b; SAVEPOINT c; SAVEPOINT d; SAVEPOINT e; ROLLBACK  TO x;";
  static const char zWant[] =
    "ROLLBACK TO a savepoint the script did not open in: ROLLBACK TO x";
  sqlite3_int64 nBefore = sqlite3_memory_used();
  int i, bOk = 1, nNomem = 0;
  char zWhy[300] = "";
  for(i=1; i<20; i++){
    char *zErr = 0;
    int rc;
    nAllocs = 0;
    iFailAt = i;
    rc = sqlmigScriptGuard(zScript, -1, &zErr);
    iFailAt = 0;
    if( rc==SQLITE_NOMEM && zErr==0 ){
      nNomem++;
    }else if( rc!=SQLITE_ERROR || !sameText(zErr, zWant) ){
      snprintf(zWhy, sizeof(zWhy), "fail at %d: rc %d \"%s\"", i, rc,
               zErr ? zErr : "(null)");
      bOk = 0;
    }
    sqlite3_free(zErr);
    if( rc!=SQLITE_NOMEM ) break;
  }
  if( bOk && nNomem==0 ) snprintf(zWhy, sizeof(zWhy), "no failure seen");
  check("oom: guard returns NOMEM or the error", bOk && nNomem>0, zWhy);
  snprintf(zWhy, sizeof(zWhy), "%lld bytes leaked",
           (long long)(sqlite3_memory_used() - nBefore));
  check("oom: nothing leaked", sqlite3_memory_used()==nBefore, zWhy);
  iFailAt = 1;
  nAllocs = 0;
  {
    char *z = sqlmigExcerpt("SELECT 1", 8);
    iFailAt = 0;
    check("oom: excerpt returns NULL", z==0, "got a string");
    sqlite3_free(z);
  }
}

/*
** Walks valid scripts with sqlite3_prepare_v2() and its tail pointer and
** checks that every statement ends where sqlmigStmtLength() says.
*/
static void testAgreesWithSqlite(void){
  static const char *const azScript[] = {
    "CREATE TABLE t(a, \"end\", b);\n"
    "CREATE TABLE log(x);\n"
    "CREATE TRIGGER begin AFTER INSERT ON t\n"
    "  WHEN CASE WHEN new.a THEN 1 END BEGIN\n"
    "  UPDATE t SET b = CASE new.a WHEN 1 THEN 'one;' ELSE\n"
    "    CASE WHEN 1 THEN 2 END END WHERE rowid = new.rowid;\n"
    "  INSERT INTO log SELECT end FROM t\n"
    "    WHERE end IS NULL OR CASE WHEN end THEN 1 END;\n"
    "END;\n"
    "INSERT INTO t VALUES(1, 'BEGIN;', x'3b3b'); -- END;\n"
    "/* CREATE TRIGGER x; */ SELECT \"end\", [end], `end` FROM t;\n"
    "CREATE TEMP TRIGGER tt BEFORE DELETE ON log BEGIN\n"
    "  SELECT RAISE(ABORT, 'no; END;');\n"
    "END;\n"
    "SELECT CASE WHEN 1 THEN 'END' END;\n"
    "WITH c(n) AS (SELECT 1) SELECT n FROM c;",

    "CREATE TABLE \"begin\"(\"commit\" TEXT DEFAULT 'x;y');"
    "CREATE TRIGGER IF NOT EXISTS \"tr;\" AFTER UPDATE OF \"commit\" "
    "ON \"begin\" FOR EACH ROW BEGIN DELETE FROM \"begin\" "
    "WHERE \"commit\" = CASE old.\"commit\" WHEN ';' THEN 'a' END; END;"
    "DROP TRIGGER \"tr;\";DROP TABLE \"begin\";",
  };
  size_t k;
  for(k=0; k<sizeof(azScript)/sizeof(azScript[0]); k++){
    sqlite3 *db = 0;
    const char *z = azScript[k];
    int n = (int)strlen(z), i = 0, bOk = 1, nStmt = 0;
    char zName[64], zWhy[200] = "";
    snprintf(zName, sizeof(zName), "agree: script %d splits like SQLite",
             (int)k+1);
    if( sqlite3_open(":memory:", &db)!=SQLITE_OK ){
      check(zName, 0, "cannot open a database");
      sqlite3_close(db);
      continue;
    }
    while( bOk && i<n ){
      sqlite3_stmt *pStmt = 0;
      const char *zTail = 0;
      int bOpen;
      int nLen = sqlmigStmtLength(z+i, n-i, &bOpen);
      int rc = sqlite3_prepare_v2(db, z+i, n-i, &pStmt, &zTail);
      if( rc!=SQLITE_OK ){
        snprintf(zWhy, sizeof(zWhy), "statement %d: %s", nStmt+1,
                 sqlite3_errmsg(db));
        bOk = 0;
      }else if( pStmt==0 ){
        break;
      }else{
        while( sqlite3_step(pStmt)==SQLITE_ROW ){}
        if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
          snprintf(zWhy, sizeof(zWhy), "statement %d: %s", nStmt+1,
                   sqlite3_errmsg(db));
          bOk = 0;
        }else if( (int)(zTail - z) != i+nLen || bOpen ){
          snprintf(zWhy, sizeof(zWhy), "statement %d: SQLite ends it at %d, "
                   "sqlmigStmtLength at %d (open %d)", nStmt+1,
                   (int)(zTail - z), i+nLen, bOpen);
          bOk = 0;
        }
      }
      nStmt++;
      i += nLen;
    }
    check(zName, bOk, zWhy);
    sqlite3_close(db);
  }
}

/* Tiny deterministic generator for the random scripts below. */
static unsigned int nextRandom(unsigned int *pSeed){
  *pSeed = *pSeed * 1103515245u + 12345u;
  return (*pSeed >> 8) & 0xffffff;
}

/*
** Random scripts made of the pieces that matter to the tokenizer: every
** function terminates, stays in bounds and agrees with the others.
*/
static void testRandomScripts(void){
  static const char *const azPiece[] = {
    "'", "\"", "[", "]", "`", "--", "\n", "/*", "*/", ";", " ", "BEGIN",
    "end", "CASE", "CREATE", "TRIGGER", "temp", "x'", "sqlmig_history",
    "PRAGMA", ".", "foreign_keys", "\xc3\xa9", "\xff", "(", ")", "COMMIT",
    "SELECT", "VIEW", "WITH", "=", "''", "INSERT INTO", "\t",
  };
  const int nPiece = (int)(sizeof(azPiece)/sizeof(azPiece[0]));
  unsigned int seed = 42;
  int iRun, bOk = 1;
  char zWhy[300] = "";
  for(iRun=0; bOk && iRun<3000; iRun++){
    char zScript[2000];
    int n = 0, nPart = (int)(nextRandom(&seed) % 80), j, i = 0;
    char *zErr = 0;
    int rc;
    for(j=0; j<nPart; j++){
      const char *zP = azPiece[nextRandom(&seed) % (unsigned)nPiece];
      size_t nP = strlen(zP);
      memcpy(zScript+n, zP, nP);
      n += (int)nP;
    }
    zScript[n] = 0;
    while( bOk && i<n ){
      int bOpen;
      int nLen = sqlmigStmtLength(zScript+i, n-i, &bOpen);
      char *zEx = sqlmigExcerpt(zScript+i, nLen);
      if( nLen<1 || nLen>n-i || (bOpen && nLen!=n-i) ){
        snprintf(zWhy, sizeof(zWhy), "run %d: length %d at %d of %d", iRun,
                 nLen, i, n);
        bOk = 0;
      }else if( zEx==0 || strlen(zEx)>60*4+3 ){
        snprintf(zWhy, sizeof(zWhy), "run %d: bad excerpt", iRun);
        bOk = 0;
      }
      {
        SqlmigGuard g;
        const char *zW;
        int eA;
        memset(&g, 0, sizeof(g));
        (void)sqlmigGuardStmt(&g, zScript+i, nLen, &eA, &zW);
        sqlmigGuardFree(&g);
      }
      sqlite3_free(zEx);
      i += nLen;
    }
    rc = sqlmigScriptGuard(zScript, -1, &zErr);
    if( bOk && !((rc==SQLITE_OK && zErr==0)
              || (rc==SQLITE_ERROR && zErr && strstr(zErr, " in: "))) ){
      snprintf(zWhy, sizeof(zWhy), "run %d: guard rc %d \"%s\"", iRun, rc,
               zErr ? zErr : "(null)");
      bOk = 0;
    }
    sqlite3_free(zErr);
  }
  check("random: 3000 scripts split, refuse and excerpt sanely", bOk, zWhy);
}

/*
** The checksum as version 2 defines it, one sqlmigToken() call per token:
** sqlmigChecksum reads the common shapes (words, white space, ( ) ,)
** itself for speed and must give the same value for every text. Pieces
** of every lexical shape, glued with and without white space, and cut at
** random points (open literals and comments at the end).
*/
#define REF_K1 0x9e3779b97f4a7c15ULL   /* checksum.c's constants */
#define REF_K2 0xc2b2ae3d27d4eb4fULL
#define REF_K3 0xff51afd7ed558ccdULL
static void refChecksum(const char *zIn, int n, char *zOut){
  const unsigned char *z = (const unsigned char*)zIn;
  sqlite3_str *pCanon = sqlite3_str_new(0);
  char *zCanon;
  ScriptHash hash;
  int i = 0, bFirst = 1, bSemi = 0;
  while( i<n ){
    int eType, eOpen;
    int nTok = sqlmigToken(z+i, n-i, &eType, &eOpen);
    if( eType==SQLMIG_TK_SEMI ){
      bSemi = !bFirst;
    }else if( eType!=SQLMIG_TK_SPACE && eType!=SQLMIG_TK_COMMENT ){
      if( bSemi ) sqlite3_str_appendall(pCanon, " ;");
      if( !bFirst ) sqlite3_str_appendchar(pCanon, 1, ' ');
      sqlite3_str_append(pCanon, (const char*)z+i, nTok);
      bFirst = 0;
      bSemi = 0;
    }
    i += nTok;
  }
  n = sqlite3_str_length(pCanon);
  zCanon = sqlite3_str_finish(pCanon);
  memset(&hash, 0, sizeof(hash));
  hash.h = REF_K3 ^ REF_K2;
  scriptHashFeed(&hash, (const unsigned char*)(zCanon ? zCanon : ""), n);
  if( hash.nBuf>0 ){
    hash.h = scriptMix(hash.h, scriptWord(hash.aBuf, (size_t)hash.nBuf)
                               ^ ((uint64_t)hash.nBuf<<59));
  }
  hash.h ^= hash.nTotal * REF_K1;
  memcpy(zOut, "v2:", 3);
  scriptHex(hash.h, zOut+3);
  sqlite3_free(zCanon);
}

static void testChecksumFastPath(void){
  static const char *const azPiece[] = {
    "CREATE", "table", "t1", "x", "X", "xy", "_a", "a$b", "a1", "\xc3\xa9t\xc3\xa9",
    "x'00ff'", "X''", "x'", "'str'", "'it''s'", "'", "\"q\"", "\"a\"\"b\"",
    "[b c]", "`c`", "--c\n", "-- end", "/* c */", "/*", "1", "1.5e-3", "0x1F",
    ".5", "?1", ":a", "@a", "$a", "$", "<=", ">=", "<>", "!=", "==", "||",
    "->>", "->", "-", "+", "*", "/", ".", ";", ";;", "(", ")", ",", " ",
    "\t", "\n", "\r\n", "\f", "\x01", "\x7f", "\x80", "\xff",
  };
  const int nPiece = (int)(sizeof(azPiece)/sizeof(azPiece[0]));
  unsigned int seed = 12345;
  int iCase, nBad = 0;
  char zWhy[300];
  zWhy[0] = 0;
  for(iCase=0; iCase<20000; iCase++){
    char zBuf[400];
    char zA[SQLMIG_CHECKSUM_LEN+1], zB[SQLMIG_CHECKSUM_LEN+1];
    int n = 0, k, nCut;
    int nTok = 1 + (int)((seed = seed*1103515245u + 12345u)>>16) % 24;
    for(k=0; k<nTok; k++){
      const char *zP;
      int nP;
      seed = seed*1103515245u + 12345u;
      zP = azPiece[(seed>>16) % (unsigned)nPiece];
      nP = (int)strlen(zP);
      if( n+nP+1>=(int)sizeof(zBuf) ) break;
      memcpy(zBuf+n, zP, (size_t)nP);
      n += nP;
      if( (seed>>8) & 1 ) zBuf[n++] = ' ';
    }
    seed = seed*1103515245u + 12345u;
    nCut = (seed>>16) % 4==0 ? (int)((seed>>4) % (unsigned)(n+1)) : n;
    sqlmigChecksum(zBuf, nCut, zA);
    refChecksum(zBuf, nCut, zB);
    if( strcmp(zA, zB)!=0 ){
      if( nBad++==0 ){
        snprintf(zWhy, sizeof(zWhy), "case %d: %s vs %s for \"%.*s\"", iCase,
                 zA, zB, nCut, zBuf);
      }
    }
  }
  check("checksum v2: the fast path agrees with one token at a time "
        "(20000 texts)", nBad==0, zWhy);
}

int main(void){
  sqlite3_mem_methods fault;
  if( sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sysMem)!=SQLITE_OK ){
    printf("not ok - setup: SQLITE_CONFIG_GETMALLOC failed\n");
    return 1;
  }
  fault = sysMem;
  fault.xMalloc = faultMalloc;
  fault.xRealloc = faultRealloc;
  if( sqlite3_config(SQLITE_CONFIG_MALLOC, &fault)!=SQLITE_OK ){
    printf("not ok - setup: SQLITE_CONFIG_MALLOC failed\n");
    return 1;
  }
  testSplit();
  testRefusal();
  testGuard();
  testExcerpt();
  testChecksum();
  testCanonicalChecksum();
  testChecksumFastPath();
  testAgreesWithSqlite();
  testRandomScripts();
  testBigScript();
  testOom();
  sqlite3_shutdown();
  return nFailed ? 1 : 0;
}
