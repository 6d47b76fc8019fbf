"""Leak reports of real leaking programs (tests/targets/leaks/), recorded through the CLI and
reported in every format: each report names the right culprit type and its owner, the controls (a
bounded cache, short-lived objects, a cycle churner) have no suspects, the churner's cyclic garbage
is named by type with advice to break its cycle, and memory gcscope cannot see is called so.

Each program is recorded once (5 s, a census every 0.5 s, a snapshot every 1.5 s and at the end;
longer when a loaded machine left it too few censuses) and shared by the tests that read its report."""
import contextlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest
import warnings

from gcs_testlib import PYTHONS, TARGETS, Target, gcscope, main_requiring_ptrace

# Target leaves its stdout pipe to the garbage collector once killed; that is fine here. (As if run
# with -W: unittest resets the filters unless warning options were given.)
sys.warnoptions.append("ignore::ResourceWarning")
warnings.simplefilter("ignore", ResourceWarning)

RECORD = ["--census-every", 0.5, "--snapshot-every", 1.5, "--snapshot-at-end"]
# Censuses every 0.5 s for 5 s: about ten points, fewer on a loaded machine, where the agent stretches
# the cadence to keep each census under 1% of the GIL (4 seen beside two CPU-bound loops). Twice the
# trend test's minimum is enough for "no steady growth" to mean something: a recording with fewer is
# made again, twice as long.
DURATIONS = (5, 10, 20)
MIN_CENSUSES = 6
WORK = tempfile.mkdtemp(prefix="gcscope-report-test-")
_recordings = {}


def censuses(path):
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % path, uri=True)) as db:
        return db.execute("SELECT count(*) FROM census").fetchone()[0]


def recording(program, python=None):
    """The database of `program` recorded once with `python` (default: Debian's), attached by PID,
    with at least MIN_CENSUSES censuses."""
    label, python = (None, python) if python else PYTHONS[0]
    key = (program, python)
    if key not in _recordings:
        for attempt, duration in enumerate(DURATIONS):
            path = os.path.join(WORK, "%s-%d-%d.db" % (program, len(_recordings), attempt))
            target = Target(python, os.path.join("leaks", program + ".py"), 60)
            try:
                r = gcscope("record", "--pid", target.pid, "-o", path, "--duration", duration, *RECORD)
                if r.returncode != 0:
                    raise AssertionError("recording %s failed: %s" % (program, r.stderr))
            finally:
                target.stop()
            if censuses(path) >= MIN_CENSUSES:
                break
        _recordings[key] = path
    return _recordings[key]


def report(path, fmt):
    out = path + "." + fmt
    r = gcscope("report", path, "--format", fmt, "-o", out)
    if r.returncode != 0:
        raise AssertionError("gcscope report --format %s failed: %s" % (fmt, r.stderr))
    with open(out, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text) if fmt == "json" else text


