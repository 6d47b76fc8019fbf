"""Heap snapshot benchmark on one ~N-object heap, in one run:
  pause ratio = the target's snapshot pause / the time of a pure-Python walk of the same heap
  (gc.get_objects(), gc.get_referents and sys.getsizeof on each) — goal <= 0.35, stretch 0.1;
  ingest time; bytes per object on disk; roots + unreachable + SCC + dominators time (goal < 3 s);
  a retention path query (goal < 100 ms); peak memory of the analysis.
With --repeat N the same heap is walked and snapshotted N times (each snapshot a new attach, as the
CLI does) and the pause ratios' median is reported as well: on a busy machine single ratios scatter.
Usage: snapshot_bench.py BUILD_DIR PYTHON [--repeat N] [OBJECTS ...]"""
import json
import os
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def python_walk(target):
    """The faster of two pure-Python walks of the target's heap, in seconds."""
    walks = []
    for _ in range(2):
        target.stdin.write("walk\n")
        target.stdin.flush()
        walks.append(float(target.stdout.readline().split()[1]))
    return min(walks)


def snapshot_pause(gcscope, pid):
    """Takes one snapshot of the target; the pause it reports, in seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "pause.db")
        r = subprocess.run([gcscope, "snapshot", "--pid", str(pid), "-o", db], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(r.stderr)
        con = sqlite3.connect(db)
        pause_ns = con.execute("SELECT pause_ns FROM snapshots ORDER BY id DESC LIMIT 1").fetchone()[0]
        con.close()
        return pause_ns / 1e9


def run(build, python, n, repeat=1):
    gcscope = os.path.join(build, "profiler", "gcscope")
    bench = os.path.join(build, "tests", "bench", "snapshot_analysis_bench")
    target = subprocess.Popen([python, os.path.join(HERE, "heap_target.py"), str(n)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        ready = target.stdout.readline().split()
        tracked = int(ready[2])
        walk = python_walk(target)
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "bench.db")
            t0 = time.monotonic()
            r = subprocess.run([gcscope, "snapshot", "--pid", str(target.pid), "-o", db], capture_output=True, text=True)
            wall = time.monotonic() - t0
            if r.returncode != 0:
                raise SystemExit(r.stderr)
            con = sqlite3.connect(db)
            pause_ns, ingest_ns, objects, edges = con.execute(
                "SELECT pause_ns, ingest_ns, objects, edges FROM snapshots ORDER BY id DESC LIMIT 1").fetchone()
            con.close()
            size = os.path.getsize(db)
            analysis = json.loads(subprocess.run([bench, db], capture_output=True, text=True, check=True).stdout)
        pause = pause_ns / 1e9
        print("  python %s, %d tracked objects (snapshot: %d objects incl. leaves, %d references)"
              % (python, tracked, objects, edges))
        print("    pure-Python walk %.3f s; snapshot pause %.3f s -> ratio %.3f (goal <= 0.35, stretch 0.1)"
              % (walk, pause, pause / walk))
        print("    snapshot command wall time %.2f s; ingest (SQLite write) %.2f s" % (wall, ingest_ns / 1e9))
        print("    database %.1f MiB = %.1f bytes per object incl. references (goal <= 60)"
              % (size / 2**20, size / objects))
        print("    analysis: load %.2f s; roots+unreachable %.2f s, SCC+cycles %.2f s, dominators %.2f s -> %.2f s "
              "(goal < 3 s); path query first %.1f ms (incl. BFS), next %.3f ms (goal < 100 ms); peak RSS %.0f MiB"
              % (analysis["load_s"], analysis["roots_unreachable_s"], analysis["scc_cycles_s"],
                 analysis["dominators_s"], analysis["analysis_total_s"], analysis["path_first_query_s"] * 1e3,
                 analysis["path_next_query_s"] * 1e3, analysis["peak_rss_mib"]))
        if repeat > 1:
            ratios = [pause / walk]
            for _ in range(repeat - 1):
                walk = python_walk(target)
                pause = snapshot_pause(gcscope, target.pid)
                ratios.append(pause / walk)
                print("    again: pure-Python walk %.3f s; snapshot pause %.3f s -> ratio %.3f" % (walk, pause, pause / walk))
            print("    pause ratio over %d snapshots: median %.3f (min %.3f, max %.3f)"
                  % (repeat, statistics.median(ratios), min(ratios), max(ratios)))
    finally:
        target.kill()
        target.wait()


def main():
    build, python = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    repeat = 1
    if args[:1] == ["--repeat"]:
        repeat = max(1, int(args[1]))
        args = args[2:]
    sizes = [int(x) for x in args] or [1_000_000]
    print("heap snapshot benchmark")
    for n in sizes:
        run(build, python, n, repeat)


if __name__ == "__main__":
    main()
