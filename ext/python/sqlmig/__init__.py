"""sqlmig for Python: the SQLite extension that keeps migrations in the database.

    import sqlite3, sqlmig
    db = sqlite3.connect("app.db")
    sqlmig.load(db)                 # registers migrations, migrate(), migrate_diff() ...
    db.execute("SELECT migrate()")

``loadable_path()`` is the path of the library inside this package; ``load``
loads it into a ``sqlite3`` (or ``pysqlite3``) or ``apsw`` connection.
``sqlmig.sqlalchemy`` turns SQLAlchemy models into revisions;
``python -m sqlmig`` is its command line (``revision``, ``upgrade``,
``downgrade``, ``from-alembic``). ``include_name``, ``include_object`` and
``reflect_filter`` keep Alembic and SQLAlchemy reflection away from
sqlmig's own tables.
"""
import os
import sys

from ._version import __version__

__all__ = [
    "__version__", "Error", "LoadError", "loadable_path", "load",
    "is_sqlmig_name", "include_name", "include_object", "reflect_filter",
]


class Error(Exception):
    """An error sqlmig's Python package reports (wrong input, refused change)."""


class LoadError(Error):
    """The connection cannot load SQLite extensions."""


_LIBNAME = {"darwin": "libsqlmig.dylib", "win32": "sqlmig.dll"}.get(
    sys.platform, "libsqlmig.so")

_NO_LOADING = (
    "sqlmig.load: this Python's sqlite3 module was built without extension "
    "loading ({kind} has no enable_load_extension): use a Python whose "
    "sqlite3 can load extensions, such as the distribution's /usr/bin/python3, "
    "or connect with apsw (apsw.Connection) or pysqlite3 "
    "(pysqlite3.dbapi2.connect), both of which sqlmig.load accepts")


def loadable_path() -> str:
    """Returns the absolute path of the sqlmig library shipped in this package.

    The file name keeps the entry point SQLite derives from it
    (``sqlite3_sqlmig_init``), so ``load_extension(loadable_path())`` works
    from any binding. Raises ``Error`` when the file is missing (a source
    checkout rather than an installed wheel).
    """
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), _LIBNAME)
    if not os.path.isfile(path):
        raise Error("sqlmig.loadable_path: %s is missing (install the wheel "
                    "built by `make dist`)" % path)
    return path


def _kind(conn) -> str:
    cls = type(conn)
    return "%s.%s" % (cls.__module__, cls.__qualname__)


def _loading_enabled(run) -> bool:
    """True when SQL's load_extension() is enabled on the connection.

    Probes with a path that cannot exist: SQLite answers "not authorized"
    when loading is off and a file error when it is on; nothing is loaded.
    """
    probe = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "no-such-library-%d" % os.getpid())
    try:
        run("SELECT load_extension(?)", (probe,))
    except Exception as exc:  # each binding has its own exception classes
        return "not authorized" not in str(exc)
    return True


def load(conn) -> None:
    """Loads sqlmig into ``conn`` (sqlite3, pysqlite3 or apsw connection).

    Extension loading is enabled only for the call and then set back to what
    it was (off for a new connection), so SQL run later cannot load other
    libraries. Returns None. Raises ``LoadError`` when the module was built
    without extension loading (saying which Pythons and modules can),
    ``TypeError`` for anything that is not a connection of those modules,
    and the binding's own error when SQLite refuses the library.
    """
    if hasattr(conn, "enableloadextension") and hasattr(conn, "loadextension"):
        # apsw.Connection
        def run(sql, args):
            return list(conn.cursor().execute(sql, args))
        was_on = _loading_enabled(run)
        conn.enableloadextension(True)
        try:
            conn.loadextension(loadable_path())
        finally:
            conn.enableloadextension(was_on)
        return
    if hasattr(conn, "enable_load_extension") and hasattr(conn, "load_extension"):
        # sqlite3.Connection, pysqlite3.dbapi2.Connection
        was_on = _loading_enabled(conn.execute)
        conn.enable_load_extension(True)
        try:
            conn.load_extension(loadable_path())
        finally:
            conn.enable_load_extension(was_on)
        return
    import sqlite3
    if isinstance(conn, sqlite3.Connection):
        raise LoadError(_NO_LOADING.format(kind=_kind(conn)))
    raise TypeError("sqlmig.load: %s is not a database connection sqlmig can "
                    "load into (expected sqlite3.Connection, "
                    "pysqlite3.dbapi2.Connection or apsw.Connection; for "
                    "SQLAlchemy use sqlmig.sqlalchemy)" % _kind(conn))


# ---------------------------------------------------------------- filters
# sqlmig's own tables (the history store sqlmig_history, sqlmig_schema,
# sqlmig_baseline and the owner table `sqlmig`) are matched by name: `sqlmig`
# itself or anything starting with `sqlmig_`.

def is_sqlmig_name(name) -> bool:
    """True for the name of a table (or index) that belongs to sqlmig."""
    return isinstance(name, str) and (
        name.lower() == "sqlmig" or name.lower().startswith("sqlmig_"))


def include_name(name, type_, parent_names) -> bool:
    """Alembic's ``include_name`` hook: False for sqlmig's tables and their indexes.

    ``context.configure(..., include_name=sqlmig.include_name)`` in env.py.
    """
    if type_ == "table":
        return not is_sqlmig_name(name)
    if parent_names and parent_names.get("table_name"):
        return not is_sqlmig_name(parent_names["table_name"])
    return True


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object`` hook: False for sqlmig's tables and their parts."""
    if type_ == "table":
        return not is_sqlmig_name(name)
    table = getattr(obj, "table", None)
    return not is_sqlmig_name(getattr(table, "name", None))


def reflect_filter(name, metadata=None) -> bool:
    """``MetaData.reflect(engine, only=sqlmig.reflect_filter)``: False for sqlmig's tables."""
    return not is_sqlmig_name(name)
