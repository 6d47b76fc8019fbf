"""A/B of `gcscope snapshot` builds on one target: which of two (or more) builds is faster, on a
machine whose speed drifts by tens of percent within minutes.

    python3 tests/bench/ab_snapshot.py N PYTHON ROUNDS NAME=GCSCOPE[:AGENT_DIR] ...

Starts tests/bench/heap_target.py with about N tracked objects under PYTHON, times its pure-Python
walk, then snapshots it ROUNDS times with each build in turn (A B A B ...), so that both see the
same drift. A build is a gcscope binary, and optionally the folder of the agents it injects
(GCSCOPE_AGENT): give the same binary twice with two agent folders to compare agents alone.
Each run prints its end-to-end time, the stream (Begin to the last frame received), the time after
the stream (resolving, storing, committing), the resolving alone and what the snapshot child cost
in memory; the end gives each build's medians, the end-to-end one also in walks. Stdlib only.

    AB_PAUSE_S=30   wait this long before each snapshot: on a VM that gives freed memory back to
                    its host (this project's), each run then pays for fresh memory as a first
                    snapshot does, instead of reusing what the run before it freed.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def phases(stderr):
    found = {}
    for line in stderr.splitlines():
        if line.startswith("gcscope phase: ") and " at " in line:
            name = line[len("gcscope phase: "):].split(" at ")[0].split(" (")[0]
            found[name] = float(line.rsplit(" at ", 1)[1].split(" s")[0])
    return found


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    n, python, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    builds = []
    for arg in sys.argv[4:]:
        name, _, rest = arg.partition("=")
        binary, _, agents = rest.partition(":")
        if not name or not os.access(binary, os.X_OK):
            sys.exit("ab_snapshot: error: %r is not NAME=GCSCOPE[:AGENT_DIR] with an executable GCSCOPE" % arg)
        builds.append((name, binary, agents))
    target = subprocess.Popen(python.split() + [os.path.join(HERE, "heap_target.py"), n], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        if not target.stdout.readline().startswith("READY"):
            sys.exit("ab_snapshot: error: heap_target.py did not start")

        def ask(command):
            target.stdin.write(command + "\n")
            target.stdin.flush()
            return target.stdout.readline().split()

        walk = min(float(ask("walk")[1]) for _ in range(2))
        print("pure-Python walk %.3f s" % walk, flush=True)
        pause = float(os.environ.get("AB_PAUSE_S", "0"))
        results = {name: [] for name, _, _ in builds}
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "ab.db")
            for _ in range(rounds):
                for name, binary, agents in builds:
                    for f in (db, db + "-journal", db + "-wal"):
                        if os.path.exists(f):
                            os.remove(f)
                    time.sleep(pause)
                    env = dict(os.environ, GCSCOPE_PHASES="1")
                    if agents:
                        env["GCSCOPE_AGENT"] = agents
                    start = time.monotonic()
                    run = subprocess.run([binary, "snapshot", "--pid", str(target.pid), "-o", db], env=env,
                                         capture_output=True, text=True)
                    wall = time.monotonic() - start
                    if run.returncode != 0:
                        sys.exit("ab_snapshot: error: %s failed: %s" % (name, run.stderr.strip()))
                    ph = phases(run.stderr)
                    info = json.loads(subprocess.run([binary, "info", db, "--json"], capture_output=True,
                                                     text=True).stdout)
                    child = (info["snapshots"][-1].get("extra_memory") or 0) / 2**20
                    row = (wall, ph["snapshot received"] - ph["snapshot begun"], ph["committed"] - ph["snapshot received"],
                           ph["references resolved"] - ph["address index built"], child)
                    results[name].append(row)
                    print("%-8s e2e %6.2f s  stream %6.2f  after %6.2f  resolve %6.2f  child %7.1f MiB" % ((name,) + row),
                          flush=True)
        for name, _, _ in builds:
            m = [statistics.median(r[i] for r in results[name]) for i in range(5)]
            print("%-8s median e2e %.3f s (%.2f walks), stream %.3f, after stream %.3f, resolve %.3f, child %.1f MiB"
                  % (name, m[0], m[0] / walk, m[1], m[2], m[3], m[4]))
    finally:
        target.kill()
        target.wait()


if __name__ == "__main__":
    main()
