"""Leak detection on leaks of many shapes (issue 12): each leaking program of tests/targets/leaks/ is
found, with its culprit class and owner named, from a 12 s recording at default settings with a
snapshot every 4 s, and from three snapshots alone with no census (recorded, or taken one by one
with `gcscope snapshot`); the controls give "no steady growth" and no suspect; and a recording with
too few points says it cannot decide yet, in every format and in the recorder's own summary.

Every recording attaches at the target's READY (a fresh process each) and runs in a small pool of
threads, a few at a time, before the tests read their results; the end prints what each report
said, one line per program and mode."""
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import unittest
import warnings
from concurrent.futures import ThreadPoolExecutor

from gcs_testlib import PYTHONS, Target, gcscope, info_json, main_requiring_ptrace

# Target leaves its stdout pipe to the garbage collector once killed; that is fine here. (As if run
# with -W: unittest resets the filters unless warning options were given.)
sys.warnoptions.append("ignore::ResourceWarning")
warnings.simplefilter("ignore", ResourceWarning)

# program: (the culprit class, the expression of what holds them). The culprit must appear in the
# first suspect's type, user_class or why; the owner is the suspect's owner expression.
LEAKS = {
    "id_keyed_contexts": ("__main__.RequestContext", "__main__.contexts"),
    "deque_log": ("__main__.AccessRecord", "__main__.access_log.records"),
    "memo_attribute": ("__main__.Quote", "__main__.price.memo"),
    "closure_callbacks": ("__main__.Request", "__main__.callbacks"),
    "thread_local_cache": ("__main__.CachedResult", "__main__.tls.cache"),
    "churn_hides_leak": ("__main__.Event", "__main__.telemetry.sampled"),
}
# Programs that must give no suspect ("no steady growth").
CONTROLS = ("bounded_cache", "cycle_churn", "fill_then_flat")

SECONDS = 12
SNAPSHOT_EVERY = 4
RECORD = ["--duration", SECONDS, "--snapshot-every", SNAPSHOT_EVERY]  # all else at defaults
SNAPSHOTS_ONLY = RECORD + ["--census-every", 0]
# Fewer census points than the trend test's minimum (3, docs/report.md) over the 12 s, no snapshot.
UNDECIDED = ["--duration", SECONDS, "--census-every", 7]
UNDECIDED_PROGRAM = "request_cache"  # a leak is there, but two points cannot tell it
PARALLEL = int(os.environ.get("GCSCOPE_LEAK_TEST_JOBS", "3"))  # targets recorded at once (2 cores here)
TARGET_SECONDS = 90  # targets end by themselves should the test die

WORK = tempfile.mkdtemp(prefix="gcscope-leaks-test-")
_pool = None
_jobs = {}  # (program, mode): Future of a Result
_started = time.monotonic()


class Result:
    """One recording of one program: the file, what the CLI said, and the JSON report (or why none)."""

    def __init__(self, program, mode):
        self.program, self.mode = program, mode
        self.path = os.path.join(WORK, "%s-%s.db" % (program, mode))
        self.record_outputs = []  # the CompletedProcess of each gcscope record/snapshot run
        self.report = None
        self.report_error = None
        self.info = None

    def describe(self):
        """What the report said, for failure messages and the closing table."""
        if self.report is None:
            return "no report: %s" % (self.report_error or "?")
        j = self.report
        parts = ["verdict %s (%s)" % (j["verdict"]["kind"], j["verdict"]["headline"]),
                 "series %s, %d points, %d snapshots" % (j["series"]["source"], len(j["series"]["times_ns"]),
                                                         j["snapshots"])]
        for s in j["suspects"]:
            parts.append("suspect %s [user_class %s] owner %s; why: %s" % (s["type"], s["user_class"], s["owner"],
                                                                          s["why"]))
        if not j["suspects"]:
            for g in j["growth"][:4]:
                parts.append("growth %s %+d (%s)" % (g["type"], g["count_delta"], g["count_trend"]["verdict"]))
        return "\n    ".join(parts)


