"""One list of ten million items (a single object with ten million references: more than one wire
frame can carry) next to ordinary churn."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402

items = [i & 0xFF for i in range(10_000_000)]
targetlib.ready()
n = 0
last = time.monotonic()
while True:
    targetlib.churn(20)
    n += 1
    if time.monotonic() - last > 0.2:
        last = time.monotonic()
        targetlib.status(n=n, items=len(items))
        time.sleep(0.01)
