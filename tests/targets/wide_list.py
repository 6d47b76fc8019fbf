"""One list of N items (default 1.5 million), more references than one snapshot record holds
(about 1.4 million): the agent sends the rest in records marked continued. Prints each item's
address range through the status line: the first and last item's id()."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib


class Item:
    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n


n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_500_000
items = [Item(i) for i in range(n)]
targetlib.ready()
while True:
    time.sleep(0.5)
    targetlib.status(first=hex(id(items[0])), last=hex(id(items[-1])), count=len(items))
