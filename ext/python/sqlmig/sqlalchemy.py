"""From SQLAlchemy models to sqlmig revisions.

    from sqlmig.sqlalchemy import revision, sync
    rev = revision(engine, Base.metadata, renames=["users.fullname -> users.name"])
    rev.up, rev.down, rev.destructive
    sync(engine, Base.metadata)       # the start-up one-liner without a folder

The desired schema is what SQLAlchemy itself creates (``create_all``) in a
private in-memory SQLite database; the scripts come from the extension's
``migrate_diff`` and ``migrate_changes``. Objects the models do not describe
(views, triggers, virtual tables, tables outside the metadata) are the app's:
they are carried into the desired schema as the database has them, so a
revision keeps them. sqlmig's own tables are never part of a diff.
Works with SQLAlchemy 1.4 and 2.x.
"""
from collections import namedtuple
from typing import Iterable, List, Optional

import sqlmig

__all__ = ["Revision", "desired_schema", "revision", "sync", "load_on_connect",
           "DestructiveError"]

Revision = namedtuple("Revision", ["up", "down", "destructive"])
Revision.__doc__ = """The scripts between a database and the models.

up: SQL that brings the database to the models ('' when equal);
down: SQL that brings it back; destructive: one line per change that can
lose data (empty when none)."""


class DestructiveError(sqlmig.Error):
    """A revision would lose data and was not allowed to."""

    def __init__(self, message, destructive):
        super().__init__(message)
        self.destructive = destructive


def load_on_connect(engine):
    """Loads sqlmig into every DBAPI connection ``engine`` opens from now on.

    For an app's own queries of ``migrations`` and sqlmig's functions through
    SQLAlchemy (``revision`` and ``sync`` load it themselves). Returns engine.
    """
    import sqlalchemy

    def _load(dbapi_connection, _record):
        sqlmig.load(dbapi_connection)
    sqlalchemy.event.listen(engine, "connect", _load)
    return engine


def desired_schema(metadata) -> str:
    """Returns the SQLite schema the models describe, as SQL text.

    SQLAlchemy creates the tables in a private in-memory database (its own
    types, defaults, constraints, indexes and foreign keys); the text is what
    SQLite stored, one statement per object ending with ``;``. Raises
    ``sqlmig.Error`` naming SQLite's complaint when SQLite rejects the schema.
    """
    import sqlalchemy
    if not isinstance(metadata, sqlalchemy.MetaData):
        raise TypeError("sqlmig.sqlalchemy: %r is not a sqlalchemy.MetaData "
                        "(pass Base.metadata)" % (metadata,))
    engine = sqlalchemy.create_engine("sqlite://")
    try:
        try:
            metadata.create_all(engine)
        except sqlalchemy.exc.DBAPIError as exc:
            raise sqlmig.Error("sqlmig.sqlalchemy: SQLite rejects the models' "
                               "schema: %s in: %s"
                               % (exc.orig, (exc.statement or "").strip())) from None
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                "ORDER BY rowid").fetchall()
    finally:
        engine.dispose()
    return "".join(row[0] + ";\n" for row in rows)


def _dbapi(conn):
    """Returns (DBAPI connection, release) for a sqlite3/apsw connection or
    a SQLAlchemy Engine/Connection on SQLite, with sqlmig loaded."""
    release = lambda: None  # noqa: E731
    raw = conn
    try:
        import sqlalchemy
        engine_types = (sqlalchemy.engine.Engine, sqlalchemy.engine.Connection)
    except ImportError:
        engine_types = ()
    if engine_types and isinstance(conn, engine_types):
        if conn.dialect.name != "sqlite":
            raise TypeError("sqlmig.sqlalchemy: the %s connection is not SQLite "
                            "(sqlmig works on SQLite databases)" % conn.dialect.name)
        if isinstance(conn, sqlalchemy.engine.Engine):
            fairy = conn.raw_connection()
            release = fairy.close
        else:
            fairy = conn.connection
        raw = (getattr(fairy, "driver_connection", None)
               or getattr(fairy, "dbapi_connection", None) or fairy.connection)
    elif not (hasattr(conn, "execute") and (hasattr(conn, "load_extension")
              or hasattr(conn, "loadextension") or hasattr(conn, "enable_load_extension"))):
        import sqlite3
        if not isinstance(conn, sqlite3.Connection):
            raise TypeError("sqlmig.sqlalchemy: %s is not a SQLite connection "
                            "(expected a sqlite3 or apsw connection, or a "
                            "SQLAlchemy Engine or Connection on SQLite)"
                            % sqlmig._kind(conn))
    try:
        try:
            _rows(raw, "SELECT sqlmig_version()")
        except Exception:
            sqlmig.load(raw)
    except BaseException:
        release()
        raise
    return raw, release


def _rows(raw, sql, args=()):
    if hasattr(raw, "loadextension"):  # apsw
        return list(raw.cursor().execute(sql, args))
    return raw.execute(sql, args).fetchall()


def _renames_text(renames: Optional[Iterable[str]], reverse=False) -> Optional[str]:
    if renames is None:
        return None
    if isinstance(renames, str):
        renames = [renames]
    pairs = []
    for hint in renames:
        for part in hint.split(","):
            if not part.strip():
                continue
            if "->" not in part:
                raise sqlmig.Error('sqlmig.sqlalchemy: rename hint "%s" is not '
                                   '"old -> new"' % part.strip())
            old, new = (s.strip() for s in part.split("->", 1))
            if reverse:
                # "users.fullname -> users.name" undone is "users.name -> users.fullname"
                old, new = new, old
            pairs.append("%s -> %s" % (old, new))
    return ", ".join(pairs) or None


