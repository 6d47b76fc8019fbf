"""Heap snapshots of real Python processes, checked against the targets' own view of themselves:
per-type counts against gc.get_objects(), the predicted garbage against gc.collect()."""
import json
import os
import pty
import re
import shutil
import signal
import subprocess
import time

from gcs_testlib import GCSCOPE, PYTHONS, TempDirTestCase, gcscope, info_json, main_requiring_ptrace, query

TRACKED_BY_TYPE = """
SELECT s.text, count(*) FROM snapshot_object_list o
JOIN snapshot_strings s ON s.snapshot_id = o.snapshot_id AND s.id = o.type
WHERE o.snapshot_id = ? AND (o.flags & 1) = 1 GROUP BY s.text
"""


def as_json(r):
    if r.returncode != 0:
        raise AssertionError(r.stderr)
    return json.loads(r.stdout)


class SnapshotTruth(TempDirTestCase):
    def command(self, target, cmd):
        def send():
            target.proc.stdin.write(cmd + "\n")
            target.proc.stdin.flush()

        return target.status_after(send)

    def snapshot(self, target, *extra, name="snap.db"):
        path = self.db(name)
        r = gcscope("snapshot", "--pid", target.pid, "-o", path, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("snapshot", r.stderr)
        return path

    def test_counts_and_garbage_equal_what_the_target_sees(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                t = self.start(python, "gc_articles.py", stdin=subprocess.PIPE)
                path = self.snapshot(t, name="truth-%s.db" % label)
                census = self.command(t, "census")["census"]
                cycles = as_json(gcscope("cycles", path, "--json"))
                collected = self.command(t, "collect")["collected"]

                # What the next full collection frees, predicted from the snapshot alone.
                self.assertEqual(cycles["unreachable_objects"], collected)
                self.assertGreater(collected, 0)

                # Per-type counts of tracked objects equal the target's own gc.get_objects() census,
                # except the generator the census command itself is running.
                snap_id = info_json(path)["snapshots"][0]["id"]
                ours = dict(query(path, TRACKED_BY_TYPE, snap_id))
                diff = {k: (ours.get(k, 0), census.get(k, 0)) for k in set(ours) | set(census)
                        if ours.get(k, 0) != census.get(k, 0)}
                self.assertEqual(diff, {}, "type: (snapshot, target's census)")

                # The article examples are there, as garbage, with their finalizers.
                garbage = [c for c in cycles["cycles"] if c["unreachable"]]
                self.assertIn({"__main__.Person": 2}, [c["types"] for c in garbage if c["has_finalizer"]])
                self.assertIn({"__main__.Node": 5}, [c["types"] for c in garbage])
                self.assertIn({"dict": 2}, [c["types"] for c in garbage])
                self.assertIn({"list": 1}, [c["types"] for c in garbage])
                # The reachable self-cycles are cycles too, but not garbage. (An instance of a class
                # refers to its class, which reaches the module's globals: they join the module's
                # large component rather than standing alone.)
                kept = [c for c in cycles["cycles"] if "__main__.Kept" in c["types"]]
                self.assertEqual(sum(c["types"]["__main__.Kept"] for c in kept), 3)
                self.assertFalse(any(c["unreachable"] for c in kept))

    def test_progress_shows_on_a_terminal_and_nowhere_else(self):
        label, python = PYTHONS[0]
        t = self.start(python, "census_known.py", 20000)
        path = self.db("progress.db")
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execv(GCSCOPE, [GCSCOPE, "snapshot", "--pid", str(t.pid), "-o", path])
            finally:
                os._exit(127)
        out = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO once the child is gone
                break
            if not chunk:
                break
            out += chunk
        os.close(fd)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, out)
        text = out.decode()
        # Rewritten in place: received, then stored, each up to all of them; then the note, on a
        # cleared line.
        received = re.findall(r"\r\x1b\[Kgcscope: snapshot: received (\d+) of (\d+) objects", text)
        stored = re.findall(r"\r\x1b\[Kgcscope: snapshot: stored (\d+) of (\d+) objects", text)
        self.assertTrue(received and stored, text)
        self.assertEqual(received[-1][0], received[-1][1])
        self.assertEqual(stored[-1][0], stored[-1][1])
        self.assertRegex(text, r"\r\x1b\[Kgcscope: snapshot 1 of PID \d+: \d+ objects")
        self.assertEqual(info_json(path)["snapshots"][0]["objects"], int(stored[-1][1]))
        # Not a terminal: the same two notes and nothing else.
        r = gcscope("snapshot", "--pid", t.pid, "-o", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("\r", r.stderr)
        self.assertNotIn("\x1b", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 2, r.stderr)

    def test_paths_top_and_diff_find_what_holds_a_population(self):
        label, python = PYTHONS[-1]
        t = self.start(python, "census_known.py", 5000)
        path = self.snapshot(t)
        paths = as_json(gcscope("paths", path, "--type", "__main__.Widget", "--json"))
        self.assertTrue(paths["reachable"])
        steps = paths["paths"][0]
        self.assertEqual(steps[-1]["type"], "__main__.Widget")
        self.assertEqual(steps[-2]["type"], "list")
        self.assertRegex(steps[-2]["edge"], r"^\[\d+\]$")
        self.assertIn("widgets", [s["edge"] for s in steps], steps)
        self.assertTrue(steps[0]["root"])

        top = as_json(gcscope("top", path, "--json", "--limit", "50"))
        widget_list = [o for o in top["objects"] if o["type"] == "list" and o["retained_size"] >= 5000 * 48]
        self.assertTrue(widget_list, top["objects"][:5])

        diff = as_json(gcscope("diff", path, "--json"))
        self.assertIsNone(diff["from"])
        row = [r for r in diff["types"] if r["type"] == "__main__.Widget"][0]
        self.assertEqual((row["count_from"], row["count_to"], row["count_delta"]), (0, 5000, 5000))

        text = gcscope("paths", path, "--type", "__main__.Widget")
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("widgets", text.stdout)

    def test_record_with_periodic_snapshots_then_diff(self):
        label, python = PYTHONS[0]
        t = self.start(python, "busy.py")
        path = self.db()
        r = gcscope("record", "--pid", t.pid, "-o", path, "--duration", 2.5, "--snapshot-every", 1,
                    "--snapshot-at-end", "--interval", 50)
        self.assertEqual(r.returncode, 0, r.stderr)
        info = info_json(path)
        # At least one periodic snapshot and the final one. (How many periodic ones fit depends on how
        # long each takes to walk and store on a loaded machine: the next is due `every` after one ends.)
        self.assertGreaterEqual(len(info["snapshots"]), 2)
        self.assertGreater(info["samples"], 20, "telemetry goes on around the snapshots")
        for s in info["snapshots"]:
            self.assertGreater(s["objects"], 1000)
            self.assertGreater(s["pause_ms"], 0)
        first, last = info["snapshots"][0]["id"], info["snapshots"][-1]["id"]
        diff = as_json(gcscope("diff", path, "--from", first, "--to", last, "--json"))
        self.assertEqual((diff["from"], diff["to"]), (first, last))
        self.assertTrue(t.alive())
        self.assertEqual(t.next_status()["callbacks"], 0)

    def test_no_strings_keeps_string_contents_out_of_the_file(self):
        label, python = PYTHONS[0]
        t = self.start(python, "secret_holder.py")
        with_strings = self.snapshot(t, name="with.db")
        without = self.snapshot(t, "--no-strings", name="without.db")
        secret = b"hunter2-SECRET-token"
        with open(with_strings, "rb") as f:
            self.assertIn(secret, f.read(), "labels show string previews by default")
        with open(without, "rb") as f:
            self.assertNotIn(secret, f.read())

    def test_a_million_deep_linked_list(self):
        label, python = PYTHONS[0]
        t = self.start(python, "deep_list.py", 1_000_000)
        path = self.snapshot(t)
        (count,) = query(path, TRACKED_BY_TYPE.replace("GROUP BY s.text", "AND s.text = '__main__.Link'"),
                         info_json(path)["snapshots"][0]["id"])[0][1:]
        self.assertEqual(count, 1_000_000)
        top = as_json(gcscope("top", path, "--json", "--limit", "3"))
        # The module's globals dict holds the head, so it dominates the chain; the head comes next.
        links = [o for o in top["objects"] if o["type"] == "__main__.Link"]
        self.assertTrue(links, top)
        self.assertGreaterEqual(links[0]["retained_size"], 1_000_000 * links[0]["size"])
        cycles = as_json(gcscope("cycles", path, "--json"))
        self.assertEqual(cycles["unreachable_objects"], 0)

    def test_top_keeps_the_dominator_tree_and_the_next_analysis_reads_it(self):
        label, python = PYTHONS[0]
        t = self.start(python, "deep_list.py", 50_000)
        path = self.snapshot(t, name="kept.db")
        untouched = self.snapshot(t, name="untouched.db")
        self.assertEqual(query(path, "SELECT count(*) FROM snapshot_dominators"), [(0,)])
        self.assertFalse(info_json(path)["snapshots"][0]["dominator_tree_kept"])
        traced = dict(os.environ, GCSCOPE_PHASES="1")
        r = gcscope("top", path, "--json", "--limit", "20", env=traced)
        first = as_json(r)
        self.assertIn("dominators computed", r.stderr)
        self.assertEqual(query(path, "SELECT count(*), rule FROM snapshot_dominators"), [(1, 1)])
        self.assertTrue(info_json(path)["snapshots"][0]["dominator_tree_kept"])
        self.assertIn("dominator tree kept", gcscope("info", path).stdout)
        self.assertEqual(os.listdir(self.tmp).count("kept.db-journal"), 0)
        r = gcscope("top", path, "--json", "--limit", "20", env=traced)
        self.assertEqual(as_json(r), first, "the kept tree gives the same answer")
        self.assertIn("dominators read", r.stderr)
        self.assertNotIn("dominators computed", r.stderr)

        # Asked not to, gcscope writes nothing into a file it reads.
        with open(untouched, "rb") as f:
            before = f.read()
        quiet = dict(os.environ, GCSCOPE_KEEP_ANALYSES="0")
        expected = as_json(gcscope("top", untouched, "--json", "--limit", "20", env=quiet))
        with open(untouched, "rb") as f:
            self.assertEqual(f.read(), before)
        # Nor into a file its user may read but not write: the same answer, the file as it was.
        if os.geteuid() != 0 or shutil.which("setpriv") is None:
            return  # (the rest needs root and setpriv to run gcscope as another user)
        os.chmod(untouched, 0o644)
        self.skipUnlessReachableBy("nobody", untouched, GCSCOPE)
        r = gcscope("top", untouched, "--json", "--limit", "20", user="nobody")
        self.assertEqual(as_json(r), expected)
        self.assertEqual(r.stderr, "")
        with open(untouched, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["kept.db", "untouched.db"])

    def test_each_snapshot_keeps_its_garbage_summary_and_a_report_loads_no_earlier_snapshot(self):
        for label, python in (PYTHONS[0], PYTHONS[-1]):
            with self.subTest(python=label):
                t = self.start(python, "gc_articles.py", stdin=subprocess.PIPE)
                path = self.db("garbage-%s.db" % label)
                for _ in range(3):
                    r = gcscope("snapshot", "--pid", t.pid, "-o", path)
                    self.assertEqual(r.returncode, 0, r.stderr)
                snaps = info_json(path)["snapshots"]
                self.assertEqual([s["garbage_summary_kept"] for s in snaps], [True] * 3)
                self.assertEqual(gcscope("info", path).stdout.count("garbage summary kept"), 3)
                # What each summary says the next collection frees is what `gcscope cycles` finds
                # in that snapshot's graph.
                kept = [query(path, "SELECT json_extract(summary, '$.garbage.objects') FROM snapshot_garbage "
                              "WHERE snapshot_id = ?", s["id"])[0][0] for s in snaps]
                for s, objects in zip(snaps, kept):
                    cycles = as_json(gcscope("cycles", path, "--snapshot", str(s["id"]), "--json"))
                    self.assertEqual(objects, cycles["unreachable_objects"])
                self.assertGreater(kept[-1], 0)
                # The report reads the earlier snapshots' summaries: it loads the last snapshot only.
                out = self.db("garbage-%s.json" % label)
                traced = dict(os.environ, GCSCOPE_PHASES="1")
                r = gcscope("report", path, "--format", "json", "-o", out, env=traced)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stderr.count("gcscope phase: snapshot read"), 1, r.stderr)
                with open(out) as f:
                    gc = json.load(f)["gc"]
                self.assertEqual(gc["snapshots_analyzed"], 3)
                self.assertEqual(gc["cyclic_garbage_objects"], sum(kept))

    def test_a_list_of_more_references_than_one_record_holds(self):
        # One record holds about 1.4M references: the agent sends the rest of a list of 1.5M items
        # in records marked continued. Were they dropped, the last 100k items would be roots.
        for label, python in (PYTHONS[0], PYTHONS[-1]):
            with self.subTest(python=label):
                t = self.start(python, "wide_list.py", 1_500_000)
                status = t.status_after(lambda: None)
                self.assertEqual(status["count"], 1_500_000)
                path = self.snapshot(t, name="wide-%s.db" % label)
                for end, index in (("first", 0), ("last", 1_499_999)):
                    why = as_json(gcscope("paths", path, "--object", status[end], "--json"))
                    steps = why["paths"][0]
                    self.assertEqual(steps[-1]["type"], "__main__.Item")
                    self.assertFalse(steps[-1]["root"], steps)
                    self.assertEqual((steps[-2]["type"], steps[-2]["edge"]), ("list", "[%d]" % index), steps)
                    self.assertIn("items", [s["edge"] for s in steps], steps)
                item_size = why["target"]["size"]
                top = as_json(gcscope("top", path, "--json", "--limit", "5"))
                held = [o for o in top["objects"] if o["type"] == "list" and o["retained_size"] >= 1_500_000 * item_size]
                self.assertTrue(held, top["objects"])

    def test_target_exits_mid_snapshot(self):
        # Walked in the target (--no-fork): the walk dies with it. (A copy-on-write child holds its own
        # copy and completes the snapshot: test_fork_snapshot.py.)
        label, python = PYTHONS[0]
        t = self.start(python, "deep_list.py", 2_000_000)
        path = self.snapshot(t, name="keep.db")  # an earlier snapshot in the same file
        before = info_json(path)["snapshots"]
        p = subprocess.Popen([os.environ["GCSCOPE"], "snapshot", "--no-fork", "--pid", str(t.pid), "-o", path],
                             stderr=subprocess.PIPE, text=True)
        # Kill the target once the second snapshot is under way: the agent's thread has appeared, and
        # walking two million objects takes a good while after that.
        for _ in range(500):
            if len(os.listdir("/proc/%d/task" % t.pid)) > 1:
                break
            time.sleep(0.01)
        time.sleep(0.2)
        t.proc.kill()
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1, err)
        lines = [l for l in err.splitlines() if "error" in l]
        self.assertEqual(len(lines), 1, err)
        self.assertRegex(lines[0], "exit|gone|left")
        self.assertEqual(info_json(path)["snapshots"], before, "earlier data kept, no half snapshot")

    def test_profiler_killed_while_storing(self):
        # `gcscope snapshot` stores with a rollback journal (nobody else has the file open): killed in
        # the middle, it leaves <file>-journal next to a half-written file. The next command puts the
        # file back as it was before and reads it; the target runs on, and the next snapshot works.
        label, python = PYTHONS[0]
        t = self.start(python, "deep_list.py", 3_000_000)
        path = self.snapshot(t, name="journal.db")
        before = info_json(path)["snapshots"]
        journal = path + "-journal"
        p = subprocess.Popen([GCSCOPE, "snapshot", "--pid", str(t.pid), "-o", path], stderr=subprocess.PIPE,
                             text=True)
        for _ in range(30000):
            if os.path.exists(journal) and os.path.getsize(journal) > 0:
                break
            time.sleep(0.001)
        else:
            p.kill()
            p.communicate()
            self.fail("gcscope snapshot never wrote a rollback journal")
        # Killed at once: the journal exists only while the snapshot's transaction is open. Whether
        # SQLite had written pages into the file by then (a hot journal, rolled back on the next
        # open; the unit test StorageSnapshots makes sure of that case) or not yet (a journal SQLite
        # ignores), the file must read as it was.
        p.kill()
        p.communicate(timeout=60)
        self.assertTrue(os.path.exists(journal), "no journal left behind")
        self.assertEqual(info_json(path)["snapshots"], before, "earlier data kept, no half snapshot")
        r = gcscope("top", path, "--json", "--limit", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        path = self.snapshot(t, name="journal.db")
        self.assertEqual(len(info_json(path)["snapshots"]), len(before) + 1)
        self.assertFalse(os.path.exists(journal), "a journal is left after a clean snapshot")
        self.assertIsNone(t.proc.poll())


if __name__ == "__main__":
    main_requiring_ptrace()
