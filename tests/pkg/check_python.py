"""The installed Python package: loader, SQLAlchemy bridge, command line.

    VENV/bin/python tests/pkg/check_python.py VERSION

Run by tests/check_python.sh with the Python of a fresh venv (Debian's
/usr/bin/python3, --system-site-packages for SQLAlchemy, Alembic and apsw)
into which the wheel from dist/ was installed with pip --no-index. VERSION
is SQLMIG_VERSION from ext/sqlmig.h. Prints ok / not ok lines; each check
says what it guards.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap

import sqlalchemy as sa

import sqlmig
import sqlmig.sqlalchemy as bridge

VERSION = sys.argv[1]
failed = 0


def check(name, cond, why=""):
    global failed
    if cond:
        print("ok - python package: %s" % name)
    else:
        failed += 1
        print("not ok - python package: %s" % name)
        for line in str(why).splitlines() or [""]:
            print("#   " + line)
    sys.stdout.flush()


def raises(fn, exc_type):
    """The exception fn raises (of exc_type), or None."""
    try:
        fn()
    except exc_type as exc:
        return exc
    return None


work = tempfile.mkdtemp(prefix="sqlmig-py.")
os.chdir(work)

# ------------------------------------------------------------------ loader
path = sqlmig.loadable_path()
check("loadable_path() is the library inside the installed package",
      os.path.isfile(path) and "site-packages" in path and path.endswith("libsqlmig.so"), path)

db = sqlite3.connect("start.db", isolation_level=None)
sqlmig.load(db)
check("load(sqlite3 connection) registers sqlmig; version is the library's",
      db.execute("SELECT sqlmig_version()").fetchone()[0] == VERSION == sqlmig.__version__,
      (db.execute("SELECT sqlmig_version()").fetchone(), sqlmig.__version__, VERSION))
err = raises(lambda: db.execute("SELECT load_extension('./nothing')"), sqlite3.OperationalError)
check("load() leaves extension loading off afterwards", err and "not authorized" in str(err), err)
on = sqlite3.connect(":memory:")
on.enable_load_extension(True)
sqlmig.load(on)
err = raises(lambda: on.execute("SELECT load_extension('./nothing')"), sqlite3.OperationalError)
check("load() restores loading that was on before", err and "not authorized" not in str(err), err)

# the start-up idiom, migrate_down() and migrate_diff through the package
db.executescript("""
  BEGIN;
  INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES
    (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY)', 'DROP TABLE users'),
    (2, 'email', 'ALTER TABLE users ADD COLUMN email TEXT', 'ALTER TABLE users DROP COLUMN email');
  SELECT migrate();
  COMMIT;""")
cols = [r[1] for r in db.execute("PRAGMA table_info(users)")]
down = db.execute("SELECT migrate_down()").fetchone()[0]
cols_after = [r[1] for r in db.execute("PRAGMA table_info(users)")]
diff = db.execute("SELECT migrate_diff('main', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)')").fetchone()[0]
check("start-up idiom, migrate_down() and migrate_diff through the package",
      cols == ["id", "email"] and down == 1 and cols_after == ["id"]
      and diff == 'ALTER TABLE "users" ADD COLUMN "name" TEXT;\n', (cols, down, cols_after, diff))

try:
    import apsw
    a = apsw.Connection(":memory:")
    sqlmig.load(a)
    v = list(a.cursor().execute("SELECT sqlmig_version()"))[0][0]
    e = None
    try:
        list(a.cursor().execute("SELECT load_extension('./nothing')"))
    except Exception as exc:
        e = exc
    check("load(apsw connection) works and leaves loading off", v == VERSION and e and "not authorized" in str(e), (v, e))
except ImportError:
    print("skip - python package: apsw is not installed (apt-get install python3-apsw)")


class NoLoading(sqlite3.Connection):
    """A sqlite3 connection as a Python built without extension loading has it."""
    @property
    def enable_load_extension(self):
        raise AttributeError("'sqlite3.Connection' object has no attribute 'enable_load_extension'")


stand_in = sqlite3.connect(":memory:", factory=NoLoading)
err = raises(lambda: sqlmig.load(stand_in), sqlmig.LoadError)
check("load() on a sqlite3 without extension loading says so and names the ways out",
      err is not None and str(err).startswith("sqlmig.load: this Python's sqlite3 module was built without extension loading")
      and "/usr/bin/python3" in str(err) and "apsw" in str(err) and "pysqlite3" in str(err)
      and "sqlmig.load accepts" in str(err), err)
err = raises(lambda: sqlmig.load("app.db"), TypeError)
check("load() of something that is not a connection: TypeError naming it",
      err is not None and str(err).startswith("sqlmig.load: builtins.str is not a database connection"), err)

# ------------------------------------------------------- the bridge (API)
md = sa.MetaData()
sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("name", sa.String(50), nullable=False, server_default="anon"),
         sa.Index("ix_users_name", "name"))
sa.Table("posts", md, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE")))
schema = bridge.desired_schema(md)
check("desired_schema(): SQLAlchemy's own DDL for every table and index",
      "CREATE TABLE users" in schema and "VARCHAR(50)" in schema and "DEFAULT 'anon'" in schema
      and "CREATE INDEX ix_users_name ON users (name)" in schema and "ON DELETE CASCADE" in schema, schema)

bad = sa.MetaData()
sa.Table("t", bad, sa.Column("a", sa.Integer), sa.Column("A", sa.Integer))
err = raises(lambda: bridge.desired_schema(bad), sqlmig.Error)
check("metadata SQLite rejects: sqlmig.Error with SQLite's message and the statement",
      err is not None and "SQLite rejects the models' schema: duplicate column name: A" in str(err)
      and "CREATE TABLE t" in str(err), err)

eng = bridge.load_on_connect(sa.create_engine("sqlite:///sync.db"))
with eng.begin() as c:  # the app's own objects, which the models do not describe
    c.exec_driver_sql("CREATE TABLE audit(id INTEGER PRIMARY KEY, what TEXT)")
    c.exec_driver_sql("CREATE VIRTUAL TABLE notes_fts USING fts5(body)")
    c.exec_driver_sql("INSERT INTO notes_fts VALUES ('hello')")
v1 = bridge.sync(eng, md)
with eng.begin() as c:
    c.exec_driver_sql("CREATE VIEW user_names AS SELECT name FROM users")
    c.exec_driver_sql("CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN INSERT INTO audit(what) VALUES ('user'); END")
    c.exec_driver_sql("INSERT INTO users(id, name) VALUES (1, 'ann')")
v1b = bridge.sync(eng, md)
rev = bridge.revision(eng, md)
with eng.connect() as c:
    objs = {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master")}
    n = c.exec_driver_sql("SELECT count(*) FROM migrations").scalar()
check("sync(): version 1, then nothing to do; views, triggers, FTS and other tables kept",
      v1 == 1 and v1b == 1 and n == 1 and rev == bridge.Revision("", "", [])
      and {"audit", "notes_fts", "user_names", "users_ai", "users", "posts"} <= objs,
      (v1, v1b, n, rev, objs))
check("revision(): sqlmig's own tables are never part of it",
      "sqlmig" not in rev.up and "sqlmig" not in rev.down, rev)

md2 = sa.MetaData()
sa.Table("users", md2, sa.Column("id", sa.Integer, primary_key=True))
sa.Table("posts", md2, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE")))
before = open("sync.db", "rb").read()
err = raises(lambda: bridge.sync(eng, md2), bridge.DestructiveError)
check("sync() refuses a destructive revision, listing it, and writes nothing",
      err is not None and any('drops column "name"' in d for d in err.destructive)
      and open("sync.db", "rb").read() == before, err)
v2 = bridge.sync(eng, md2, allow_destructive=True)
with eng.connect() as c:
    cols = [r[1] for r in c.exec_driver_sql("PRAGMA table_info(users)")]
    audit = c.exec_driver_sql("SELECT count(*) FROM audit").scalar()
    fts = c.exec_driver_sql("SELECT body FROM notes_fts").scalar()
check("sync(allow_destructive=True) applies it; the app's objects still work",
      v2 == 2 and cols == ["id"] and audit == 1 and fts == "hello", (v2, cols, audit, fts))
eng.dispose()

hand = sqlite3.connect("hand.db", isolation_level=None)
hand.executescript("""
  CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE);
  INSERT INTO users VALUES (1, 'ann'), (2, 'bob');
  INSERT INTO posts VALUES (10, 1), (11, 2);
  PRAGMA foreign_keys = ON;""")
md_hand = sa.MetaData()
sa.Table("users", md_hand, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("name", sa.String(50), nullable=False))
sa.Table("posts", md_hand, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE")))
err = raises(lambda: bridge.sync(hand, md_hand), bridge.DestructiveError)
v_hand = bridge.sync(hand, md_hand, allow_destructive=True)
check("first revision on hand-written tables: a rebuild to SQLAlchemy's types, listed, that keeps every row",
      err is not None and any(d.startswith("table users: rebuild") for d in err.destructive) and v_hand == 1 and "VARCHAR(50)" in hand.execute("SELECT sql FROM sqlite_master WHERE name = 'users'").fetchone()[0]
      and hand.execute("SELECT * FROM users ORDER BY id").fetchall() == [(1, "ann"), (2, "bob")]
      and hand.execute("SELECT count(*) FROM posts").fetchone()[0] == 2,
      hand.execute("SELECT sql FROM sqlite_master").fetchall())
hand.close()

raw = sqlite3.connect(":memory:")
sqlmig.load(raw)
with sa.create_engine("sqlite://").connect() as sc:
    r_conn = bridge.revision(sc, md)
check("revision() takes a sqlite3 connection and a SQLAlchemy Connection",
      bridge.revision(raw, md).up.startswith("CREATE TABLE") and r_conn.up.startswith("CREATE TABLE"), r_conn)
inside = sqlite3.connect(":memory:")
inside.execute("CREATE TABLE app(x)")
inside.execute("INSERT INTO app VALUES (1)")  # opens the caller's transaction
v_in = bridge.sync(inside, md)
still = inside.in_transaction
inside.rollback()
check("sync() inside the caller's transaction joins it: the caller's ROLLBACK undoes it",
      v_in == 1 and still and inside.execute("SELECT name FROM sqlite_master WHERE name = 'users'").fetchall() == [],
      (v_in, still))
try:
    import apsw
    a = apsw.Connection(":memory:")
    r_apsw = bridge.revision(a, md)
    check("revision() and sync() take an apsw connection",
          r_apsw.up.startswith("CREATE TABLE") and bridge.sync(a, md) == 1 and bridge.sync(a, md) == 1, r_apsw)
except ImportError:
    print("skip - python package: apsw is not installed (apt-get install python3-apsw)")
err = raises(lambda: bridge.revision(42, md), TypeError)
check("revision() on something that is not a connection: TypeError naming it",
      err is not None and "builtins.int is not a SQLite connection" in str(err), err)
err = raises(lambda: bridge.revision(raw, "Base.metadata"), TypeError)
check("revision() of something that is not a MetaData: TypeError",
      err is not None and "is not a sqlalchemy.MetaData" in str(err), err)

with open("text.db", "w") as f:
    f.write("not a database\n" * 200)
err = raises(lambda: bridge.revision(sqlite3.connect("text.db"), md), sqlite3.DatabaseError)
check("revision() on a file that is not SQLite: the driver's error, file unchanged",
      err is not None and "file is not a database" in str(err)
      and open("text.db").read() == "not a database\n" * 200, err)

# ------------------------------------------------- the command line, the seeds' workflow
def cli(*args):
    p = subprocess.run([sys.executable, "-m", "sqlmig"] + list(args), cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def models(src):
    with open(os.path.join(work, "app", "models.py"), "w") as f:
        f.write(textwrap.dedent(src))
    shutil.rmtree(os.path.join(work, "app", "__pycache__"), ignore_errors=True)


def snapshot():
    """Every file under work/db and app.db's bytes: to see nothing was written."""
    out = {}
    for root, _, names in os.walk(os.path.join(work, "db")):
        for n in names:
            out[os.path.join(root, n)] = open(os.path.join(root, n), "rb").read()
    if os.path.exists("app.db"):
        out["app.db"] = open("app.db", "rb").read()
    return out


