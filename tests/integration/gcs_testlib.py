"""Helpers for the integration tests: real Python targets driven through the real gcscope CLI.

Stdlib only (the tests run under Debian's /usr/bin/python3). ctest passes GCSCOPE (the CLI) and
GCSCOPE_TARGETS (tests/targets). A test file whose every test needs ptrace exits 77 (ctest: skipped)
with the reason when ptrace is not permitted here.
"""
import ctypes
import json
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

GCSCOPE = os.environ.get("GCSCOPE", "gcscope")
TARGETS = os.environ.get("GCSCOPE_TARGETS", os.path.join(os.path.dirname(__file__), "..", "targets"))
SKIP_CODE = 77

# The two Pythons of this machine, built differently: Debian's (static libpython, non-PIE) and the
# one on PATH (pyenv here: shared libpython). The PATH one is resolved through any shim.
def _pythons():
    found = []
    if os.path.exists("/usr/bin/python3"):
        found.append(("debian", os.path.realpath("/usr/bin/python3")))
    on_path = shutil.which("python3")
    if on_path:
        try:
            real = subprocess.run([on_path, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except Exception:
            real = ""
        if real and os.path.realpath(real) not in [p for _, p in found]:
            found.append(("path", os.path.realpath(real)))
    return found


PYTHONS = _pythons()


def ptrace_problem():
    """None when this process may PTRACE_SEIZE its own child, else the reason."""
    libc = ctypes.CDLL(None, use_errno=True)
    child = subprocess.Popen(["sleep", "30"])
    try:
        PTRACE_SEIZE, PTRACE_DETACH = 0x4206, 17
        if libc.ptrace(PTRACE_SEIZE, child.pid, None, None) != 0:
            return "ptrace(PTRACE_SEIZE) not permitted here: " + os.strerror(ctypes.get_errno())
        libc.ptrace(PTRACE_DETACH, child.pid, None, None)
        return None
    finally:
        child.kill()
        child.wait()


def main_requiring_ptrace():
    problem = ptrace_problem()
    if problem:
        print("SKIP: " + problem)
        sys.exit(SKIP_CODE)
    unittest.main(verbosity=2)


class Target:
    """A running target script; reads its READY/STATUS lines in the background."""

    def __init__(self, python, script, *args, stdin=None, user=None):
        cmd = [python, "-u", os.path.join(TARGETS, script), *map(str, args)]
        if user:
            cmd = as_user(user, cmd)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=stdin or subprocess.DEVNULL, text=True)
        self.pid = self.proc.pid
        self.lines = queue.Queue()
        self.statuses = []
        self.port = None
        threading.Thread(target=self._pump, daemon=True).start()
        self.wait_for(lambda line: line.startswith("READY"), 30)

    def _pump(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line.startswith("STATUS "):
                self.statuses.append(json.loads(line[7:]))
            if line.startswith("PORT "):
                self.port = int(line.split()[1])
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("target %d exited (code %s)" % (self.pid, self.proc.poll()))
            if pred(line):
                return line
        raise AssertionError("target %d: timed out waiting" % self.pid)

    def next_status(self, timeout=10):
        """The first status printed after this call."""
        seen = len(self.statuses)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.statuses) > seen:
                return self.statuses[-1]
            if self.proc.poll() is not None and len(self.statuses) == seen:
                raise AssertionError("target %d exited (code %s)" % (self.pid, self.proc.returncode))
            time.sleep(0.02)
        raise AssertionError("target %d printed no status within %ss" % (self.pid, timeout))

    def status_after(self, action, timeout=10):
        """Runs action() and returns the first status printed after it started."""
        seen = len(self.statuses)
        action()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.statuses) > seen:
                return self.statuses[seen]
            time.sleep(0.01)
        raise AssertionError("target %d printed no status within %ss" % (self.pid, timeout))

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def as_user(user, cmd):
    """cmd run as `user` (by name) with that user's primary group, through setpriv."""
    import pwd
    pw = pwd.getpwnam(user)
    return ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--clear-groups", *cmd]


def gcscope(*args, timeout=120, user=None, input=None):
    cmd = [GCSCOPE, *map(str, args)]
    if user:
        cmd = as_user(user, cmd)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input)


def info_json(path):
    r = gcscope("info", path, "--json")
    if r.returncode != 0:
        raise AssertionError("gcscope info failed: " + r.stderr)
    return json.loads(r.stdout)


def query(path, sql, *params):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


class TempDirTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gcscope-test-")
        os.chmod(self.tmp, 0o755)
        self.targets = []

    def tearDown(self):
        for t in self.targets:
            t.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, python, script, *args, **kw):
        t = Target(python, script, *args, **kw)
        self.targets.append(t)
        return t

    def db(self, name="rec.db"):
        return os.path.join(self.tmp, name)

    def assertOneLineError(self, result, *needles):
        self.assertNotEqual(result.returncode, 0, result.stdout)
        lines = [l for l in result.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, "expected one line, got: %r" % result.stderr)
        for n in needles:
            self.assertIn(n, lines[0])
