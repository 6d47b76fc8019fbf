"""Pythons in containers, attached by their host PID: each target runs as docker and podman run a
container's process (tests/tools/container_launch.c: its own mount and PID namespaces, PID 1
inside, another root, a private /tmp), some also in a user namespace whose root is uid 100000 on the
host (rootless podman). Debian's 3.11 runs in a root made of the host's /usr and /etc; Debian's
3.13, 3.14 and 3.15 in the sid root of scripts/sid-pythons.sh.

On each: `ps` names the container, a snapshot predicts exactly what gc.collect() then frees and
counts every type as the target's own gc.get_objects() does, a recording names the leaking class,
and nothing of gcscope is left in the container's /tmp, not even what a killed gcscope left there."""
import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

from gcs_testlib import (TARGETS, Target, files_of, gcscope, info_json, ptrace_problem, query, unreachable_as,
                         wait_until, SKIP_CODE)

sys.warnoptions.append("ignore::ResourceWarning")
warnings.simplefilter("ignore", ResourceWarning)

LAUNCHER = os.environ.get("GCSCOPE_TEST_CONTAINER", "")
SID_ROOT = os.environ.get("GCSCOPE_SID_ROOT", "")
INSIDE_TARGETS = "/gcscope-targets"
ROOTLESS_UID = 100000
# The agent form every attach uses when one is forced (the portable form's own run of these tests).
FORCED_FORM = os.environ.get("GCSCOPE_AGENT_FORM", "")

TRACKED_BY_TYPE = """
SELECT s.text, count(*) FROM snapshot_object_list o
JOIN snapshot_strings s ON s.snapshot_id = o.snapshot_id AND s.id = o.type
WHERE o.snapshot_id = ? AND (o.flags & 1) = 1 GROUP BY s.text
"""


def host_root():
    """A root made of the host's own /usr and /etc (merged-/usr Debian), bound in by the launcher."""
    root = tempfile.mkdtemp(prefix="gcscope-container-root-")
    os.chmod(root, 0o755)
    for d in ("usr", "etc", "proc", "tmp", INSIDE_TARGETS.lstrip("/")):
        os.mkdir(os.path.join(root, d))
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink("/" + link):
            os.symlink(os.readlink("/" + link), os.path.join(root, link))
    return root, ["--bind", "/usr:/usr", "--bind", "/etc:/etc"]


class Container:
    def __init__(self, name, root, binds, python, form, userns=False):
        self.name, self.root, self.binds, self.python, self.form, self.userns = \
            name, root, binds, python, form, userns

    def command(self, script, *args):
        cmd = [LAUNCHER]
        if self.userns:
            cmd += ["--userns", str(ROOTLESS_UID)]
        cmd += self.binds + ["--bind", "%s:%s" % (TARGETS, INSIDE_TARGETS), self.root,
                             self.python, "-u", os.path.join(INSIDE_TARGETS, script), *map(str, args)]
        return cmd


class ContainerTarget(Target):
    """A target started through the launcher; its PID is the host PID the launcher reports."""

    def __init__(self, container, script, *args, stdin=None):
        self.proc = subprocess.Popen(container.command(script, *args), stdout=subprocess.PIPE,
                                     stdin=stdin or subprocess.DEVNULL, text=True)
        import queue
        import threading
        self.lines = queue.Queue()
        self.statuses = []
        self.port = None
        threading.Thread(target=self._pump, daemon=True).start()
        line = self.wait_for(lambda l: l.startswith("CONTAINER_PID "), 30)
        self.pid = int(line.split()[1])
        self.wait_for(lambda l: l.startswith("READY"), 60)

    def stop(self):
        # The container's process first (killing the launcher would leave it running), then the launcher.
        try:
            os.kill(self.pid, 9)
        except (ProcessLookupError, AttributeError):
            pass
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait()

    def tmp_entries(self):
        return sorted(os.listdir("/proc/%d/root/tmp" % self.pid))


def containers():
    found = []
    root, binds = host_root()
    found.append(Container("debian-3.11", root, binds, "/usr/bin/python3", "py311"))
    found.append(Container("debian-3.11-rootless", root, binds, "/usr/bin/python3", "py311", userns=True))
    if SID_ROOT and os.path.exists(os.path.join(SID_ROOT, ".gcscope-ready")):
        os.makedirs(os.path.join(SID_ROOT, INSIDE_TARGETS.lstrip("/")), exist_ok=True)
        for minor in (13, 14, 15):
            python = "/usr/bin/python3.%d" % minor
            if os.path.exists(SID_ROOT + python):
                found.append(Container("sid-3.%d" % minor, SID_ROOT, [], python, "py3%d" % minor))
        found.append(Container("sid-3.15-rootless", SID_ROOT, [], "/usr/bin/python3.15", "py315", userns=True))
    return found