class LeakReports(unittest.TestCase):
    maxDiff = None

    def assertContract(self, j):
        """The documented JSON contract (docs/report.md)."""
        self.assertEqual(j["format"], "gcscope-leak-report")
        self.assertEqual(j["version"], 1)
        self.assertEqual(set(j["target"]) >= {"pid", "python", "argv"}, True)
        self.assertGreaterEqual(set(j["gc"]), {"collections", "collected", "uncollectable", "pause_ms", "cyclic_garbage"})
        self.assertEqual(len(j["gc"]["collections"]), 3)
        self.assertGreaterEqual(set(j["gc"]["pause_ms"]), {"total", "max", "p50", "p99"})
        for t in j["gc"]["cyclic_garbage"]:
            self.assertGreaterEqual(set(t), {"type", "objects"})
        objects = [t["objects"] for t in j["gc"]["cyclic_garbage"]]
        self.assertEqual(objects, sorted(objects, reverse=True), "cyclic garbage, most first")
        for g in j["growth"]:
            self.assertGreaterEqual(set(g), {"type", "counts", "count_delta", "size_delta"})
            self.assertEqual(len(g["counts"]), len(j["series"]["times_ns"]))
        for s in j["suspects"]:
            self.assertGreaterEqual(set(s), {"type", "count_delta", "size_delta", "retained_size", "owner",
                                             "retention_path", "why"})
            for step in s["retention_path"]:
                self.assertGreaterEqual(set(step), {"type", "label", "edge"})
        retained = [s["retained_size"] for s in j["suspects"]]
        self.assertEqual(retained, sorted(retained, reverse=True), "suspects, most important first")
        self.assertIsInstance(j["cycles"], list)
        self.assertIsInstance(j["advice"], list)

    def assertCulprit(self, path, culprit, owner, python_label=""):
        j = report(path, "json")
        self.assertContract(j)
        self.assertTrue(j["suspects"], "no suspects in %s" % json.dumps(j["growth"][:5]))
        top = j["suspects"][0]
        self.assertEqual(top["type"], culprit, [s["type"] for s in j["suspects"]])
        self.assertEqual(top["owner"], owner)
        self.assertGreater(top["count_delta"], 500)
        self.assertGreater(top["retained_size"], 0)
        self.assertEqual(top["retention_path"][-1]["type"], culprit)
        self.assertIsNone(top["retention_path"][-1]["edge"])
        self.assertIn(owner.split(" ")[0], top["why"])
        self.assertIn("/min", top["why"])
        expression = owner.split(" ")[0]

        md = report(path, "md")
        self.assertTrue(md.startswith("# gcscope leak report"))
        self.assertIn("### 1. `%s`" % culprit, md)
        self.assertIn("`%s`" % expression, md)

        html = report(path, "html")
        self.assertTrue(html.startswith("<!DOCTYPE html>"))
        self.assertIn(expression, html)
        self.assertIn("<svg", html)
        for outside in ("<script", "http://", "https://", "<link", "url("):
            self.assertNotIn(outside, html)
        return j

    def assertNoSuspects(self, path):
        j = report(path, "json")
        self.assertContract(j)
        self.assertEqual([s["type"] for s in j["suspects"]], [])
        self.assertGreaterEqual(len(j["series"]["times_ns"]), MIN_CENSUSES)
        self.assertIn("No type grew steadily", report(path, "md"))
        self.assertIn("No leak suspects", report(path, "html"))
        return j

    def test_registry_list_names_request_and_auditlog_entries(self):
        for label, python in PYTHONS:
            with self.subTest(python=label):
                j = self.assertCulprit(recording("registry_list", python), "__main__.Request",
                                       "__main__.AuditLog.entries (list)")
                companions = {c["type"]: c["relation"] for c in j["suspects"][0]["companions"]}
                self.assertEqual(companions.get("__main__.Session"), "part of")
                self.assertEqual(companions.get("tuple"), "wraps")
                self.assertEqual(len(j["suspects"]), 1, [s["type"] for s in j["suspects"]])

    def test_cache_keyed_by_request_names_response_and_the_cache_dict(self):
        self.assertCulprit(recording("request_cache"), "__main__.Response", "__main__.cache._entries (dict)")

    def test_tasks_kept_in_a_set_names_task_and_the_set(self):
        j = self.assertCulprit(recording("task_set"), "_asyncio.Task", "__main__.dispatcher.inflight (set)")
        self.assertEqual(len(j["suspects"]), 1, [s["type"] for s in j["suspects"]])
        companions = {c["type"] for c in j["suspects"][0]["companions"]}
        self.assertIn("__main__.JobResult", companions)

    def test_bounded_cache_is_not_a_suspect(self):
        j = self.assertNoSuspects(recording("bounded_cache"))
        pages = [g for g in j["growth"] if g["type"] == "__main__.Page"]
        if pages:  # it filled while we watched: growth, but no steady growth
            self.assertFalse(pages[0]["count_trend"]["growing"], pages[0]["count_trend"])

    def test_short_lived_objects_are_not_suspects(self):
        self.assertNoSuspects(recording("short_lived"))

    def test_cycle_churner_shows_cyclic_garbage_by_type_and_cycle_advice(self):
        j = self.assertNoSuspects(recording("cycle_churn"))
        garbage = j["gc"]["cyclic_garbage"]
        self.assertIn("__main__.TreeNode", [t["type"] for t in garbage[:2]], garbage[:3])
        node = [t for t in garbage if t["type"] == "__main__.TreeNode"][0]
        self.assertGreaterEqual(node["share"], 0.3)
        self.assertGreater(j["gc"]["collected"], 1000)
        self.assertEqual(j["cycles"][0]["break_edge"], "__main__.TreeNode.parent")
        self.assertEqual(j["cycles"][0]["types"]["__main__.TreeNode"], 17)
        advice = {a["kind"]: a for a in j["advice"]}
        self.assertIn("break_cycles", advice)
        self.assertIn("__main__.TreeNode.parent", advice["break_cycles"]["title"])
        self.assertIn("weakref", advice["break_cycles"]["code"])
        self.assertGreater(advice["break_cycles"]["evidence"]["type_share"], 0.3)
        md = report(recording("cycle_churn"), "md")
        self.assertIn("Cyclic garbage by type", md)
        self.assertIn("`__main__.TreeNode.parent`", md)

    def test_memory_gcscope_cannot_see_is_called_so(self):
        j = self.assertNoSuspects(recording("native_growth"))
        self.assertTrue(j["memory"]["untracked_growth"], j["memory"]["note"])
        self.assertGreater(j["memory"]["rss_delta"], 20 << 20)
        self.assertIn("untracked_memory", [a["kind"] for a in j["advice"]])
        self.assertIn("cannot see", report(recording("native_growth"), "md"))

    def test_report_goes_to_stdout_and_errors_are_one_line(self):
        path = recording("registry_list")
        r = gcscope("report", path, "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["format"], "gcscope-leak-report")
        r = gcscope("report", path, "--format", "pdf")
        self.assertEqual(r.returncode, 2, r.stderr)
        missing = os.path.join(WORK, "missing.db")
        r = gcscope("report", missing, "-o", os.path.join(WORK, "x.html"))
        self.assertEqual(r.returncode, 1)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("missing.db", r.stderr)
        r = gcscope("report", path, "--session", 9, "--format", "md")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no session 9", r.stderr)


if __name__ == "__main__":
    try:
        main_requiring_ptrace()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