os.makedirs("app")
open("app/__init__.py", "w").close()
os.makedirs("db/migrations")
HEAD = """
    import sqlalchemy as sa
    from sqlalchemy.orm import declarative_base
    Base = declarative_base()
"""
models(HEAD + """
    class User(Base):
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        fullname = sa.Column(sa.String(100), nullable=False)
        age = sa.Column(sa.Integer)
        __table_args__ = (sa.Index("ix_users_age", "age"),)
""")
rc, out, errtext = cli("revision", "--db", "app.db", "--models", "app.models:Base.metadata",
                       "-d", "db/migrations", "-m", "create users")
files1 = sorted(os.listdir("db/migrations"))
check("revision 1 from the models: golang-migrate pair in an empty folder",
      rc == 0 and files1 == ["000001_create_users.down.sql", "000001_create_users.up.sql"]
      and not os.path.exists("app.db"), (rc, out, errtext, files1))
rc, out, errtext = cli("upgrade", "--db", "app.db", "-d", "db/migrations")
app = sqlite3.connect("app.db", isolation_level=None)
app.executescript("INSERT INTO users(id, fullname, age) VALUES (1, 'Ann Lee', 30), (2, 'Bob Ray', 40);")
check("upgrade applies revision 1", rc == 0 and 'is at version 1' in out, (rc, out, errtext))

