"""Heap snapshots walked by a copy-on-write child of the target (agent/src/snapshot_child.h).

GIVEN a target busy in the ways that break forking (tests/targets/fork/: threads in malloc, a thread
      inside logging holding its lock, threads blocked in C calls without the GIL, subprocess
      children reaped with os.waitpid(-1), multiprocessing workers, an asyncio loop with
      subprocesses), each watching itself (forklib.py)
WHEN  five snapshots are taken in a row
THEN  each is stored as walked by a child; the target noticed nothing (no SIGCHLD from a child it did
      not start, no such child seen by os.waitpid(-1) or left a zombie, no loop stuck, its own checks
      clean); no snapshot child is left; and the target keeps working.
On Debian's 3.11, and once more on sid's 3.15 (chrooted into the root of scripts/sid-pythons.sh).
Likewise twenty snapshots of a target whose main thread lives in malloc's slow path, which glibc 2.43
enters by a tail call: each injection must stop the thread outside it, the loader's lock never left
held (forklib's dlsym loop keeps beating) and no agent thread left behind.

And the edges: a target that ends (os._exit, sys.exit, SIGKILL) while the child walks, whose
snapshot still completes; the child killed mid-walk, or the profiler killed while the child runs,
each a clean outcome with the target running on; too little memory (a memory cgroup limit, a faked
MemAvailable) and --no-fork, each walked in the target with the reason stored.

This process makes itself a child subreaper, so that a snapshot child whose target ended comes to it
(and can be waited for) instead of to init. Independent scenarios run two at a time. Figures
(pauses, gaps, timings) are printed on stderr as lines starting with "FIGURE".
"""
import concurrent.futures
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

from gcs_testlib import (GCSCOPE, PYTHONS, SKIP_CODE, TARGETS, Target, TempDirTestCase, files_of, gcscope, info_json,
                         ptrace_problem, wait_until)

SNAPSHOTS = 5
STUCK = 5.0  # seconds without a beat: a loop this late is stuck, not slow
SNAPSHOT_CHILD = "gcscope-snap"
BIG_HEAP = 2_000_000  # small lists: the child walks and sends them for most of a second
WALL = 0x40000000  # __WALL: waitpid for any child, clone children included
PR_SET_CHILD_SUBREAPER = 36

DEBIAN = dict(PYTHONS).get("debian")
SID_ROOT = os.environ.get("GCSCOPE_SID_ROOT", "")
SID_PYTHON = "/usr/bin/python3.15"
SID_TARGETS = "/gcscope-targets"
IS_ROOT = os.geteuid() == 0

BUSY = ["malloc_threads.py", "logging_lock.py", "c_call_no_gil.py", "subprocess_waitpid.py",
        "multiprocessing_workers.py", "asyncio_subprocesses.py"]


def figure(text):
    sys.stderr.write("FIGURE " + text + "\n")
    sys.stderr.flush()


def thread_names(pid):
    """The names (comm) of a process's threads."""
    names = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return sorted(names)


def stat_of(pid):
    """(comm, state, ppid) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return None
    head, _, tail = text.rpartition(")")
    fields = tail.split()
    return head.partition("(")[2], fields[0], int(fields[1])


def all_processes():
    """[(pid, comm, state, ppid)] of every process."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            s = stat_of(int(entry))
            if s:
                found.append((int(entry), *s))
    return found


def children_of(pid):
    return [(p, comm, state) for p, comm, state, ppid in all_processes() if ppid == pid]


def snapshot_children(pid):
    return [c for c in children_of(pid) if c[1] == SNAPSHOT_CHILD]


def descendants(pid):
    by_parent = {}
    for p, _, _, ppid in all_processes():
        by_parent.setdefault(ppid, []).append(p)
    found, todo = [], [pid]
    while todo:
        for child in by_parent.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(target):
    """The target and everything it started (multiprocessing workers outlive a killed parent)."""
    if target.proc.poll() is None:
        below = descendants(target.pid)
        target.proc.kill()
        for pid in below:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    target.proc.wait()


def reap_orphans(timeout=2):
    """Waits for what came to this subreaper (what a killed target had started) to end: run when no
    child of this process is left but those."""
    deadline = time.monotonic() + timeout
    while True:
        left = children_of(os.getpid())
        for pid, comm, state in left:
            if state == "Z":
                try:
                    os.waitpid(pid, os.WNOHANG | WALL)
                except ChildProcessError:
                    pass
        if not left or time.monotonic() > deadline:
            return
        time.sleep(0.02)


