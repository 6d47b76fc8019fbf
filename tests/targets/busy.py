"""Main thread busy in pure Python, allocating cyclic garbage; prints a status every ~0.2 s."""
import sys, time, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib

targetlib.ready()
n = 0
last = time.monotonic()
limit = float(sys.argv[1]) if len(sys.argv) > 1 else 3600.0
start = time.monotonic()
while time.monotonic() - start < limit:
    targetlib.churn(100)
    n += 1
    if time.monotonic() - last > 0.2:
        last = time.monotonic()
        targetlib.status(n=n)
