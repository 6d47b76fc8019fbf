"""The target never suffers, bad input never hurts: gcscope killed mid-session, targets that die
under it, many attach cycles on a busy service, targets it must refuse, unusual heaps, the
agent's socket seen from other users, and damaged files given to every command that opens one.

Figures the report quotes (cycles, thread/descriptor/RSS counts, timings) are printed on stderr as
lines starting with "FIGURE".
"""
import ctypes
import errno
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import unittest

from gcs_testlib import (GCSCOPE, PYTHONS, TempDirTestCase, as_user, gcscope, info_json, main_requiring_ptrace,
                         query, wait_until)

IS_ROOT = os.geteuid() == 0
HAVE_SETPRIV = shutil.which("setpriv") is not None
NOBODY = "nobody"


def figure(text):
    sys.stderr.write("FIGURE " + text + "\n")
    sys.stderr.flush()


def digest(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def proc_state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def tracer_of(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return 0


def agent_mapped(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "gcscope_agent" in f.read()


class ReliabilityCase(TempDirTestCase):
    def setUp(self):
        super().setUp()
        # gcscope makes its private socket directory under $XDG_RUNTIME_DIR: one of our own, so
        # the tests can watch it and see that nothing is left behind.
        self.runtime_dir = os.path.join(self.tmp, "xdg")
        os.mkdir(self.runtime_dir, 0o700)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=self.runtime_dir)
        self.processes = []

    def tearDown(self):
        for p in self.processes:
            if p.poll() is None:
                p.kill()
            p.wait()
            for pipe in (p.stdout, p.stderr):
                if pipe:
                    pipe.close()
        for t in self.targets:
            t.stop()
            t.proc.stdout.close()
        super().tearDown()

    def popen(self, *args):
        p = subprocess.Popen([GCSCOPE, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=self.env)
        self.processes.append(p)
        return p

    def run_gcscope(self, *args, timeout=120):
        return subprocess.run([GCSCOPE, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                              env=self.env)

    def wait_status(self, target, predicate, timeout, since=0):
        """The first status from index `since` on that satisfies predicate."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for s in target.statuses[since:]:
                if predicate(s):
                    return s
            if not target.alive():
                self.fail("target %d exited (code %s)" % (target.pid, target.proc.returncode))
            time.sleep(0.01)
        self.fail("target %d: no such status within %ss (last: %s)" % (target.pid, timeout, target.statuses[-1:]))

    def assertRestored(self, target, before, timeout=10, since=None):
        """The target runs on with no callback, thread or descriptor of ours; returns that status."""
        same = lambda s: (s["callbacks"] == before["callbacks"] and s["threads"] == before["threads"]
                          and s["fds"] == before["fds"])
        status = self.wait_status(target, same, timeout, len(target.statuses) if since is None else since)
        later = target.next_status(timeout=10)
        self.assertGreater(later["n"], status["n"], "the target stopped working")
        return status

    def assertClearError(self, result, *needles):
        """Exit status 1 and exactly one error line, which names every needle."""
        self.assertEqual(result.returncode, 1, result.stderr)
        errors = [l for l in result.stderr.splitlines() if l.startswith("gcscope: error:")]
        self.assertEqual(len(errors), 1, result.stderr)
        for needle in needles:
            self.assertIn(needle, errors[0])
        return errors[0]

    def assertNoDebris(self):
        self.assertEqual(os.listdir(self.runtime_dir), [], "gcscope left its private directory behind")


class ProfilerKilled(ReliabilityCase):
    def test_sigkill_of_the_profiler_mid_session(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "reliability/steady.py")
                before = t.next_status()
                path = self.db("killed-%s.db" % label)
                p = self.popen("record", "--pid", t.pid, "-o", path, "--interval", 50, "--census-every", 0.3)
                self.wait_status(t, lambda s: s["callbacks"] == before["callbacks"] + 1, 30, len(t.statuses))
                wait_until(lambda: os.path.exists(path) and query(path, "SELECT count(*) FROM samples")[0][0] > 5, 10)
                p.kill()
                killed_at = time.time()
                p.wait()

                # The agent notices at once: callback removed, thread gone, descriptor closed.
                restored = self.assertRestored(t, before, timeout=5)
                figure("profiler SIGKILL (%s): agent wound down %.2f s after the kill"
                       % (label, restored["t"] - killed_at))
                self.assertLess(restored["t"] - killed_at, 2.0)
                self.assertNoDebris()

                # What was committed is readable, the session is marked incomplete, and reading
                # the file (with the WAL the killed writer left) changes nothing.
                files = {f: digest(f) for f in (path, path + "-wal")}
                info = info_json(path)
                session = info["sessions"][0]
                self.assertEqual(session["status"], "incomplete")
                self.assertIsNone(session["ended_ns"])
                self.assertGreater(info["samples"], 5)
                self.assertEqual({f: digest(f) for f in files}, files, "reading changed the file")
                self.assertEqual(t.next_status()["callbacks"], before["callbacks"])

    def test_sigkill_of_the_profiler_mid_snapshot(self):
        label, python = PYTHONS[-1]
        t = self.start(python, "reliability/steady.py", 1_500_000)
        before = t.next_status()
        path = self.db()
        p = self.popen("snapshot", "--pid", t.pid, "-o", path)
        # The agent thread exists once it has been injected; the walk of 1.5 million objects
        # takes a while after that.
        self.wait_status(t, lambda s: s["threads"] == before["threads"] + 1, 30, len(t.statuses))
        time.sleep(0.3)
        p.kill()
        killed_at = time.time()
        p.wait()
        restored = self.assertRestored(t, before, timeout=10)
        figure("profiler SIGKILL mid-snapshot (%s): agent wound down %.2f s after the kill"
               % (label, restored["t"] - killed_at))
        self.assertNoDebris()
        if os.path.exists(path):
            self.assertEqual(info_json(path)["snapshots"], [], "no half snapshot is kept")


class TargetDies(ReliabilityCase):
    def test_target_killed_mid_recording_with_snapshots(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "reliability/steady.py")
                before = t.next_status()
                path = self.db("dies-%s.db" % label)
                p = self.popen("record", "--pid", t.pid, "-o", path, "--interval", 50, "--snapshot-every", 0.4)
                self.wait_status(t, lambda s: s["callbacks"] == before["callbacks"] + 1, 30, len(t.statuses))
                wait_until(lambda: os.path.exists(path) and info_json(path)["snapshots"], 20, 0.1)
                t.proc.kill()
                _, err = p.communicate(timeout=60)
                self.assertEqual(p.returncode, 1, err)
                # The recording's own line (the leak summary follows it).
                last = [l for l in err.strip().splitlines() if l.startswith("gcscope: saved ")][-1]
                self.assertIn("incomplete", last)
                self.assertIn("exited", last)
                info = info_json(path)
                self.assertEqual(info["sessions"][0]["status"], "incomplete")
                self.assertIn("exited", info["sessions"][0]["end_reason"])
                self.assertGreater(info["samples"], 5, "the telemetry before the kill is kept")
                self.assertGreaterEqual(len(info["snapshots"]), 1, "the snapshots before the kill are kept")
                self.assertNoDebris()

    def test_target_exits_cleanly_mid_snapshot(self):
        """SIGTERM makes the target sys.exit() while the agent streams a big snapshot: the
        interpreter finalizes around the agent's thread and the process exits with status 0."""
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "reliability/steady.py", 1_500_000)
                before = t.next_status()
                path = self.db("exit-%s.db" % label)
                p = self.popen("snapshot", "--pid", t.pid, "-o", path)
                self.wait_status(t, lambda s: s["threads"] == before["threads"] + 1, 30, len(t.statuses))
                time.sleep(0.2)
                os.kill(t.pid, signal.SIGTERM)
                self.assertEqual(t.proc.wait(timeout=30), 0, "the target did not exit cleanly")
                _, err = p.communicate(timeout=60)
                if p.returncode == 0:  # it finished sending before the interpreter went away
                    self.assertEqual(len(info_json(path)["snapshots"]), 1)
                else:
                    self.assertEqual(p.returncode, 1, err)
                    errors = [l for l in err.splitlines() if l.startswith("gcscope: error:")]
                    self.assertEqual(len(errors), 1, err)
                    self.assertRegex(errors[0], "exit|left")
                    if os.path.exists(path):
                        self.assertEqual(info_json(path)["snapshots"], [], "no half snapshot is kept")
                figure("target exits mid-snapshot (%s): gcscope exit %d: %s"
                       % (label, p.returncode, err.strip().splitlines()[-1]))
                self.assertNoDebris()

    def test_target_stopped_mid_recording(self):
        """SIGSTOP while recording: the recording ends on time; after SIGCONT the agent finds the
        profiler gone and winds down."""
        label, python = PYTHONS[0]
        t = self.start(python, "reliability/steady.py")
        before = t.next_status()
        path = self.db()
        p = self.popen("record", "--pid", t.pid, "-o", path, "--interval", 50, "--duration", 1)
        self.wait_status(t, lambda s: s["callbacks"] == before["callbacks"] + 1, 30, len(t.statuses))
        os.kill(t.pid, signal.SIGSTOP)
        started = time.monotonic()
        try:
            _, err = p.communicate(timeout=30)
            elapsed = time.monotonic() - started
            self.assertEqual(proc_state(t.pid), "T", "gcscope must leave a stopped target stopped")
        finally:
            os.kill(t.pid, signal.SIGCONT)
        figure("target SIGSTOPped mid-recording: gcscope ended after %.1f s with exit %d" % (elapsed, p.returncode))
        self.assertLess(elapsed, 10)
        self.assertEqual(p.returncode, 0, err)
        self.assertIn("did not answer the detach", err)
        self.assertEqual(len(info_json(path)["sessions"]), 1)
        self.assertRestored(t, before, timeout=10)


class AttachCycles(ReliabilityCase):
    CYCLES = 20

    def test_twenty_snapshot_cycles_on_a_busy_multithreaded_service(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "reliability/multi_busy.py")
                wait_until(lambda: t.port, 10)
                t.next_status()
                base = t.next_status()  # every worker thread is up by now
                path = self.db("cycles-%s.db" % label)
                started = time.monotonic()
                rss_after_first = None
                for i in range(self.CYCLES):
                    r = self.run_gcscope("snapshot", "--pid", t.pid, "-o", path)
                    self.assertEqual(r.returncode, 0, "cycle %d: %s" % (i + 1, r.stderr))
                    if i == 0:
                        rss_after_first = self.assertRestored(t, base, timeout=10)["rss"]
                seconds = time.monotonic() - started
                after = self.assertRestored(t, base, timeout=10)
                # The thread blocked in accept() still serves.
                seen = after["accepted"]
                with socket.create_connection(("127.0.0.1", t.port), timeout=5):
                    pass
                self.wait_status(t, lambda s: s["accepted"] == seen + 1, 10, len(t.statuses))
                later = t.next_status()
                self.assertGreater(later["compressed"], base["compressed"])
                self.assertGreater(later["alloc"], base["alloc"])
                self.assertEqual(len(info_json(path)["snapshots"]), self.CYCLES)
                mib = lambda b: b / 2**20
                figure("%d attach/snapshot/detach cycles (%s) in %.1f s: threads %d -> %d, fds %d -> %d, "
                       "RSS %.1f MiB -> %.1f MiB after the first -> %.1f MiB after the last"
                       % (self.CYCLES, label, seconds, base["threads"], after["threads"], base["fds"], after["fds"],
                          mib(base["rss"]), mib(rss_after_first), mib(after["rss"])))
                self.assertEqual(after["threads"], base["threads"])
                self.assertEqual(after["fds"], base["fds"])
                # The agent's buffers are returned after each snapshot: later cycles must not keep
                # adding to what the first one left.
                self.assertLess(after["rss"] - rss_after_first, 32 * 2**20)
                self.assertNoDebris()


class RefusedTargets(ReliabilityCase):
    """Targets gcscope must not touch: one clear line within the timeout, the target as it was."""

    def refuse(self, target, *needles, user=None):
        out = self.db("refused.db")
        cmd = [GCSCOPE, "record", "--pid", str(target.pid), "-o", out, "--duration", 1]
        if user:
            writable = os.path.join(self.tmp, user)
            os.makedirs(writable, exist_ok=True)
            os.chown(writable, pwd.getpwnam(user).pw_uid, -1)
            out = os.path.join(writable, "refused.db")
            cmd = as_user(user, [GCSCOPE, "record", "--pid", str(target.pid), "-o", out, "--duration", 1])
        started = time.monotonic()
        r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=60, env=self.env)
        elapsed = time.monotonic() - started
        self.assertClearError(r, str(target.pid), *needles)
        self.assertLess(elapsed, 15)
        self.assertFalse(agent_mapped(target.pid), "the agent was loaded anyway")
        self.assertFalse(os.path.exists(out), "no empty recording is left behind")
        return elapsed, r

    def test_stopped_target_stays_stopped(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "reliability/steady.py")
                t.next_status()
                os.kill(t.pid, signal.SIGSTOP)
                wait_until(lambda: proc_state(t.pid) == "T", 5)
                try:
                    elapsed, r = self.refuse(t, "stopped")
                    self.assertEqual(proc_state(t.pid), "T", "the target must stay stopped")
                finally:
                    os.kill(t.pid, signal.SIGCONT)
                t.next_status()
                figure("stopped target (%s): refused in %.2f s: %s" % (label, elapsed, r.stderr.strip()))

    @unittest.skipIf(shutil.which("strace") is None, "strace is not installed")
    def test_target_traced_by_strace(self):
        label, python = PYTHONS[-1]
        t = self.start(python, "reliability/steady.py")
        t.next_status()
        strace = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=none", "-p", str(t.pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(strace)
        self.assertTrue(wait_until(lambda: tracer_of(t.pid) == strace.pid, 10), "strace did not attach")
        elapsed, r = self.refuse(t, "already traced", str(strace.pid))
        self.assertEqual(tracer_of(t.pid), strace.pid, "strace must still be attached")
        seen = len(t.statuses)
        self.wait_status(t, lambda s: True, 10, seen)
        strace.terminate()
        strace.wait()
        t.next_status()
        figure("target traced by strace: refused in %.2f s: %s" % (elapsed, r.stderr.strip()))

    def test_target_held_by_another_tracer(self):
        """A debugger-like tracer (this test, with PTRACE_SEIZE) holds the target."""
        label, python = PYTHONS[0]
        t = self.start(python, "reliability/steady.py")
        t.next_status()
        libc = ctypes.CDLL(None, use_errno=True)
        PTRACE_SEIZE, PTRACE_DETACH = 0x4206, 17
        if libc.ptrace(PTRACE_SEIZE, t.pid, None, None) != 0:
            self.skipTest("PTRACE_SEIZE: " + os.strerror(ctypes.get_errno()))
        try:
            elapsed, r = self.refuse(t, "already traced", str(os.getpid()))
            self.assertEqual(tracer_of(t.pid), os.getpid())
        finally:
            libc.ptrace(PTRACE_DETACH, t.pid, None, None)
        t.next_status()
        figure("target held with PTRACE_SEIZE: refused in %.2f s" % elapsed)

    @unittest.skipIf(not IS_ROOT or not HAVE_SETPRIV, "needs root and setpriv to run gcscope as another user")
    def test_ptrace_not_permitted(self):
        for label, python in PYTHONS:
            with self.subTest(python=label, case="another user's process"):
                t = self.start(python, "reliability/steady.py")
                t.next_status()
                elapsed, r = self.refuse(t, "not permitted", user=NOBODY)
                t.next_status()
                figure("gcscope as nobody on a root target (%s): refused in %.2f s" % (label, elapsed))
        with self.subTest(case="non-dumpable process of the same user"):
            t = self.start(PYTHONS[0][1], "reliability/not_dumpable.py", user=NOBODY)
            t.next_status()
            elapsed, r = self.refuse(t, "not permitted", "dumpable", user=NOBODY)
            t.next_status()


class UnusualHeaps(ReliabilityCase):
    """Record with censuses, then a snapshot before detaching, in one attach."""

    def record_and_snapshot(self, target, name, seconds=1):
        before = target.next_status()
        path = self.db(name)
        r = self.run_gcscope("record", "--pid", target.pid, "-o", path, "--duration", seconds, "--interval", 50,
                             "--census-every", 0.3, "--snapshot-at-end")
        self.assertEqual(r.returncode, 0, r.stderr)
        info = info_json(path)
        self.assertEqual(info["sessions"][0]["status"], "complete")
        self.assertGreater(info["samples"], 5)
        self.assertGreaterEqual(info["censuses"], 1)
        self.assertEqual(len(info["snapshots"]), 1)
        after = self.assertRestored(target, before, timeout=15)
        return path, info, before, after

    def test_collector_disabled(self):
        label, python = PYTHONS[-1]
        t = self.start(python, "gc_disabled.py")
        path, info, before, after = self.record_and_snapshot(t, "disabled.db")
        self.assertFalse(after["enabled"], "gcscope must not enable the collector")
        self.assertEqual(after["collections"], before["collections"], "gcscope must not collect")
        self.assertEqual(info["gc_events"], 0)

    def test_after_gc_freeze(self):
        label, python = PYTHONS[0]
        t = self.start(python, "reliability/frozen.py")
        path, info, before, after = self.record_and_snapshot(t, "frozen.db")
        self.assertGreater(before["frozen"], 50_000)
        self.assertEqual(after["frozen"], before["frozen"], "the permanent generation must stay as it was")
        (frozen,) = query(path, "SELECT max(freeze_count) FROM samples")[0]
        self.assertEqual(frozen, before["frozen"])

    def test_ten_million_item_list(self):
        label, python = PYTHONS[-1]
        t = self.start(python, "reliability/big_list.py")
        path, info, before, after = self.record_and_snapshot(t, "big.db")
        self.assertEqual(after["items"], 10_000_000)
        # One object with more references than a frame can carry: it arrives whole up to that
        # limit, in a frame of its own (it used to share one with its neighbours, over the limit).
        (biggest,) = query(path, "SELECT max(length(refs)) FROM snapshot_object_list")[0]
        self.assertGreater(biggest, 1_000_000)

    def test_million_deep_linked_list(self):
        label, python = PYTHONS[-1]
        t = self.start(python, "reliability/steady.py", 1_000_000)
        path, info, before, after = self.record_and_snapshot(t, "deep.db")
        self.assertGreater(info["snapshots"][0]["objects"], 1_000_000)
        # The analyses walk it without recursing: the head retains the whole chain.
        top = json.loads(gcscope("top", path, "--json", "--limit", "5").stdout)
        links = [o for o in top["objects"] if o["type"] == "__main__.Link"]
        self.assertTrue(links, top["objects"])
        self.assertGreaterEqual(links[0]["retained_size"], 1_000_000 * links[0]["size"])

    def test_asyncio_service(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "reliability/asyncio_app.py")
                wait_until(lambda: t.port, 10)
                path, info, before, after = self.record_and_snapshot(t, "asyncio-%s.db" % label)
                self.assertGreater(after["consumed"], before["consumed"])
                with socket.create_connection(("127.0.0.1", t.port), timeout=5) as c:
                    c.sendall(b"still there?\n")
                    self.assertEqual(c.makefile().readline(), "still there?\n")
                (tasks,) = query(path, "SELECT count(*) FROM snapshot_object_list o JOIN snapshot_strings s "
                                       "ON s.snapshot_id = o.snapshot_id AND s.id = o.type "
                                       "WHERE s.text = '_asyncio.Task'")[0]
                self.assertGreaterEqual(tasks, 3)


class AgentSocket(ReliabilityCase):
    """The rendezvous socket exists only while an agent is being attached: a 0600 socket in a 0700
    directory, handed to the target only. Catch it by stopping gcscope the moment it appears."""

    CONNECT = ("import socket, sys\n"
               "s = socket.socket(socket.AF_UNIX)\n"
               "try:\n"
               "    s.connect(sys.argv[1])\n"
               "    print(0)\n"
               "except OSError as e:\n"
               "    print(e.errno)\n")

    def catch_the_socket(self, target, path):
        """Starts a recording and SIGSTOPs gcscope while its socket exists; returns (process, socket)."""
        for attempt in range(10):
            p = self.popen("record", "--pid", target.pid, "-o", path, "--duration", 2, "--interval", 50)
            sock = None
            deadline = time.monotonic() + 20
            while p.poll() is None and time.monotonic() < deadline:
                entries = os.listdir(self.runtime_dir)
                if entries:
                    candidate = os.path.join(self.runtime_dir, entries[0], "agent.sock")
                    if os.path.exists(candidate):
                        os.kill(p.pid, signal.SIGSTOP)
                        if os.path.exists(candidate):
                            return p, candidate
                        os.kill(p.pid, signal.SIGCONT)
                        break
            p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, "attempt %d" % attempt)
            os.remove(path)
        self.skipTest("never caught gcscope while its socket existed")

    def connect_as(self, user, path):
        cmd = [PYTHONS[0][1], "-c", self.CONNECT, path]
        r = subprocess.run(as_user(user, cmd) if user else cmd, capture_output=True, text=True, timeout=30)
        return int(r.stdout.strip())

    @unittest.skipIf(not IS_ROOT or not HAVE_SETPRIV, "needs root and setpriv for a second user")
    def test_other_users_and_strangers_cannot_use_the_socket(self):
        label, python = PYTHONS[0]
        t = self.start(python, "reliability/steady.py")
        before = t.next_status()
        path = self.db()
        p, sock = self.catch_the_socket(t, path)
        try:
            directory = os.path.dirname(sock)
            self.assertEqual(os.stat(directory).st_mode & 0o777, 0o700)
            self.assertEqual(os.stat(sock).st_mode & 0o777, 0o600)
            # Another user cannot even reach it.
            self.assertEqual(self.connect_as(NOBODY, sock), errno.EACCES)
            # A process of the same user that is not the target connects, says no valid Hello...
            strangers = []
            for payload in (b"", b"GCSC" + b"\0" * 60, b"hello, I am the agent\n"):
                s = socket.socket(socket.AF_UNIX)
                s.connect(sock)
                s.sendall(payload)
                strangers.append(s)
        finally:
            os.kill(p.pid, signal.SIGCONT)
        # ... and is dropped, while the real agent is accepted and the recording goes on.
        for s in strangers:
            s.settimeout(10)
            try:
                self.assertEqual(s.recv(100), b"", "gcscope kept talking to a stranger")
            except ConnectionResetError:
                pass  # still queued when gcscope closed its listening socket
            s.close()
        self.wait_status(t, lambda s: s["callbacks"] == before["callbacks"] + 1, 20, len(t.statuses))
        # Once the agent is connected the socket is gone: there is nothing left to connect to.
        self.assertEqual(os.listdir(self.runtime_dir), [])
        self.assertIn(self.connect_as(NOBODY, sock), (errno.EACCES, errno.ENOENT))
        self.assertIn(self.connect_as(None, sock), (errno.ENOENT,))
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        self.assertGreater(info_json(path)["samples"], 5)
        self.assertRestored(t, before)
        figure("agent socket: nobody got EACCES, 3 same-user strangers were dropped, the recording went on")


class NoStrings(ReliabilityCase):
    def test_no_strings_keeps_secret_keys_and_values_out_of_the_file(self):
        label, python = PYTHONS[-1]
        t = self.start(python, "reliability/secret_keys.py")
        secrets = json.loads(t.wait_for(lambda l: l.startswith("SECRETS "), 10)[8:])
        with_strings, without = self.db("with.db"), self.db("without.db")
        for path, extra in ((with_strings, []), (without, ["--no-strings"])):
            r = self.run_gcscope("snapshot", "--pid", t.pid, "-o", path, *extra)
            self.assertEqual(r.returncode, 0, r.stderr)
        with open(with_strings, "rb") as f:
            data = f.read()
        self.assertTrue(all(s.encode() in data for s in secrets), "a plain snapshot shows them")
        with open(without, "rb") as f:
            data = f.read()
        for s in secrets:
            self.assertNotIn(s.encode(), data)
        # Attribute names are code, not data: they still label references.
        names = {n for (n,) in query(without, "SELECT text FROM snapshot_strings")}
        self.assertIn("password", names)
        self.assertIn("sessions", names)


class BadFilesEverywhere(ReliabilityCase):
    """Every command that opens a file, given a damaged one: one clear line, exit 1, the file as it
    was, no file created or removed next to it (test_errors.py covers `info` alone)."""

    READERS = (("info",), ("diff",), ("cycles",), ("paths", "--type", "dict"), ("top",), ("growth",))

    @classmethod
    def setUpClass(cls):
        cls.good = None

    def good_file(self):
        """A real recording with a snapshot, made once."""
        if BadFilesEverywhere.good is None:
            t = self.start(PYTHONS[0][1], "sleeper.py", 0.2)
            path = os.path.join(self.tmp, "good.db")
            r = self.run_gcscope("record", "--pid", t.pid, "-o", path, "--duration", 0.5, "--interval", 50,
                                 "--census-every", 0.2, "--snapshot-at-end")
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(path, "rb") as f:
                BadFilesEverywhere.good = f.read()
        path = self.db("copy.db")
        with open(path, "wb") as f:
            f.write(BadFilesEverywhere.good)
        return path

    def damaged(self, kind):
        path = self.db(kind + ".db")
        if kind == "missing":
            return path
        if kind == "empty":
            open(path, "wb").close()
        elif kind == "text":
            with open(path, "w") as f:
                f.write("these are my notes, not a database\n" * 50)
        elif kind == "foreign":
            con = sqlite3.connect(path)
            con.execute("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)")
            con.execute("INSERT INTO customers(name) VALUES ('Ada')")
            con.commit()
            con.close()
        else:
            os.rename(self.good_file(), path)
            if kind == "truncated":
                with open(path, "r+b") as f:
                    f.truncate(os.path.getsize(path) // 2)
            elif kind == "corrupt":
                # Garbage over every table's root page: whatever a command reads, it meets it.
                con = sqlite3.connect(path)
                page_size = con.execute("PRAGMA page_size").fetchone()[0]
                roots = [r for (r,) in con.execute("SELECT rootpage FROM sqlite_schema WHERE rootpage > 1")]
                con.close()
                with open(path, "r+b") as f:
                    for root in roots:
                        f.seek((root - 1) * page_size)
                        f.write(os.urandom(page_size))
            elif kind == "corrupt-deep":
                # One damaged page that opening the file never reads (a whole one: gcscope's pages are
                # 64 KiB, and garbage over only their unused part would be no damage at all).
                con = sqlite3.connect(path)
                page_size = con.execute("PRAGMA page_size").fetchone()[0]
                con.close()
                with open(path, "r+b") as f:
                    f.seek(os.path.getsize(path) // 2 // page_size * page_size)
                    f.write(os.urandom(page_size))
            elif kind == "newer":
                con = sqlite3.connect(path)
                con.execute("PRAGMA user_version = 99")
                con.commit()
                con.close()
        return path

    NEEDLES = {"missing": ("no such file",), "empty": ("empty file",), "text": ("not a SQLite database",),
               "foreign": ("not a gcscope database",), "truncated": ("truncated",), "corrupt": ("corrupt",),
               "corrupt-deep": ("corrupt",), "newer": ("newer", "99")}

    def check(self, args, path, kind):
        name = os.path.basename(path)
        before, listing = digest(path), sorted(os.listdir(self.tmp))
        r = self.run_gcscope(*args, timeout=60)
        self.assertClearError(r, name, *self.NEEDLES[kind])
        self.assertEqual(digest(path), before, "the file must not change")
        self.assertEqual(sorted(os.listdir(self.tmp)), listing, "no file may appear or vanish")

    def test_every_reading_command(self):
        count = 0
        for kind in ("missing", "empty", "text", "foreign", "truncated", "corrupt", "newer"):
            path = self.damaged(kind)
            for command in self.READERS:
                with self.subTest(kind=kind, command=command[0]):
                    self.check((command[0], path, *command[1:]), path, kind)
                    count += 1
        figure("damaged files: %d command/file combinations refused cleanly" % count)

    def test_every_writing_command_refuses_before_attaching(self):
        count = 0
        t = self.start(PYTHONS[0][1], "sleeper.py", 0.2)
        for kind in ("text", "foreign", "truncated", "corrupt", "corrupt-deep", "newer"):
            path = self.damaged(kind)
            for command in (("snapshot", "--pid", t.pid, "-o", path),
                            ("record", "--pid", t.pid, "-o", path, "--duration", 1),
                            ("run", "-o", path, "--", PYTHONS[0][1], "-c", "pass")):
                with self.subTest(kind=kind, command=command[0]):
                    if agent_mapped(t.pid):  # an earlier failure attached: start afresh
                        t = self.start(PYTHONS[0][1], "sleeper.py", 0.2)
                    self.check(command, path, kind)
                    self.assertFalse(agent_mapped(t.pid), "the agent was loaded for nothing")
                    count += 1
        figure("damaged output files: %d command/file combinations refused before attaching" % count)


if __name__ == "__main__":
    main_requiring_ptrace()
