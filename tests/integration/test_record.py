"""Attach to real Python processes in every state the issue names, record, detach, and check the
target is exactly as it was and the recording is right. Run for both Pythons of the machine."""
import json
import os
import signal
import socket
import subprocess
import time
import unittest

from gcs_testlib import PYTHONS, TempDirTestCase, gcscope, info_json, main_requiring_ptrace, query


class RecordScenarios(TempDirTestCase):
    def record(self, target, seconds=1.5, interval=50, census=0.5, name=None):
        """Records `target` into a fresh file (or `name`, appending) and returns its path."""
        if name is None:
            self.recordings = getattr(self, "recordings", 0) + 1
            name = "rec%d.db" % self.recordings
        path = self.db(name)
        r = gcscope("record", "--pid", target.pid, "-o", path, "--duration", seconds, "--interval", interval,
                    "--census-every", census)
        self.assertEqual(r.returncode, 0, r.stderr)
        return path

    def assertUntouched(self, target, before):
        """The target keeps working and holds no callback, thread or descriptor of ours."""
        after = target.next_status(timeout=10)
        self.assertTrue(target.alive())
        self.assertGreater(after["n"], before["n"])
        self.assertEqual(after["callbacks"], before["callbacks"], "gc.callbacks after detach")
        # The agent thread may take a moment to finish after its Bye.
        for _ in range(50):
            if after["threads"] == before["threads"] and after["fds"] == before["fds"]:
                break
            after = target.next_status(timeout=10)
        self.assertEqual(after["threads"], before["threads"], "threads after detach")
        self.assertEqual(after["fds"], before["fds"], "descriptors after detach")

    def assertSamplesAtInterval(self, path, seconds, interval):
        info = info_json(path)
        self.assertEqual(len(info["sessions"]), 1)
        s = info["sessions"][0]
        self.assertEqual(s["status"], "complete")
        expected = seconds * 1000 / interval
        self.assertGreaterEqual(info["samples"], expected * 0.6, info)
        self.assertLessEqual(info["samples"], expected * 1.2 + 2, info)
        return info

    def assertOneEventPerCollection(self, path):
        """Between two samples, the gc events recorded equal the growth of gc.get_stats()."""
        rows = query(path, "SELECT t_ns, collections0 + collections1 + collections2 FROM samples ORDER BY t_ns")
        self.assertGreater(len(rows), 2)
        (t0, c0), (t1, c1) = rows[0], rows[-1]
        (events,) = query(path, "SELECT count(*) FROM gc_events WHERE start_ns > ? AND start_ns < ?", t0, t1)[0]
        self.assertEqual(events, c1 - c0)
        return events

    def test_busy_main_thread(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "busy.py")
                before = t.next_status()
                path = self.record(t, seconds=2, interval=50)
                self.assertSamplesAtInterval(path, 2, 50)
                self.assertGreater(self.assertOneEventPerCollection(path), 0)
                info = info_json(path)
                self.assertGreaterEqual(info["censuses"], 2)
                self.assertUntouched(t, before)

    def test_sleeping_main_thread_keeps_its_sleep_length(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "sleeper.py", 1.0)
                before = t.next_status()
                self.record(t, seconds=1.2)
                # Every sleep that overlapped the injection still lasted its full second: never cut
                # short (an interrupted nanosleep), and not stretched by more than a loaded machine's
                # scheduling delay.
                for _ in range(2):
                    s = t.next_status(timeout=5)
                    self.assertGreaterEqual(s["slept"], 0.995)
                    self.assertLess(s["slept"], 1.5)
                self.assertUntouched(t, before)

    def test_blocked_in_accept(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "accept_block.py")
                for _ in range(50):
                    if t.port:
                        break
                    time.sleep(0.05)

                def poke():
                    """One request; returns the status the target printed for it."""
                    seen = len(t.statuses)
                    with socket.create_connection(("127.0.0.1", t.port), timeout=5) as c:
                        self.assertTrue(c.recv(100).startswith(b"pong"))
                    for _ in range(200):
                        if len(t.statuses) > seen:
                            return t.statuses[-1]
                        time.sleep(0.01)
                    self.fail("no status after a request")

                before = poke()
                path = self.record(t, seconds=1)
                self.assertGreater(info_json(path)["samples"], 5)
                after = poke()
                for _ in range(50):  # the agent thread may take a moment to go after its Bye
                    if after["threads"] == before["threads"] and after["fds"] == before["fds"]:
                        break
                    time.sleep(0.1)
                    after = poke()
                self.assertEqual(after["n"], before["n"] + 1)
                self.assertEqual(after["callbacks"], before["callbacks"])
                self.assertEqual(after["threads"], before["threads"])
                self.assertEqual(after["fds"], before["fds"])

    def test_blocked_in_pipe_read(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "pipe_read.py", stdin=subprocess.PIPE)

                def send():
                    t.proc.stdin.write("x\n")
                    t.proc.stdin.flush()

                before = t.status_after(send)
                self.record(t, seconds=1)
                after = t.status_after(send)
                self.assertEqual(after["n"], before["n"] + 1)
                self.assertEqual(after["callbacks"], 0)

    def test_waiting_in_epoll(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "epoll_wait.py")
                before = t.next_status(timeout=5)
                self.assertEqual(before["kind"], "EpollSelector")
                self.record(t, seconds=1)
                self.assertUntouched(t, before)

    def test_other_thread_holds_the_gil(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "threads.py")
                before = t.next_status()
                path = self.record(t, seconds=1.5, interval=50)
                self.assertSamplesAtInterval(path, 1.5, 50)
                self.assertOneEventPerCollection(path)
                after = t.next_status()
                self.assertGreater(after["spin"], before["spin"])
                self.assertGreater(after["alloc"], before["alloc"])
                self.assertUntouched(t, before)

    def test_collector_disabled(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "gc_disabled.py")
                before = t.next_status()
                path = self.record(t, seconds=1)
                (enabled,) = query(path, "SELECT max(enabled) FROM samples")[0]
                self.assertEqual(enabled, 0)
                self.assertEqual(info_json(path)["gc_events"], 0)
                after = t.next_status()
                self.assertFalse(after["enabled"], "gcscope must not enable the collector")
                self.assertEqual(after["collections"], before["collections"], "gcscope must not collect")
                self.assertUntouched(t, before)

    def test_census_counts_a_user_class_exactly(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "census_known.py", 12345)
                path = self.record(t, seconds=1.2, census=0.5)
                rows = query(path, "SELECT ce.count FROM census_entries ce JOIN types ty ON ty.id = ce.type_id "
                                   "WHERE ty.name = '__main__.Widget'")
                self.assertGreaterEqual(len(rows), 1)
                self.assertTrue(all(c == 12345 for (c,) in rows), rows)

    def test_attach_again_after_detach(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "busy.py")
                before = t.next_status()
                for i in range(3):
                    path = self.record(t, seconds=0.6, name="again%d.db" % i)
                    self.assertGreater(info_json(path)["samples"], 3)
                self.assertUntouched(t, before)

    def test_appends_sessions_to_an_existing_file(self):
        label, python = PYTHONS[0]
        t = self.start(python, "busy.py")
        self.record(t, seconds=0.5, name="both.db")
        self.record(t, seconds=0.5, name="both.db")
        info = info_json(self.db("both.db"))
        self.assertEqual([s["id"] for s in info["sessions"]], [1, 2])

    def test_target_exits_during_recording(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "busy.py", 1.5)
                path = self.db("exit-%s.db" % label)
                r = gcscope("record", "--pid", t.pid, "-o", path, "--duration", 20, "--interval", 50)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("incomplete", r.stderr)
                info = info_json(path)
                s = info["sessions"][0]
                self.assertEqual(s["status"], "incomplete")
                self.assertIn("exited", s["end_reason"])
                self.assertGreater(info["samples"], 5, "data before the exit is kept")

    def test_ctrl_c_ends_the_recording_cleanly(self):
        label, python = PYTHONS[0]
        t = self.start(python, "busy.py")
        before = t.next_status()
        path = self.db()
        p = subprocess.Popen([os.environ.get("GCSCOPE", "gcscope"), "record", "--pid", str(t.pid), "-o", path,
                              "--interval", "50"], stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=20)
        self.assertEqual(p.returncode, 0, err)
        s = info_json(path)["sessions"][0]
        self.assertEqual(s["status"], "complete")
        self.assertEqual(s["end_reason"], "interrupted")
        self.assertGreater(info_json(path)["samples"], 10)
        self.assertUntouched(t, before)


