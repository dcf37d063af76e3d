#!/usr/bin/python3
"""sqlmig bench: the diff and copy budgets of SPEC section 5.

Run by bench/diff_rebuild.sh, bench/diff_copy.sh and bench/diff_vs_sqldiff.sh
(which bench/run.sh calls with LIB, REPS and BENCH_TMP set) as

    /usr/bin/python3 bench/diff_bench.py rebuild|copy|schema|compare|fk|data

(Debian's /usr/bin/python3: its sqlite3 module can load extensions.) Each
measurement runs in a fresh child process on fresh copies of prebuilt
database files, sqlmig and the hand-written baseline alternately; the
child times only the statements under test, in CPU time (time.process_time:
steady on a shared machine, where wall time swings by 2x; wall-clock
medians follow as info rows), and the parent reads the child's peak RSS
from os.wait4. Prints the
`RESULT|scenario|sqlmig|baseline|budget` lines bench/run.sh expects (medians
over REPS) and, for `compare`, markdown rows: sqldiff --schema against
migrate_diff on the same schema pairs.
"""
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

LIB = os.environ.get("LIB") or os.path.abspath("libsqlmig.so")
REPS = int(os.environ.get("REPS") or 7)
TMP = os.environ.get("BENCH_TMP") or "/tmp/sqlmig-diffbench"
NROWS = int(os.environ.get("NROWS") or 1000000)
NTABLES = int(os.environ.get("NTABLES") or 1000)
os.makedirs(TMP, exist_ok=True)


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(LIB)
    return db


def fill_rows(path, ddl):
    """A database file with table t of NROWS rows (and whatever ddl adds)."""
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "PRAGMA journal_mode=DELETE; BEGIN;"
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c REAL);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
        " INSERT INTO t SELECT i, 'name ' || i, i %% 1000, i * 0.5 FROM n;"
        "%s COMMIT;" % (NROWS, ddl))
    db.close()


# ------------------------------------------------------------ children

REBUILD_DESIRED = ("CREATE TABLE desired.t(id INTEGER PRIMARY KEY, a TEXT NOT NULL"
                   " DEFAULT '', b INTEGER, c REAL, d TEXT);"
                   "CREATE INDEX desired.t_b ON t(b);")
REBUILD_HAND = ("BEGIN;"
                "CREATE TABLE t_new(id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT '',"
                " b INTEGER, c REAL, d TEXT);"
                "INSERT INTO t_new(id, a, b, c) SELECT id, a, b, c FROM t;"
                "DROP TABLE t;"
                "ALTER TABLE t_new RENAME TO t;"
                "CREATE INDEX t_b ON t(b);"
                "COMMIT;")


