/*
** sqlmig: schema snapshots, their comparison, and drift.
**
**   SELECT * FROM migrate_drift();
**
** A snapshot is the objects of main's sqlite_master (type, name, tbl_name,
** sql), sorted, sqlmig's own and SQLite's internal ones marked to be left
** out of comparisons (bSkip). Objects are shared and counted, so that a
** copy of a snapshot costs one pointer per object; each has a
** canonical text of its sql: tokens (token.c) one space apart, comments
** dropped, bare and quoted names unquoted and folded to lower case, so that
** `CREATE TABLE "notes"` (what SQLite writes after a RENAME) equals
** `CREATE TABLE notes`. Two snapshots compare object by object; a table
** whose text differs is compared column by column (pragma_table_xinfo of
** the live database against the recorded text created in a private
** in-memory database), so that a difference is told in the words of
** migrate_changes: `column "users"."email" left behind`.
**
** migrate() records the schema it leaves in main.sqlmig_schema (one INSERT
** ... SELECT from sqlite_master); migrate_drift() lists what changed since.
** migrate_check (check.c) compares a snapshot taken before a revision's up
** with one after its down.
*/
#include "sqlmig_int.h"

#define SCHEMA_TABLE SQLMIG_SCHEMA
#define OBJECTS_WHERE \
  "sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' " \
  "AND name<>'sqlmig' AND name NOT LIKE 'sqlmig\\_%' ESCAPE '\\'"

/* Only the recording is needed by a build that leaves the diff, drift
** and check out (-DSQLMIG_OMIT_DIFF): migrate() still records the schema,
** so a full build's migrate_drift() reads the same history. */
#ifndef SQLMIG_OMIT_DIFF
void sqlmigObjUnref(SqlmigObj *o){
  if( o && --o->nRef==0 ){
    sqlite3_free(o->zType);
    sqlite3_free(o->zName);
    sqlite3_free(o->zTbl);
    sqlite3_free(o->zSql);
    sqlite3_free(o->zCanon);
    sqlite3_free(o);
  }
}

void sqlmigSnapFree(SqlmigSnap *p){
  int i;
  if( p==0 ) return;
  for(i=0; i<p->n; i++) sqlmigObjUnref(p->ap[i]);
  sqlite3_free(p->ap);
  sqlite3_free(p);
}

int sqlmigSnapAdd(SqlmigSnap *p, int i, SqlmigObj *o){
  if( p->n==p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 32;
    SqlmigObj **apNew = sqlite3_realloc64(p->ap, nNew*sizeof(SqlmigObj*));
    if( apNew==0 ) return SQLITE_NOMEM;
    p->ap = apNew;
    p->nAlloc = nNew;
  }
  memmove(&p->ap[i+1], &p->ap[i], (p->n-i)*sizeof(SqlmigObj*));
  p->ap[i] = o;
  o->nRef++;
  p->n++;
  return SQLITE_OK;
}

/*
** The canonical text of statement z: tokens one space apart, white space
** and comments dropped, names unquoted and in lower case, literals as
** written. NULL when out of memory.
*/
static char *canonText(const char *z){
  const unsigned char *u = (const unsigned char*)z;
  int n = (int)strlen(z), i = 0;
  sqlite3_str *p = sqlite3_str_new(0);
  while( i<n ){
    int eType, eOpen, k;
    int len = sqlmigToken(u+i, n-i, &eType, &eOpen);
    if( eType==SQLMIG_TK_SPACE || eType==SQLMIG_TK_COMMENT ){
      i += len;
      continue;
    }
    if( sqlite3_str_length(p) ) sqlite3_str_appendchar(p, 1, ' ');
    if( eType==SQLMIG_TK_WORD ){
      for(k=0; k<len; k++){
        unsigned char c = u[i+k];
        sqlite3_str_appendchar(p, 1, (char)(c>='A' && c<='Z' ? c+32 : c));
      }
    }else if( eType==SQLMIG_TK_QUOTED && len>=2 ){
      unsigned char cEnd = u[i]=='[' ? ']' : u[i];
      for(k=1; k<len-1; k++){
        unsigned char c = u[i+k];
        if( c==cEnd && cEnd!=']' ) k++;          /* a doubled quote */
        sqlite3_str_appendchar(p, 1, (char)(c>='A' && c<='Z' ? c+32 : c));
      }
    }else{
      sqlite3_str_append(p, z+i, len);
    }
    i += len;
  }
  if( sqlite3_str_errcode(p) ){
    sqlite3_free(sqlite3_str_finish(p));
    return 0;
  }
  {
    char *zOut = sqlite3_str_finish(p);
    return zOut ? zOut : sqlite3_mprintf("");
  }
}

