"""A heap of about N GC-tracked objects in a service-like mix (instances, their attribute values,
dicts, lists, tuples, strings), for the snapshot benchmark. Commands on stdin:
  walk  -> times the pure-Python walk peers do: gc.get_objects(), then gc.get_referents(o) and
           sys.getsizeof(o) for each object; prints `WALK <seconds> <objects>`
  watch -> starts (or restarts) a thread that wakes every millisecond and notes the longest gap
           between two wake-ups: the stall the target's Python code feels
  stall -> prints `STALL <longest gap in seconds>` since the last watch, and stops watching
"""
import gc
import os
import sys
import threading
import time


class Order:
    def __init__(self, i, customer):
        self.id = i
        self.customer = customer
        self.items = [("sku-%d" % (i % 997), i % 5 + 1)]
        self.meta = {"channel": "web", "n": i}


class Customer:
    def __init__(self, i):
        self.name = "customer-%d" % i
        self.orders = []


def build(n):
    # Each order makes 2 tracked objects (the Order with inline attributes, its items list; the tuple
    # and the dict of atomic values get untracked by the collector), each customer 2: about n in all.
    customers = [Customer(i) for i in range(max(1, n // 40))]
    orders = []
    for i in range(n // 2):
        c = customers[i % len(customers)]
        o = Order(i, c)
        c.orders.append(o)
        orders.append(o)
    return customers, orders


class Watcher(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.longest = 0.0
        self.running = True

    def run(self):
        last = time.perf_counter()
        while self.running:
            time.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now


n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
watcher = None
data = build(n)
gc.collect()
print("READY %d %d" % (os.getpid(), len(gc.get_objects())), flush=True)
while True:
    line = os.read(0, 100)
    if not line:
        break
    if line.strip() == b"walk":
        t0 = time.perf_counter()
        objs = gc.get_objects()
        size = 0
        for o in objs:
            gc.get_referents(o)
            size += sys.getsizeof(o)
        seconds = time.perf_counter() - t0
        count = len(objs)
        del objs
        print("WALK %.4f %d" % (seconds, count), flush=True)
    elif line.strip() == b"watch":
        watcher = Watcher()
        watcher.start()
        print("WATCHING", flush=True)
    elif line.strip() == b"stall" and watcher:
        watcher.running = False
        watcher.join()
        print("STALL %.6f" % watcher.longest, flush=True)
        watcher = None
