#!/usr/bin/python3
"""sqlmig bench: the command on a fleet of tenant databases (SPEC section 5).

    LIB=... SQLMIG=... BENCH_TMP=... /usr/bin/python3 bench/cli_fleet.py

NTENANT (default 1000) new databases, each migrated to the NREV (default
50) revisions of one golang-migrate folder (CREATE TABLE, INSERT, ALTER
TABLE ADD COLUMN and CREATE INDEX revisions in turn), on fresh files every
repetition, wall clock:

  - sqlmig:   `sqlmig up -j JOBS -d mig t/0001.db ... t/1000.db`, one process;
  - baseline: the same migrations in this process (Debian's python3 with the
              extension loaded), one file after the other: connect,
              INSERT OR REPLACE ... migration_files('mig'), migrate(),
              divided by JOBS; budget 1.10x;
  - info:     `sqlmig up -j 1` against the in-process run, wall clock and
              CPU time (the steadier figure on a shared machine: the wall
              clock is mostly fsync waits); a shell loop of `sqlite3 F ".load LIB" "INSERT OR REPLACE ..."
              "SELECT migrate()"` per file (timed over the first NSHELL,
              default 200, and scaled: it is the slow one), and `dbmate up`
              per file when dbmate is installed (skipped, and said so, when
              it is not).

Prints `RESULT|scenario|sqlmig|baseline|budget` lines (medians over
CLI_REPS, default 3, but no new repetition starts after CLI_SECONDS,
default 90: one repetition takes 25-80 s on a busy 2-core machine, and
bench/run.sh's hook timeout is 150 s) and `INFO|` notes for bench/run.sh.
"""
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

LIB = os.environ.get("LIB") or os.path.abspath("libsqlmig.so")
SQLMIG = os.environ.get("SQLMIG") or os.path.abspath("sqlmig")
TMP = os.environ.get("BENCH_TMP") or "/tmp/sqlmig-clibench"
REPS = int(os.environ.get("CLI_REPS") or 3)
BUDGET = float(os.environ.get("CLI_SECONDS") or 90)
NTENANT = int(os.environ.get("NTENANT") or 1000)
NREV = int(os.environ.get("NREV_CLI") or 50)
JOBS = int(os.environ.get("JOBS") or 2)
NSHELL = min(NTENANT, int(os.environ.get("NSHELL") or 200))
REGISTER = "INSERT OR REPLACE INTO migrations SELECT * FROM migration_files('mig')"


def make_folder(path):
    """The NREV revisions, golang-migrate layout."""
    os.makedirs(path)
    for i in range(1, NREV + 1):
        kind = i % 4
        if i == 1 or kind == 1:
            up, down = ("CREATE TABLE t%d(id INTEGER PRIMARY KEY, a TEXT, b INTEGER);" % i,
                        "DROP TABLE t%d;" % i)
        elif kind == 2:
            up, down = ("INSERT INTO t1(a, b) VALUES ('row %d', %d);" % (i, i),
                        "DELETE FROM t1 WHERE b = %d;" % i)
        elif kind == 3:
            up, down = ("ALTER TABLE t1 ADD COLUMN c%d TEXT;" % i,
                        "ALTER TABLE t1 DROP COLUMN c%d;" % i)
        else:
            up, down = ("CREATE INDEX i%d ON t1(b, a);" % i, "DROP INDEX i%d;" % i)
        with open(os.path.join(path, "%06d_rev%d.up.sql" % (i, i)), "w") as f:
            f.write(up + "\n")
        with open(os.path.join(path, "%06d_rev%d.down.sql" % (i, i)), "w") as f:
            f.write(down + "\n")


def fresh(rep, what):
    """A new working folder with the migration folder and no databases."""
    d = os.path.join(TMP, "%s-%d" % (what, rep))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "t"))
    shutil.copytree(os.path.join(TMP, "mig"), os.path.join(d, "mig"))
    return d, ["t/%04d.db" % i for i in range(1, NTENANT + 1)]


def verify(d, dbs):
    """Every database at the newest revision (the run did the work)."""
    for name in (dbs[0], dbs[-1]):
        db = sqlite3.connect(os.path.join(d, name))
        v = db.execute("SELECT max(version) FROM sqlmig_history"
                       " WHERE applied_at IS NOT NULL").fetchone()[0]
        db.close()
        if v != NREV:
            sys.exit("bench: %s in %s is at %r, not %d" % (name, d, v, NREV))


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_sqlmig(rep, jobs):
    """Wall and CPU seconds of `sqlmig up -j jobs` over the fleet."""
    d, dbs = fresh(rep, "sqlmig")
    c = children_cpu()
    t = time.monotonic()
    subprocess.run([SQLMIG, "up", "-j", str(jobs), "-d", "mig"] + dbs, cwd=d,
                   check=True, stdout=subprocess.DEVNULL)
    t = time.monotonic() - t
    c = children_cpu() - c
    verify(d, dbs)
    shutil.rmtree(d)
    return t, c