def run_report(result, fmt="json"):
    out = "%s.%s" % (result.path, fmt)
    r = gcscope("report", result.path, "--format", fmt, "-o", out)
    if r.returncode != 0:
        raise AssertionError("gcscope report --format %s failed (%d): %s" % (fmt, r.returncode, r.stderr.strip()))
    with open(out, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text) if fmt == "json" else text


def record_job(program, mode):
    """Starts `program`, attaches at READY and records it in `mode`, then reports in JSON."""
    result = Result(program, mode)
    python = PYTHONS[0][1]  # Debian's 3.11
    target = Target(python, os.path.join("leaks", program + ".py"), TARGET_SECONDS)
    try:
        if mode == "snapshot_cmd":
            # Three separate `gcscope snapshot` runs into one file, about SNAPSHOT_EVERY s apart.
            ready = time.monotonic()
            for k in range(1, 4):
                time.sleep(max(0.0, ready + k * SNAPSHOT_EVERY - time.monotonic()))
                result.record_outputs.append(gcscope("snapshot", "--pid", target.pid, "-o", result.path))
        else:
            options = {"record": RECORD, "snapshots": SNAPSHOTS_ONLY, "undecided": UNDECIDED}[mode]
            result.record_outputs.append(gcscope("record", "--pid", target.pid, "-o", result.path, *options))
    finally:
        target.stop()
    failed = [r for r in result.record_outputs if r.returncode != 0]
    if failed:
        result.report_error = "gcscope %s failed: %s" % (mode, failed[0].stderr.strip())
        return result
    result.info = info_json(result.path)
    try:
        result.report = run_report(result)
    except AssertionError as e:
        result.report_error = str(e)
    return result


def job(program, mode):
    return _jobs[(program, mode)].result()


def setUpModule():
    global _pool
    _pool = ThreadPoolExecutor(max_workers=PARALLEL)
    wanted = [(UNDECIDED_PROGRAM, "undecided")]
    wanted += [(p, "record") for p in CONTROLS]
    for mode in ("record", "snapshots", "snapshot_cmd"):
        wanted += [(p, mode) for p in LEAKS]
    for key in wanted:
        _jobs[key] = _pool.submit(record_job, *key)


def tearDownModule():
    _pool.shutdown(wait=True)
    lines = ["", "What each report said (%.0f s in all):" % (time.monotonic() - _started)]
    for (program, mode), future in _jobs.items():
        try:
            said = future.result().describe()
        except Exception:
            said = "job failed: " + traceback.format_exc().strip().splitlines()[-1]
        lines.append("  %s / %s: %s" % (program, mode, said))
    sys.stderr.write("\n".join(lines) + "\n")
    shutil.rmtree(WORK, ignore_errors=True)


def names(text, name):
    """Whether `name` appears in `text` as a whole dotted name (__main__.Request, not ...RequestContext)."""
    return bool(text) and re.search(r"(?<![\w.])%s(?![\w])" % re.escape(name), text) is not None


class LeakTestCase(unittest.TestCase):
    maxDiff = None

    def assertFound(self, result):
        """GIVEN a leaking program's recording THEN its first suspect names the culprit and its owner."""
        culprit, owner = LEAKS[result.program]
        self.assertIsNotNone(result.report, result.describe())
        j = result.report
        self.assertEqual(j["verdict"]["kind"], "suspects", result.describe())
        top = j["suspects"][0]
        self.assertTrue(any(names(top[field], culprit) for field in ("type", "user_class", "why")),
                        "%s not named by the first suspect:\n    %s" % (culprit, result.describe()))
        if owner:
            self.assertEqual(top["owner_expression"], owner, result.describe())
            self.assertTrue(top["owner"].startswith(owner + " ("), top["owner"])


