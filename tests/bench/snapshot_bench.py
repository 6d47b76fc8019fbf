"""Heap snapshot benchmark on one ~N-object heap per interpreter, in one run:
  pause ratio = the target's snapshot pause / the time of a pure-Python walk of the same heap on the
  same interpreter (gc.get_objects(), gc.get_referents and sys.getsizeof on each) — goal <= 0.35,
  stretch 0.1; the stall the target's Python code feels during the whole `gcscope snapshot` (a thread
  waking every millisecond notes its longest gap) / the same walk, walked by a copy-on-write child
  (the default: goal <= 0.05) and walked in the target (--no-fork), the clone's time and what the
  child cost in memory; the target's next walk after a child's snapshot / the walk before; the pause in ns per tracked object; ingest time; bytes per object on disk; roots +
  unreachable + SCC + dominators time (goal < 3 s); a retention path query (goal < 100 ms); peak
  memory of the analysis; `gcscope snapshot` from attach to saved file, and the first answers a user
  asks of the saved file (`top`, `cycles`, `paths --type`, `diff` of two snapshots, gcscope-gui's
  Leaks and Inspector views, until the view says it has loaded; each a fresh process), as ratios to
  the same walk (goal <= 3); then
  `top` keeping the snapshot's dominator tree in the file, and `top` and the two views reading it.
Every ratio is to the faster of the walks before the first snapshot and the one after it (the
walks before can all be slow: the heap's memory is new to the machine's host).
Each interpreter's heap is snapshotted with the exact agent form the version table picks for it, then
with the portable form when the build has libgcscope_agent_portable.so.
With --repeat N the same heap is walked and snapshotted N times (each snapshot a new attach, as the
CLI does) and the medians of the pause and end-to-end ratios are reported as well: on a busy machine
single ratios scatter.
Usage: snapshot_bench.py BUILD_DIR [PYTHON ...] [--repeat N] [--json FILE] [OBJECTS ...]
  PYTHON: `all` (the default), a label of target_interpreters.py (`debian-3.11`, `sid-3.15`, ...) or
  the path of an interpreter on this machine. --json FILE appends one JSON line per result."""
import json
import os
import resource
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import bench_table
import target_interpreters as interpreters

HERE = os.path.dirname(os.path.abspath(__file__))
SNAPSHOT_TIMEOUT_S = 900  # a 10M-object heap takes a few minutes to store
PHASE_PREFIX = "gcscope phase: "  # the lines GCSCOPE_PHASES=1 adds to stderr


def python_walk(target):
    """The fastest of three pure-Python walks of the target's heap, in seconds: on a busy machine a
    single walk can take half as long again."""
    return min(one_walk(target) for _ in range(3))


def one_walk(target):
    """One pure-Python walk of the target's heap, in seconds."""
    words = ask(target, "walk", "WALK")
    return float(words[1])


def ask(target, command, answer):
    """Sends a command to the heap target and returns the words of its answer line."""
    target.process.stdin.write(command + "\n")
    target.process.stdin.flush()
    words = target.process.stdout.readline().split()
    if not words or words[0] != answer:
        raise RuntimeError("the target stopped answering (exit status %s)" % target.process.poll())
    return words


