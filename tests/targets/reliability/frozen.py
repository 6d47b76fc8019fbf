"""Everything built at start-up moved to the permanent generation with gc.freeze(), then churn."""
import gc
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402

kept = [targetlib.Node(i) for i in range(50_000)]
gc.freeze()
targetlib.ready()
n = 0
last = time.monotonic()
while True:
    targetlib.churn(20)
    n += 1
    if time.monotonic() - last > 0.2:
        last = time.monotonic()
        targetlib.status(n=n, frozen=gc.get_freeze_count())
        time.sleep(0.01)