/* A copy of column i of pStmt ("" for NULL); NULL when out of memory. */
static char *colDup(sqlite3_stmt *pStmt, int i){
  const char *z = (const char*)sqlite3_column_text(pStmt, i);
  return sqlite3_mprintf("%s", z ? z : "");
}

/* 1 for an object snapshots leave out: SQLite's own, sqlmig's, no sql. */
static int objSkipped(const char *zName, const char *zSql){
  return zSql==0 || sqlite3_strnicmp(zName, "sqlite_", 7)==0
      || sqlite3_stricmp(zName, "sqlmig")==0
      || sqlite3_strnicmp(zName, "sqlmig_", 7)==0;
}

SqlmigObj *sqlmigObjNew(sqlite3_stmt *pStmt){
  SqlmigObj *o = sqlite3_malloc64(sizeof(*o));
  const char *zName = (const char*)sqlite3_column_text(pStmt, 1);
  const char *zSql = (const char*)sqlite3_column_text(pStmt, 3);
  if( o==0 ) return 0;
  memset(o, 0, sizeof(*o));
  o->nRef = 0;
  o->iRowid = sqlite3_column_int64(pStmt, 4);
  o->bSkip = objSkipped(zName ? zName : "", zSql);
  o->zType = colDup(pStmt, 0);
  o->zName = colDup(pStmt, 1);
  o->zTbl = colDup(pStmt, 2);
  o->zSql = colDup(pStmt, 3);
  o->zCanon = o->zSql ? canonText(o->zSql) : 0;
  if( !o->zType || !o->zName || !o->zTbl || !o->zSql || !o->zCanon ){
    o->nRef = 1;
    sqlmigObjUnref(o);
    return 0;
  }
  return o;
}

int sqlmigObjCmp(const SqlmigObj *a, const SqlmigObj *b){
  int c = strcmp(a->zType, b->zType);
  return c ? c : sqlite3_stricmp(a->zName, b->zName);
}

/*
** Runs zSql (rows type, name, tbl_name, sql, rowid, sorted by type then
** name ignoring case) into a new snapshot; objects snapshots leave out are
** kept only when bAll.
*/
static int snapRead(sqlite3 *db, const char *zSql, int bAll,
                    SqlmigSnap **ppSnap){
  SqlmigSnap *p = sqlite3_malloc64(sizeof(*p));
  sqlite3_stmt *pStmt = 0;
  int rc;
  *ppSnap = 0;
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    SqlmigObj *o = sqlmigObjNew(pStmt);
    rc = SQLITE_OK;
    if( o==0 ){ rc = SQLITE_NOMEM; break; }
    if( o->bSkip && !bAll ){
      o->nRef = 1;
      sqlmigObjUnref(o);
      continue;
    }
    rc = sqlmigSnapAdd(p, p->n, o);
    if( rc!=SQLITE_OK ){
      o->nRef = 1;
      sqlmigObjUnref(o);
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ) rc = sqlmigErrcode(db, rc);
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){
    sqlmigSnapFree(p);
    return rc;
  }
  *ppSnap = p;
  return SQLITE_OK;
}

int sqlmigSnapTake(sqlite3 *db, int bAll, SqlmigSnap **pp){
  return snapRead(db, "SELECT type, name, tbl_name, sql, rowid FROM main."
      "sqlite_master ORDER BY type, name COLLATE NOCASE", bAll, pp);
}

int sqlmigSnapEqual(const SqlmigSnap *a, const SqlmigSnap *b){
  int i, j;
  for(i=0, j=0; i<a->n || j<b->n; i++, j++){
    while( i<a->n && a->ap[i]->bSkip ) i++;
    while( j<b->n && b->ap[j]->bSkip ) j++;
    if( i>=a->n || j>=b->n ){
      if( i<a->n || j<b->n ) return 0;
      break;
    }
    if( a->ap[i]!=b->ap[j] && (sqlmigObjCmp(a->ap[i], b->ap[j])
        || strcmp(a->ap[i]->zCanon, b->ap[j]->zCanon)) ){
      return 0;
    }
  }
  return 1;
}