models(HEAD + """
    class User(Base):
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(100), nullable=False)
        age = sa.Column(sa.Integer)
        email = sa.Column(sa.String(200))
    class Post(Base):
        __tablename__ = "posts"
        id = sa.Column(sa.Integer, primary_key=True)
        user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
        title = sa.Column(sa.String(200))
""")
rc, out, errtext = cli("revision", "--db", "app.db", "--models", "app.models:Base.metadata",
                       "-d", "db/migrations", "-m", "email, name, posts",
                       "--rename", "users.fullname -> users.name")
files2 = sorted(os.listdir("db/migrations"))
up2 = open("db/migrations/000002_email_name_posts.up.sql").read() if "000002_email_name_posts.up.sql" in files2 else ""
check("revision 2: new column, hinted rename, new table with a FK, dropped index; not destructive",
      rc == 0 and len(files2) == 4 and 'RENAME COLUMN "fullname" TO "name"' in up2
      and "email" in up2 and "CREATE TABLE posts" in up2 and "FOREIGN KEY(user_id) REFERENCES users (id)" in up2
      and 'DROP INDEX "ix_users_age"' in up2 and "destructive" not in errtext, (rc, out, errtext, files2, up2))
rc, out, errtext = cli("upgrade", "--db", "app.db", "-d", "db/migrations")
rows2 = app.execute("SELECT id, name, age, email FROM users ORDER BY id").fetchall()
idx2 = app.execute("SELECT name FROM sqlite_master WHERE name = 'ix_users_age'").fetchall()
app.execute("INSERT INTO posts(user_id, title) VALUES (1, 'hi')")
check("upgrade applies revision 2 keeping the rows (renamed column's values kept)",
      rc == 0 and "is at version 2" in out and rows2 == [(1, "Ann Lee", 30, None), (2, "Bob Ray", 40, None)]
      and idx2 == [], (rc, out, errtext, rows2))