def task_count(pid):
    return len(os.listdir("/proc/%d/task" % pid))


def sid_problem():
    if not SID_ROOT or not os.path.exists(os.path.join(SID_ROOT, ".gcscope-ready")):
        return "no sid root at %r (scripts/sid-pythons.sh root)" % SID_ROOT
    if not os.path.exists(SID_ROOT + SID_PYTHON):
        return "no %s in the sid root %s" % (SID_PYTHON, SID_ROOT)
    if not IS_ROOT:
        return "running in the sid root needs root here (a mount namespace, chroot)"
    for tool in ("unshare", "chroot"):
        if not shutil.which(tool):
            return "no %s here" % tool
    return None


# Runs a target chrooted into the sid root, in a mount namespace of its own where the targets are
# bound in and /proc, /tmp and /dev/shm mounted; sh and chroot exec, so the interpreter keeps the PID.
SID_SHELL = ('root=$1; targets=$2; python=$3; shift 3; '
             'mkdir -p "$root%s" && mount --bind "$targets" "$root%s" && mount -t proc proc "$root/proc" && '
             'mount -t tmpfs tmpfs "$root/tmp" && mount -t tmpfs tmpfs "$root/dev/shm" && '
             'exec chroot "$root" "$python" -u "$@"') % (SID_TARGETS, SID_TARGETS)

# Runs a command in a mount namespace of its own where /proc/meminfo is the file given.
FAKE_MEMINFO_SHELL = 'mount --bind "$1" /proc/meminfo && shift && exec "$@"'


class LaunchedTarget(Target):
    """A target started by a command of our own (the chroot, the faked meminfo); the same READY and
    STATUS lines, and its PID is that of the command, which execs the interpreter."""

    def __init__(self, cmd):
        import queue
        import threading
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.pid = self.proc.pid
        self.lines = queue.Queue()
        self.statuses = []
        self.port = None
        threading.Thread(target=self._pump, daemon=True).start()
        self.wait_for(lambda line: line.startswith("READY"), 60)


class MemoryCgroup:
    """A memory cgroup made under this process's own, v2 or v1; probe() says why not when it cannot."""

    def __init__(self, name):
        self.name = name
        self.path = None
        self.version = None

    def probe(self):
        """None when a child cgroup with a memory limit could be made here, else the reason."""
        if not IS_ROOT:
            return "making a memory cgroup needs root here"
        try:
            with open("/proc/self/cgroup") as f:
                lines = [l.rstrip("\n").split(":", 2) for l in f]
        except OSError as e:
            return "cannot read /proc/self/cgroup: %s" % e
        tried = []
        for hierarchy, controllers, path in lines:
            if controllers == "" and os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
                problem = self._make(2, "/sys/fs/cgroup" + path.rstrip("/"), "memory.max")
            elif "memory" in controllers.split(","):
                problem = self._make(1, "/sys/fs/cgroup/memory" + path.rstrip("/"), "memory.limit_in_bytes")
            else:
                continue
            if problem is None:
                return None
            tried.append(problem)
        return "; ".join(tried) or "no memory cgroup controller here (/proc/self/cgroup names none)"

    def _make(self, version, parent, limit_file):
        if version == 2:
            with open(os.path.join(parent, "cgroup.controllers")) as f:
                if "memory" not in f.read().split():
                    return "cgroup v2 %s has no memory controller" % parent
            try:
                with open(os.path.join(parent, "cgroup.subtree_control"), "w") as f:
                    f.write("+memory")
            except OSError as e:
                return "cgroup v2: cannot enable memory for the children of %s: %s" % (parent, e)
        path = os.path.join(parent, self.name)
        try:
            os.mkdir(path)
        except OSError as e:
            return "cgroup v%d: cannot make %s: %s" % (version, path, e)
        if not os.access(os.path.join(path, limit_file), os.W_OK):
            os.rmdir(path)
            return "cgroup v%d: %s has no writable %s" % (version, path, limit_file)
        self.path, self.version = path, version
        return None

    def _file(self, v2, v1):
        return os.path.join(self.path, v2 if self.version == 2 else v1)

    def add(self, pid):
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(pid))

    def usage(self):
        with open(self._file("memory.current", "memory.usage_in_bytes")) as f:
            return int(f.read())

    def limit(self, value):
        with open(self._file("memory.max", "memory.limit_in_bytes"), "w") as f:
            f.write(str(value))

    def failures(self):
        """How often the limit was hit: v2's memory.events max, v1's failcnt."""
        if self.version == 2:
            with open(self._file("memory.events", "")) as f:
                return dict(l.split() for l in f).get("max", "?")
        with open(self._file("", "memory.failcnt")) as f:
            return f.read().strip()

    def remove(self):
        if self.path:
            wait_until(lambda: not self._rmdir(), 5, 0.05)

    def _rmdir(self):
        try:
            os.rmdir(self.path)
            return False
        except FileNotFoundError:
            return False
        except OSError:
            return True  # still has a process that is going away


