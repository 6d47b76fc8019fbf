"""The examples of the GC articles, kept as garbage with the collector disabled, so a snapshot can
predict what the next full collection frees. Commands on stdin (one per line), answers as STATUS:
  census  -> per-type counts of gc.get_objects() (this command's own objects excluded)
  collect -> what gc.collect() returns
"""
import gc
import json
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib  # noqa: E402


class Node:
    def __init__(self, name):
        self.name = name
        self.next = None


class Person:
    def __init__(self, name):
        self.name = name
        self.friend = None

    def __del__(self):
        pass


class Kept:
    """Reachable, in a cycle: must not be counted as garbage."""

    def __init__(self):
        self.me = self


def make_garbage():
    lst = []
    lst.append(lst)  # a list that contains itself
    a, b = {}, {}
    a["b"], b["a"] = b, a  # two dicts pointing at each other
    ring = [Node("n%d" % i) for i in range(5)]  # Node objects in a ring
    for i, n in enumerate(ring):
        n.next = ring[(i + 1) % len(ring)]
    p, q = Person("alice"), Person("bob")  # friends with __del__
    p.friend, q.friend = q, p


gc.disable()
gc.collect()
kept = [Kept() for _ in range(3)]
make_garbage()
targetlib.ready()
# os.read, not `for line in sys.stdin`: a buffered read holds a memoryview while it waits, which a
# snapshot rightly sees and the census after it does not.
while True:
    data = os.read(0, 100)
    if not data:
        break
    cmd = data.decode().strip()
    if cmd == "census":
        objs = gc.get_objects()
        counts = Counter(type(o).__module__ + "." + type(o).__qualname__ if type(o).__module__ != "builtins"
                         else type(o).__qualname__ for o in objs)
        del objs
        sys.stdout.write("STATUS " + json.dumps({"census": counts}) + "\n")
    elif cmd == "collect":
        sys.stdout.write("STATUS " + json.dumps({"collected": gc.collect()}) + "\n")
    sys.stdout.flush()
