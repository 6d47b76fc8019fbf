"""Main thread waiting in selectors (epoll) with a long timeout; counts wake-ups."""
import os, selectors, socket, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib

a, b = socket.socketpair()
sel = selectors.DefaultSelector()
sel.register(a, selectors.EVENT_READ)
targetlib.ready()
n = 0
while True:
    events = sel.select(timeout=1.0)
    for key, _ in events:
        key.fileobj.recv(100)
    n += 1
    targetlib.churn(20)
    targetlib.status(n=n, kind=type(sel).__name__)
