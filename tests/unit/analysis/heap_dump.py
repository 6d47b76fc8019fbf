"""Dumps this interpreter's heap the way gcscope's agent walks it, then runs a full collection.

Used by test_real_python.cpp: it builds known garbage, writes every GC-tracked object
(gc.get_objects) with its refcount and its references (gc.get_referents = tp_traverse), plus
the untracked objects they point at, and finally prints what gc.collect() returned. The
analysis engine must predict that number from the dump alone.

Output lines, tab-separated:
  O  address  type  size  refcount  flags      (flags: 1 tracked, 2 finalizer, 4 explicit root)
  E  from  to
  K  address  name     (objects the test asks about)
and on stdout: "collected N".
"""
import gc
import sys

gc.disable()


class Node:
    def __init__(self):
        self.next = None


class Person:
    def __init__(self, name):
        self.name = name
        self.friend = None

    def __del__(self):
        pass


class Phoenix:
    """Resurrects itself from __del__: CPython 3.11 still counts it as collected."""
    saved = []

    def __init__(self):
        self.me = self

    def __del__(self):
        Phoenix.saved.append(self)


KEEP = []


def make_heap(resurrect):
    a = []
    a.append(a)  # a list containing itself
    d1 = {}
    d2 = {"other": d1}
    d1["other"] = d2  # two dicts pointing at each other
    ring = [Node() for _ in range(5)]
    for x, y in zip(ring, ring[1:] + ring[:1]):
        x.next = y  # a ring of nodes
    p, q = Person("p"), Person("q")
    p.friend = q
    q.friend = p  # two finalizable objects pointing at each other
    if resurrect:
        Phoenix()
    live = [Node(), Node()]
    live[0].next = live[1]
    live[1].next = live[0]
    KEEP.append(live)  # a cycle something still holds: not garbage


def type_name(t):
    module = getattr(t, "__module__", None)
    if not isinstance(module, str) or module == "builtins":
        return t.__qualname__
    return module + "." + t.__qualname__


def flags_of(t, tracked):
    f = 1 if tracked else 0
    if tracked and getattr(t, "__del__", None) is not None:
        f |= 2
    return f


def size_of(o):
    try:
        return sys.getsizeof(o)
    except Exception:
        return 0


def dump(path):
    probe = []
    objs = gc.get_objects()
    # Refcounts first, before anything below takes references. The same expression for every
    # object, so the extra references it adds (the objs list, the loop variable, the argument)
    # are the same for all: the probe, held by one local, measures them.
    counts = [sys.getrefcount(o) for o in objs]
    offset = next(c for o, c in zip(objs, counts) if o is probe) - 1
    with open(path, "w") as out:
        tracked = set(map(id, objs))
        leaves = set()
        for o, c in zip(objs, counts):
            t = type(o)
            flags = flags_of(t, True) | (4 if o is sys.modules else 0)
            out.write(f"O\t{id(o)}\t{type_name(t)}\t{size_of(o)}\t{c - offset}\t{flags}\n")
            for r in gc.get_referents(o):
                out.write(f"E\t{id(o)}\t{id(r)}\n")
                if id(r) not in tracked and id(r) not in leaves:
                    leaves.add(id(r))
                    out.write(f"O\t{id(r)}\t{type_name(type(r))}\t{size_of(r)}\t0\t0\n")
        out.write(f"K\t{id(KEEP)}\tKEEP\n")
        out.write(f"K\t{id(probe)}\tprobe\n")
    del objs, counts


def main():
    path = sys.argv[1]
    resurrect = len(sys.argv) > 2 and sys.argv[2] == "resurrect"
    gc.collect()
    make_heap(resurrect)
    dump(path)
    print("collected", gc.collect(), flush=True)


main()
