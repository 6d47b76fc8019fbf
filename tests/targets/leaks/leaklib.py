"""Shared by the leaking programs: a steady request loop that runs for a given number of seconds.

Each program handles simulated requests at a fixed rate (so growth is steady, as in a real service),
prints `READY <pid>` once it is set up (the integration tests attach then) and exits after its
duration (first argument, seconds; default: run until killed).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402


def duration():
    return float(sys.argv[1]) if len(sys.argv) > 1 else float("inf")


def serve(handle, rate=500, tick=0.02):
    """Calls handle(rid) `rate` times a second, in small batches, until the duration is over."""
    per_tick = max(1, int(rate * tick))
    end = time.monotonic() + duration()
    rid = 0
    targetlib.ready()
    while time.monotonic() < end:
        for _ in range(per_tick):
            rid += 1
            handle(rid)
        time.sleep(tick)
    return rid
