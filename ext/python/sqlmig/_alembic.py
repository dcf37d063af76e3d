"""python -m sqlmig from-alembic: one migration file pair per Alembic revision.

The scripts are Alembic's own offline SQL (``alembic upgrade A:B --sql`` and
``alembic downgrade B:A --sql``, through Alembic's API), without the
statements that maintain Alembic's ``alembic_version`` table (sqlmig keeps
its own history). Revisions are numbered 1, 2, ... in the order of Alembic's
revision chain and written in golang-migrate's layout
(``000001_<message>.up.sql`` / ``.down.sql``). A revision Alembic cannot
render offline (one that reads the database through ``op.get_bind()``,
say) is reported by its id and message, and nothing is written. A
``downgrade()`` that raises NotImplementedError makes the revision
irreversible (no ``.down.sql``). ``--baseline --db app.db`` then registers
the folder in app.db and marks as applied (``migrate_baseline(N)``) the
revisions up to the one in its ``alembic_version`` table.
"""
import io
import os
import re
import sqlite3

_VERSION_TABLE = re.compile(
    r'^\s*(CREATE\s+TABLE|INSERT\s+INTO|UPDATE|DELETE\s+FROM|DROP\s+TABLE)\s+'
    r'["`\[]?alembic_version["`\]]?[\s(;]', re.IGNORECASE)


def _statements(sql):
    """Splits Alembic's output into statements (SQLite's own completeness
    test, so literals and trigger bodies stay whole), dropping comment-only
    chunks and the alembic_version bookkeeping."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        if not buf and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if not _VERSION_TABLE.match(buf):
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return "".join(s + "\n\n" for s in out)


def _render(config_path, direction, spec):
    """Alembic's offline SQL of `upgrade/downgrade spec --sql`."""
    from alembic import command
    from alembic.config import Config
    buf = io.StringIO()
    cfg = Config(config_path, output_buffer=buf)
    getattr(command, direction)(cfg, spec, sql=True)
    return _statements(buf.getvalue())


def _chain(config_path, Failure):
    """The revisions from base to head, one chain."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    try:
        script = ScriptDirectory.from_config(Config(config_path))
        heads = script.get_heads()
        revs = list(script.walk_revisions("base", "heads"))
    except Exception as exc:
        raise Failure('alembic config "%s": %s: %s'
                      % (config_path, type(exc).__name__, exc)) from None
    if len(heads) > 1:
        raise Failure("alembic history has %d heads (%s): sqlmig numbers one chain "
                      "(merge them with alembic merge first)"
                      % (len(heads), ", ".join(sorted(heads))))
    revs.reverse()
    return revs


def from_alembic(args, Failure, write_files, migrate):
    if not os.path.isfile(args.config):
        raise Failure('alembic config "%s" does not exist' % args.config)
    if args.baseline and not args.db:
        raise Failure("--baseline needs --db (the database Alembic manages)")
    if os.path.isdir(args.dir) and any(n.endswith(".sql") for n in os.listdir(args.dir)):
        raise Failure('folder "%s" already holds migration files: write Alembic\'s '
                      'revisions into a new folder' % args.dir)
    revs = _chain(args.config, Failure)
    if not revs:
        raise Failure('alembic config "%s" has no revisions' % args.config)
    baseline = None
    if args.baseline:
        if not os.path.exists(args.db):
            raise Failure('database "%s" does not exist' % args.db)
        conn = sqlite3.connect("file:%s?mode=ro" % os.path.abspath(args.db), uri=True)
        try:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.Error as exc:
            raise Failure('database "%s": cannot read alembic_version: %s'
                          % (args.db, exc)) from None
        finally:
            conn.close()
        ids = [r.revision for r in revs]
        if len(rows) != 1 or rows[0][0] not in ids:
            raise Failure('database "%s": alembic_version holds %s, not one revision '
                          'of the chain' % (args.db, [r[0] for r in rows]))
        baseline = ids.index(rows[0][0]) + 1
    files, failures = [], []
    width = max(6, len(str(len(revs))))
    for n, rev in enumerate(revs, 1):
        down_rev = rev.down_revision or "base"
        slug = re.sub(r"[^a-z0-9]+", "_", (rev.doc or "").lower()).strip("_") or rev.revision
        stem = os.path.join(args.dir, "%s_%s" % (str(n).zfill(width), slug))
        try:
            up = _render(args.config, "upgrade", "%s:%s" % (down_rev, rev.revision))
        except Exception as exc:
            failures.append('alembic revision %s "%s" cannot be rendered offline '
                            '(upgrade): %s: %s' % (rev.revision, rev.doc, type(exc).__name__, exc))
            continue
        files.append((stem + ".up.sql", up))
        try:
            files.append((stem + ".down.sql",
                          _render(args.config, "downgrade", "%s:%s" % (rev.revision, down_rev))))
        except NotImplementedError:
            pass  # irreversible: no down file
        except Exception as exc:
            failures.append('alembic revision %s "%s" cannot be rendered offline '
                            '(downgrade): %s: %s' % (rev.revision, rev.doc, type(exc).__name__, exc))
    if failures:
        raise Failure("; ".join(failures) + ": nothing written")
    made = not os.path.isdir(args.dir)
    if made:
        os.makedirs(args.dir)
    try:
        write_files(files)
    except BaseException:
        if made:
            os.rmdir(args.dir)
        raise
    for path, _ in files:
        print(path)
    if baseline is not None:
        version = migrate(args.db, [
            ("INSERT OR REPLACE INTO migrations SELECT * FROM migration_files(?)", (args.dir,)),
            ("SELECT migrate_baseline(?)", (baseline,))])
        print('database "%s": revisions up to %d marked as applied (baseline; at version %s)'
              % (args.db, baseline, version))
    return 0
