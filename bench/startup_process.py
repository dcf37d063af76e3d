"""bench/startup_process.py: the start-up idiom as a whole `sqlite3` process.

Run by bench/startup_process.sh (bench/run.sh runs that with LIB, REPS and
BENCH_TMP set). Two files hold the same 1000 tables: app.db was migrated by
sqlmig from 1000 one-table revisions, base.db holds them and the same 1000
revisions in an ordinary table r(version INTEGER PRIMARY KEY, name, up,
down). Timed, alternately, as whole processes:

  sqlmig    sqlite3 -bail -cmd '.load LIB' app.db < idiom.sql
            (BEGIN; INSERT OR IGNORE INTO migrations ... 1000 rows;
             SELECT migrate(); COMMIT)
  baseline  sqlite3 -bail base.db < plain.sql
            (BEGIN; INSERT OR IGNORE INTO r ... the same rows; COMMIT)

Prints RESULT lines: the minimum wall-clock time of each over the runs
(budget 1.30x; the minimum is what a busy machine lets through unslowed),
and the CPU time (user + system, the median) as information.
"""
import os
import subprocess
import sys
import time

LIB = os.environ.get("LIB", "./libsqlmig.so")
REPS = max(int(os.environ.get("REPS", "7")) * 3, 15)
TMP = os.environ.get("BENCH_TMP") or "/tmp"
N = int(os.environ.get("NREV", "1000"))
SQLITE = "sqlite3"


def q(s):
    return "'" + s.replace("'", "''") + "'"


def rows():
    out = []
    for i in range(1, N + 1):
        up = "CREATE TABLE t%d(a INTEGER, b TEXT);" % i
        down = "DROP TABLE t%d;" % i
        out.append("(%d, %s, %s, %s)" % (i, q("rev %d" % i), q(up), q(down)))
    return ",\n".join(out)


def run(args, stdin_path):
    with open(stdin_path, "rb") as f:
        t0 = time.perf_counter()
        p = subprocess.Popen(args, stdin=f, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        out, err = p.communicate()
        t1 = time.perf_counter()
    if p.returncode != 0 or err:
        sys.stderr.write("startup_process: %s failed: %s\n"
                         % (" ".join(args), err.decode(errors="replace")))
        sys.exit(1)
    return (t1 - t0) * 1000.0, out


def cpu_run(args, stdin_path):
    """Wall and CPU milliseconds of one process (fork/exec + wait4)."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            fd = os.open(stdin_path, os.O_RDONLY)
            os.dup2(fd, 0)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(w, 2)
            os.execvp(args[0], args)
        finally:
            os._exit(127)
    os.close(w)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter()
    err = os.read(r, 4096)
    os.close(r)
    if status != 0 or err:
        sys.stderr.write("startup_process: %s failed (%d): %s\n"
                         % (" ".join(args), status, err.decode(errors="replace")))
        sys.exit(1)
    return (t1 - t0) * 1000.0, (ru.ru_utime + ru.ru_stime) * 1000.0


def main():
    app = os.path.join(TMP, "app.db")
    base = os.path.join(TMP, "base.db")
    for p in (app, base):
        if os.path.exists(p):
            os.unlink(p)
    values = rows()
    idiom = os.path.join(TMP, "idiom.sql")
    plain = os.path.join(TMP, "plain.sql")
    with open(idiom, "w") as f:
        f.write("BEGIN;\nINSERT OR IGNORE INTO migrations(version, name, up, "
                "down) VALUES\n%s;\nSELECT migrate();\nCOMMIT;\n" % values)
    with open(plain, "w") as f:
        f.write("BEGIN;\nINSERT OR IGNORE INTO r(version, name, up, down) "
                "VALUES\n%s;\nCOMMIT;\n" % values)
    # The two files: migrated by sqlmig / built directly
    _, out = run([SQLITE, "-bail", "-cmd", ".load " + LIB, app], idiom)
    if out.strip() != str(N).encode():
        sys.stderr.write("startup_process: migrate() gave %r\n" % out)
        sys.exit(1)
    setup = os.path.join(TMP, "setup.sql")
    with open(setup, "w") as f:
        f.write("BEGIN;\nCREATE TABLE r(version INTEGER PRIMARY KEY, name "
                "TEXT, up TEXT, down TEXT);\n")
        for i in range(1, N + 1):
            f.write("CREATE TABLE t%d(a INTEGER, b TEXT);\n" % i)
        f.write("INSERT INTO r(version, name, up, down) VALUES\n%s;\nCOMMIT;\n"
                % values)
    run([SQLITE, "-bail", base], setup)

    sides = {
        "sqlmig": [SQLITE, "-bail", "-cmd", ".load " + LIB, app],
        "base": [SQLITE, "-bail", base],
    }
    inputs = {"sqlmig": idiom, "base": plain}
    wall = {"sqlmig": [], "base": []}
    cpu = {"sqlmig": [], "base": []}
    for k in range(REPS + 1):
        order = ("sqlmig", "base") if k % 2 == 0 else ("base", "sqlmig")
        for side in order:
            w, c = cpu_run(sides[side], inputs[side])
            if k > 0:                      # the first round warms the cache
                wall[side].append(w)
                cpu[side].append(c)
    mig, bas = min(wall["sqlmig"]), min(wall["base"])
    cpu["sqlmig"].sort()
    cpu["base"].sort()
    cm, cb = cpu["sqlmig"][len(cpu["sqlmig"]) // 2], cpu["base"][len(cpu["base"]) // 2]
    print("RESULT|startup, whole process: sqlite3 shell running the start-up "
          "idiom over %d known revisions (.load, INSERT OR IGNORE, no-op "
          "migrate()) vs the same shell's INSERT OR IGNORE into an ordinary "
          "table, min of %d (ms)|%.2f|%.2f|1.30" % (N, REPS, mig, bas))
    print("RESULT|  the same, CPU ms (user+system, median)|%.2f|%.2f|info"
          % (cm, cb))


main()
