"""A singly linked list N links deep (default one million): no recursion may overflow on it."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib


class Link:
    __slots__ = ("next",)

    def __init__(self, nxt):
        self.next = nxt


n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
head = None
for _ in range(n):
    head = Link(head)
targetlib.ready()
while True:
    time.sleep(0.5)
