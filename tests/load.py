"""load.py: loads sqlmig into Python's sqlite3 module and uses it.

    /usr/bin/python3 tests/load.py ./libsqlmig.so

Run by tests/run.sh (Debian's /usr/bin/python3: its sqlite3 module can
load extensions). Checks that the extension loads through the binding's
own load_extension(), that sqlmig_version() agrees with ext/sqlmig.h, and
that a revision inserted into `migrations` is applied by migrate() and
reverted by migrate(0), and that a no-op migrate() on a read-only database
writes nothing and fails nothing. Prints one `ok - ` / `not ok - ` line per check;
exits 1 when any failed.
"""
import os
import re
import sqlite3
import sys
import tempfile

failed = 0


def check(name, cond, why=""):
    """Prints the result line of one check."""
    global failed
    if cond:
        print("ok - python: %s" % name)
    else:
        failed += 1
        print("not ok - python: %s: %s" % (name, why))
    sys.stdout.flush()


def header_version():
    """SQLMIG_VERSION from ext/sqlmig.h, or None."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "ext", "sqlmig.h")
    with open(path) as f:
        m = re.search(r'#define\s+SQLMIG_VERSION\s+"([^"]*)"', f.read())
    return m.group(1) if m else None


def table_exists(db, name):
    """Whether main has a table called name."""
    row = db.execute("SELECT count(*) FROM sqlite_master "
                     "WHERE type='table' AND name=?", (name,)).fetchone()
    return row[0] == 1


def main():
    lib = sys.argv[1] if len(sys.argv) > 1 else "./libsqlmig.so"
    with tempfile.TemporaryDirectory(prefix="sqlmig-py-") as tmp:
        db = sqlite3.connect(os.path.join(tmp, "test.db"),
                             isolation_level=None)
        try:
            db.enable_load_extension(True)
            db.load_extension(os.path.abspath(lib))
        except Exception as e:  # any failure to load is the answer
            check("load_extension(%s)" % lib, False, e)
            db.close()
            return
        check("load_extension(%s)" % lib, True)

        want = header_version()
        try:
            got = db.execute("SELECT sqlmig_version()").fetchone()[0]
            check("sqlmig_version()", got == want,
                  "got %r, ext/sqlmig.h says %r" % (got, want))
        except sqlite3.Error as e:
            check("sqlmig_version()", False, e)

        try:
            db.execute("INSERT INTO migrations(version, name, up, down) "
                       "VALUES (1, 'create py_t', "
                       "'CREATE TABLE py_t(x);', 'DROP TABLE py_t;')")
            at = db.execute("SELECT migrate()").fetchone()[0]
            check("migrate() applies a revision",
                  at == 1 and table_exists(db, "py_t"),
                  "migrate() returned %r, py_t exists: %s"
                  % (at, table_exists(db, "py_t")))
            at = db.execute("SELECT migrate(0)").fetchone()[0]
            check("migrate(0) reverts it",
                  at is None and not table_exists(db, "py_t"),
                  "migrate(0) returned %r, py_t exists: %s"
                  % (at, table_exists(db, "py_t")))
        except sqlite3.Error as e:
            check("migrations table and migrate()", False, e)

        # A database migrated before migrate_drift() existed has no schema
        # record; the next migrate() writes one, but not on a read-only
        # database, where a no-op migrate() must still answer.
        try:
            db.execute("SELECT migrate()")
            db.execute("DROP TABLE sqlmig_schema")
            db.close()
            path = os.path.join(tmp, "test.db")
            ro = sqlite3.connect("file:%s?mode=ro" % path, uri=True,
                                 isolation_level=None)
            ro.enable_load_extension(True)
            ro.load_extension(os.path.abspath(lib))
            at = ro.execute("SELECT migrate()").fetchone()[0]
            check("no-op migrate() on a read-only database",
                  at == 1 and not table_exists(ro, "sqlmig_schema"),
                  "returned %r" % (at,))
            ro.close()
            db = sqlite3.connect(path, isolation_level=None)
            db.enable_load_extension(True)
            db.load_extension(os.path.abspath(lib))
            db.execute("SELECT migrate()")
            check("the next writable migrate() records the schema",
                  table_exists(db, "sqlmig_schema"))
        except sqlite3.Error as e:
            check("no-op migrate() on a read-only database", False, e)

        # The README's recipe: executescript() with the execute form.
        try:
            db.executescript("""
              BEGIN;
              INSERT OR IGNORE INTO migrations(version, name, up, down)
                VALUES (2, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY)', 'DROP TABLE users');
              SELECT 1 WHERE migrate() < 0;
              COMMIT;
            """)
            applied = table_exists(db, "users")
            rows = db.execute("SELECT 1 WHERE migrate_down() < 0").fetchall()
            check("executescript() with SELECT 1 WHERE migrate() < 0",
                  applied and rows == [] and not table_exists(db, "users")
                  and table_exists(db, "py_t"),
                  "applied %r, then rows %r" % (applied, rows))
        except sqlite3.Error as e:
            check("executescript() with SELECT 1 WHERE migrate() < 0", False, e)
        db.close()


main()
sys.exit(1 if failed else 0)