def run_inprocess(rep):
    d, dbs = fresh(rep, "inproc")
    cwd = os.getcwd()
    os.chdir(d)
    c = time.process_time()
    t = time.monotonic()
    for name in dbs:
        db = sqlite3.connect(name, isolation_level=None)
        db.enable_load_extension(True)
        db.load_extension(LIB)
        db.execute("BEGIN IMMEDIATE")
        db.execute(REGISTER)
        db.execute("SELECT migrate()").fetchone()
        db.execute("COMMIT")
        db.close()
    t = time.monotonic() - t
    c = time.process_time() - c
    os.chdir(cwd)
    verify(d, dbs)
    shutil.rmtree(d)
    return t, c


def run_shell(rep):
    """The shell loop over NSHELL of the files (it is the slow one), scaled."""
    d, dbs = fresh(rep, "shell")
    dbs = dbs[:NSHELL]
    with open(os.path.join(d, "list"), "w") as f:
        f.write("\n".join(dbs) + "\n")
    script = ('while read -r f; do sqlite3 "$f" ".load %s" "%s" "SELECT migrate()"'
              ' >/dev/null || exit 1; done <list' % (LIB, REGISTER))
    t = time.monotonic()
    subprocess.run(["sh", "-c", script], cwd=d, check=True)
    t = time.monotonic() - t
    verify(d, dbs)
    shutil.rmtree(d)
    return t * NTENANT / len(dbs)


def run_dbmate(rep):
    """`dbmate up` per file over NSHELL of the files, the same revisions in
    dbmate's layout (one file with -- migrate:up / -- migrate:down), scaled."""
    d, dbs = fresh(rep, "dbmate")
    dbs = dbs[:NSHELL]
    mig = os.path.join(d, "mig")
    dbm = os.path.join(d, "dbmig")
    os.makedirs(dbm)
    for i in range(1, NREV + 1):
        with open(os.path.join(mig, "%06d_rev%d.up.sql" % (i, i))) as f:
            up = f.read()
        with open(os.path.join(mig, "%06d_rev%d.down.sql" % (i, i))) as f:
            down = f.read()
        with open(os.path.join(dbm, "%014d_rev%d.sql" % (20260101000000 + i, i)), "w") as f:
            f.write("-- migrate:up\n%s\n-- migrate:down\n%s" % (up, down))
    t = time.monotonic()
    for name in dbs:
        subprocess.run(["dbmate", "--url", "sqlite:" + name, "--migrations-dir", "dbmig",
                        "--no-dump-schema", "up"], cwd=d, check=True,
                       stdout=subprocess.DEVNULL)
    t = time.monotonic() - t
    shutil.rmtree(d)
    return t * NTENANT / len(dbs)


def main():
    shutil.rmtree(TMP, ignore_errors=True)
    os.makedirs(TMP)
    make_folder(os.path.join(TMP, "mig"))
    a, a1, b, c = [], [], [], []
    start = time.monotonic()
    for rep in range(REPS):
        # the order alternates, so a burst of other work hits both sides
        if rep % 2 == 0:
            a.append(run_sqlmig(rep, JOBS))
            b.append(run_inprocess(rep))
        else:
            b.append(run_inprocess(rep))
            a.append(run_sqlmig(rep, JOBS))
        a1.append(run_sqlmig(rep, 1))
        c.append(run_shell(rep))
        if time.monotonic() - start > BUDGET:
            break
    print("INFO|cli: %d repetition(s) of each side (CLI_REPS=%d, stopping after %.0f s)"
          % (len(a), REPS, BUDGET))
    ms = lambda xs: statistics.median(xs) * 1000
    wall = lambda xs: ms([x[0] for x in xs])
    cpu = lambda xs: ms([x[1] for x in xs])
    what = "%d tenant databases x %d revisions" % (NTENANT, NREV)
    print("RESULT|cli: sqlmig up -j %d of %s vs the same in-process one file after "
          "the other, divided by %d|%.0f|%.0f|1.10" % (JOBS, what, JOBS, wall(a), wall(b) / JOBS))
    print("RESULT|cli: sqlmig up -j 1 vs the same in-process one file after the other|%.0f|%.0f|info"
          % (wall(a1), wall(b)))
    print("RESULT|cli: the same, CPU ms (sqlmig -j 1 process vs the in-process run)|%.0f|%.0f|info"
          % (cpu(a1), cpu(b)))
    print("RESULT|cli: sqlmig up -j %d vs a shell loop of sqlite3 \".load ./libsqlmig\" per "
          "file (timed over %d files, scaled to %d)|%.0f|%.0f|info"
          % (JOBS, NSHELL, NTENANT, wall(a), ms(c)))
    if shutil.which("dbmate"):
        e = [run_dbmate(rep) for rep in range(REPS)]
        print("RESULT|cli: sqlmig up -j %d vs dbmate up once per file (timed over %d files, "
              "scaled to %d)|%.0f|%.0f|info" % (JOBS, NSHELL, NTENANT, wall(a), ms(e)))
    else:
        print("INFO|cli: dbmate is not installed here: the `dbmate up` per file "
              "comparison was skipped")


main()