class LeakSummary(TempDirTestCase):
    """A recording ends by saying what it shows of leaks, at default settings."""

    def test_a_short_recording_at_defaults_names_the_leak_and_its_owner(self):
        label, python = PYTHONS[0]
        t = self.start(python, "leaks/request_cache.py", 60)
        r = gcscope("record", "--pid", t.pid, "-o", self.db(), "--duration", 6, "--snapshot-every", 3)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stderr.splitlines()
        self.assertIn("gcscope: 1 leak suspect", lines, r.stderr)
        suspect = [l for l in lines if l.startswith("gcscope:   __main__.Response +")]
        self.assertEqual(len(suspect), 1, r.stderr)
        self.assertIn("held by __main__.cache._entries (dict)", suspect[0])

    def test_bound_methods_are_named_by_the_class_of_their_self(self):
        label, python = PYTHONS[-1]
        t = self.start(python, "leaks/bound_methods.py", 60)
        r = gcscope("record", "--pid", t.pid, "-o", self.db(), "--duration", 6, "--snapshot-every", 3)
        self.assertEqual(r.returncode, 0, r.stderr)
        suspect = [l for l in r.stderr.splitlines() if l.startswith("gcscope:   method ")]
        self.assertEqual(len(suspect), 1, r.stderr)
        self.assertIn("(bound methods of __main__.Widget)", suspect[0])
        self.assertIn("held by __main__.EventBus.listeners (list)", suspect[0])
        out = self.db("report.json")
        self.assertEqual(gcscope("report", self.db(), "--format", "json", "-o", out).returncode, 0)
        with open(out) as f:
            j = json.load(f)
        top = j["suspects"][0]
        self.assertEqual(top["user_class"], "bound methods of __main__.Widget")
        self.assertIn("method (bound methods of __main__.Widget)", top["why"])

    def test_too_little_evidence_says_it_cannot_decide_and_no_summary_says_nothing(self):
        label, python = PYTHONS[0]
        t = self.start(python, "leaks/request_cache.py", 60)
        r = gcscope("record", "--pid", t.pid, "-o", self.db(), "--duration", 1, "--census-every", 0)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("gcscope: Cannot decide yet: 0 points of per-type counts and 0 heap snapshots", r.stderr)
        self.assertNotIn("No leak suspects", r.stderr)
        r = gcscope("record", "--pid", t.pid, "-o", self.db("quiet.db"), "--duration", 1, "--no-summary")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("suspect", r.stderr)
        self.assertNotIn("Cannot decide", r.stderr)


