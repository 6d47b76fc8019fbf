"""Holds an exact, known population of a user class so a census can be checked against it."""
import gc, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib


class Widget:
    def __init__(self, i):
        self.i = i


count = int(sys.argv[1]) if len(sys.argv) > 1 else 12345
widgets = [Widget(i) for i in range(count)]
targetlib.ready()
n = 0
while True:
    time.sleep(0.2)
    n += 1
    live = sum(1 for o in gc.get_objects() if type(o) is Widget)
    targetlib.status(n=n, widgets=live)
