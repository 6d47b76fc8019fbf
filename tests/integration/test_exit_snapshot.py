"""--snapshot-at-end of a program that ends by itself: the agent holds the program's exit in an
atexit hook until the profiler has taken its last snapshot and detached. The program's own exit
handlers still run, its exit status is kept, a detached program exits without any wait, and a
profiler killed during the hold does not keep the program from exiting."""
import os
import signal
import subprocess
import time

from gcs_testlib import GCSCOPE, PYTHONS, TARGETS, TempDirTestCase, gcscope, info_json, main_requiring_ptrace, query

KEEPERS = """
SELECT count(*) FROM snapshot_object_list o
JOIN snapshot_strings s ON s.snapshot_id = o.snapshot_id AND s.id = o.type
WHERE o.snapshot_id = ? AND s.text = '__main__.Keeper'
"""


class SnapshotAtExit(TempDirTestCase):
    def test_run_takes_the_last_snapshot_when_the_program_exits_by_itself(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                path = self.db("run-%s.db" % label)
                r = gcscope("run", "-o", path, "--snapshot-at-end", "--interval", 50, "--",
                            python, "-u", os.path.join(TARGETS, "exits_by_itself.py"), 1234, 1.0, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("USER-ATEXIT", r.stdout, "the program's own exit handlers run after ours")
                info = info_json(path)
                self.assertEqual(len(info["snapshots"]), 1, r.stderr)
                session = info["sessions"][0]
                self.assertEqual(session["status"], "complete")
                self.assertEqual(session["end_reason"], "the command exited with status 0")
                sid = info["snapshots"][0]["id"]
                self.assertEqual(query(path, KEEPERS, sid)[0][0], 1234, "the heap as the program ended")

    def test_a_detached_program_exits_at_once_with_nothing_of_ours_left(self):
        label, python = PYTHONS[0]
        t = self.start(python, "exits_by_itself.py", 10, stdin=subprocess.PIPE)
        t.wait_for(lambda line: line.startswith("STATUS"), 10)
        path = self.db()
        profiler = subprocess.Popen([GCSCOPE, "record", "--pid", str(t.pid), "-o", path, "--duration", "3",
                                     "--snapshot-at-end", "--interval", "50"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
        wait_for_samples(path)
        during = t.status_after(lambda: tell(t, "status"))
        self.assertEqual(during["gcscope_functions"], 2, "recording: the gc callback and the exit hook")
        _, err = profiler.communicate(timeout=60)
        self.assertEqual(profiler.returncode, 0, err)
        self.assertEqual(len(info_json(path)["snapshots"]), 1)
        started = time.monotonic()
        status = t.status_after(lambda: tell(t, "exit"))
        self.assertEqual(status["gcscope_functions"], 0, "detached: nothing of ours in atexit or gc.callbacks")
        self.assertEqual(status["callbacks"], 0)
        self.assertEqual(t.proc.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 5, "a detached agent must not hold the exit")

    def test_a_profiler_killed_during_the_hold_lets_the_program_exit(self):
        label, python = PYTHONS[0]
        t = self.start(python, "exits_by_itself.py", 300_000, stdin=subprocess.PIPE)
        path = self.db()
        # Stopped before it can answer, the profiler leaves the program waiting in its exit; killed,
        # its socket closes and the agent lets the exit go on.
        profiler = subprocess.Popen([GCSCOPE, "record", "--pid", str(t.pid), "-o", path, "--snapshot-at-end",
                                     "--interval", "50"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_for_samples(path)
        profiler.send_signal(signal.SIGSTOP)
        self.assertEqual(t.status_after(lambda: tell(t, "exit"))["kept"], 300_000)
        time.sleep(1.0)
        self.assertIsNone(t.proc.poll(), "the exit waits for the (stopped) profiler")
        killed = time.monotonic()
        profiler.kill()
        profiler.wait()
        self.assertEqual(t.proc.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - killed, 3, "the agent notices the profiler is gone within 2 s")


def tell(target, command):
    target.proc.stdin.write(command + "\n")
    target.proc.stdin.flush()


def wait_for_samples(path, timeout=30):
    """Until the recording in `path` has telemetry: the agent is in and running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(row[0] > 0 for row in query_or_empty(path, "SELECT count(*) FROM samples")):
            return
        time.sleep(0.1)
    raise AssertionError("no samples in %s within %d s" % (path, timeout))


def query_or_empty(path, sql):
    try:
        return query(path, sql)
    except Exception:  # not created yet, or mid-write
        return []


if __name__ == "__main__":
    main_requiring_ptrace()
