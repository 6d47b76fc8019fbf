"""Main thread blocked in os.read() on stdin (a pipe); echoes a status for each line written."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib

targetlib.ready()
n = 0
while True:
    data = os.read(0, 4096)
    if not data:
        break
    n += 1
    targetlib.churn(20)
    targetlib.status(n=n)
