"""The benchmarks' summary: one row per interpreter, agent form and heap size, with the snapshot
figures (snapshot_bench.py) and the sampling overhead (sampling_overhead.py) side by side.
Usage: bench_table.py RESULTS_FILE (JSON lines the two benchmarks append with --json FILE)."""
import json
import sys

COLUMNS = [("interpreter", "<14"), ("Python", "<8"), ("form", "<8"), ("objects", ">9"), ("walk s", ">7"),
           ("pause s", ">7"), ("ratio", ">13"), ("ns/obj", ">7"), ("stall", ">7"), ("no-fork", ">7"),
           ("child MiB", ">9"), ("e2e", ">5"), ("answer", ">6"), ("B/obj", ">5"), ("overhead wall", ">13"),
           ("cpu", ">6")]


def _row(cells):
    return "  ".join(("{:%s}" % align).format(cell) for cell, (_, align) in zip(cells, COLUMNS)).rstrip()


def _snapshot_cells(s):
    """objects, walk s, pause s, ratio, ns/obj, stall ratio (child), stall ratio (--no-fork), child MiB,
    `gcscope snapshot` end to end / walk, the slowest first answer / walk, bytes per object on disk."""
    if s is None or s["status"] != "ok":
        return ["~%d" % s["objects"] if s else ""] + [""] * 10  # the heap asked for: none was measured
    ratio = "%.3f" % s["ratio"] + (" (med %.3f)" % s["ratio_median"] if "ratio_median" in s else "")
    stall = ["%.4f" % s["stall_ratio"], "%.3f" % s["in_process_stall_ratio"], "%.1f" % (s["child_memory"] / 2**20)] \
        if "stall_ratio" in s else ["", "", ""]
    answers = s.get("answers_s") or {}
    e2e = ["%.1f" % s["snapshot_wall_ratio"] if "snapshot_wall_ratio" in s else "",
           "%.1f" % (max(answers.values()) / s["walk_s"]) if answers else "",
           "%.1f" % s["bytes_per_object"] if "bytes_per_object" in s else ""]
    return ["%d" % s["tracked"], "%.3f" % s["walk_s"], "%.3f" % s["pause_s"], ratio,
            "%.0f" % s["pause_ns_per_object"]] + stall + e2e


def _sampling_cells(s):
    """overhead wall, overhead cpu."""
    if s is None or s["status"] != "ok":
        return ["", ""]
    return ["%.4f" % s["wall_ratio"], "%.4f" % s["cpu_ratio"]]


def _reasons(snapshot, sampling):
    """Why figures are missing from a row, after it: one reason when both benchmarks give the same."""
    said = [(name, r["status"]) for name, r in (("snapshot", snapshot), ("sampling", sampling))
            if r is not None and r["status"] != "ok"]
    if len({status for _, status in said}) == 1 and (len(said) == 2 or None in (snapshot, sampling)):
        return said[0][1]
    return "; ".join("%s: %s" % pair for pair in said)


def table(results):
    """The summary's lines for a list of results (dicts with bench, label, form, status and figures)."""
    keys = []  # (label, form) in the order first seen
    snapshots, sampling, versions = {}, {}, {}
    for r in results:
        key = (r["label"], r.get("form", "-"))
        if key not in keys:
            keys.append(key)
        if r.get("version"):
            versions[r["label"]] = r["version"]
        if r["bench"] == "snapshot":
            snapshots.setdefault(key, []).append(r)
        else:
            sampling[key] = r
    lines = [_row([name for name, _ in COLUMNS])]
    for key in keys:
        overhead = sampling.get(key)
        for i, snapshot in enumerate(snapshots.get(key) or [None]):
            row_sampling = overhead if i == 0 else None  # once per interpreter and form, not per heap size
            cells = [key[0], versions.get(key[0], ""), key[1]] + _snapshot_cells(snapshot) + _sampling_cells(row_sampling)
            reasons = _reasons(snapshot, row_sampling)
            lines.append(_row(cells) + ("  " + reasons if reasons else ""))
    return lines


def print_table(results):
    print("summary (ratio = snapshot pause / pure-Python walk of the same heap on that interpreter; ns/obj = "
          "pause per tracked object; stall = longest gap the target's Python code felt during the snapshot / the "
          "walk, taken by a copy-on-write child, and no-fork = the same walked in the target; child MiB = memory the "
          "child cost; e2e = `gcscope snapshot` from attach to saved file / the walk; answer = the slowest of `top`, "
          "`cycles`, `paths --type`, `diff` and gcscope-gui's Leaks and Inspector views on the saved file / the "
          "walk; B/obj = bytes per object on disk; "
          "overhead = median chunk time while recording / without)")
    for line in table(results):
        print("  " + line)


def main():
    with open(sys.argv[1]) as f:
        print_table([json.loads(line) for line in f if line.strip()])


if __name__ == "__main__":
    main()