/* ------------------------------------------------------------ differences */

void sqlmigDeltasFree(SqlmigDeltas *p){
  int i;
  for(i=0; i<p->n; i++){
    sqlite3_free(p->a[i].zObject);
    sqlite3_free(p->a[i].zDetail);
  }
  sqlite3_free(p->a);
  memset(p, 0, sizeof(*p));
}

/* The kind of a difference, as a static string (objects do not last). */
static const char *kindOf(const char *zType){
  static const char *const az[] = { "table", "index", "view", "trigger" };
  size_t i;
  for(i=0; i<sizeof(az)/sizeof(az[0]); i++){
    if( strcmp(zType, az[i])==0 ) return az[i];
  }
  return "object";
}

/* Adds one difference; takes zObject and zDetail (NULL: out of memory). */
static int deltaAdd(SqlmigDeltas *p, const char *zKind, char *zObject,
                    const char *zChange, char *zDetail){
  SqlmigDelta *d;
  if( zObject==0 || zDetail==0 ){
    sqlite3_free(zObject);
    sqlite3_free(zDetail);
    return SQLITE_NOMEM;
  }
  if( p->n==p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 8;
    SqlmigDelta *aNew = sqlite3_realloc64(p->a, nNew*sizeof(SqlmigDelta));
    if( aNew==0 ){
      sqlite3_free(zObject);
      sqlite3_free(zDetail);
      return SQLITE_NOMEM;
    }
    p->a = aNew;
    p->nAlloc = nNew;
  }
  d = &p->a[p->n++];
  d->zKind = kindOf(zKind);
  d->zObject = zObject;
  d->zChange = zChange;
  d->zDetail = zDetail;
  return SQLITE_OK;
}

/* One column as pragma_table_xinfo tells it. */
typedef struct SnapCol SnapCol;
struct SnapCol {
  char *zName;
  char *zDef;              /* "TEXT NOT NULL DEFAULT 'x'" */
};

static void colsFree(SnapCol *a, int n){
  int i;
  for(i=0; i<n; i++){
    sqlite3_free(a[i].zName);
    sqlite3_free(a[i].zDef);
  }
  sqlite3_free(a);
}

/* The columns of table zTab of db's main. */
static int colsRead(sqlite3 *db, const char *zTab, SnapCol **paCol,
                    int *pnCol){
  sqlite3_stmt *pStmt = 0;
  SnapCol *a = 0;
  int n = 0, nAlloc = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT name, type, \"notnull\", dflt_value,"
      " pk FROM pragma_table_xinfo(?1, 'main') ORDER BY cid", -1, &pStmt, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_bind_text(pStmt, 1, zTab, -1, SQLITE_STATIC);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zDflt = (const char*)sqlite3_column_text(pStmt, 3);
    rc = SQLITE_OK;
    if( n==nAlloc ){
      SnapCol *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 16;
      aNew = sqlite3_realloc64(a, nAlloc*sizeof(SnapCol));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      a = aNew;
    }
    a[n].zName = colDup(pStmt, 0);
    a[n].zDef = sqlite3_mprintf("%s%s%s%s%s",
        zType && zType[0] ? zType : "(no type)",
        sqlite3_column_int(pStmt, 2) ? " NOT NULL" : "",
        zDflt ? " DEFAULT " : "", zDflt ? zDflt : "",
        sqlite3_column_int(pStmt, 4) ? " PRIMARY KEY" : "");
    n++;
    if( a[n-1].zName==0 || a[n-1].zDef==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){
    colsFree(a, n);
    return rc;
  }
  *paCol = a;
  *pnCol = n;
  return SQLITE_OK;
}

static const SnapCol *colFind(const SnapCol *a, int n, const char *zName){
  int i;
  for(i=0; i<n; i++){
    if( sqlite3_stricmp(a[i].zName, zName)==0 ) return &a[i];
  }
  return 0;
}

/* The words of one comparison: before up / after down, or drift. */
typedef struct Words Words;
struct Words {
  const char *zExtra;      /* an object only in the live schema */
  const char *zMissing;    /* an object only in the reference */
};
static const Words aWords[2] = {
  { "left behind", "missing" },                             /* check */
  { "created outside migrate()", "dropped outside migrate()" },  /* drift */
};