CONTAINERS = []
SID_MISSING = None


class InContainers(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="gcscope-container-test-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.targets = []

    def tearDown(self):
        for t in self.targets:
            t.stop()

    def start(self, container, script, *args, **kw):
        if container.userns:
            # A rootless container's root is ROOTLESS_UID on the host, with the groups the launcher has
            # from us: as that uid the launcher binds our targets in and enters the container's root.
            reason = unreachable_as(ROOTLESS_UID, ROOTLESS_UID, [os.path.join(TARGETS, script), container.root],
                                    groups=os.getgroups())
            if reason:
                self.skipTest(reason)
        t = ContainerTarget(container, script, *args, **kw)
        self.targets.append(t)
        return t

    def command(self, target, cmd):
        def send():
            target.proc.stdin.write(cmd + "\n")
            target.proc.stdin.flush()
        return target.status_after(send, timeout=30)

    def assertNothingLeft(self, target):
        left = [e for e in target.tmp_entries() if e.startswith("gcscope")]
        self.assertEqual(left, [], "gcscope left this in the container's /tmp")

    def test_ps_names_the_container_and_the_agent_form(self):
        for c in CONTAINERS:
            with self.subTest(container=c.name):
                t = self.start(c, "sleeper.py")
                r = gcscope("ps", "--json")
                self.assertEqual(r.returncode, 0, r.stderr)
                entry = [p for p in json.loads(r.stdout) if p["pid"] == t.pid]
                self.assertEqual(len(entry), 1, r.stdout)
                p = entry[0]
                self.assertTrue(p["attachable"], p["reason"])
                self.assertEqual(p["agent_form"], FORCED_FORM or c.form)
                self.assertEqual(p["container"]["root"], os.path.realpath(c.root))
                self.assertTrue(p["container"]["mount_namespace"])
                self.assertTrue(p["container"]["pid_namespace"])
                self.assertEqual(p["container"]["user_namespace"], c.userns)
                self.assertEqual(p["container"]["pid_inside"], 1)
                self.assertEqual(p["uid"], ROOTLESS_UID if c.userns else 0)
                text = gcscope("ps").stdout
                self.assertIn("in a container: root %s" % os.path.realpath(c.root), text)

    def test_snapshot_predicts_the_collection_and_counts_every_type(self):
        for c in CONTAINERS:
            with self.subTest(container=c.name):
                t = self.start(c, "gc_articles.py", stdin=subprocess.PIPE)
                path = os.path.join(self.work, "truth-%s.db" % c.name)
                r = gcscope("snapshot", "--pid", t.pid, "-o", path)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertNothingLeft(t)
                census = self.command(t, "census")["census"]
                cycles = json.loads(gcscope("cycles", path, "--json").stdout)
                collected = self.command(t, "collect")["collected"]
                self.assertGreater(collected, 0)
                self.assertEqual(cycles["unreachable_objects"], collected)
                snap_id = info_json(path)["snapshots"][0]["id"]
                ours = dict(query(path, TRACKED_BY_TYPE, snap_id))
                diff = {k: (ours.get(k, 0), census.get(k, 0)) for k in set(ours) | set(census)
                        if ours.get(k, 0) != census.get(k, 0)}
                self.assertEqual(diff, {}, "type: (snapshot, target's census)")

    def test_a_recording_names_the_leak(self):
        for c in CONTAINERS:
            with self.subTest(container=c.name):
                t = self.start(c, "leaks/registry_list.py", 60)
                path = os.path.join(self.work, "leak-%s.db" % c.name)
                r = gcscope("record", "--pid", t.pid, "-o", path, "--duration", 5, "--census-every", 0.5,
                            "--snapshot-every", 1.5, "--snapshot-at-end")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertNothingLeft(t)
                session = info_json(path)["sessions"][0]
                self.assertEqual(session["status"], "complete")
                self.assertEqual(session["agent_form"], FORCED_FORM or c.form)
                self.assertGreater(session["gc_events"], 0)
                out = os.path.join(self.work, "leak-%s.json" % c.name)
                r = gcscope("report", path, "--format", "json", "-o", out)
                self.assertEqual(r.returncode, 0, r.stderr)
                with open(out) as f:
                    j = json.load(f)
                self.assertTrue(j["suspects"], "no suspects")
                self.assertEqual(j["suspects"][0]["type"], "__main__.Request")
                self.assertIn("__main__.AuditLog.entries", j["suspects"][0]["owner"])

    def test_twenty_attach_cycles_and_a_killed_profiler_leave_the_target_as_it_was(self):
        for c in CONTAINERS:
            with self.subTest(container=c.name):
                t = self.start(c, "sleeper.py", 0.2)
                threads = lambda: len(os.listdir("/proc/%d/task" % t.pid))
                fds = lambda: len(os.listdir("/proc/%d/fd" % t.pid))
                before = (threads(), fds())

                def settled(seconds):
                    # The sleeper lists its own /proc/self/fd every 0.2 s (targetlib.status), which
                    # holds one more descriptor for a moment: what we left would stay, so look again.
                    # A look that matched is the answer, never a fresh one that may catch that moment;
                    # when none did, the answer names every descriptor the target holds.
                    if wait_until(lambda: (threads(), fds()) == before, seconds, 0.02):
                        return before
                    return (threads(), fds(), files_of(t.pid))

                for i in range(20):
                    path = os.path.join(self.work, "cycle-%s-%d.db" % (c.name, i))
                    r = gcscope("snapshot", "--pid", t.pid, "-o", path)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    os.unlink(path)
                    self.assertEqual(settled(2), before, "after attach %d" % (i + 1))
                self.assertNothingLeft(t)

                # A profiler SIGKILLed mid-session: the agent notices, its thread and socket go.
                path = os.path.join(self.work, "killed-%s.db" % c.name)
                p = subprocess.Popen([os.environ.get("GCSCOPE", "gcscope"), "record", "--pid", str(t.pid), "-o", path,
                                      "--interval", "50"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and threads() == before[0]:
                    time.sleep(0.05)
                self.assertEqual(threads(), before[0] + 1, "the agent's thread never started")
                time.sleep(0.5)
                p.kill()
                p.wait()
                self.assertEqual(settled(5), before, "the agent did not wind down after the kill")
                self.assertTrue(t.alive())
                self.assertNothingLeft(t)

    def test_what_a_killed_gcscope_left_in_the_container_is_removed_by_the_next(self):
        pid_namespace = os.stat("/proc/self/ns/pid").st_ino
        dead = subprocess.Popen(["true"])
        dead.wait()  # a PID no process has now
        for c in CONTAINERS[:1] + [c for c in CONTAINERS if c.userns][-1:]:
            with self.subTest(container=c.name):
                t = self.start(c, "sleeper.py")
                tmp = "/proc/%d/root/tmp" % t.pid
                abandoned = "gcscope-%d-%d-12345-AbCdEf" % (pid_namespace, dead.pid)
                # A gcscope that still runs (this test, as far as the name says) keeps its directory.
                with open("/proc/self/stat") as f:
                    ticks = f.read().rsplit(")", 1)[1].split()[19]
                alive = "gcscope-%d-%d-%s-GhIjKl" % (pid_namespace, os.getpid(), ticks)
                # Made as the container's root, as gcscope makes them (a rootless container's /tmp
                # cannot hold files of our root, whom its user namespace cannot name).
                libc = ctypes.CDLL(None, use_errno=True)
                if c.userns:
                    libc.setfsgid(ROOTLESS_UID)
                    libc.setfsuid(ROOTLESS_UID)
                try:
                    os.mkdir(os.path.join(tmp, abandoned), 0o700)
                    os.mkdir(os.path.join(tmp, alive), 0o700)
                    with open(os.path.join(tmp, abandoned, "libgcscope_agent_py311.so"), "w") as f:
                        f.write("left by a gcscope that was killed while it attached")
                finally:
                    libc.setfsuid(0)
                    libc.setfsgid(0)
                path = os.path.join(self.work, "sweep-%s.db" % c.name)
                r = gcscope("snapshot", "--pid", t.pid, "-o", path)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual([e for e in t.tmp_entries() if e.startswith("gcscope")], [alive])


def main():
    global CONTAINERS
    if os.geteuid() != 0:
        print("SKIP: containers need root here (new mount, PID and user namespaces, chroot)")
        sys.exit(SKIP_CODE)
    if not LAUNCHER or not os.path.exists(LAUNCHER):
        print("SKIP: the container launcher (tests/tools) was not built")
        sys.exit(SKIP_CODE)
    problem = ptrace_problem()
    if problem:
        print("SKIP: " + problem)
        sys.exit(SKIP_CODE)
    CONTAINERS = containers()
    if not any(c.name.startswith("sid-") for c in CONTAINERS):
        print("NOTE: no sid root at %r (scripts/sid-pythons.sh root): only Debian's 3.11 runs in a container"
              % SID_ROOT)
    try:
        unittest.main(verbosity=2)
    finally:
        shutil.rmtree(CONTAINERS[0].root, ignore_errors=True)


if __name__ == "__main__":
    main()
