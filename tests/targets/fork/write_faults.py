"""A heap of N small lists (default 300,000) that, for each line `pass` on stdin, takes a reference
to every object the collector tracks and drops it again (gc.get_objects()): a write to each, as a
program's next full pass over its data after a snapshot. Prints `FAULTS <minor page faults>` the
pass took, the whole process's (the list of objects made for it counts too)."""
import gc
import os
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402

heap = [[i] for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000)]
targetlib.ready()
for line in sys.stdin:
    if line.strip() == "pass":
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        objects = gc.get_objects()
        del objects
        print("FAULTS %d" % (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before), flush=True)