def process_cpu(pid):
    """The CPU seconds a process and its reaped children used (user + system), from /proc; 0 if gone.
    The target's count takes in its snapshot child once the agent has reaped it."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # After the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (proc(5)).
    return sum(int(fields[i - 3]) for i in (14, 15, 16, 17)) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def printed_phases(stderr):
    """The (phase, seconds from the command's start) a command printed with GCSCOPE_PHASES=1, in order."""
    for line in stderr.splitlines():
        if line.startswith(PHASE_PREFIX) and " at " in line:
            name, _, rest = line[len(PHASE_PREFIX):].rpartition(" at ")
            yield name, float(rest.split()[0])


def take_snapshot(gcscope, form, pid, db, *extra, phases=None, cpu=None):
    """One snapshot of the target into db: "" or why it failed. `phases`, a dict, gets the seconds
    from the command's start at which each of its phases ended (GCSCOPE_PHASES); `cpu`, a dict, the
    CPU seconds gcscope used ("gcscope") and the target with its snapshot child ("target")."""
    argv, env = interpreters.gcscope_command(gcscope, form, "snapshot", "--pid", pid, "-o", db, *extra)
    env["GCSCOPE_PHASES"] = "1"
    ours, theirs = children_cpu(), process_cpu(pid)
    try:
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=SNAPSHOT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return "gcscope snapshot did not finish in %d s" % SNAPSHOT_TIMEOUT_S
    if cpu is not None:
        cpu["gcscope"] = children_cpu() - ours
        cpu["target"] = process_cpu(pid) - theirs
    lines = [l for l in r.stderr.strip().splitlines() if not l.startswith(PHASE_PREFIX)]
    if phases is not None:
        for name, seconds in printed_phases(r.stderr):
            phases[name.split(" (")[0]] = seconds
    if r.returncode != 0:
        return lines[-1] if lines else "gcscope exited with %d" % r.returncode
    return ""


def timed(argv, env=None, phases=None, until=None):
    """Seconds one command takes, wall clock; raises when it fails. `phases`, a list, gets the
    (phase, seconds from its first phase) the command printed (GCSCOPE_PHASES), in order. With
    `until`, a text the command prints on stderr: (seconds until it printed that, seconds until it
    ended), and it fails if it never did."""
    if phases is not None:
        env = dict(env if env is not None else os.environ, GCSCOPE_PHASES="1")
    t0 = time.monotonic()
    marked = None
    lines = []
    with subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env) as p:
        watchdog = threading.Timer(SNAPSHOT_TIMEOUT_S, p.kill)  # its stderr is read line by line
        watchdog.start()
        try:
            for line in p.stderr:
                if until is not None and marked is None and until in line:
                    marked = time.monotonic() - t0
                lines.append(line)
            status = p.wait()
        finally:
            watchdog.cancel()
    seconds = time.monotonic() - t0
    stderr = "".join(lines)
    if seconds >= SNAPSHOT_TIMEOUT_S:
        raise RuntimeError("%s did not finish in %d s" % (" ".join(argv[1:3]), SNAPSHOT_TIMEOUT_S))
    if status != 0 or (until is not None and marked is None):
        raise RuntimeError("%s failed: %s" % (" ".join(argv[1:3]), stderr.strip()[-300:]))
    if phases is not None:
        phases.extend(printed_phases(stderr))
    return seconds if until is None else (marked, seconds)


# What gcscope-gui --until-loaded prints once the view shows its data: what its user waits for. The
# process's exit after it (freeing the snapshot's memory) is timed apart; nobody sees it.
GUI_LOADED = " view loaded in "


def gui_answers(gcscope, db, env, answers, suffix="", gui_phases=None):
    """gcscope-gui's Leaks view, then its Inspector, opened on the file offscreen until loaded
    (--until-loaded), each a fresh process: the seconds from its start until the view had loaded go
    to answers["gui <tab><suffix>"], and its phases (GCSCOPE_PHASES) to gui_phases["<tab><suffix>"],
    with the process's end last. Nothing when gcscope-gui is not built (scripts/bench.sh builds it)."""
    gui = os.path.join(os.path.dirname(os.path.dirname(gcscope)), "ui", "gcscope-gui")
    if not os.path.exists(gui):
        return
    env = dict(env, QT_QPA_PLATFORM="offscreen")
    for tab in ("leaks", "inspector"):
        phases = []
        loaded, ended = timed([gui, db, "--tab", tab, "--until-loaded"], env=env, phases=phases, until=GUI_LOADED)
        answers["gui " + tab + suffix] = loaded
        # The phases count from the first one the process printed; these two from its start.
        phases.append(("| from the process's start: view loaded", loaded))
        phases.append(("process ended", ended))
        if gui_phases is not None:
            gui_phases[tab + suffix] = phases


