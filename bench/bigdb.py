#!/usr/bin/python3
"""sqlmig bench: big databases (issue 18, item 3).

Run by bench/diff_bigdb.sh (which bench/run.sh calls with LIB, REPS and
BENCH_TMP set) as

    /usr/bin/python3 bench/bigdb.py [check|copy|data ...]

(no argument: all three). BIGDB_MB sets the size of each database built
(default 1024: 1 GB; `BIGDB_MB=64` for a quick run); the files are built
once per run in BENCH_TMP, which needs about 5 x BIGDB_MB of disk (the
three databases, the copy's target and migrate_check's private copy).
Each measurement runs in a fresh child process, sqlmig and the baseline
alternately, BIGDB_REPS times (default 1 at full size, else min(REPS, 3));
the child times the statements under test (wall clock, and CPU time for
the check and the copy: steadier, blind to fsyncs) and the parent
reads its peak RSS from os.wait4. Rows printed (see bench/README.md):

  check  migrate_check() of three pending revisions on a table of BIGDB_MB
         (an index, a column added and dropped, a derived table) vs running
         their up and down scripts directly on the same file in one
         transaction rolled back; then both peak RSS, and the budget
         "at most 64 MB beyond the baseline's" (SQLite's page cache is the
         same default 2 MB on both sides).
  copy   migrate_copy of the table into a new database vs the hand-written
         INSERT ... SELECT; both peak RSS.
  data   migrate_data_diff of two such files differing in 1% of their rows
         vs sqldiff, whole process; both peak RSS.
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
TMP = os.environ.get("BENCH_TMP") or "/tmp/sqlmig-bigdb"
MB = int(os.environ.get("BIGDB_MB") or 1024)
NREPS = int(os.environ.get("BIGDB_REPS") or (1 if MB >= 512 else min(REPS, 3)))
ROW_BYTES = 240                      # about, with the b-tree's overhead
NROWS = MB * 1024 * 1024 // ROW_BYTES
os.makedirs(TMP, exist_ok=True)

REVS = [
    ("index on b", "CREATE INDEX t_b ON t(b)", "DROP INDEX t_b"),
    ("a note column", "ALTER TABLE t ADD COLUMN note TEXT",
     "ALTER TABLE t DROP COLUMN note"),
    ("tags of every 100th row",
     "CREATE TABLE tags(id INTEGER PRIMARY KEY, tag TEXT);"
     " INSERT INTO tags SELECT id, 'tag ' || b FROM t WHERE id % 100 = 0",
     "DROP TABLE tags"),
]


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(LIB)
    return db


def fill(path):
    """A database file whose table t holds about MB megabytes."""
    for suffix in ("", "-journal", "-wal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF; BEGIN;"
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c REAL, pad TEXT);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
        " INSERT INTO t SELECT i, 'name ' || i, i %% 1000,"
        " (abs(random()) %% 1000000007) / 7.0, hex(randomblob(100)) FROM n;"
        "COMMIT;" % NROWS)
    db.close()


def megabytes(path):
    return os.path.getsize(path) / (1024.0 * 1024.0)


# ------------------------------------------------------------ children

def child(side, scenario, path, other):
    """Runs one side of one scenario on file path; prints elapsed ms."""
    db = connect(path)
    c0 = time.process_time()
    if scenario == "check":
        t0 = time.perf_counter()
        if side == "sqlmig":
            rows = db.execute("SELECT * FROM migrate_check()").fetchall()
            assert rows == [], rows
        else:
            db.execute("BEGIN")
            # (executescript would commit first: one statement at a time)
            for _, up, _ in REVS:
                for stmt in up.split(";"):
                    db.execute(stmt)
            for _, _, down in reversed(REVS):
                for stmt in down.split(";"):
                    db.execute(stmt)
            db.execute("ROLLBACK")
        ms = (time.perf_counter() - t0) * 1000
    else:  # copy
        db.execute("ATTACH ? AS old", (other,))
        t0 = time.perf_counter()
        if side == "sqlmig":
            n = db.execute("SELECT migrate_copy('old', 'main')").fetchone()[0]
        else:
            db.execute("INSERT INTO main.t(id, a, b, c, pad)"
                       " SELECT id, a, b, c, pad FROM old.t")
            n = db.execute("SELECT changes()").fetchone()[0]
        ms = (time.perf_counter() - t0) * 1000
        assert n == NROWS, n
    print("%.3f %.3f" % (ms, (time.process_time() - c0) * 1000))


def run_child(argv, out_path=None):
    """(wall ms, peak RSS MB) of one child process."""
    t0 = time.perf_counter()
    out = open(out_path or os.devnull, "w")
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(out.fileno(), 1)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    _, status, rusage = os.wait4(pid, 0)
    ms = (time.perf_counter() - t0) * 1000
    out.close()
    if status != 0:
        raise SystemExit("bigdb: %s failed (status %d)" % (argv, status))
    return ms, rusage.ru_maxrss / 1024.0


def timed(scenario, side, path, other=""):
    """(ms of the statements, peak RSS MB, CPU ms) of a python child."""
    out = os.path.join(TMP, "child.out")
    _, rss = run_child([sys.executable, os.path.abspath(__file__), "child",
                        side, scenario, path, other], out)
    with open(out) as f:
        ms, cpu = (float(x) for x in f.read().strip().splitlines()[-1].split())
    return ms, rss, cpu


def medians(res):
    return {s: (statistics.median(x[0] for x in v), max(x[1] for x in v),
                statistics.median(x[2] for x in v) if len(v[0]) > 2 else None)
            for s, v in res.items()}


def report(label, med, budget_ratio, budget_rss):
    print("RESULT|%s, %d MB database (ms)|%.1f|%.1f|%s"
          % (label, MB, med["sqlmig"][0], med["base"][0], budget_ratio))
    if med["sqlmig"][2] is not None:
        # CPU time: blind to the baseline's fsyncs (the check's copy is a
        # temporary file, never synced) and to other work on the machine
        print("RESULT|  the same, CPU ms|%.1f|%.1f|info"
              % (med["sqlmig"][2], med["base"][2]))
    print("RESULT|  its peak RSS (MB)|%.1f|%.1f|%s"
          % (med["sqlmig"][1], med["base"][1], budget_rss))


# ------------------------------------------------------------ scenarios

def bench_check():
    path = os.path.join(TMP, "big_check.db")
    fill(path)
    db = connect(path)
    db.execute("BEGIN")
    for i, (name, up, down) in enumerate(REVS):
        db.execute("INSERT INTO migrations(version, name, up, down)"
                   " VALUES (?, ?, ?, ?)", (i + 1, name, up, down))
    db.execute("COMMIT")
    db.close()
    res = {"sqlmig": [], "base": []}
    for _ in range(NREPS):
        for side in ("sqlmig", "base"):
            res[side].append(timed("check", side, path))
    report("migrate_check() of 3 pending revisions on a big table vs running"
           " their up and down scripts directly", medians(res), "2.00", "+64")
    print("INFO|big databases: migrate_check's private copy of the %.0f MB"
          " file is a temporary file, not memory (before: an in-memory copy,"
          " peak RSS about the size of the database)" % megabytes(path))
    os.remove(path)


def bench_copy():
    old = os.path.join(TMP, "big_old.db")
    fill(old)
    new = os.path.join(TMP, "big_new.db")
    res = {"sqlmig": [], "base": []}
    for _ in range(NREPS):
        for side in ("sqlmig", "base"):
            for suffix in ("", "-journal"):
                if os.path.exists(new + suffix):
                    os.remove(new + suffix)
            db = sqlite3.connect(new)
            db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b INTEGER,"
                       " c REAL, pad TEXT, d TEXT DEFAULT 'x')")
            db.commit()
            db.close()
            res[side].append(timed("copy", side, new, old))
    report("migrate_copy of a big table vs INSERT ... SELECT", medians(res),
           "1.05", "+10")
    os.remove(new)
    os.remove(old)


def bench_data():
    sqldiff = shutil.which("sqldiff")
    shell = shutil.which("sqlite3")
    if not sqldiff or not shell:
        print("INFO|big databases: sqldiff or sqlite3 not installed"
              " (apt-get install sqlite3-tools sqlite3), data diff not measured")
        return
    a = os.path.join(TMP, "big_a.db")
    b = os.path.join(TMP, "big_b.db")
    fill(a)
    shutil.copyfile(a, b)
    db = sqlite3.connect(b, isolation_level=None)
    db.executescript(
        "BEGIN;"
        "UPDATE t SET c = c + 1.0 / 3, a = a || '!' WHERE id %% 200 = 7;"
        "DELETE FROM t WHERE id %% 400 = 11;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
        " INSERT INTO t SELECT %d + i, 'new ' || i, i, 1.0 / (i + 7), 'p' FROM n;"
        "COMMIT;" % (NROWS // 400, NROWS))
    db.close()
    lib = os.path.splitext(LIB)[0]
    ours = [shell, a, "-cmd", ".load " + lib, "ATTACH '%s' AS b" % b,
            "SELECT migrate_data_diff('main', 'b')"]
    theirs = [sqldiff, a, b]
    res = {"sqlmig": [], "base": []}
    for _ in range(NREPS):
        res["sqlmig"].append(run_child(ours))
        res["base"].append(run_child(theirs))
    report("migrate_data_diff of two big tables differing in 1% vs sqldiff,"
           " whole process", medians(res), "1.00", "+10")
    os.remove(a)
    os.remove(b)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
        sys.exit(0)
    which = sys.argv[1:] or ["check", "copy", "data"]
    todo = {"check": bench_check, "copy": bench_copy, "data": bench_data}
    for w in which:
        if w not in todo:
            sys.stderr.write("usage: bigdb.py [check|copy|data ...]\n")
            sys.exit(2)
    for w in which:
        todo[w]()