# The shadow tables SQLite's FTS3/4, FTS5 and R*Tree modules create as
# "<vtab>_<suffix>" (the diff leaves the same ones out).
_SHADOW_SUFFIXES = ("data", "idx", "content", "docsize", "config", "segments",
                    "segdir", "stat", "node", "rowid", "parent")


def _kept_objects(raw, metadata) -> str:
    """The SQL of main's objects the models do not describe (views, triggers,
    virtual tables, tables outside the metadata with their indexes), in the
    database's order; sqlmig's and SQLite's own tables and the shadow tables
    of virtual tables left out."""
    modelled = {t.name.lower() for t in metadata.sorted_tables}
    rows = _rows(raw, "SELECT type, name, tbl_name, sql FROM main.sqlite_master "
                      "WHERE sql IS NOT NULL ORDER BY rowid")
    virtual = {r[1].lower() for r in rows
               if r[0] == "table" and r[3].lstrip().upper().startswith("CREATE VIRTUAL")}
    shadows = {"%s_%s" % (v, suffix) for v in virtual for suffix in _SHADOW_SUFFIXES}
    out = []
    for kind, name, tbl, sql in rows:
        lname, ltbl = name.lower(), tbl.lower()
        if sqlmig.is_sqlmig_name(tbl) or ltbl.startswith("sqlite_"):
            continue
        if kind in ("table", "index") and ltbl in modelled:
            continue  # the models say what these are
        if kind == "view" and lname in modelled:
            continue  # a model table takes the view's name
        if kind == "table" and lname in shadows:
            continue  # a virtual table's shadow table: created with it
        out.append(sql + ";\n")
    return "".join(out)


def _revision(raw, metadata, renames):
    desired = desired_schema(metadata) + _kept_objects(raw, metadata)
    fwd, back = _renames_text(renames), _renames_text(renames, reverse=True)
    up = _rows(raw, "SELECT migrate_diff('main', ?, ?)", (desired, fwd))[0][0]
    down = _rows(raw, "SELECT migrate_diff(?, 'main', ?)", (desired, back))[0][0]
    changes = _rows(raw, "SELECT kind, object, change, destructive, detail "
                         "FROM migrate_changes('main', ?, ?) ORDER BY seq",
                    (desired, fwd))
    created = {(k, (o or "").lower()) for k, o, c, _, _ in changes if c == "create"}
    destructive = []
    for kind, obj, change, bad, detail in changes:
        # a view or trigger of the app dropped and not created again is lost
        # too, although no row is
        lost = (change == "drop" and kind in ("view", "trigger")
                and (kind, (obj or "").lower()) not in created)
        if bad or lost:
            destructive.append("%s %s: %s (%s)" % (kind, obj, change, detail))
    return Revision(up or "", down or "", destructive)


def revision(conn, metadata, renames: Optional[Iterable[str]] = None) -> Revision:
    """Returns ``Revision(up, down, destructive)`` from ``conn``'s main to the models.

    ``conn``: a sqlite3/apsw connection (sqlmig is loaded when it is not) or a
    SQLAlchemy Engine or Connection on SQLite. ``renames``: hints such as
    ``["users.fullname -> users.name", "customer -> client"]``, passed to
    ``migrate_diff`` for ``up`` and reversed for ``down``. Nothing is written.
    Raises TypeError for another kind of connection, ``sqlmig.Error`` when
    SQLite rejects the models or a hint, and the driver's error for a file
    that is not a database.
    """
    raw, release = _dbapi(conn)
    try:
        return _revision(raw, metadata, renames)
    finally:
        release()


def _exec(raw, sql, args=()):
    if hasattr(raw, "loadextension"):
        raw.cursor().execute(sql, args)
    else:
        raw.execute(sql, args)


def sync(engine, metadata, renames: Optional[Iterable[str]] = None,
         allow_destructive: bool = False) -> Optional[int]:
    """Brings the database to the models and returns its version.

    In one ``BEGIN IMMEDIATE`` transaction (a savepoint of the caller's
    transaction when the connection is in one): registers the revision between
    the database and the models (version = the newest registered + 1, name
    "sqlalchemy sync") when there is a difference, and runs ``migrate()``
    (which also applies revisions registered before). Returns the version
    (None when the database has none). Raises ``DestructiveError`` (its
    ``destructive`` attribute lists the changes) and writes nothing when
    the revision could lose data and ``allow_destructive`` is false.
    """
    raw, release = _dbapi(engine)
    try:
        if hasattr(raw, "getautocommit"):  # apsw
            joined = not raw.getautocommit()
        else:
            joined = bool(getattr(raw, "in_transaction", False))
        # inside the caller's transaction, join it (as migrate() does)
        _exec(raw, "SAVEPOINT sqlmig_sync" if joined else "BEGIN IMMEDIATE")
        try:
            rev = _revision(raw, metadata, renames)
            if rev.destructive and not allow_destructive:
                raise DestructiveError(
                    "sqlmig.sqlalchemy.sync: the models' revision is destructive "
                    "(pass allow_destructive=True to apply it): "
                    + "; ".join(rev.destructive), rev.destructive)
            if rev.up:
                _exec(raw, "INSERT INTO migrations(version, name, up, down) "
                           "SELECT coalesce(max(version), 0) + 1, 'sqlalchemy sync', ?, ? "
                           "FROM migrations", (rev.up, rev.down))
            version = _rows(raw, "SELECT migrate()")[0][0]
            _exec(raw, "RELEASE sqlmig_sync" if joined else "COMMIT")
        except BaseException:
            if joined:
                _exec(raw, "ROLLBACK TO sqlmig_sync")
                _exec(raw, "RELEASE sqlmig_sync")
            else:
                _exec(raw, "ROLLBACK")
            raise
        return version
    finally:
        release()