def first_answers(gcscope, db, two_snapshots, gui_phases=None):
    """What a user asks of a saved snapshot first, each command a fresh process as a user runs it:
    {name: seconds}. Snapshot 1 is the one the child walked. The GUI's first views (when it is
    built) are gcscope-gui opened on the file, offscreen, until the view has loaded
    (--until-loaded): the Leaks view, and the Inspector (every analysis of a snapshot).
    `gui_phases`, a dict, gets each view's phases (GCSCOPE_PHASES): where a slow load spent its time.
    Each is a first answer: none keeps its dominator tree in the file for the next to read
    (GCSCOPE_KEEP_ANALYSES=0; kept_answers measures that)."""
    first = dict(os.environ, GCSCOPE_KEEP_ANALYSES="0")
    answers = {"top": timed([gcscope, "top", db, "--snapshot", "1"], env=first),
               "cycles": timed([gcscope, "cycles", db, "--snapshot", "1"], env=first),
               "paths --type": timed([gcscope, "paths", db, "--snapshot", "1", "--type", "__main__.Order"], env=first)}
    if two_snapshots:
        answers["diff"] = timed([gcscope, "diff", db], env=first)
    gui_answers(gcscope, db, first, answers, gui_phases=gui_phases)
    return answers


def kept_answers(gcscope, db, snapshots, gui_phases=None):
    """The answers that read the dominator tree the first one kept in the file: `top` keeping it (the
    process until the tree is written; its answer is printed before), then `top` and gcscope-gui's
    views (which show the last snapshot: `top` keeps each of the file's `snapshots` first) again.
    {name: seconds}; the file grows by a tree per snapshot."""
    answers = {"top, keeping": timed([gcscope, "top", db, "--snapshot", "1"])}
    for later in range(2, snapshots + 1):
        timed([gcscope, "top", db, "--snapshot", str(later)])
    answers["top again"] = timed([gcscope, "top", db, "--snapshot", "1"])
    gui_answers(gcscope, db, os.environ, answers, suffix=" again", gui_phases=gui_phases)
    return answers


