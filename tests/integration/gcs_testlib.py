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


def _described(path):
    st = os.stat(path)
    return "%s (mode %04o, owner uid %d)" % (path, st.st_mode & 0o7777, st.st_uid)


def _obstacle_on_the_way(path):
    """Run as the user: what stops them reaching path, or None (a missing path is for the test to report)."""
    here = "/"
    for part in path.strip("/").split("/"):
        there = os.path.join(here, part)
        try:
            os.stat(there)
        except PermissionError:
            return _described(here) + " is not searchable"
        except OSError:
            return None
        here = there
    if os.path.isdir(path):
        return None if os.access(path, os.X_OK) else _described(path) + " is not searchable"
    return None if os.access(path, os.R_OK) else _described(path) + " is not readable"


def _first_obstacle_as(uid, gid, groups, ways):
    """Run in the forked child: becomes the user and walks each way; "" when nothing is in the way."""
    try:
        os.setgroups(list(groups))
        os.setgid(gid)
        os.setuid(uid)
        for path, way in ways:
            obstacle = _obstacle_on_the_way(way)
            if obstacle:
                return "uid %d cannot reach %s: %s" % (uid, path, obstacle)
        return ""
    except BaseException as e:
        return "cannot ask uid %d what it can reach: %s" % (uid, e)


def unreachable_as(uid, gid, paths, groups=()):
    """None when uid, with group gid and `groups`, can search every directory on the way to each of
    paths and read it (search it, for a directory); else one line naming what is in the way: a tree
    cloned under a folder only root may enter (mktemp -d makes one 0700) is out of another user's
    reach. Root passes every access check, so a forked child drops to that user and tries.

    Give only what the process opens once it runs: a program started through setpriv is found
    with root's capabilities, which setpriv keeps until it execs. The same probe as unreachableAs()
    in tests/unit/reach_as_user.h."""
    # Both ways the kernel may walk: the path as written and, through any symlink, where it leads.
    ways = []
    for path in map(str, paths):
        written = os.path.abspath(path)
        real = os.path.realpath(written)
        ways += [(path, real)] if real == written else [(path, real), (path, written)]
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(read_end)
            os.write(write_end, _first_obstacle_as(uid, gid, groups, ways).encode())
        finally:
            os._exit(0)  # never back into the test runner
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        reason = f.read().decode()
    os.waitpid(child, 0)
    return reason or None


def agent_files():
    """The agent libraries gcscope hands a target: every form in the folder `gcscope doctor` names."""
    r = gcscope("doctor", "--json")
    doctor = json.loads(r.stdout) if r.returncode == 0 else {}
    folder = doctor.get("agent") or ""
    files = [os.path.join(folder, "libgcscope_agent_%s.so" % form) for form in doctor.get("agent_forms", [])]
    named = os.environ.get("GCSCOPE_AGENT", "")
    return files + [named] if os.path.isfile(named) else files


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


def gcscope(*args, timeout=120, user=None, input=None, env=None):
    cmd = [GCSCOPE, *map(str, args)]
    if user:
        cmd = as_user(user, cmd)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input, env=env)


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


def wait_until(predicate, timeout, step=0.01):
    """predicate()'s first true value within `timeout` seconds, else its value at the end."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def files_of(pid):
    """{descriptor: what it is} of a process."""
    held = {}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            held[int(fd)] = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            pass
    return held


class TempDirTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gcscope-test-")
        os.chmod(self.tmp, 0o755)
        self.targets = []

    def tearDown(self):
        for t in self.targets:
            t.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def skipUnlessReachableBy(self, user, *paths):
        """Skips, naming the folder in the way, when `user` (as as_user runs it) cannot reach paths."""
        import pwd
        pw = pwd.getpwnam(user)
        reason = unreachable_as(pw.pw_uid, pw.pw_gid, paths)
        if reason:
            self.skipTest(reason)

    def start(self, python, script, *args, **kw):
        if kw.get("user"):
            # A target of another user opens its script, and targetlib beside the scripts, as that user.
            self.skipUnlessReachableBy(kw["user"], os.path.join(TARGETS, script), os.path.join(TARGETS, "targetlib.py"))
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