class LeaksFromARecording(LeakTestCase):
    """WHEN a 12 s recording at default settings with a snapshot every 4 s is reported."""

    def test_each_leak_is_found_with_its_culprit_and_owner(self):
        for program in LEAKS:
            with self.subTest(program=program):
                self.assertFound(job(program, "record"))

    def test_the_controls_have_no_suspect(self):
        for program in CONTROLS:
            with self.subTest(program=program):
                result = job(program, "record")
                self.assertIsNotNone(result.report, result.describe())
                j = result.report
                self.assertEqual([s["type"] for s in j["suspects"]], [], result.describe())
                self.assertEqual(j["verdict"]["kind"], "no_steady_growth", result.describe())


class LeaksFromSnapshotsAlone(LeakTestCase):
    """WHEN only heap snapshots, no census, cover the 12 s."""

    def test_a_recording_with_three_snapshots_and_no_census_finds_each_leak(self):
        for program in LEAKS:
            result = job(program, "snapshots")
            with self.subTest(program=program, check="three snapshots"):
                self.assertEqual(result.record_outputs[0].returncode, 0, result.record_outputs[0].stderr)
                self.assertEqual(result.info["censuses"], 0, result.info)
                self.assertGreaterEqual(len(result.info["snapshots"]), 3,
                                        "snapshots every %d s over %d s" % (SNAPSHOT_EVERY, SECONDS))
            with self.subTest(program=program, check="found"):
                self.assertFound(result)

    def test_three_snapshot_commands_into_one_file_find_each_leak(self):
        for program in LEAKS:
            result = job(program, "snapshot_cmd")
            with self.subTest(program=program, check="three snapshots"):
                for r in result.record_outputs:
                    self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(len(result.info["snapshots"]), 3, result.info)
            with self.subTest(program=program, check="found"):
                self.assertFound(result)


def markdown_escaped(text):
    return re.sub(r"([|*_`<>\[\]\\])", r"\\\1", text)


class TooFewPoints(unittest.TestCase):
    """WHEN a 12 s recording has no snapshot and fewer census points than a trend needs."""

    def test_every_format_and_the_recorder_say_it_cannot_decide_yet(self):
        result = job(UNDECIDED_PROGRAM, "undecided")
        self.assertIsNotNone(result.report, result.describe())
        self.assertLess(result.info["censuses"], 3, "the setup must give fewer than 3 points: %s" % result.info)
        self.assertEqual(result.info["snapshots"], [])

        j = result.report
        self.assertEqual(j["verdict"]["kind"], "undecided", result.describe())
        self.assertEqual(j["suspects"], [])
        headline = j["verdict"]["headline"]
        self.assertTrue(headline.startswith("Cannot decide yet: "), headline)
        self.assertTrue(j["verdict"]["advice"], j["verdict"])
        self.assertIn(j["verdict"]["advice"], headline)  # what to do

        md = run_report(result, "md")
        self.assertIn("\n**%s**\n" % markdown_escaped(headline), md)
        self.assertIn("Cannot decide yet", md)
        self.assertNotIn("No leak suspects", md)
        self.assertNotIn("No type grew steadily", md)

        page = run_report(result, "html")
        shown = re.search(r'<div class="headline [a-z]+">(.*?)</div>', page)
        self.assertIsNotNone(shown, "no headline in the HTML report")
        self.assertEqual(html.unescape(shown.group(1)), headline)
        self.assertNotIn("No leak suspects", page)
        self.assertNotIn("No type grew steadily", page)

        # The recorder's own summary at the end of the recording (printed as gcscope's notes).
        said = result.record_outputs[0]
        self.assertIn("gcscope: " + headline, (said.stdout + said.stderr).splitlines(), said.stderr)
        self.assertNotIn("No leak suspects", said.stdout + said.stderr)


if __name__ == "__main__":
    try:
        main_requiring_ptrace()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