def snapshot_pause(gcscope, form, pid):
    """Takes one snapshot of the target: (the pause it reports, the command's wall time), in seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "pause.db")
        t0 = time.monotonic()
        error = take_snapshot(gcscope, form, pid, db)
        wall = time.monotonic() - t0
        if error:
            raise RuntimeError(error)
        con = sqlite3.connect(db)
        pause_ns = con.execute("SELECT pause_ns FROM snapshots ORDER BY id DESC LIMIT 1").fetchone()[0]
        con.close()
        return pause_ns / 1e9, wall


def target_rss(pid):
    """The target's resident memory in bytes (VmRSS), 0 if unknown."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(build, target, form_label, form, tracked, repeat):
    """Walks and snapshots the target's heap with one agent form, prints the figures; the result."""
    gcscope = os.path.join(build, "profiler", "gcscope")
    bench = os.path.join(build, "tests", "bench", "snapshot_analysis_bench")
    walk = python_walk(target)
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.db")
        # The stall the target's own Python code feels during the whole command, walked by a
        # copy-on-write child (the default), then walked in the target (--no-fork).
        ask(target, "watch", "WATCHING")
        t0 = time.monotonic()
        snapshot_phases, snapshot_cpu = {}, {}
        error = take_snapshot(gcscope, form, target.pid, db, phases=snapshot_phases, cpu=snapshot_cpu)
        wall = time.monotonic() - t0
        stall = float(ask(target, "stall", "STALL")[1])
        if error:
            print("    %s form: snapshot failed: %s" % (form_label, error))
            return {"status": "failed: " + error}
        con = sqlite3.connect(db)
        pause_ns, ingest_ns, objects, edges, snapshot_tracked, method, note, extra = con.execute(
            "SELECT pause_ns, ingest_ns, objects, edges, tracked_objects, method, method_note, extra_memory "
            "FROM snapshots ORDER BY id DESC LIMIT 1").fetchone()
        con.close()
        rss = target_rss(target.pid)
        size = os.path.getsize(db)
        # Whether the target is slower once a copy-on-write child has walked it: its next walk, which
        # writes to every object. The clone leaves the pages it shared write-protected; the agent
        # makes them writable again once the child is gone (agent/src/write_reopen.h). Without that,
        # this walk took 3.1 to 3.3 times the walk before on this project's VMs, at 1M and at 10M
        # objects. Taken before the --no-fork snapshot, whose walk in the target would pay for it.
        walk_after = one_walk(target) if method == "child" else float("nan")
        # The second snapshot, walked in the target, goes to the same file: `gcscope diff` compares the two.
        ask(target, "watch", "WATCHING")
        in_process_error = take_snapshot(gcscope, form, target.pid, db, "--no-fork")
        in_process_stall = float(ask(target, "stall", "STALL")[1])
        if in_process_error:
            print("    %s form: --no-fork snapshot failed: %s" % (form_label, in_process_error))
            in_process_stall = float("nan")
        analysis = json.loads(subprocess.run([bench, db, "1"], capture_output=True, text=True, check=True).stdout)
        gui_phases = {}
        answers = first_answers(gcscope, db, two_snapshots=not in_process_error, gui_phases=gui_phases)
        size_before_kept = os.path.getsize(db)
        trees = 1 if in_process_error else 2
        again = kept_answers(gcscope, db, trees, gui_phases=gui_phases)
        kept_bytes = (os.path.getsize(db) - size_before_kept) / trees
    pause = pause_ns / 1e9
    walk_before = walk
    if walk_after < walk:
        # The walks before the snapshot can all be slow (at 10M on this project's VMs, 4.9 s before
        # and 3.0 s after, the heap's memory fresh to the host): the ratios take the faster walk, so
        # that a slow walk does not flatter them.
        walk = walk_after
    print("    %s form: snapshot of %d objects incl. leaves (%d tracked), %d references"
          % (form_label, objects, snapshot_tracked, edges))
    if walk < walk_before:
        print("      the ratios here are to the walk after the snapshot, the faster (%.3f s; %.3f s before)"
              % (walk, walk_before))
    if method == "child":
        print("      walked by a copy-on-write child: clone %.1f ms; stall felt by the target %.1f ms -> ratio %.4f "
              "of the walk (goal <= 0.05); walked in the target (--no-fork): stall %.1f ms -> ratio %.3f; the "
              "child cost %.1f MiB (target resident %.0f MiB)"
              % (pause * 1e3, stall * 1e3, stall / walk, in_process_stall * 1e3, in_process_stall / walk,
                 (extra or 0) / 2**20, rss / 2**20))
        print("      the target's next pure-Python walk after it: %.3f s -> %.2f of the walk before"
              % (walk_after, walk_after / walk_before))
    else:
        print("      walked in the target (%s): stall felt %.1f ms -> ratio %.3f" % (note, stall * 1e3, stall / walk))
    print("      pure-Python walk %.3f s; snapshot pause %.3f s -> ratio %.3f (goal <= 0.35, stretch 0.1); "
          "%.0f ns per tracked object (walk %.0f ns)"
          % (walk, pause, pause / walk, pause_ns / tracked, walk * 1e9 / tracked))
    print("      snapshot command wall time %.2f s; ingest (SQLite write) %.2f s" % (wall, ingest_ns / 1e9))
    print("      database %.1f MiB = %.1f bytes per object incl. references (goal <= 60)"
          % (size / 2**20, size / objects))
    print("      analysis: load %.2f s; roots+unreachable %.2f s, SCC+cycles %.2f s, dominators %.2f s -> %.2f s "
          "(goal < 3 s); path query first %.1f ms (incl. BFS), next %.3f ms (goal < 100 ms); peak RSS %.0f MiB"
          % (analysis["load_s"], analysis["roots_unreachable_s"], analysis["scc_cycles_s"],
             analysis["dominators_s"], analysis["analysis_total_s"], analysis["path_first_query_s"] * 1e3,
             analysis["path_next_query_s"] * 1e3, analysis["peak_rss_mib"]))
    phases = analysis.get("phase_peak_mib", {})
    print("      analysis peak %.1f bytes per object (goal <= 100); by phase, each with what earlier ones keep: %s"
          % (analysis["peak_rss_mib"] * 2**20 / objects,
             ", ".join("%s %.0f MiB" % (name, mib) for name, mib in phases.items())))
    print("      first answer from the saved file, each a fresh process (ratio to the walk; goal <= 3): "
          + "; ".join("%s %.2f s -> %.2f" % (name, seconds, seconds / walk) for name, seconds in answers.items()))
    print("      answers reading the dominator tree the first one kept in the file (+%.1f bytes per object and tree): %s"
          % (kept_bytes / objects,
             "; ".join("%s %.2f s -> %.2f" % (name, seconds, seconds / walk) for name, seconds in again.items())))
    for tab, steps in gui_phases.items():
        if steps:
            print("      gcscope-gui's %s view, its phases (seconds from the first): %s"
                  % (tab, ", ".join("%s %.2f" % step for step in steps)))
    print("      snapshot end to end (attach to saved file) %.2f s -> %.2f of the walk (goal <= 3)" % (wall, wall / walk))
    if snapshot_cpu:
        # How busy the machine was meanwhile: where the processors were all busy, work moved to
        # another thread (overlapped) only takes time from the work already there.
        cores = os.cpu_count() or 1
        busy = (snapshot_cpu["gcscope"] + snapshot_cpu["target"]) / (wall * cores)
        print("      its CPU time: gcscope %.2f s, the target and its snapshot child %.2f s: %.0f%% of %d processors "
              "over the %.2f s" % (snapshot_cpu["gcscope"], snapshot_cpu["target"], 100 * busy, cores, wall))
    if "snapshot received" in snapshot_phases and "committed" in snapshot_phases:
        # Where the command's time went: the agent's walk and the stream, then what is left once the
        # stream has ended (references resolved while the objects are stored, labels, commit).
        steps = ["attached", "snapshot begun", "snapshot received", "references resolved", "objects stored",
                 "strings stored", "committed"]
        known = [(name, snapshot_phases[name]) for name in steps if name in snapshot_phases]
        print("      its phases (seconds from start, GCSCOPE_PHASES): " + ", ".join("%s %.2f" % p for p in known)
              + "; after the stream ended %.2f s -> %.2f of the walk"
              % (snapshot_phases["committed"] - snapshot_phases["snapshot received"],
                 (snapshot_phases["committed"] - snapshot_phases["snapshot received"]) / walk))
    result = {"status": "ok", "walk_s": walk, "snapshot_wall_s": wall, "snapshot_wall_ratio": wall / walk,
              "snapshot_phases_s": snapshot_phases, "snapshot_cpu_s": snapshot_cpu,
              "answers_s": answers, "kept_answers_s": again, "kept_bytes_per_object": kept_bytes / objects, "gui_phases_s": gui_phases, "bytes_per_object": size / objects, "ingest_s": ingest_ns / 1e9,
              "analysis_peak_rss_mib": analysis["peak_rss_mib"],
              "analysis_peak_bytes_per_object": analysis["peak_rss_mib"] * 2**20 / objects, "pause_s": pause, "ratio": pause / walk, "method": method,
              "stall_s": stall, "stall_ratio": stall / walk, "walk_after_s": walk_after,
              "walk_after_ratio": walk_after / walk_before, "in_process_stall_s": in_process_stall,
              "in_process_stall_ratio": in_process_stall / walk, "child_memory": extra or 0, "target_rss": rss,
              "pause_ns_per_object": pause_ns / tracked, "walk_ns_per_object": walk * 1e9 / tracked}
    if repeat > 1:
        # On a shared machine single ratios scatter (the walk itself took 2.9 s and 4.6 s on one
        # 10M-object heap within an hour): the medians of several rounds, each walk next to its snapshot.
        ratios, walls = [pause / walk], [wall / walk]
        for _ in range(repeat - 1):
            walk = python_walk(target)
            try:
                pause, wall = snapshot_pause(gcscope, form, target.pid)
            except RuntimeError as e:
                print("      again: snapshot failed: %s" % e)
                continue
            ratios.append(pause / walk)
            walls.append(wall / walk)
            print("      again: pure-Python walk %.3f s; snapshot pause %.3f s -> ratio %.3f; end to end %.2f s -> %.2f"
                  % (walk, pause, pause / walk, wall, wall / walk))
        print("      over %d snapshots: pause ratio median %.3f (min %.3f, max %.3f); end to end median %.2f walks "
              "(min %.2f, max %.2f)"
              % (len(ratios), statistics.median(ratios), min(ratios), max(ratios), statistics.median(walls),
                 min(walls), max(walls)))
        result["ratio_median"] = statistics.median(ratios)
        result["snapshot_wall_ratio_median"] = statistics.median(walls)
    return result


