"""Sampling overhead at default settings on a CPU-bound target, in one process:
median chunk time while `gcscope record` runs, divided by the median before attaching.
Usage: sampling_overhead.py GCSCOPE [PYTHON ...]"""
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(gcscope, python, before_s=8.0, during_s=20.0):
    target = subprocess.Popen([python, os.path.join(HERE, "cpu_target.py"), str(before_s + during_s + 10)],
                              stdout=subprocess.PIPE, text=True)
    chunks = []

    def pump():
        for line in target.stdout:
            if line.startswith("CHUNK"):
                _, end, secs = line.split()
                chunks.append((float(end), float(secs)))

    assert target.stdout.readline().startswith("READY")
    threading.Thread(target=pump, daemon=True).start()
    time.sleep(1.0)  # warm up
    t_before = time.monotonic()
    time.sleep(before_s)
    t_attach = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([gcscope, "record", "--pid", str(target.pid), "-o", os.path.join(tmp, "b.db"),
                            "--duration", str(during_s)], capture_output=True, text=True)
        t_detach = time.monotonic()
        if r.returncode != 0:
            raise SystemExit("record failed: " + r.stderr)
        info = subprocess.run([gcscope, "info", os.path.join(tmp, "b.db"), "--json"], capture_output=True, text=True)
    target.kill()
    target.wait()
    before = [s for e, s in chunks if t_before <= e < t_attach]
    # Skip the first second after attaching: injection and the agent's start-up are not sampling.
    during = [s for e, s in chunks if t_attach + 1.0 <= e < t_detach]
    return before, during, info.stdout


def main():
    gcscope = sys.argv[1]
    pythons = sys.argv[2:] or ["/usr/bin/python3"]
    print("sampling overhead: default settings (interval 100 ms, census every 5 s), CPU-bound target")
    for python in pythons:
        before, during, _ = measure(gcscope, python)
        mb, md = statistics.median(before), statistics.median(during)
        ratio = md / mb
        mean_ratio = statistics.fmean(during) / statistics.fmean(before)
        print("  %-45s chunks before %4d, during %4d; median %.3f ms -> %.3f ms; ratio median %.4f, mean %.4f  %s"
              % (python, len(before), len(during), mb * 1e3, md * 1e3, ratio, mean_ratio,
                 "OK (goal <= 1.03)" if ratio <= 1.03 else "ABOVE GOAL 1.03"))


if __name__ == "__main__":
    main()
