"""Several threads: one spinning in pure Python (holding the GIL most of the time), one in a long
C call without the GIL (time.sleep), one allocating; the main thread reports."""
import os, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib

counters = {"spin": 0, "alloc": 0, "sleep": 0}


def spin():
    x = 0
    while True:
        for _ in range(10000):
            x += 1
        counters["spin"] += 1


def alloc():
    while True:
        targetlib.churn(50)
        counters["alloc"] += 1


def nap():
    while True:
        time.sleep(5)
        counters["sleep"] += 1


for fn in (spin, alloc, nap):
    threading.Thread(target=fn, daemon=True).start()
targetlib.ready()
n = 0
while True:
    time.sleep(0.2)
    n += 1
    targetlib.status(n=n, **counters)