/*
** Compares table zTab's columns: the reference's (rebuilt from zRefSql in
** the scratch database) against the live one's.
*/
static int tableDeltas(sqlite3 *dbLive, sqlite3 **pdbScratch,
                       const SqlmigObj *pRef, const SqlmigObj *pLive,
                       int eWords,
                       SqlmigDeltas *pOut){
  const Words *w = &aWords[eWords];
  SnapCol *aRef = 0, *aLive = 0;
  int nRef = 0, nLive = 0, i, nBefore = pOut->n, rc;
  if( *pdbScratch==0 ){
    rc = sqlite3_open_v2(":memory:", pdbScratch,
                         SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
    if( rc!=SQLITE_OK ) return rc==SQLITE_NOMEM ? rc : SQLITE_NOMEM;
  }
  rc = sqlite3_exec(*pdbScratch, pRef->zSql, 0, 0, 0);
  if( rc==SQLITE_OK ) rc = colsRead(*pdbScratch, pRef->zName, &aRef, &nRef);
  if( rc==SQLITE_OK ) rc = colsRead(dbLive, pLive->zName, &aLive, &nLive);
  if( rc==SQLITE_NOMEM ) goto done;
  if( rc!=SQLITE_OK ){
    rc = SQLITE_OK;                /* columns unknown: the table as a whole */
    goto whole;
  }
  for(i=0; rc==SQLITE_OK && i<nLive; i++){
    const SnapCol *c = colFind(aRef, nRef, aLive[i].zName);
    if( c==0 ){
      rc = deltaAdd(pOut, "table", sqlite3_mprintf("%s", pLive->zName),
          eWords ? "add column" : "left behind", sqlite3_mprintf(
          "column \"%w\".\"%w\" %s", pLive->zName, aLive[i].zName,
          eWords ? "added outside migrate()" : w->zExtra));
    }else if( strcmp(c->zDef, aLive[i].zDef) ){
      rc = deltaAdd(pOut, "table", sqlite3_mprintf("%s", pLive->zName),
          eWords ? "alter column" : "differs", sqlite3_mprintf(
          "column \"%w\".\"%w\" was %s, is %s", pLive->zName,
          aLive[i].zName, c->zDef, aLive[i].zDef));
    }
  }
  for(i=0; rc==SQLITE_OK && i<nRef; i++){
    if( colFind(aLive, nLive, aRef[i].zName) ) continue;
    rc = deltaAdd(pOut, "table", sqlite3_mprintf("%s", pLive->zName),
        eWords ? "drop column" : "missing", sqlite3_mprintf(
        "column \"%w\".\"%w\" %s", pLive->zName, aRef[i].zName,
        eWords ? "dropped outside migrate()" : w->zMissing));
  }

whole:
  if( rc==SQLITE_OK && pOut->n==nBefore ){
    /* Same columns: a constraint, a collation, the column order ... */
    rc = deltaAdd(pOut, "table", sqlite3_mprintf("%s", pLive->zName),
        eWords ? "rebuild" : "differs", sqlite3_mprintf("table \"%w\" "
        "definition differs: was %s; is %s", pLive->zName, pRef->zSql,
        pLive->zSql));
  }
done:
  if( *pdbScratch ){
    char *zDrop = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\"", pRef->zName);
    if( zDrop ) sqlite3_exec(*pdbScratch, zDrop, 0, 0, 0);
    sqlite3_free(zDrop);
  }
  colsFree(aRef, nRef);
  colsFree(aLive, nLive);
  return rc;
}

