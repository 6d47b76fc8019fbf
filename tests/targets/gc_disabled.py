"""The collector is disabled; the program allocates anyway (cycles pile up)."""
import gc, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib

gc.disable()
targetlib.ready()
n = 0
last = time.monotonic()
kept = []
while True:
    targetlib.churn(20)
    kept.append(targetlib.Node(n))
    if len(kept) > 50000:
        kept.clear()
    n += 1
    if time.monotonic() - last > 0.2:
        last = time.monotonic()
        targetlib.status(n=n)
        time.sleep(0.01)