def run(build, interpreter, n, repeat):
    """Every form's figures on one interpreter's heap of about n objects: a list of results."""
    gcscope = os.path.join(build, "profiler", "gcscope")
    base = {"bench": "snapshot", "label": interpreter.label, "python": interpreter.root + interpreter.python,
            "objects": n}
    why = interpreter.unavailable()
    if why:
        print("  %s: skipped: %s" % (interpreter.label, why))
        return [dict(base, status="skipped: " + why)]
    with interpreter.start(os.path.join(HERE, "heap_target.py"), n, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True) as target:
        ready = target.process.stdout.readline().split()
        if not ready:
            why = "the target exited with %s before it was ready" % target.process.wait()
            print("  %s: failed: %s" % (interpreter.label, why))
            return [dict(base, status="failed: " + why)]
        tracked = int(ready[2])
        seen = interpreters.describe(gcscope, target.pid)
        if seen is None:
            why = "gcscope ps does not list PID %d as a Python process" % target.pid
            print("  %s: failed: %s" % (interpreter.label, why))
            return [dict(base, status="failed: " + why)]
        base.update(version=seen["python"], tracked=tracked)
        if not seen["attachable"]:
            print("  %s (Python %s): skipped: %s" % (interpreter.label, seen["python"], seen["reason"]))
            return [dict(base, status="skipped: " + seen["reason"])]
        where = " chrooted in %s" % interpreter.root if interpreter.root else ""
        print("  %s: Python %s (%s%s, PID %d), %d tracked objects"
              % (interpreter.label, seen["python"], interpreter.python, where, target.pid, tracked))
        results = []
        for form_label, form, missing in interpreters.forms_to_measure(gcscope, seen["agent_form"]):
            if missing:
                print("    %s form: %s" % (form_label, missing))
                results.append(dict(base, form=form_label, status=missing))
                continue
            try:
                figures = measure(build, target, form_label, form, tracked, repeat)
            except (RuntimeError, BrokenPipeError) as e:
                print("    %s form: failed: %s" % (form_label, e))
                figures = {"status": "failed: %s" % e}
            results.append(dict(base, form=form_label, **figures))
        return results


def main():
    build = sys.argv[1]
    args = sys.argv[2:]
    repeat, results_file, specs, sizes = 1, "", [], []
    while args:
        arg = args.pop(0)
        if arg == "--repeat":
            repeat = max(1, int(args.pop(0)))
        elif arg == "--json":
            results_file = args.pop(0)
        elif arg.isdigit():
            sizes.append(int(arg))
        else:
            specs.append(arg)
    print("heap snapshot benchmark")
    results = []
    for n in sizes or [1_000_000]:
        print(" heap of about %d objects" % n)
        for interpreter in interpreters.select(specs):
            for result in run(build, interpreter, n, repeat):
                results.append(result)
                interpreters.add_result(results_file, **result)
    print()
    bench_table.print_table(results)
    sys.exit(0 if all(not r["status"].startswith("failed") for r in results) else 1)


if __name__ == "__main__":
    main()
