"""Sampling overhead at default settings on a CPU-bound target, in one process per interpreter and
agent form.

The target runs fixed chunks of pure-Python work and times each. We alternate rounds: a baseline
round with nothing attached, then a round while `gcscope record` (default settings: sample every
100 ms, census every 1 s at most, stretched to 1% of the time) is attached, several times over. Each round pair gives a ratio
median(chunk while recording) / median(chunk before attaching); alternating cancels the slow drift
of a shared or virtual machine, which a single before/after split does not. We report the median of
the per-round ratios, and the ratio of the pooled medians. Each interpreter is measured with the
exact agent form the version table picks for it, then with the portable form when the build has
libgcscope_agent_portable.so (a fresh target for each form).
Usage: sampling_overhead.py GCSCOPE [PYTHON ...] [--json FILE]
  PYTHON: `all` (the default), a label of target_interpreters.py (`debian-3.11`, `sid-3.15`, ...) or
  the path of an interpreter on this machine. --json FILE appends one JSON line per result.
  GCSCOPE_BENCH_ROUNDS (5) and GCSCOPE_BENCH_ROUND_S (6) set the rounds."""
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import bench_table
import target_interpreters as interpreters

HERE = os.path.dirname(os.path.abspath(__file__))
ROUNDS = int(os.environ.get("GCSCOPE_BENCH_ROUNDS", "5"))
ROUND_S = float(os.environ.get("GCSCOPE_BENCH_ROUND_S", "6"))
SETTLE_S = 1.0  # skipped after each attach: injection and start-up are not sampling


def start_target(interpreter):
    """A CPU-bound target running long enough for every round, and the list its chunks are added to."""
    target = interpreter.start(os.path.join(HERE, "cpu_target.py"), ROUNDS * ROUND_S * 2.5 + 30,
                               stdout=subprocess.PIPE, text=True)
    chunks = []
    if not target.process.stdout.readline().startswith("READY"):
        target.stop()
        raise RuntimeError("the target exited with %s before it was ready" % target.process.returncode)

    def pump():
        try:
            for line in target.process.stdout:
                if line.startswith("CHUNK"):
                    _, end, secs, cpu = line.split()
                    chunks.append((float(end), float(secs), float(cpu)))
        except (ValueError, OSError):  # the pipe closed under us when the target was stopped
            pass

    threading.Thread(target=pump, daemon=True).start()
    return target, chunks


def measure(gcscope, form, target, chunks):
    """Alternating rounds on a started target: [(chunks before, chunks while recording)] per round, and
    the agent form the recordings name."""
    time.sleep(1.0)  # warm up
    rounds, recorded_forms = [], set()
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(ROUNDS):
            b0 = time.monotonic()
            time.sleep(ROUND_S)
            b1 = time.monotonic()
            db = os.path.join(tmp, "b.db")
            argv, env = interpreters.gcscope_command(gcscope, form, "record", "--pid", target.pid, "-o", db,
                                                     "--duration", ROUND_S + SETTLE_S)
            try:
                rec = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=ROUND_S + SETTLE_S + 60)
            except subprocess.TimeoutExpired:
                raise RuntimeError("record did not finish in %.0f s" % (ROUND_S + SETTLE_S + 60))
            a1 = time.monotonic()
            if rec.returncode != 0:
                lines = rec.stderr.strip().splitlines()
                raise RuntimeError("record failed: " + (lines[-1] if lines else "exit status %d" % rec.returncode))
            before = [(s, c) for e, s, c in chunks if b0 <= e < b1]
            during = [(s, c) for e, s, c in chunks if b1 + SETTLE_S + 0.3 <= e < a1 - 0.2]
            if not before or not during:
                raise RuntimeError("round %d has no chunks to compare (the target stopped?)" % (r + 1))
            rounds.append((before, during))
        con = sqlite3.connect(db)
        recorded_forms.update(f for (f,) in con.execute("SELECT DISTINCT agent_form FROM sessions"))
        con.close()
    return rounds, recorded_forms