class ForkSnapshots(TempDirTestCase):
    maxDiff = None

    def tearDown(self):
        for t in self.targets:
            kill_tree(t)
            t.proc.stdout.close()
        reap_orphans()
        super().tearDown()

    # --- helpers ---

    def run_scenarios(self, scenarios, workers=2):
        """Runs the (name, callable) pairs, `workers` at a time; then each is one subTest."""
        outcomes = {}

        def run(name, scenario):
            started = time.monotonic()
            try:
                scenario()
                outcomes[name] = (None, time.monotonic() - started)
            except BaseException as e:  # AssertionError, SkipTest, anything: reported in its subTest
                outcomes[name] = (e, time.monotonic() - started)

        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            for future in [pool.submit(run, name, scenario) for name, scenario in scenarios]:
                future.result()
        for name, _ in scenarios:
            with self.subTest(scenario=name):
                error, seconds = outcomes[name]
                figure("%s: %s in %.1f s" % (name, "ok" if error is None else type(error).__name__, seconds))
                if error is not None:
                    raise error

    def start_debian(self, script, *args):
        if not DEBIAN:
            self.skipTest("no /usr/bin/python3 here")
        return self.start(DEBIAN, script, *args)

    def start_sid(self, script, *args):
        t = LaunchedTarget(["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", SID_SHELL, "sh",
                            SID_ROOT, TARGETS, SID_PYTHON, SID_TARGETS + "/" + script, *map(str, args)])
        self.targets.append(t)
        return t

    def status_after(self, target, moment, timeout=15):
        """The first status the target prints once `moment` (monotonic) has passed."""
        time.sleep(max(0.0, moment - time.monotonic()))
        return target.next_status(timeout)

    def assertOneLineOutcome(self, result, *needles):
        """Beside the note that it attached, one line: the failure, naming what happened."""
        lines = [l for l in result.stderr.splitlines() if l.strip() and "taking a heap snapshot" not in l]
        self.assertEqual(len(lines), 1, "expected one line, got: %r" % result.stderr)
        self.assertTrue(lines[0].startswith("gcscope: error: "), lines[0])
        for needle in needles:
            self.assertRegex(lines[0], needle)
        return lines[0]

    def assertSnapshotWorks(self, target, name, method="child"):
        path = self.db(name)
        r = gcscope("snapshot", "--pid", target.pid, "-o", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        snaps = info_json(path)["snapshots"]
        self.assertEqual([s["method"] for s in snaps], [method], snaps)
        return snaps[0]

    def popen_snapshot(self, target, path):
        p = subprocess.Popen([GCSCOPE, "snapshot", "--pid", str(target.pid), "-o", path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)

        def end():
            if p.poll() is None:
                p.kill()
            p.wait()
            p.stdout.close()
            p.stderr.close()

        self.addCleanup(end)
        return p

    def wait_for_snapshot_child(self, target, p):
        """The snapshot child of `target`, as soon as it appears."""
        found = wait_until(lambda: snapshot_children(target.pid) or p.poll() is not None, 60, 0.002)
        self.assertTrue(found and found is not True,
                        "no snapshot child appeared (gcscope: %s)" % (p.poll() is not None and p.communicate()[1]))
        return found[0][0]

    # --- busy targets ---

    def busy(self, start, script):
        """Five snapshots of a busy target: stored as walked by a child, the target none the wiser."""
        t = start("fork/" + script)
        first = t.next_status(30)
        path = self.db("busy-%s-%d.db" % (script, t.pid))
        took = self.snapshots(t, path, SNAPSHOTS)
        done = time.monotonic()
        snaps = info_json(path)["snapshots"]
        self.assertEqual([(s["method"], s["method_note"]) for s in snaps], [("child", None)] * SNAPSHOTS, snaps)
        for s in snaps:
            self.assertGreater(s["objects"], 1000, s)
        # The child is reaped before the agent answers the detach: none may be left.
        self.assertEqual(snapshot_children(t.pid), [], "a snapshot child is left")
        # A status made from scans after the last snapshot (a stranger counts once seen for 1 s),
        # then one more to see the target still advancing.
        after = self.status_after(t, done + 1.3)
        later = t.next_status(15)
        figure("%s (pid %d): snapshots took %s s, paused %s ms; the target saw %d snapshot children, %d SIGCHLD, "
               "longest gap %.3f s (%s)"
               % (script, t.pid, ", ".join("%.2f" % s for s in took), ", ".join("%.1f" % s["pause_ms"] for s in snaps),
                  later["snapshot_children"], later["sigchld"], later["max_gap"], later["gaps"]))
        self.assertEqual(later["anomalies"], [], "what the target saw")
        self.assertEqual(later["strangers"], [], "children of the target it did not start")
        self.assertLess(later["max_gap"], STUCK, "a loop of the target stalled: %s" % later["gaps"])
        self.assertGreater(after["n"], first["n"], "the target made no progress during the snapshots")
        self.assertGreater(later["n"], after["n"], "the target made no progress after the snapshots")
        self.assertEqual(later["callbacks"], 0)
        self.assertTrue(t.alive())

    def snapshots(self, target, path, count):
        """`count` snapshots in a row into `path`, each one's seconds; the first failure fails the test
        with what the target says two seconds later."""
        took = []
        for i in range(count):
            started = time.monotonic()
            r = gcscope("snapshot", "--pid", target.pid, "-o", path)
            took.append(time.monotonic() - started)
            if r.returncode != 0:
                self.fail("snapshot %d failed after %.1f s: %s; then the target said: %s"
                          % (i + 1, took[-1], r.stderr.strip(), self.view_after_failure(target)))
        return took

    def view_after_failure(self, target):
        """What a target that saw a snapshot fail says two seconds later (its gaps show a stall)."""
        time.sleep(2)
        try:
            status = target.next_status(10)
        except AssertionError as e:
            return str(e)
        return "anomalies %s, longest gap %.1f s %s" % (status["anomalies"], status["max_gap"], status["gaps"])

    def test_busy_targets_on_debian_311(self):
        self.run_scenarios([(s, lambda s=s: self.busy(self.start_debian, s)) for s in BUSY])

    def test_busy_targets_on_sid_315(self):
        problem = sid_problem()
        if problem:
            self.skipTest(problem)
        self.run_scenarios([(s, lambda s=s: self.busy(self.start_sid, s)) for s in BUSY])

    # --- a main thread in malloc's slow path ---

    def attaches_while_in_malloc(self, start):
        """Twenty snapshots of a target whose main thread lives in malloc's slow path (an arena lock
        held; on glibc 2.43 tail-called, no malloc frame on the stack): each must stop the thread
        elsewhere. A dlopen run there deadlocked on that lock inside the loader's own lock, which the
        thread kept once restored: every later dlsym of another thread hung (forklib's dlsym loop),
        and so did each later agent's thread."""
        t = start("fork/malloc_main.py")
        first = t.next_status(30)
        threads = len(os.listdir("/proc/%d/task" % t.pid))
        path = self.db("malloc-main-%d.db" % t.pid)
        took = self.snapshots(t, path, 20)
        done = time.monotonic()
        later = self.status_after(t, done + 0.5)
        figure("malloc_main.py (pid %d): 20 snapshots took %.2f s at most, %.2f s in all; longest gap %.3f s (%s)"
               % (t.pid, max(took), sum(took), later["max_gap"], later["gaps"]))
        self.assertEqual(len(info_json(path)["snapshots"]), 20)
        self.assertEqual(later["anomalies"], [], "what the target saw")
        self.assertLess(later["max_gap"], STUCK, "a loop of the target stalled: %s" % later["gaps"])
        self.assertGreater(later["n"], first["n"])
        # Each agent's thread ("gcscope-agent") ends with its session: none is left behind.
        self.assertTrue(wait_until(lambda: len(os.listdir("/proc/%d/task" % t.pid)) == threads, 10, 0.1),
                        "the target had %d threads before the snapshots, %d after: %s"
                        % (threads, len(os.listdir("/proc/%d/task" % t.pid)), thread_names(t.pid)))
        self.assertNotIn("gcscope-agent", thread_names(t.pid))

    def test_attach_while_the_main_thread_is_in_malloc_on_debian_311(self):
        self.attaches_while_in_malloc(self.start_debian)

    def test_attach_while_the_main_thread_is_in_malloc_on_sid_315(self):
        problem = sid_problem()
        if problem:
            self.skipTest(problem)
        self.attaches_while_in_malloc(self.start_sid)

    # --- the target ends while the child walks ---

    def ends_mid_snapshot(self, how, sig, status):
        t = self.start_debian("fork/big_heap.py", BIG_HEAP)
        path = self.db("ends-%s.db" % how)
        p = self.popen_snapshot(t, path)
        child = self.wait_for_snapshot_child(t, p)
        # The child holds none of the target's files but its connection to gcscope: not the
        # target's stdout, which this test reads, nor what it has open besides.
        held = files_of(child)
        self.assertEqual(len(held), 1, "the snapshot child's files: %s" % held)
        self.assertRegex(next(iter(held.values()), ""), r"^socket:")
        os.kill(t.pid, sig)
        self.assertEqual(t.proc.wait(30), status, "the target's exit status")
        # So its stdout's reader sees EOF as the target ends, not when the child does.
        with self.assertRaisesRegex(AssertionError, "exited", msg="no EOF on the ended target's stdout"):
            t.wait_for(lambda line: False, 10)
        # The child must still be there for the scenario to be the one meant; ended with its target,
        # it comes to this subreaper.
        after = stat_of(child)
        self.assertTrue(after and after[1] != "Z", "the snapshot child was done before its target ended: %s" % (after,))
        self.assertEqual(after[2], os.getpid(), "the orphaned snapshot child's parent")
        out, err = p.communicate(timeout=120)
        figure("%s: gcscope said %r" % (how, err))
        self.assertEqual(p.returncode, 0, err)

        def reap():
            pid, status = os.waitpid(child, os.WNOHANG | WALL)
            return (pid, status) if pid == child else None

        try:
            reaped = wait_until(reap, 30, 0.02)
        except ChildProcessError:
            self.fail("the orphaned snapshot child did not come to this subreaper")
        self.assertIsNotNone(reaped, "the orphaned snapshot child did not end")
        self.assertEqual(os.waitstatus_to_exitcode(reaped[1]), 0, "the orphaned snapshot child's exit status")
        info = info_json(path)
        session = info["sessions"][0]
        figure("%s: the session is stored %s (%s)" % (how, session["status"], session["end_reason"]))
        snaps = info["snapshots"]
        self.assertEqual(len(snaps), 1, snaps)
        self.assertEqual(snaps[0]["method"], "child")
        self.assertGreaterEqual(snaps[0]["objects"], BIG_HEAP)

    def test_target_ending_mid_snapshot(self):
        self.run_scenarios([("os._exit", lambda: self.ends_mid_snapshot("os._exit", signal.SIGUSR1, 0)),
                            ("sys.exit", lambda: self.ends_mid_snapshot("sys.exit", signal.SIGUSR2, 0)),
                            ("SIGKILL", lambda: self.ends_mid_snapshot("SIGKILL", signal.SIGKILL, -signal.SIGKILL))])

    # --- the child or the profiler killed ---

    def child_killed(self):
        t = self.start_debian("fork/big_heap.py", BIG_HEAP)
        threads = task_count(t.pid)
        p = self.popen_snapshot(t, self.db("killed-child.db"))
        child = self.wait_for_snapshot_child(t, p)
        os.kill(child, signal.SIGKILL)
        out, err = p.communicate(timeout=60)
        figure("child killed: gcscope said %r" % err)
        self.assertNotEqual(p.returncode, 0)
        # The agent reaped it and left; the target runs on.
        self.assertTrue(wait_until(lambda: stat_of(child) is None, 5), "the killed child is left: %s"
                        % (stat_of(child),))
        self.assertTrue(wait_until(lambda: task_count(t.pid) == threads, 5), "the agent's thread is left")
        before = t.next_status()
        self.assertGreater(t.next_status()["n"], before["n"])
        self.assertSnapshotWorks(t, "after-killed-child.db")
        self.assertEqual(snapshot_children(t.pid), [])
        self.assertTrue(t.alive())
        # Last, what the user read: one line naming what happened.
        self.assertOneLineOutcome(subprocess.CompletedProcess(p.args, p.returncode, out, err), "child")

    def profiler_killed(self):
        t = self.start_debian("fork/big_heap.py", BIG_HEAP)
        threads = task_count(t.pid)
        p = self.popen_snapshot(t, self.db("killed-profiler.db"))
        child = self.wait_for_snapshot_child(t, p)
        p.kill()
        p.wait()
        killed = time.monotonic()
        # The child finds the connection gone (EPIPE, or its send timeout) and ends; the agent reaps it.
        self.assertTrue(wait_until(lambda: stat_of(child) is None, 15), "the snapshot child is left: %s"
                        % (stat_of(child),))
        figure("profiler killed: the snapshot child was gone %.2f s later" % (time.monotonic() - killed))
        self.assertTrue(wait_until(lambda: task_count(t.pid) == threads, 10), "the agent's thread is left")
        self.assertEqual(children_of(t.pid), [])
        before = t.next_status()
        self.assertGreater(t.next_status()["n"], before["n"])
        self.assertSnapshotWorks(t, "after-killed-profiler.db")
        self.assertTrue(t.alive())

    def test_child_or_profiler_killed_mid_snapshot(self):
        self.run_scenarios([("child killed mid-walk", self.child_killed),
                            ("profiler killed while the child runs", self.profiler_killed)])

    # --- too little memory for a child ---

    def cgroup_limit(self):
        cgroup = MemoryCgroup("gcscope-fork-test-%d" % os.getpid())
        problem = cgroup.probe()
        if problem:
            self.skipTest(problem)
        try:
            t = self.start_debian("fork/ballast.py", 256)
            rss_anon = t.next_status()["rss_anon"]
            cgroup.add(t.pid)
            # Room for what the target still allocates (the agent, an in-process snapshot of a small
            # heap), not for a child that may copy its 256 MiB.
            cgroup.limit(cgroup.usage() + (64 << 20))
            before = t.next_status()
            r = gcscope("snapshot", "--pid", t.pid, "-o", self.db("cgroup.db"))
            self.assertEqual(r.returncode, 0, r.stderr)
            snaps = info_json(self.db("cgroup.db"))["snapshots"]
            figure("cgroup v%d limit: RssAnon %d MiB; note %r; limit hit %s times"
                   % (cgroup.version, rss_anon >> 20, snaps[0]["method_note"], cgroup.failures()))
            self.assertEqual(snaps[0]["method"], "in-process")
            self.assertIn("cgroup", snaps[0]["method_note"] or "")
            self.assertIn(os.path.basename(cgroup.path), snaps[0]["method_note"] or "")
            self.assertGreater(t.next_status()["n"], before["n"])
            self.assertTrue(t.alive())
        finally:
            for target in self.targets:
                kill_tree(target)
            cgroup.remove()

    def faked_meminfo(self):
        if not IS_ROOT or not shutil.which("unshare"):
            self.skipTest("faking /proc/meminfo needs root and unshare here (a mount namespace)")
        fake = os.path.join(self.tmp, "meminfo")
        with open("/proc/meminfo") as f, open(fake, "w") as out:
            for line in f:
                out.write("MemAvailable:      32768 kB\n" if line.startswith("MemAvailable:") else line)
        t = LaunchedTarget(["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", FAKE_MEMINFO_SHELL,
                            "sh", fake, DEBIAN or "python3", "-u", os.path.join(TARGETS, "fork/ballast.py"), "128"])
        self.targets.append(t)
        with open("/proc/%d/root/proc/meminfo" % t.pid) as f:
            self.assertIn("MemAvailable:      32768 kB", f.read(), "the target does not see the faked file")
        before = t.next_status()
        r = gcscope("snapshot", "--pid", t.pid, "-o", self.db("meminfo.db"))
        self.assertEqual(r.returncode, 0, r.stderr)
        snaps = info_json(self.db("meminfo.db"))["snapshots"]
        figure("faked MemAvailable: note %r" % snaps[0]["method_note"])
        self.assertEqual(snaps[0]["method"], "in-process")
        self.assertRegex(snaps[0]["method_note"] or "", r"32 MiB available")
        self.assertGreater(t.next_status()["n"], before["n"])
        self.assertTrue(t.alive())

    # --- what the child leaves behind ---

    def test_target_writes_its_heap_without_faults_after_the_child(self):
        # The clone leaves every page it shared write-protected; the agent reopens them once the child
        # is gone (agent/src/write_reopen.h), so the target's next pass over its objects does not
        # fault page by page with the GIL held. It needs PAGEMAP_SCAN (Linux 6.7) to leave alone the
        # zero page, and does nothing on older kernels.
        release = tuple(int(part) for part in os.uname().release.split(".")[:2])
        if release < (6, 7):
            self.skipTest("Linux %s: no PAGEMAP_SCAN (6.7), the agent leaves the pages as the clone left them"
                          % os.uname().release)
        if not DEBIAN:
            self.skipTest("no /usr/bin/python3 here")
        t = self.start(DEBIAN, "fork/write_faults.py", 300_000, stdin=subprocess.PIPE)
        self.addCleanup(t.proc.stdin.close)

        def faults_of_a_pass():
            t.proc.stdin.write("pass\n")
            t.proc.stdin.flush()
            line = t.wait_for(lambda l: l.startswith("FAULTS "), 30)
            return int(line.split()[1])

        faults_of_a_pass()  # the first pass makes what every pass reuses
        before = faults_of_a_pass()
        self.assertSnapshotWorks(t, "faults.db")
        time.sleep(0.5)  # the agent reopens the pages once it has reaped the child, at its own pace
        after = faults_of_a_pass()
        figure("a pass over 300,000 objects: %d minor faults before the snapshot, %d after it" % (before, after))
        # Without the reopening, each page of the heap faults once: thousands.
        self.assertLess(after, 2 * before + 200)
        self.assertTrue(t.alive())

    def test_too_little_memory_walks_in_the_target(self):
        self.run_scenarios([("cgroup limit", self.cgroup_limit), ("faked MemAvailable", self.faked_meminfo)])

    # --- asked not to fork ---

    def test_no_fork_walks_in_the_target(self):
        t = self.start_debian("sleeper.py", 0.2)
        path = self.db("no-fork.db")
        r = gcscope("snapshot", "--pid", t.pid, "-o", path, "--no-fork")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = gcscope("record", "--pid", t.pid, "-o", path, "--no-fork", "--duration", 1, "--snapshot-at-end")
        self.assertEqual(r.returncode, 0, r.stderr)
        # (A program that ends by itself: `run --duration` leaves the command running.)
        r = gcscope("run", "-o", path, "--no-fork", "--snapshot-at-end", "--",
                    DEBIAN, os.path.join(TARGETS, "exits_by_itself.py"), 1000, 1)
        self.assertEqual(r.returncode, 0, r.stderr)
        snaps = info_json(path)["snapshots"]
        self.assertEqual([s["method"] for s in snaps], ["in-process"] * 3, snaps)
        for s in snaps:
            self.assertIn("--no-fork", s["method_note"] or "")
        # And without it, a child.
        self.assertSnapshotWorks(t, "fork.db")
        self.assertTrue(t.alive())


def tearDownModule():
    # A snapshot child whose target ended comes to this subreaper: none may be left running.
    left = [(pid, state) for pid, comm, state, ppid in all_processes()
            if comm == SNAPSHOT_CHILD and ppid == os.getpid()]
    for pid, _ in left:
        os.kill(pid, signal.SIGKILL)
    reap_orphans()
    if left:
        raise AssertionError("snapshot children left with this process: %s" % left)


def main():
    problem = ptrace_problem()
    if problem:
        print("SKIP: " + problem)
        sys.exit(SKIP_CODE)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("SKIP: cannot become a child subreaper: " + os.strerror(ctypes.get_errno()))
        sys.exit(SKIP_CODE)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