def child(side, scenario, path, other):
    """Runs one side of one scenario on file path; prints elapsed ms."""
    db = connect(path)
    if scenario == "rebuild":
        if side == "sqlmig":
            db.execute("ATTACH ':memory:' AS desired")
            db.executescript(REBUILD_DESIRED)
            t0, c0 = time.perf_counter(), time.process_time()
            db.execute("INSERT INTO migrations(version, name, up, down) VALUES"
                       " (1, 'rebuild', migrate_diff('main', 'desired'), NULL)")
            db.execute("SELECT migrate()").fetchone()
            ms = (time.perf_counter() - t0) * 1000
            cpu = (time.process_time() - c0) * 1000
            assert db.execute("SELECT migrate_diff('main', 'desired')").fetchone()[0] == ""
        else:
            t0, c0 = time.perf_counter(), time.process_time()
            db.executescript(REBUILD_HAND)
            ms = (time.perf_counter() - t0) * 1000
            cpu = (time.process_time() - c0) * 1000
        assert db.execute("SELECT count(*) FROM t").fetchone()[0] == NROWS
    elif scenario in ("fkapply", "fkrebuild"):
        # sqlmig side: foreign keys on (the check runs); hand: off, no check
        db.execute("PRAGMA foreign_keys=%s" % ("ON" if side == "sqlmig" else "OFF"))
        if scenario == "fkrebuild":
            db.execute("ATTACH ':memory:' AS desired")
            db.executescript(FK_REBUILD_DESIRED)
        t0, c0 = time.perf_counter(), time.process_time()
        if scenario == "fkrebuild":
            db.execute("INSERT INTO migrations(version, name, up, down) VALUES"
                       " (1, 'rebuild', migrate_diff('main', 'desired'), NULL)")
        v = db.execute("SELECT migrate()").fetchone()[0]
        ms = (time.perf_counter() - t0) * 1000
        cpu = (time.process_time() - c0) * 1000
        assert v is not None
        assert db.execute("SELECT count(*) FROM c").fetchone()[0] == NROWS
    elif scenario == "copy":
        db.execute("ATTACH ? AS old", (other,))
        t0, c0 = time.perf_counter(), time.process_time()
        if side == "sqlmig":
            n = db.execute("SELECT migrate_copy('old', 'main')").fetchone()[0]
        else:
            db.execute("INSERT INTO main.t(id, a, b, c) SELECT id, a, b, c FROM old.t")
            n = db.execute("SELECT changes()").fetchone()[0]
        ms = (time.perf_counter() - t0) * 1000
        cpu = (time.process_time() - c0) * 1000
        assert n == NROWS, n
    print("%.3f %.3f" % (ms, cpu))


def measure(scenario, side, path, other=""):
    """(ms, peak RSS in MB) of one child run."""
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(sys.executable, [sys.executable, __file__, "child", side,
                                      scenario, path, other])
        finally:
            os._exit(127)
    _, status, rusage = os.wait4(pid, 0)
    if status != 0:
        raise SystemExit("diff_bench: %s/%s child failed" % (scenario, side))
    return rusage.ru_maxrss / 1024.0


def timed(scenario, side, base, work, other=""):
    shutil.copyfile(base, work)
    for suffix in ("-journal", "-wal"):
        if os.path.exists(work + suffix):
            os.remove(work + suffix)
    out = os.path.join(TMP, "child.out")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    saved = os.dup(1)
    os.dup2(fd, 1)
    try:
        rss = measure(scenario, side, work, other)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(fd)
    with open(out) as f:
        ms, cpu = (float(x) for x in f.read().strip().splitlines()[-1].split())
    return ms, rss, cpu


def run_pair(scenario, base, other=""):
    """Medians of REPS (at most 5: a run must fit bench/run.sh's timeout)."""
    work = os.path.join(TMP, "work.db")
    res = {"sqlmig": [], "hand": []}
    for _ in range(min(REPS, 5)):
        for side in ("sqlmig", "hand"):
            res[side].append(timed(scenario, side, base, work, other))
    med = {s: (statistics.median(x[0] for x in v), max(x[1] for x in v),
               statistics.median(x[2] for x in v))
           for s, v in res.items()}
    return med


def bench_rebuild():
    base = os.path.join(TMP, "rebuild.db")
    fill_rows(base, "CREATE INDEX t_b ON t(b);")
    med = run_pair("rebuild", base)
    print("RESULT|diff-generated rebuild of a %d-row table (CPU ms)|%.1f|%.1f|1.10"
          % (NROWS, med["sqlmig"][2], med["hand"][2]))
    print("RESULT|  the same, wall-clock ms|%.1f|%.1f|info"
          % (med["sqlmig"][0], med["hand"][0]))
    print("RESULT|  its peak RSS (MB)|%.1f|%.1f|+10"
          % (med["sqlmig"][1], med["hand"][1]))


# ------------------------------------------------------- foreign keys

