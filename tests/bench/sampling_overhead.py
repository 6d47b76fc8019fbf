"""Sampling overhead at default settings on a CPU-bound target, in one process.

The target runs fixed chunks of pure-Python work and times each. We alternate rounds: a baseline
round with nothing attached, then a round while `gcscope record` (default settings: sample every
100 ms, census every 5 s) is attached, several times over. Each round pair gives a ratio
median(chunk while recording) / median(chunk before attaching); alternating cancels the slow drift
of a shared or virtual machine, which a single before/after split does not. We report the median of
the per-round ratios, and the ratio of the pooled medians.
Usage: sampling_overhead.py GCSCOPE [PYTHON ...]"""
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROUNDS = int(os.environ.get("GCSCOPE_BENCH_ROUNDS", "5"))
ROUND_S = float(os.environ.get("GCSCOPE_BENCH_ROUND_S", "6"))
SETTLE_S = 1.0  # skipped after each attach: injection and start-up are not sampling


def measure(gcscope, python):
    target = subprocess.Popen([python, os.path.join(HERE, "cpu_target.py"), str(ROUNDS * ROUND_S * 2.5 + 30)],
                              stdout=subprocess.PIPE, text=True)
    chunks = []

    def pump():
        for line in target.stdout:
            if line.startswith("CHUNK"):
                _, end, secs, cpu = line.split()
                chunks.append((float(end), float(secs), float(cpu)))

    assert target.stdout.readline().startswith("READY")
    threading.Thread(target=pump, daemon=True).start()
    time.sleep(1.0)  # warm up
    rounds = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(ROUNDS):
                b0 = time.monotonic()
                time.sleep(ROUND_S)
                b1 = time.monotonic()
                rec = subprocess.run([gcscope, "record", "--pid", str(target.pid), "-o", os.path.join(tmp, "b.db"),
                                      "--duration", str(ROUND_S + SETTLE_S)], capture_output=True, text=True)
                a1 = time.monotonic()
                if rec.returncode != 0:
                    raise SystemExit("record failed: " + rec.stderr)
                before = [(s, c) for e, s, c in chunks if b0 <= e < b1]
                during = [(s, c) for e, s, c in chunks if b1 + SETTLE_S + 0.3 <= e < a1 - 0.2]
                rounds.append((before, during))
    finally:
        target.kill()
        target.wait()
    return rounds


def main():
    gcscope = sys.argv[1]
    pythons = sys.argv[2:] or ["/usr/bin/python3"]
    print("sampling overhead: default settings (interval 100 ms, census every 5 s), CPU-bound target, "
          "%d alternating rounds of %.0f s" % (ROUNDS, ROUND_S))
    for python in pythons:
        rounds = measure(gcscope, python)
        for name, k in (("wall", 0), ("cpu", 1)):
            ratios = [statistics.median(x[k] for x in d) / statistics.median(x[k] for x in b) for b, d in rounds]
            pooled_b = statistics.median(x[k] for b, _ in rounds for x in b)
            pooled_d = statistics.median(x[k] for _, d in rounds for x in d)
            ratio = statistics.median(ratios)
            print("  %-45s %-4s chunk %.2f ms; per-round ratios %s; median %.4f; pooled %.4f  %s"
                  % (python, name, pooled_b * 1e3, " ".join("%.3f" % x for x in ratios), ratio, pooled_d / pooled_b,
                     "OK (goal <= 1.03)" if ratio <= 1.03 else "ABOVE GOAL 1.03"))


if __name__ == "__main__":
    main()