rc, out, errtext = cli("revision", "--db", "app.db", "--models", "app.models:Base.metadata",
                       "-d", "db/migrations", "-m", "nothing")
check("revision when the database matches the models: nothing written",
      rc == 0 and "already matches the models: nothing written" in out
      and len(os.listdir("db/migrations")) == 4, (rc, out, errtext))
rc, out, errtext = cli("downgrade", "--db", "app.db", "--to", "1")
rows1 = app.execute("SELECT id, fullname, age FROM users ORDER BY id").fetchall()
tables1 = {r[0] for r in app.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
check("roll back to 1 with the stored down: revision 1's rows are there",
      rc == 0 and "is at version 1" in out and rows1 == [(1, "Ann Lee", 30), (2, "Bob Ray", 40)]
      and "posts" not in tables1, (rc, out, errtext, rows1, tables1))

before = snapshot()
rc, out, errtext = cli("revision", "--db", "app.db", "--models", "app.models:Base.metadata",
                       "-d", "db/migrations", "-m", "again")
check("revision on a database behind its folder: refused, nothing written",
      rc == 1 and 'database "app.db" is behind db/migrations: revision 2 "email_name_posts" is not applied' in errtext
      and snapshot() == before, (rc, errtext))
cli("upgrade", "--db", "app.db", "-d", "db/migrations")
models(HEAD + """
    class User(Base):
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(100), nullable=False)
    class Post(Base):
        __tablename__ = "posts"
        id = sa.Column(sa.Integer, primary_key=True)
        user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
        title = sa.Column(sa.String(200))
""")
before = snapshot()
rc, out, errtext = cli("revision", "--db", "app.db", "--models", "app.models:Base.metadata",
                       "-d", "db/migrations", "-m", "drop age")
check("a destructive revision is printed and refused without --allow-destructive, nothing written",
      rc == 1 and 'destructive: table users: drop column (drops column "age"' in errtext
      and "--allow-destructive" in errtext and snapshot() == before, (rc, errtext))
rc, out, errtext = cli("revision", "--db", "app.db", "--models", "app.models:Base.metadata",
                       "-d", "db/migrations", "-m", "drop age", "--allow-destructive")
check("--allow-destructive writes it", rc == 0 and os.path.exists("db/migrations/000003_drop_age.up.sql"), (rc, errtext))

os.makedirs("db/dbmate")
with open("db/dbmate/20240101120000_create_users.sql", "w") as f:
    f.write("-- migrate:up\nCREATE TABLE users(id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n")
cli("upgrade", "--db", "dbmate.db", "-d", "db/dbmate")
rc, out, errtext = cli("revision", "--db", "dbmate.db", "--models", "app.models:Base.metadata",
                       "-d", "db/dbmate", "-m", "name", "--allow-destructive")
new_files = sorted(set(os.listdir("db/dbmate")) - {"20240101120000_create_users.sql"})
text = open(os.path.join("db/dbmate", new_files[0])).read() if len(new_files) == 1 else ""
check("revision in a dbmate folder: one timestamped file with dbmate's markers",
      rc == 0 and len(new_files) == 1 and re.match(r"^20\d{12}_name\.sql$", new_files[0])
      and new_files[0] > "20240101120000" and text.startswith("-- migrate:up\n") and "\n-- migrate:down\n" in text
      and cli("upgrade", "--db", "dbmate.db", "-d", "db/dbmate")[0] == 0, (rc, errtext, new_files, text))
shutil.rmtree("db/dbmate")

with open("app/badmodels.py", "w") as f:
    f.write("import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
            "sa.Table('t', metadata, sa.Column('a', sa.Integer), sa.Column('A', sa.Integer))\n")
before = snapshot()
for args, message in [
        (["--models", "app.badmodels:metadata"],
         "sqlmig.sqlalchemy: SQLite rejects the models' schema: duplicate column name: A in: CREATE TABLE t"),
        (["--models", "app.nomodels:Base.metadata"],
         'sqlmig revision: models "app.nomodels:Base.metadata": cannot import app.nomodels: ModuleNotFoundError'),
        (["--models", "app.models:Nothing.metadata"],
         'sqlmig revision: models "app.models:Nothing.metadata": app.models has no attribute Nothing.metadata'),
        (["--models", "app.models"], 'sqlmig revision: models "app.models" is not module:attribute'),
        (["--models", "app.models:Base.metadata", "-d", "db/missing"],
         'sqlmig revision: folder "db/missing" does not exist'),
        (["--models", "app.models:Base.metadata", "--db", "text.db"],
         'sqlmig revision: database "text.db" cannot be read: file is not a database')]:
    full = ["revision", "--db", "app.db", "-d", "db/migrations", "-m", "x"]
    for i in range(0, len(args), 2):
        if args[i] in full:
            full[full.index(args[i]) + 1] = args[i + 1]
        else:
            full += args[i:i + 2]
    rc, out, errtext = cli(*full)
    check("revision bad input %s: its message, nothing written" % " ".join(args),
          rc == 1 and errtext.startswith(message) and snapshot() == before
          and open("text.db").read() == "not a database\n" * 200, (rc, errtext))
rc, out, errtext = cli("upgrade", "--db", "new.db", "-d", "db/missing")
check("upgrade with a missing folder: its message, no database created",
      rc == 1 and 'sqlmig upgrade: folder "db/missing" does not exist' in errtext
      and not os.path.exists("new.db"), (rc, errtext))
rc, out, errtext = cli("upgrade", "--db", "text.db", "-d", "db/migrations")
check("upgrade of a file that is not SQLite: its message, file unchanged",
      rc == 1 and 'sqlmig upgrade: database "text.db" cannot be read: file is not a database' in errtext
      and open("text.db").read() == "not a database\n" * 200, (rc, errtext))

# ------------------------------------------------- Alembic: the filter and from-alembic
try:
    import alembic  # noqa: F401
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    have_alembic = True
except ImportError:
    have_alembic = False
    print("skip - python package: alembic is not installed (apt-get install alembic)")

if have_alembic:
    cli("upgrade", "--db", "app.db", "-d", "db/migrations")  # app.db now equals the models
    sys.path.insert(0, work)
    import importlib
    import app.models
    importlib.reload(app.models)
    meta = app.models.Base.metadata
    eng = sa.create_engine("sqlite:///app.db")
    with eng.connect() as c:
        with_filter = compare_metadata(MigrationContext.configure(
            c, opts={"include_name": sqlmig.include_name}), meta)
    eng.dispose()
    eng = bridge.load_on_connect(sa.create_engine("sqlite:///app.db"))
    with eng.connect() as c:  # now with sqlmig loaded
        without = compare_metadata(MigrationContext.configure(c), meta)
        loaded_filter = compare_metadata(MigrationContext.configure(
            c, opts={"include_name": sqlmig.include_name}), meta)
        # include_object filters after reflection: it needs sqlmig loaded
        # while the owner table `sqlmig` is a virtual table
        with_object = compare_metadata(MigrationContext.configure(
            c, opts={"include_object": sqlmig.include_object}), meta)
    check("alembic compare_metadata with sqlmig.include_name: no operation, without the extension and with it",
          with_filter == [] and loaded_filter == [], (with_filter, loaded_filter))
    check("alembic compare_metadata with sqlmig.include_object: no operation", with_object == [], with_object)
    check("without the filter Alembic proposes to drop sqlmig's tables (what the filter prevents)",
          any(op[0] == "remove_table" and op[1].name == "sqlmig_history" for op in without), without)
    refl = sa.MetaData()
    refl.reflect(sa.create_engine("sqlite:///app.db"), only=sqlmig.reflect_filter)
    check("MetaData.reflect(only=sqlmig.reflect_filter) reflects the app's tables only",
          set(refl.tables) == {"users", "posts"}, set(refl.tables))
    eng.dispose()

    # an Alembic project with two revisions, managing alembic.db
    from alembic import command
    from alembic.config import Config
    os.makedirs("alem")
    cfg = Config("alem/alembic.ini")
    import contextlib, io
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(cfg, "alem/migrations")
    ini = open("alem/alembic.ini").read().replace(
        "sqlalchemy.url = driver://user:pass@localhost/dbname", "sqlalchemy.url = sqlite:///alembic.db")
    open("alem/alembic.ini", "w").write(ini.replace("script_location = alem/migrations", "script_location = %(here)s/migrations"))
    rev_src = '''\
        """{doc}

        Revision ID: {rid}
        Revises: {down}
        """
        from alembic import op
        import sqlalchemy as sa
        revision = "{rid}"
        down_revision = {down!r}
        branch_labels = None
        depends_on = None

        def upgrade():
        {up}

        def downgrade():
        {dn}
        '''
    def alembic_rev(rid, down, doc, up, dn):
        src = textwrap.dedent(rev_src).format(rid=rid, down=down, doc=doc, up=textwrap.indent(up, "    "),
                                              dn=textwrap.indent(dn, "    "))
        open("alem/migrations/versions/%s_.py" % rid, "w").write(src)
    alembic_rev("a1f0", None, "create accounts",
                'op.create_table("accounts", sa.Column("id", sa.Integer, primary_key=True), sa.Column("email", sa.String(80)))',
                'op.drop_table("accounts")')
    alembic_rev("b2e1", "a1f0", "add plan",
                'op.add_column("accounts", sa.Column("plan", sa.String(20), server_default="free"))\n'
                'op.execute("INSERT INTO accounts(email) VALUES (\'x;y\')")',
                'op.drop_column("accounts", "plan")')
    command.upgrade(Config("alem/alembic.ini"), "head")
    rc, out, errtext = cli("from-alembic", "--config", "alem/alembic.ini", "-d", "db/from_alembic",
                           "--baseline", "--db", "alembic.db")
    names = sorted(os.listdir("db/from_alembic")) if os.path.isdir("db/from_alembic") else []
    up_b = open("db/from_alembic/000002_add_plan.up.sql").read() if names else ""
    check("from-alembic: one file pair per revision, numbered in chain order, without alembic_version",
          rc == 0 and names == ["000001_create_accounts.down.sql", "000001_create_accounts.up.sql",
                                "000002_add_plan.down.sql", "000002_add_plan.up.sql"]
          and """ALTER TABLE accounts ADD COLUMN "plan" VARCHAR(20) DEFAULT 'free'""" in up_b
          and "x;y" in up_b and "alembic_version" not in up_b, (rc, out, errtext, names, up_b))
    al = sqlite3.connect("alembic.db")
    sqlmig.load(al)
    hist = al.execute("SELECT version, applied_at IS NOT NULL FROM migrations").fetchall()
    base = al.execute("SELECT version FROM sqlmig_baseline ORDER BY version").fetchall()
    check("from-alembic --baseline marks the revisions up to alembic_version as applied",
          hist == [(1, 1), (2, 1)] and base == [(1,), (2,)], (hist, base))
    rc, out, errtext = cli("upgrade", "--db", "fresh.db", "-d", "db/from_alembic")
    fresh = sqlite3.connect("fresh.db")
    sqlmig.load(fresh)
    fresh.execute("ATTACH 'alembic.db' AS al")
    d = fresh.execute("SELECT migrate_diff('main', 'al')").fetchone()[0]
    check("the converted folder builds the schema Alembic's online upgrade built",
          rc == 0 and d.startswith("CREATE TABLE alembic_version") and d.count(";\n") == 1 and fresh.execute("SELECT email FROM accounts").fetchall() == [("x;y",)], (rc, errtext, d))
    fresh.close()
    alembic_rev("c3d2", "b2e1", "backfill plans",
                'for (i,) in op.get_bind().execute(sa.text("SELECT id FROM accounts")):\n    pass',
                'pass')
    rc, out, errtext = cli("from-alembic", "--config", "alem/alembic.ini", "-d", "db/from_alembic2")
    check("a revision Alembic cannot render offline: reported by id and message, nothing written",
          rc == 1 and 'alembic revision c3d2 "backfill plans" cannot be rendered offline (upgrade)' in errtext
          and not os.path.exists("db/from_alembic2"), (rc, errtext))

shutil.rmtree(work)
sys.exit(1 if failed else 0)
