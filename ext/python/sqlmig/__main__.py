"""python -m sqlmig: revisions from SQLAlchemy models, and the folder applied.

    python -m sqlmig revision --db app.db --models app.models:Base.metadata -d db/migrations -m "add email"
    python -m sqlmig upgrade --db app.db -d db/migrations [--to N]
    python -m sqlmig downgrade --db app.db [--to N]
    python -m sqlmig from-alembic --config alembic.ini -d db/migrations [--baseline --db app.db]

Exit status 0 on success, 1 when the command failed or refused (the reason
on stderr, nothing written), 2 for a usage error.
"""
import argparse
import importlib
import os
import re
import sqlite3
import sys
import time
from urllib.parse import quote

import sqlmig


class Failure(Exception):
    """A reason to stop, printed as `sqlmig COMMAND: reason`."""


def _connect(path, readonly):
    """Opens path with sqlmig loaded: read-only (an absent file is an empty
    database, opened in memory) or read-write. Returns (conn, created)."""
    if readonly and not os.path.exists(path):
        conn, created = sqlite3.connect(":memory:", isolation_level=None), False
    else:
        created = not os.path.exists(path)
        mode = "ro" if readonly else "rwc"
        conn = sqlite3.connect("file:%s?mode=%s" % (quote(os.path.abspath(path)), mode),
                               uri=True, isolation_level=None)
    try:
        sqlmig.load(conn)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise Failure('database "%s" cannot be read: %s' % (path, exc)) from None
    except BaseException:
        conn.close()
        if created and os.path.exists(path) and os.path.getsize(path) == 0:
            os.remove(path)
        raise
    return conn, created


def _discard_if_new(conn, path, created):
    """Closes conn; removes the file when this command created it empty."""
    conn.close()
    if created and os.path.exists(path) and os.path.getsize(path) == 0:
        os.remove(path)


def _import_models(spec):
    """'pkg.module:attr.path' -> the MetaData it names (a declarative Base's
    .metadata is taken too)."""
    import sqlalchemy
    module, sep, attr = spec.partition(":")
    if not sep or not module or not attr:
        raise Failure('models "%s" is not module:attribute (e.g. app.models:Base.metadata)' % spec)
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        obj = importlib.import_module(module)
    except Exception as exc:
        raise Failure('models "%s": cannot import %s: %s: %s'
                      % (spec, module, type(exc).__name__, exc)) from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise Failure('models "%s": %s has no attribute %s' % (spec, module, attr))
        obj = getattr(obj, part)
    if not isinstance(obj, sqlalchemy.MetaData):
        obj = getattr(obj, "metadata", obj)
    if not isinstance(obj, sqlalchemy.MetaData):
        raise Failure('models "%s" is a %s, not a sqlalchemy.MetaData'
                      % (spec, type(obj).__name__))
    return obj


def _folder_rows(conn, folder):
    """(version, name, format, path) of the folder's revisions, in order."""
    if not os.path.isdir(folder):
        raise Failure('folder "%s" does not exist (create it, or pass the folder '
                      'that holds the migrations with -d)' % folder)
    try:
        return conn.execute("SELECT version, name, format, path "
                            "FROM migration_files(?)", (folder,)).fetchall()
    except sqlite3.Error as exc:
        raise Failure(str(exc)) from None


def _slug(message):
    return re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_") or "revision"


def _next_files(rows, folder, message, up, down):
    """[(path, text)] of the next revision in the folder's layout (the newest
    file's), numbered as the folder numbers (timestamps, or the next integer
    with the same zero padding); golang-migrate's pair for an empty folder."""
    slug = _slug(message)
    fmt = rows[-1][2] if rows else "golang-migrate"
    newest = max((r[0] for r in rows), default=0)
    base = os.path.basename(os.path.dirname(rows[-1][3]) if fmt == "diesel"
                            else rows[-1][3]) if rows else "000000_"
    if fmt == "diesel" or newest >= 10 ** 13:
        version = max(int(time.strftime("%Y%m%d%H%M%S", time.gmtime())), newest + 1)
        num = str(version)
    else:
        version = newest + 1
        digits = re.match(r"[VU]?(\d+)", base)
        num = str(version).zfill(len(digits.group(1)) if digits else 6)
    up = up if up.endswith("\n") else up + "\n"
    down = down if down.endswith("\n") else down + "\n"
    if fmt == "dbmate":
        return version, [(os.path.join(folder, "%s_%s.sql" % (num, slug)),
                          "-- migrate:up\n%s\n-- migrate:down\n%s" % (up, down))]
    if fmt == "goose":
        return version, [(os.path.join(folder, "%s_%s.sql" % (num, slug)),
                          "-- +goose Up\n-- +goose StatementBegin\n%s-- +goose StatementEnd\n\n"
                          "-- +goose Down\n-- +goose StatementBegin\n%s-- +goose StatementEnd\n"
                          % (up, down))]
    if fmt == "flyway":
        return version, [(os.path.join(folder, "V%s__%s.sql" % (num, slug)), up),
                         (os.path.join(folder, "U%s__%s.sql" % (num, slug)), down)]
    if fmt == "diesel":
        d = os.path.join(folder, "%s-%s-%s-%s_%s" % (num[:4], num[4:6], num[6:8], num[8:], slug))
        return version, [(os.path.join(d, "up.sql"), up), (os.path.join(d, "down.sql"), down)]
    return version, [(os.path.join(folder, "%s_%s.up.sql" % (num, slug)), up),
                     (os.path.join(folder, "%s_%s.down.sql" % (num, slug)), down)]


