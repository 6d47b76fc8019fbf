"""A CPU-bound target for the overhead benchmark: fixed chunks of pure-Python work (arithmetic,
dicts, short-lived objects with some cycles), each chunk timed with the monotonic clock and printed
as `CHUNK <end_time> <wall seconds> <process cpu seconds>` (process CPU time counts every thread of
the target, the agent's included, and is less disturbed by other processes than wall time)."""
import sys
import time


class Item:
    def __init__(self, i):
        self.i = i
        self.tags = {"k": i}
        self.me = self  # a cycle: keeps the collector busy as in a real service


def chunk():
    total = 0
    items = []
    for i in range(20000):
        it = Item(i)
        total += it.i * 3 % 7
        items.append(it)
        if len(items) > 200:
            items.clear()
    return total


print("READY", flush=True)
limit = float(sys.argv[1]) if len(sys.argv) > 1 else 60
start = time.monotonic()
while time.monotonic() - start < limit:
    t0, c0 = time.perf_counter(), time.process_time()
    chunk()
    t1, c1 = time.perf_counter(), time.process_time()
    print("CHUNK %.6f %.9f %.9f" % (time.monotonic(), t1 - t0, c1 - c0), flush=True)
