"""Main thread asleep in time.sleep(); reports how long each sleep really lasted."""
import sys, time, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib

nap = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
keep = [targetlib.Node(i) for i in range(1000)]
targetlib.ready()
n = 0
while True:
    t0 = time.monotonic()
    time.sleep(nap)
    slept = time.monotonic() - t0
    n += 1
    targetlib.churn(50)
    targetlib.status(n=n, slept=slept)