class RunMode(TempDirTestCase):
    def test_run_records_a_fresh_program_until_it_exits(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                path = self.db("run-%s.db" % label)
                r = gcscope("run", "-o", path, "--interval", 50, "--census-every", 0.5, "--",
                            python, os.path.join(os.environ["GCSCOPE_TARGETS"], "busy.py"), "2")
                self.assertEqual(r.returncode, 0, r.stderr)
                info = info_json(path)
                s = info["sessions"][0]
                self.assertEqual(s["mode"], "run")
                self.assertEqual(s["status"], "complete")
                self.assertIn("exited with status 0", s["end_reason"])
                self.assertGreater(info["samples"], 15)
                self.assertGreater(info["gc_events"], 0)
                self.assertGreaterEqual(info["censuses"], 2)

    def test_run_through_a_shell_wrapper(self):
        """`run -- sh -c 'exec python ...'`: the recording follows the exec into Python."""
        label, python = PYTHONS[-1]
        path = self.db()
        script = os.path.join(os.environ["GCSCOPE_TARGETS"], "busy.py")
        r = gcscope("run", "-o", path, "--", "sh", "-c", 'exec "%s" "%s" 1.5' % (python, script))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreater(info_json(path)["samples"], 5)


if __name__ == "__main__":
    main_requiring_ptrace()