def report(form_label, rounds, recorded_forms):
    """Prints one interpreter's and form's ratios; the result (ratios are per-round medians' medians)."""
    result = {"status": "ok"}
    print("    %s form (recorded as %s):" % (form_label, ", ".join(sorted(str(f) for f in recorded_forms))))
    for name, k in (("wall", 0), ("cpu", 1)):
        ratios = [statistics.median(x[k] for x in d) / statistics.median(x[k] for x in b) for b, d in rounds]
        pooled_b = statistics.median(x[k] for b, _ in rounds for x in b)
        pooled_d = statistics.median(x[k] for _, d in rounds for x in d)
        ratio = statistics.median(ratios)
        print("      %-4s chunk %.2f ms; per-round ratios %s; median %.4f; pooled %.4f  %s"
              % (name, pooled_b * 1e3, " ".join("%.3f" % x for x in ratios), ratio, pooled_d / pooled_b,
                 "OK (goal <= 1.03)" if ratio <= 1.03 else "ABOVE GOAL 1.03"))
        result[name + "_ratio"] = ratio
        result[name + "_pooled"] = pooled_d / pooled_b
    return result


def measure_form(gcscope, base, form_label, form, target, chunks):
    """One form's result on a started target."""
    try:
        return dict(base, form=form_label, **report(form_label, *measure(gcscope, form, target, chunks)))
    except RuntimeError as e:
        print("    %s form: failed: %s" % (form_label, e))
        return dict(base, form=form_label, status="failed: %s" % e)


def run(gcscope, interpreter):
    """Every form's overhead on one interpreter, each on a fresh target: a list of results."""
    base = {"bench": "sampling", "label": interpreter.label, "python": interpreter.root + interpreter.python}
    why = interpreter.unavailable()
    if why:
        print("  %s: skipped: %s" % (interpreter.label, why))
        return [dict(base, status="skipped: " + why)]
    try:
        target, chunks = start_target(interpreter)
    except RuntimeError as e:
        print("  %s: failed: %s" % (interpreter.label, e))
        return [dict(base, status="failed: %s" % e)]
    with target:  # the first target also says what the interpreter is and which form fits it
        seen = interpreters.describe(gcscope, target.pid)
        if seen is None:
            why = "gcscope ps does not list PID %d as a Python process" % target.pid
            print("  %s: failed: %s" % (interpreter.label, why))
            return [dict(base, status="failed: " + why)]
        base["version"] = seen["python"]
        if not seen["attachable"]:
            print("  %s (Python %s): skipped: %s" % (interpreter.label, seen["python"], seen["reason"]))
            return [dict(base, status="skipped: " + seen["reason"])]
        where = " chrooted in %s" % interpreter.root if interpreter.root else ""
        print("  %s: Python %s (%s%s)" % (interpreter.label, seen["python"], interpreter.python, where))
        (exact, _, _), *others = interpreters.forms_to_measure(gcscope, seen["agent_form"])
        results = [measure_form(gcscope, base, exact, None, target, chunks)]
    for form_label, form, missing in others:
        if missing:
            print("    %s form: %s" % (form_label, missing))
            results.append(dict(base, form=form_label, status=missing))
            continue
        try:
            target, chunks = start_target(interpreter)
        except RuntimeError as e:
            print("    %s form: failed: %s" % (form_label, e))
            results.append(dict(base, form=form_label, status="failed: %s" % e))
            continue
        with target:
            results.append(measure_form(gcscope, base, form_label, form, target, chunks))
    return results


def main():
    gcscope = sys.argv[1]
    args = sys.argv[2:]
    results_file, specs = "", []
    while args:
        arg = args.pop(0)
        if arg == "--json":
            results_file = args.pop(0)
        else:
            specs.append(arg)
    print("sampling overhead: default settings (interval 100 ms, census every 1 s at most), CPU-bound target, "
          "%d alternating rounds of %.0f s" % (ROUNDS, ROUND_S))
    results = []
    for interpreter in interpreters.select(specs):
        for result in run(gcscope, interpreter):
            results.append(result)
            interpreters.add_result(results_file, **result)
    print()
    bench_table.print_table(results)
    sys.exit(0 if all(not r["status"].startswith("failed") for r in results) else 1)


if __name__ == "__main__":
    main()