int sqlmigSnapCompare(sqlite3 *dbLive, const SqlmigSnap *pRef,
                      const SqlmigSnap *pLive, int eWords,
                      SqlmigDeltas *pOut){
  const Words *w = &aWords[eWords];
  sqlite3 *dbScratch = 0;
  int i = 0, j = 0, rc = SQLITE_OK;
  while( rc==SQLITE_OK && (i<pRef->n || j<pLive->n) ){
    const SqlmigObj *r = i<pRef->n ? pRef->ap[i] : 0;
    const SqlmigObj *l = j<pLive->n ? pLive->ap[j] : 0;
    int c;
    if( r && r->bSkip ){ i++; continue; }
    if( l && l->bSkip ){ j++; continue; }
    c = r==0 ? 1 : l==0 ? -1 : sqlmigObjCmp(r, l);
    if( c<0 ){
      rc = deltaAdd(pOut, r->zType, sqlite3_mprintf("%s", r->zName),
          eWords ? "drop" : "missing", sqlite3_mprintf("%s \"%w\" %s",
          r->zType, r->zName, w->zMissing));
      i++;
    }else if( c>0 ){
      rc = deltaAdd(pOut, l->zType, sqlite3_mprintf("%s", l->zName),
          eWords ? "create" : "left behind", sqlite3_mprintf("%s \"%w\" %s",
          l->zType, l->zName, w->zExtra));
      j++;
    }else{
      if( r!=l && strcmp(r->zCanon, l->zCanon)!=0 ){
        if( strcmp(r->zType, "table")==0 ){
          rc = tableDeltas(dbLive, &dbScratch, r, l, eWords, pOut);
        }else{
          rc = deltaAdd(pOut, l->zType, sqlite3_mprintf("%s", l->zName),
              eWords ? "change" : "differs", sqlite3_mprintf("%s \"%w\" "
              "definition differs: was %s; is %s", l->zType, l->zName,
              r->zSql, l->zSql));
        }
      }
      i++;
      j++;
    }
  }
  sqlite3_close(dbScratch);
  return rc;
}

#endif /* SQLMIG_OMIT_DIFF */

/* ------------------------------------------------------------- recording */

int sqlmigSchemaRecord(sqlite3 *db){
  return sqlite3_exec(db,
      "CREATE TABLE IF NOT EXISTS main." SCHEMA_TABLE "(type TEXT, name TEXT,"
      " tbl_name TEXT, sql TEXT);"
      "DELETE FROM main." SCHEMA_TABLE ";"
      "INSERT INTO main." SCHEMA_TABLE " SELECT type, name, tbl_name, sql"
      " FROM main.sqlite_master WHERE " OBJECTS_WHERE, 0, 0, 0);
}

#ifndef SQLMIG_OMIT_DIFF
/* ----------------------------------------------------------- migrate_drift */

typedef struct DriftState DriftState;
struct DriftState {
  SqlmigDeltas d;
};

static int driftFilter(SqlmigConn *pConn, void *pState, int argc,
                       sqlite3_value **argv, int *pnRow, char **pzErr){
  sqlite3 *db = pConn->db;
  DriftState *p = (DriftState*)pState;
  SqlmigSnap *pRef = 0, *pLive = 0;
  int rc = sqlmigTableExists(db, SCHEMA_TABLE);
  (void)argc; (void)argv;
  if( rc==0 ){
    *pzErr = sqlite3_mprintf("migrate_drift: no recorded schema yet: the "
        "next migrate() records the schema it leaves");
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  rc = rc<0 ? -rc : SQLITE_OK;
  if( rc==SQLITE_OK ){
    rc = snapRead(db, "SELECT type, name, tbl_name, sql, 0 FROM main."
        SCHEMA_TABLE " ORDER BY type, name COLLATE NOCASE", 0, &pRef);
  }
  if( rc==SQLITE_OK ) rc = sqlmigSnapTake(db, 0, &pLive);
  if( rc==SQLITE_OK ) rc = sqlmigSnapCompare(db, pRef, pLive, 1, &p->d);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    *pzErr = sqlite3_mprintf("migrate_drift: cannot read the schema: %s",
                             sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlmigSnapFree(pRef);
  sqlmigSnapFree(pLive);
  *pnRow = p->d.n;
  return rc;
}

static void driftColumn(void *pState, int iRow, int iCol,
                        sqlite3_context *ctx){
  const SqlmigDelta *d = &((DriftState*)pState)->d.a[iRow];
  const char *z = iCol==0 ? d->zKind : iCol==1 ? d->zObject
                : iCol==2 ? d->zChange : d->zDetail;
  sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
}

static void driftFree(void *pState){
  sqlmigDeltasFree(&((DriftState*)pState)->d);
}

static const SqlmigTvf driftTvf = {
  "migrate_drift",
  "CREATE TABLE x(kind TEXT, object TEXT, change TEXT, detail TEXT)",
  4, 0, 0, "takes no arguments",
  sizeof(DriftState), driftFilter, driftColumn, driftFree
};

int sqlmigDriftRegister(sqlite3 *db, SqlmigConn *pConn){
  return sqlmigTvfRegister(db, &driftTvf, pConn);
}

#endif /* SQLMIG_OMIT_DIFF */