FK_NPARENT = int(os.environ.get("FK_NPARENT") or 200000)
FK_NREV = int(os.environ.get("FK_NREV") or 1000)
FK_REBUILD_DESIRED = (
    "CREATE TABLE desired.p(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',"
    " extra INTEGER);"
    "CREATE TABLE desired.c(id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p(id)"
    " ON DELETE CASCADE, v TEXT);"
    "CREATE INDEX desired.c_pid ON c(pid);")


def fill_fk(path, nparent, revisions):
    """Parent p of nparent rows, child c of NROWS rows referencing it."""
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "PRAGMA journal_mode=DELETE; BEGIN;"
        "CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE c(id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p(id)"
        " ON DELETE CASCADE, v TEXT);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
        " INSERT INTO p SELECT i, 'p' || i FROM n;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
        " INSERT INTO c SELECT i, 1 + i %% %d, 'c' || i FROM n;"
        "CREATE INDEX c_pid ON c(pid); COMMIT;" % (nparent, NROWS, nparent))
    db.close()
    if revisions:
        db = connect(path)
        db.execute("BEGIN")
        for i in range(1, revisions + 1):
            db.execute("INSERT INTO migrations(version, name, up, down)"
                       " VALUES (?, 'tN', ?, ?)",
                       (i, "CREATE TABLE t%d(a)" % i, "DROP TABLE t%d" % i))
        db.execute("COMMIT")
        db.close()


def bench_fk():
    base = os.path.join(TMP, "fkapply.db")
    fill_fk(base, FK_NPARENT, FK_NREV)
    med = run_pair("fkapply", base)
    print("RESULT|migrate() of %d revisions beside a %d-row parent and its %d-row"
          " child, foreign_keys=ON vs OFF (CPU ms)|%.1f|%.1f|1.10"
          % (FK_NREV, FK_NPARENT, NROWS, med["sqlmig"][2], med["hand"][2]))
    print("RESULT|  the same, wall-clock ms|%.1f|%.1f|info"
          % (med["sqlmig"][0], med["hand"][0]))
    base = os.path.join(TMP, "fkrebuild.db")
    fill_fk(base, NROWS, 0)
    med = run_pair("fkrebuild", base)
    print("RESULT|diff-generated rebuild of a %d-row parent with %d children,"
          " foreign_keys=ON (checked) vs OFF (CPU ms)|%.1f|%.1f|1.50"
          % (NROWS, NROWS, med["sqlmig"][2], med["hand"][2]))
    print("RESULT|  the same, wall-clock ms|%.1f|%.1f|info"
          % (med["sqlmig"][0], med["hand"][0]))


def bench_copy():
    old = os.path.join(TMP, "copy_old.db")
    fill_rows(old, "")
    base = os.path.join(TMP, "copy_new.db")
    if os.path.exists(base):
        os.remove(base)
    db = sqlite3.connect(base)
    db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c REAL,"
               " d TEXT DEFAULT 'x')")
    db.commit()
    db.close()
    med = run_pair("copy", base, old)
    print("RESULT|migrate_copy of %d rows (CPU ms)|%.1f|%.1f|1.05"
          % (NROWS, med["sqlmig"][2], med["hand"][2]))
    print("RESULT|  the same, wall-clock ms|%.1f|%.1f|info"
          % (med["sqlmig"][0], med["hand"][0]))


# ------------------------------------------------------------ schema diff

