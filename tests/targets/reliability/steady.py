"""Main thread busy in pure Python, allocating cyclic garbage, with a status (stamped with the wall
clock, so a test can time what happened in between) every ~0.1 s.

    steady.py [links]   also hold a linked list that many links long (a slower heap snapshot)

SIGTERM ends it cleanly through sys.exit(0): the interpreter finalizes while an agent may be busy.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402


class Link:
    __slots__ = ("next",)

    def __init__(self, nxt):
        self.next = nxt


def leave(signum, frame):
    sys.stdout.write("EXITING\n")
    sys.stdout.flush()
    sys.exit(0)


head = None
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 0):
    head = Link(head)
signal.signal(signal.SIGTERM, leave)
targetlib.ready()
n = 0
last = time.monotonic()
while True:
    targetlib.churn(50)
    n += 1
    if time.monotonic() - last > 0.1:
        last = time.monotonic()
        targetlib.status(n=n, t=time.time())