def write_files(files):
    """Writes every (path, text) or none: never overwrites; on a failure the
    files (and a Diesel folder) already written are removed."""
    done, made = [], []
    try:
        for path, text in files:
            parent = os.path.dirname(path)
            if parent and not os.path.isdir(parent):
                os.mkdir(parent)
                made.append(parent)
            with open(path, "x", encoding="utf-8") as f:
                done.append(path)
                f.write(text)
    except OSError as exc:
        for path in done:
            os.remove(path)
        for parent in made:
            os.rmdir(parent)
        raise Failure('cannot write "%s": %s' % (exc.filename, exc.strerror)) from None


def cmd_revision(args):
    from sqlmig import sqlalchemy as bridge
    metadata = _import_models(args.models)
    bridge.desired_schema(metadata)  # the models' own problems first
    conn, _ = _connect(args.db, readonly=True)
    try:
        rows = _folder_rows(conn, args.dir)
        applied = {r[0] for r in conn.execute(
            "SELECT version FROM migrations WHERE applied_at IS NOT NULL")}
        behind = [r for r in rows if r[0] not in applied]
        if behind:
            raise Failure('database "%s" is behind %s: revision %d "%s" is not applied '
                          '(run python -m sqlmig upgrade first)'
                          % (args.db, args.dir, behind[0][0], behind[0][1]))
        try:
            rev = bridge._revision(conn, metadata, args.rename)
        except sqlite3.Error as exc:
            raise Failure(str(exc)) from None
    finally:
        conn.close()
    if not rev.up:
        print('database "%s" already matches the models: nothing written' % args.db)
        return 0
    for change in rev.destructive:
        print("destructive: " + change, file=sys.stderr)
    if rev.destructive and not args.allow_destructive:
        raise Failure("the revision is destructive (%d change%s above): nothing written "
                      "(pass --allow-destructive to write it)"
                      % (len(rev.destructive), "" if len(rev.destructive) == 1 else "s"))
    version, files = _next_files(rows, args.dir, args.message, rev.up, rev.down)
    write_files(files)
    for path, _ in files:
        print(path)
    return 0


def _migrate(db, statements):
    """Runs statements in one BEGIN IMMEDIATE transaction; returns the last
    one's value. Nothing stays written when one fails."""
    conn, created = _connect(db, readonly=False)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            value = None
            for sql, params in statements:
                row = conn.execute(sql, params).fetchone()
                value = row[0] if row else None
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise Failure(str(exc)) from None
    except BaseException:
        _discard_if_new(conn, db, created)
        raise
    conn.close()
    return value


def cmd_upgrade(args):
    if not os.path.isdir(args.dir):
        raise Failure('folder "%s" does not exist' % args.dir)
    target = ("SELECT migrate(?)", (args.to,)) if args.to is not None else ("SELECT migrate()", ())
    version = _migrate(args.db, [
        ("INSERT OR REPLACE INTO migrations SELECT * FROM migration_files(?)", (args.dir,)),
        target])
    print('database "%s" is at version %s' % (args.db, version))
    return 0


def cmd_downgrade(args):
    if not os.path.exists(args.db):
        raise Failure('database "%s" does not exist' % args.db)
    target = ("SELECT migrate(?)", (args.to,)) if args.to is not None else ("SELECT migrate_down()", ())
    version = _migrate(args.db, [target])
    print('database "%s" is at version %s' % (args.db, version))
    return 0


def cmd_from_alembic(args):
    from sqlmig import _alembic
    return _alembic.from_alembic(args, Failure, write_files, _migrate)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sqlmig", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("revision", help="write the next migration files from the models")
    p.add_argument("--db", required=True, help="the database the revision starts from")
    p.add_argument("--models", required=True, help="module:attribute naming a MetaData")
    p.add_argument("-d", "--dir", required=True, help="the migrations folder")
    p.add_argument("-m", "--message", required=True, help="the revision's name")
    p.add_argument("--rename", action="append", help='a rename hint "table.old -> table.new"')
    p.add_argument("--allow-destructive", action="store_true")
    p.set_defaults(run=cmd_revision)
    p = sub.add_parser("upgrade", help="register the folder's revisions and migrate")
    p.add_argument("--db", required=True)
    p.add_argument("-d", "--dir", required=True)
    p.add_argument("--to", type=int, help="migrate to this version (up or down)")
    p.set_defaults(run=cmd_upgrade)
    p = sub.add_parser("downgrade", help="revert with the stored down scripts")
    p.add_argument("--db", required=True)
    p.add_argument("--to", type=int, help="the version to go back to (default: one revision)")
    p.set_defaults(run=cmd_downgrade)
    p = sub.add_parser("from-alembic", help="one migration file pair per Alembic revision")
    p.add_argument("--config", required=True, help="alembic.ini")
    p.add_argument("-d", "--dir", required=True)
    p.add_argument("--baseline", action="store_true",
                   help="mark the revisions up to alembic_version as applied in --db")
    p.add_argument("--db", help="the database Alembic manages (for --baseline)")
    p.set_defaults(run=cmd_from_alembic)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (Failure, sqlmig.Error) as exc:
        msg = str(exc)
        if msg.startswith("sqlmig"):
            print(msg, file=sys.stderr)
        else:
            print("sqlmig %s: %s" % (args.command, msg), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