def schema_pair(a, b):
    """Two databases of NTABLES tables; b differs from a in about 15%."""
    for p in (a, b):
        if os.path.exists(p):
            os.remove(p)
    da, dbb = sqlite3.connect(a), sqlite3.connect(b)
    sa, sb = [], []
    for i in range(NTABLES):
        t = ("CREATE TABLE t%d(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
             " v REAL, created TEXT DEFAULT CURRENT_TIMESTAMP%s)")
        sa.append(t % (i, ""))
        if i % 50 == 7:
            continue                                   # dropped
        if i % 10 == 3:
            sb.append(t % (i, ", note TEXT"))          # added column
        elif i % 50 == 11:
            sb.append(t.replace("v REAL", "v INTEGER") % (i, ""))  # retyped
        else:
            sb.append(t % (i, ""))
        if i % 10 == 0:
            sa.append("CREATE INDEX t%d_name ON t%d(name)" % (i, i))
            sb.append("CREATE INDEX t%d_name ON t%d(name)" % (i, i))
    for i in range(NTABLES // 50):
        sb.append("CREATE TABLE n%d(id INTEGER PRIMARY KEY, x TEXT)" % i)
    da.executescript("BEGIN;" + ";".join(sa) + ";COMMIT;")
    dbb.executescript("BEGIN;" + ";".join(sb) + ";COMMIT;")
    da.close()
    dbb.close()


def wall(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t0) * 1000


def race(label, ours, theirs):
    """REPS alternate runs of two commands; a RESULT line (budget 1.0)."""
    res = {"ours": [], "theirs": []}
    for _ in range(REPS):
        res["ours"].append(wall(ours))
        res["theirs"].append(wall(theirs))
    print("RESULT|%s|%.1f|%.1f|1.0" % (label, statistics.median(res["ours"]),
                                       statistics.median(res["theirs"])))


def bench_schema():
    sqldiff = shutil.which("sqldiff")
    shell = shutil.which("sqlite3")
    if not sqldiff or not shell:
        print("INFO|schema diff: sqldiff or sqlite3 not installed"
              " (apt-get install sqlite3-tools sqlite3), not measured")
        return
    a, b = os.path.join(TMP, "schema_a.db"), os.path.join(TMP, "schema_b.db")
    schema_pair(a, b)
    lib = os.path.splitext(LIB)[0]
    ours = [shell, a, "-cmd", ".load " + lib, "ATTACH '%s' AS b" % b,
            "SELECT length(migrate_diff('main', 'b'))"]
    theirs = [sqldiff, "--schema", a, b]
    race("schema diff of two %d-table databases vs sqldiff --schema,"
         " whole process (ms)" % NTABLES, ours, theirs)

    # migrate_drift() on the first database after migrate() recorded it
    # and a tenth of its tables got a column by hand, against the same
    # sqldiff --schema run (the schema diff budget)
    drift = os.path.join(TMP, "schema_drift.db")
    shutil.copy(a, drift)
    subprocess.run([shell, drift, "-cmd", ".load " + lib,
                    "INSERT INTO migrations VALUES (1, 'x', 'SELECT 1', NULL)",
                    "SELECT migrate()"], stdout=subprocess.DEVNULL, check=True)
    db = sqlite3.connect(drift)
    db.executescript("BEGIN;" + ";".join(
        "ALTER TABLE t%d ADD COLUMN hand TEXT" % i
        for i in range(NTABLES) if i % 10 == 3) + ";COMMIT;")
    db.close()
    mine = [shell, drift, "-cmd", ".load " + lib,
            "SELECT count(*) FROM migrate_drift()"]
    out = subprocess.run(mine, capture_output=True, text=True, check=True)
    if out.stdout.strip() != str(NTABLES // 10):
        print("RESULT|migrate_drift() found %s changes, expected %d|-|-|failed"
              % (out.stdout.strip(), NTABLES // 10))
        return
    race("migrate_drift() on a %d-table database vs sqldiff --schema of"
         " two, whole process (ms)" % NTABLES, mine, theirs)


# ------------------------------------------------------------ comparison

PAIRS = [
    ("add a column with a type and default",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b INTEGER NOT NULL DEFAULT 0)"),
    ("change a column's type",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER)"),
    ("add NOT NULL / CHECK to a column",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT NOT NULL CHECK (length(a) < 9))"),
    ("drop a column",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b TEXT)",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)"),
    ("reorder columns",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b TEXT)",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, b TEXT, a TEXT)"),
    ("add a foreign key",
     "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, pid INTEGER)",
     "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, pid INTEGER REFERENCES p(id))"),
    ("add a view and a trigger",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v AS SELECT a FROM t;"
     " CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END"),
    ("add an index",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)",
     "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT); CREATE INDEX t_a ON t(a)"),
]


def apply_and_judge(path_from, path_to, script, via_migrate):
    """Applies script to path_from; (same schema as to?, rows kept?)."""
    db = connect(path_from)
    if script.strip():
        if via_migrate:
            db.execute("INSERT INTO migrations(version, name, up) VALUES (1, 'x', ?)",
                       (script,))
            db.execute("SELECT migrate()").fetchone()
        else:
            db.executescript(script)
    db.execute("ATTACH ? AS target", (path_to,))
    same = db.execute("SELECT migrate_diff('main', 'target')").fetchone()[0] == ""
    rows = db.execute("SELECT group_concat(id || ':' || a) FROM (SELECT id, a FROM t ORDER BY id)").fetchone()[0]
    db.close()
    return same, rows == "1:x,2:y"


def summary(script):
    kinds = []
    for line in script.splitlines():
        words = line.split()
        if not words:
            continue
        k = " ".join(words[:2]).upper().rstrip(";")
        if k == "ALTER TABLE" and len(words) > 3:
            k = "ALTER TABLE " + " ".join(words[3:5]).upper()
        if k not in kinds:
            kinds.append(k)
    if "ALTER TABLE RENAME TO" in kinds:
        return "table rebuild (new table, copy, drop, rename)"
    if "ALTER TABLE ADD COLUMN" in kinds and "ADD COLUMN" in script:
        # sqldiff writes the bare name: say when the definition got lost
        line = [l for l in script.splitlines() if "ADD COLUMN" in l][0]
        if len(line.split("ADD COLUMN", 1)[1].strip().rstrip(";").split()) < 2:
            kinds[kinds.index("ALTER TABLE ADD COLUMN")] = \
                "ALTER TABLE ADD COLUMN (name only: type, NOT NULL, DEFAULT lost)"
    return ", ".join(kinds) if kinds else "(nothing)"


def bench_compare():
    sqldiff = shutil.which("sqldiff")
    if not sqldiff:
        print("INFO|comparison with sqldiff skipped: sqldiff not installed")
        return
    print("| change | sqldiff --schema emits | schema equal after | rows kept |"
          " migrate_diff emits | schema equal after | rows kept |")
    print("|---|---|---|---|---|---|---|")
    yes = lambda b: "yes" if b else "**no**"
    for name, sa, sb in PAIRS:
        pa, pb = os.path.join(TMP, "cmp_a.db"), os.path.join(TMP, "cmp_b.db")
        for p, s in ((pa, sa), (pb, sb)):
            if os.path.exists(p):
                os.remove(p)
            d = sqlite3.connect(p, isolation_level=None)
            d.executescript(s + "; INSERT INTO t(id, a) VALUES (1, 'x'), (2, 'y');")
            d.close()
        theirs = subprocess.run([sqldiff, "--schema", pa, pb], capture_output=True,
                                text=True).stdout
        d = connect(pa)
        d.execute("ATTACH ? AS b", (pb,))
        ours = d.execute("SELECT migrate_diff('main', 'b')").fetchone()[0]
        d.close()
        work = os.path.join(TMP, "cmp_w.db")
        shutil.copyfile(pa, work)
        s1, r1 = apply_and_judge(work, pb, theirs, False)
        shutil.copyfile(pa, work)
        s2, r2 = apply_and_judge(work, pb, ours, True)
        print("| %s | %s | %s | %s | %s | %s | %s |"
              % (name, summary(theirs), yes(s1), yes(r1), summary(ours), yes(s2), yes(r2)))


# ------------------------------------------------------------ data diff

def data_pair(a, b):
    """Two files with table t of NROWS rows whose REALs need 17 digits; b
    differs in 1% of the rows (0.5% changed, 0.25% deleted, 0.25% new)."""
    for p in (a, b):
        if os.path.exists(p):
            os.remove(p)
    db = sqlite3.connect(a, isolation_level=None)
    db.executescript(
        "PRAGMA journal_mode=DELETE; BEGIN;"
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c REAL);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
        " INSERT INTO t SELECT i, 'name ' || i, i %% 1000,"
        " (abs(random()) %% 1000000007) / 7.0 + 1.0 / (i + 3) FROM n;"
        "COMMIT;" % NROWS)
    db.close()
    shutil.copyfile(a, b)
    db = sqlite3.connect(b, isolation_level=None)
    db.executescript(
        "BEGIN;"
        "UPDATE t SET c = c * 1.0000000001 + 1.0 / 3, a = a || '!' WHERE id %% 200 = 7;"
        "DELETE FROM t WHERE id %% 400 = 11;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
        " INSERT INTO t SELECT %d + i, 'new ' || i, i, 1.0 / (i + 7) FROM n;"
        "COMMIT;" % (NROWS // 400, NROWS))
    db.close()


def rows_different(path_a, path_b):
    """Rows of t that are not exactly equal in the two files (either side)."""
    db = sqlite3.connect(path_a)
    db.execute("ATTACH ? AS b", (path_b,))
    n = db.execute(
        "SELECT (SELECT count(*) FROM main.t x JOIN b.t y USING (id)"
        "  WHERE x.a IS NOT y.a OR x.b IS NOT y.b OR x.c IS NOT y.c"
        "  OR typeof(x.c) <> typeof(y.c))"
        " + (SELECT count(*) FROM main.t x WHERE id NOT IN (SELECT id FROM b.t))"
        " + (SELECT count(*) FROM b.t y WHERE id NOT IN (SELECT id FROM main.t))"
    ).fetchone()[0]
    db.close()
    return n


def bench_data():
    sqldiff = shutil.which("sqldiff")
    shell = shutil.which("sqlite3")
    if not sqldiff or not shell:
        print("INFO|data diff: sqldiff or sqlite3 not installed"
              " (apt-get install sqlite3-tools sqlite3), not measured")
        return
    a, b = os.path.join(TMP, "data_a.db"), os.path.join(TMP, "data_b.db")
    data_pair(a, b)
    lib = os.path.splitext(LIB)[0]
    ours = [shell, a, "-cmd", ".load " + lib, "ATTACH '%s' AS b" % b,
            "SELECT migrate_data_diff('main', 'b')"]
    theirs = [sqldiff, a, b]
    race("migrate_data_diff of two %d-row tables differing in 1%% vs sqldiff,"
         " whole process (ms)" % NROWS, ours, theirs)

    # exactness: apply each tool's script to a copy of a, count what differs
    work = os.path.join(TMP, "data_w.db")
    left = {}
    for who, cmd in (("sqlmig", ours), ("sqldiff", theirs)):
        script = subprocess.run(cmd, capture_output=True, text=True,
                                check=True).stdout
        shutil.copyfile(a, work)
        db = sqlite3.connect(work, isolation_level=None)
        db.executescript("BEGIN;" + script + ";COMMIT;")
        db.close()
        left[who] = rows_different(work, b)
    print("RESULT|rows still different after applying migrate_data_diff's"
          " script (sqldiff's: %d of %d)|%d|-|<=0"
          % (left["sqldiff"], NROWS, left["sqlmig"]))


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif len(sys.argv) == 2 and sys.argv[1] in ("rebuild", "copy", "schema",
                                                 "compare", "fk", "data"):
        {"rebuild": bench_rebuild, "copy": bench_copy, "schema": bench_schema,
         "compare": bench_compare, "fk": bench_fk,
         "data": bench_data}[sys.argv[1]]()
    else:
        sys.stderr.write("usage: diff_bench.py rebuild|copy|schema|compare|fk|data\n")
        sys.exit(2)
