"""Makes the real recordings the views' Qt tests read (a ctest fixture, run before them).

  leaky.db     `gcscope run` of demo/leaky_service.py for 9 s: a census every second, a heap
               snapshot every 2 s and one at the end (Request/Session objects pile up in
               AuditLog.entries; each request also makes a Request <-> Session cycle).
  articles.db  `gcscope snapshot` of tests/targets/gc_articles.py: the GC articles' examples kept as
               garbage (a self-referencing list, two dicts, a ring of 5 Nodes, two Persons with __del__).
  request_cache.db  `gcscope run` of tests/targets/leaks/request_cache.py for 8 s: a census every 0.5 s,
               a snapshot every 2 s and one at the end (__main__.Response held by __main__.cache._entries).
  undecided.db `gcscope run` of the same leaking program for 4 s with a census every 3 s and no
               snapshot: too little evidence, the report cannot decide yet.

Usage: test_views_fixtures.py GCSCOPE SOURCE_DIR OUT_DIR. When ptrace is not permitted here it writes
OUT_DIR/SKIP with the reason instead, and the tests skip.
"""
import ctypes
import os
import subprocess
import sys

PYTHON = "/usr/bin/python3"


def ptrace_problem():
    libc = ctypes.CDLL(None, use_errno=True)
    child = subprocess.Popen(["sleep", "30"])
    try:
        if libc.ptrace(0x4206, child.pid, None, None) != 0:  # PTRACE_SEIZE
            return "ptrace(PTRACE_SEIZE) not permitted here: " + os.strerror(ctypes.get_errno())
        libc.ptrace(17, child.pid, None, None)  # PTRACE_DETACH
        return None
    finally:
        child.kill()
        child.wait()


def run(cmd, **kwargs):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180, **kwargs)
    if r.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return r


def main():
    gcscope, source, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    for name in ("leaky.db", "articles.db", "request_cache.db", "undecided.db", "SKIP"):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(os.path.join(out, name + suffix)):
                os.remove(os.path.join(out, name + suffix))
    problem = ptrace_problem() if os.path.exists(PYTHON) else PYTHON + " is absent"
    if problem:
        with open(os.path.join(out, "SKIP"), "w") as f:
            f.write(problem)
        print("SKIP: " + problem)
        return

    run([gcscope, "run", "-o", os.path.join(out, "leaky.db"), "--census-every", "1", "--snapshot-every", "2",
         "--snapshot-at-end", "--", PYTHON, os.path.join(source, "demo", "leaky_service.py"), "9"])

    request_cache = os.path.join(source, "tests", "targets", "leaks", "request_cache.py")
    run([gcscope, "run", "-o", os.path.join(out, "request_cache.db"), "--census-every", "0.5", "--snapshot-every",
         "2", "--snapshot-at-end", "--no-summary", "--", PYTHON, request_cache, "8"])
    run([gcscope, "run", "-o", os.path.join(out, "undecided.db"), "--census-every", "3", "--no-summary", "--",
         PYTHON, request_cache, "4"])

    target = subprocess.Popen([PYTHON, "-u", os.path.join(source, "tests", "targets", "gc_articles.py")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = target.stdout.readline()
        if not line.startswith("READY"):
            sys.exit("gc_articles.py did not start: " + line)
        run([gcscope, "snapshot", "--pid", str(target.pid), "-o", os.path.join(out, "articles.db")])
    finally:
        target.stdin.close()  # the target exits at end of input
        try:
            target.wait(timeout=10)
        except subprocess.TimeoutExpired:
            target.kill()
            target.wait()
    print("fixtures in " + out)


if __name__ == "__main__":
    main()
