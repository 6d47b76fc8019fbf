"""A heap big enough that a snapshot child walks it for a noticeable time: N small lists (default
two million) held by one list. SIGUSR1 ends the program at once with os._exit(0); SIGUSR2 with
sys.exit(0), through the interpreter's finalization. Status every 0.25 s; n counts the main loop.

Before sys.exit the heap is frozen and given a reference nobody drops, so that finalization does not
free two million lists one by one: the interpreter's exit stays shorter than a snapshot child's
walk of the heap, which is what a test of a target ending mid-snapshot needs (with the child's
strings dropped as sent, the walk got quick enough for the frees to outlast it)."""
import ctypes
import gc
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402


def end_at_once(signum, frame):
    os._exit(0)


def end_normally(signum, frame):
    gc.freeze()
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(heap))
    sys.exit(0)


heap = [[i] for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000)]
signal.signal(signal.SIGUSR1, end_at_once)
signal.signal(signal.SIGUSR2, end_normally)
targetlib.ready()
n = 0
last = time.monotonic()
while True:
    time.sleep(0.02)
    n += 1
    if time.monotonic() - last > 0.25:
        last = time.monotonic()
        targetlib.status(n=n, objects=len(heap))
