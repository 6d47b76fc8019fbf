"""A target process for the agent's unit tests.

The test (acting as the profiler) drives it with one command per line on stdin and reads one JSON
object per line on stdout. Between commands the main thread is blocked reading stdin, so the GIL
is free for the agent. The agent is loaded with ctypes, as the injector would dlopen it.
"""
import ctypes
import gc
import json
import os
import sys


class Node:
    pass


class ListSub(list):
    pass


class DictSub(dict):
    pass


class SetSub(set):
    pass


class TupleSub(tuple):
    pass


class IntSub(int):
    pass


class StrSub(str):
    pass


class Sized:
    def __sizeof__(self):  # the agent must never call this
        raise RuntimeError("user __sizeof__ called")


class Finalizable:
    def __del__(self):
        pass


agent = None
keep = []
known = {}
allocator = None


# What the interpreter's own gc.callbacks info carries ("duration" and "candidates" from 3.15), so
# that tests expect what this interpreter reports rather than what its version suggests.
_gc_info_keys = set()


def _note_gc_info(phase, info):
    if phase == "stop":
        _gc_info_keys.update(info)


gc.callbacks.append(_note_gc_info)


def _thread_name(tid):
    try:
        with open("/proc/self/task/%s/comm" % tid) as f:
            return f.read().strip()
    except OSError:  # the thread ended meanwhile
        return ""


def facts():
    return {
        "gc_info_keys": sorted(_gc_info_keys),
        "callbacks": len(gc.callbacks),
        "threads": len(os.listdir("/proc/self/task")),
        "thread_names": sorted(_thread_name(t) for t in os.listdir("/proc/self/task")),
        "fds": len(os.listdir("/proc/self/fd")),
        "stats": gc.get_stats(),
        "enabled": gc.isenabled(),
        "executable": sys.executable,
        "pid": os.getpid(),
        "hexversion": sys.hexversion,
        "threshold": list(gc.get_threshold()),
        "threading_imported": "threading" in sys.modules,
    }


def build_census_workload(n, empty_reply):
    """Objects of known types and sizes; returns what a census must report for them."""
    gc.disable()  # no automatic collection may untrack tuples/dicts before the census
    for i in range(n):
        keep.append(Node())
        keep.append(ListSub(range(i % 7)))
        keep.append(DictSub({str(k): k for k in range(i % 9)}))
        keep.append(SetSub(range(i % 11)))
        keep.append(TupleSub(range(i % 5)))
        keep.append(IntSub(i * 10**(i % 4)))
        keep.append(StrSub("x" * (i % 13)))
        keep.append(Sized())
        keep.append([None] * (i % 6))
        keep.append({"k": [i]})
        keep.append({i, -i, i + 1})
    names = ("__main__.Node", "__main__.ListSub", "__main__.DictSub", "__main__.SetSub", "__main__.TupleSub",
             "__main__.IntSub", "__main__.StrSub", "__main__.Sized", "list", "dict", "set", "tuple", "function",
             "type", "cell", "builtin_function_or_method", "memoryview", "managedbuffer")
    # This bookkeeping is gone by the time the agent counts: plain str -> int dicts stay untracked
    # up to 3.13, but from 3.14 every dict is tracked, so these (and the command loop's empty reply)
    # are left out of the count.
    counts = dict.fromkeys(names, 0)
    sizes = dict.fromkeys(names, 0)
    own = {id(counts), id(sizes), id(empty_reply)}
    own.add(id(own))
    objects = gc.get_objects()
    total = len(objects)
    for o in objects:
        if id(o) in own:
            total -= 1
            continue
        t = type(o)
        name = t.__qualname__ if t.__module__ == "builtins" else t.__module__ + "." + t.__qualname__
        if name in counts:
            counts[name] += 1
            # Sized.__sizeof__ raises, so sys.getsizeof cannot measure it: basic size plus the GC
            # header and managed-dict pointers is what the agent must report.
            sizes[name] += (t.__basicsize__ + 32) if t is Sized else sys.getsizeof(o)
    del objects, o
    callback_size = sum(sys.getsizeof(cb) for cb in gc.callbacks if cb is not _note_gc_info)
    return {"counts": counts, "sizes": sizes, "objects": total, "callback_size": callback_size}


def make_cycles(n):
    for i in range(n):
        a = Node()
        b = Node()
        a.other = b
        b.other = a
        a.payload = [i]


def type_name(t):
    module = t.__module__
    return t.__qualname__ if module == "builtins" else module + "." + t.__qualname__


def census_tracked(empty_reply):
    """Tracked objects per type as gc.get_objects() sees them, less the agent's callback in
    gc.callbacks. No closure and no argument tuple: this function creates nothing tracked before
    it looks. (The main loop's `words` and `args` lists are new ones, standing in for those of the
    previous command that it held while waiting.)"""
    objects = gc.get_objects()
    agent_callback = gc.callbacks[-1] if gc.callbacks else None
    counts = {}
    for o in objects:
        if o is agent_callback or o is empty_reply:  # the loop's empty reply: tracked from 3.14
            continue
        name = type_name(type(o))
        counts[name] = counts.get(name, 0) + 1
    del objects
    return {"counts": counts}


def build_known():
    """Structures whose references, labels and refcounts the test knows exactly."""
    gc.disable()
    ring = [Node() for _ in range(5)]
    for i, node in enumerate(ring):
        node.next = ring[(i + 1) % 5]
    selfref = []
    selfref.append(selfref)
    d1, d2 = {}, {}
    d1["partner"] = d2
    d2["back"] = d1
    three = [ring[0], d1, selfref]
    strs = ["leaf-%d-" % i * 3 for i in range(3)]
    finalizable = Finalizable()
    def generator():
        yield 1
    gen = generator()
    known.update(ring=ring, selfref=selfref, d1=d1, d2=d2, three=three, strs=strs, finalizable=finalizable,
                 gen=gen, number=int("12345"), fraction=0.25, accented="\u00e9t\u00e9 " * 20)
    import builtins
    return {
        "ring": [id(n) for n in ring],
        "node_type": id(Node),
        "selfref": id(selfref),
        "d1": id(d1),
        "d2": id(d2),
        "three": id(three),
        "strs": [id(x) for x in strs],
        "strs_list": id(strs),
        "str_sizes": [sys.getsizeof(x) for x in strs],
        "str_texts": strs,
        "finalizable": id(finalizable),
        "gen": id(gen),
        "number": id(known["number"]),
        "fraction": id(known["fraction"]),
        "accented": id(known["accented"]),
        "module": id(sys.modules[__name__]),
        "function": id(build_known),
        "modules": id(sys.modules),
        "builtins": id(builtins.__dict__),
    }


class Slotted:
    __slots__ = ("a", "b", "__dict__", "__weakref__")


class WithDict:
    def __init__(self, i):
        self.x = i
        self.y = [i]


class Subclassed(WithDict):
    pass


class SeqHolder(list):
    def __init__(self, items):
        super().__init__(items)
        self.extra = {"k": items}


async def coroutine_function(n):
    values = [n, str(n)]
    return values


def generator_function(items):
    total = 0
    for item in items:
        total += len(item)
        yield total


def closure_factory(n, scale=2, *, name="c"):
    cell_value = [n]
    def inner(x: int = 3) -> list:
        return cell_value * scale + [x]
    return inner


def finished_frame(depth):
    local_list = [depth, "frame-%d" % depth]
    return sys._getframe(), local_list


def build_varied(n):
    """A heap with every kind of object whose layout changed between CPython versions: instances with
    inline values, a materialised __dict__, __slots__; dicts split, combined and keyed by non-str;
    suspended generators and coroutines; closures, bound methods, finished frames; str in every
    representation; ints of every size. Returns, for each object reachable from it within a few
    steps, what CPython itself says (see truth_of)."""
    gc.disable()
    varied = []
    for i in range(n):
        plain = WithDict(i)
        materialised = WithDict(-i)
        materialised.__dict__["late"] = (i, "late")  # the __dict__ exists now
        slotted = Slotted()
        slotted.a = [i]
        slotted.b = "s%d" % i
        slotted.c = {i: i}  # into its __dict__
        gen = generator_function(["ab", "cde", "f" * i])
        next(gen)  # suspended inside the loop: its frame holds the iterator and locals
        coro = coroutine_function(i)  # created, never started
        method = plain.__init__
        func = closure_factory(i)
        frame, frame_list = finished_frame(i)
        varied.append([
            plain, materialised, slotted, Subclassed(i), SeqHolder([i, i + 1]),
            {"a": i, "b": [i]}, {1: "one", (2, 3): i, 4.5: None}, dict.fromkeys(("p", "q"), i),
            (i, "t", (i,)), {i, i + 1}, frozenset({"f", i}),
            gen, coro, method, func, frame, frame_list,
            "ascii %d" % i, "caf\u00e9 %d" % i, "\u20ac %d" % i, "\U0001F600 %d" % i, StrSub("sub%d" % i),
            i, -i * 10**20, 2**70 + i, 10**100, 0.5 + i, b"bytes" * i, bytearray(b"x" * i),
            None, True, Ellipsis, type(None),
        ])
        coro.close()
    known["varied"] = varied
    return {"root": id(varied)}


def borrowing_generator():
    held = Node()
    pair = [held, (yield)]  # suspended here with `held` on the value stack: borrowed from 3.14 on
    yield pair


def build_borrowed():
    """A suspended generator whose value stack holds a reference its target's refcount does not
    count (3.14+: LOAD_FAST_BORROW), its object held by nothing else."""
    gen = borrowing_generator()
    next(gen)
    known["borrowing"] = gen
    held = next(r for r in gc.get_referents(gen) if type(r) is Node)
    return {"generator": id(gen), "held": id(held)}


def truth_of(root):
    """What CPython itself says of everything reachable from `root` within a few steps: type,
    sys.getsizeof(), gc.get_referents(), immortality, tracking. Modules, types and code are the edge
    of the world (reached, sized, not followed). Run after the structure is built, so the frames of
    the functions that built it are finished and hold still."""
    stop = (type(sys), type)
    truth = {}
    queue = [(root, 0)]
    is_immortal = getattr(sys, "_is_immortal", None)
    while queue:
        o, depth = queue.pop()
        if id(o) in truth:
            continue
        referents = gc.get_referents(o)
        follow = depth < 4 and not isinstance(o, stop) and type(o).__name__ != "code"
        immortal = is_immortal(o) if is_immortal else sys.getrefcount(o) >= 2**31 - 1
        t = type(o)
        name = t.__qualname__ if t.__module__ == "builtins" else t.__module__ + "." + t.__qualname__
        truth[id(o)] = [name, sys.getsizeof(o), [id(r) for r in referents], bool(immortal), gc.is_tracked(o)]
        if follow:
            queue.extend((r, depth + 1) for r in referents)
    return {"objects": {str(k): v for k, v in truth.items()}}


def refcounts():
    """What the heap holds of a few known objects: sys.getrefcount() counts its own argument, and
    nothing else here may hold them (no tuple of them, no loop variable)."""
    counts = {}
    counts["ring0"] = sys.getrefcount(known["ring"][0]) - 1
    counts["selfref"] = sys.getrefcount(known["selfref"]) - 1
    counts["d1"] = sys.getrefcount(known["d1"]) - 1
    counts["three"] = sys.getrefcount(known["three"]) - 1
    return counts


def build_linked(n):
    gc.disable()
    head = None
    for _ in range(n):
        node = Node()
        node.next = head
        head = node
    known["linked"] = head
    return {"head": id(head)}


def build_mixed(n):
    """A heap of small records: per item a dict, a list, a tuple and a few str and int leaves."""
    gc.disable()
    keep.extend({"name": "item-%d" % i, "values": [i, i * 2.5], "pair": (i, str(i))} for i in range(n))


def python_walk():
    """The pure-Python equivalent of a snapshot's walk, timed."""
    import time
    start = time.perf_counter()
    objects = gc.get_objects()
    for o in objects:
        gc.get_referents(o)
        try:
            sys.getsizeof(o)
        except RuntimeError:  # Sized: its __sizeof__ raises
            pass
    seconds = time.perf_counter() - start
    count = len(objects)
    del objects
    return {"seconds": seconds, "objects": count}


def park_thread():
    """A thread whose running frame exists as an object (sys._getframe() made it), parked."""
    import threading
    ready = threading.Event()
    release = threading.Event()
    seen = {}
    def parked():
        frame = sys._getframe()
        seen["frame"] = id(frame)
        seen["line"] = frame.f_lineno; ready.set(); release.wait()  # one line: where the frame waits
    thread = threading.Thread(target=parked, daemon=True)
    thread.start()
    ready.wait()
    known["parked"] = (thread, release)
    return {"frame": seen["frame"], "line": seen["line"]}


class SlowFinalizer:
    def __del__(self):
        known["in_finalizer"].set()
        import time
        time.sleep(0.5)  # inside the collection, with the GIL released


def collect_slowly():
    """Starts a collection on another thread and returns while it sits in a finalizer."""
    import threading
    known["in_finalizer"] = threading.Event()
    garbage = SlowFinalizer()
    garbage.cycle = garbage
    del garbage
    thread = threading.Thread(target=gc.collect, daemon=True)
    thread.start()
    known["in_finalizer"].wait()
    known["collector"] = thread
    return {}


def start_allocator():
    import threading
    stop = threading.Event()
    def churn():
        ring = []
        while not stop.is_set():
            ring.append([Finalizable(), {"k": [1, 2]}, (object(), "x")])
            if len(ring) > 5000:
                del ring[:2500]
    thread = threading.Thread(target=churn, daemon=True)
    thread.start()
    return stop, thread


def main():
    global agent, allocator
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, args = words[0], words[1:]
        reply = {}
        if command == "load":
            agent = ctypes.CDLL(args[0])
            agent.gcscope_agent_start.argtypes = [ctypes.c_char_p]
            agent.gcscope_agent_start.restype = ctypes.c_int
        elif command == "start":
            reply["rc"] = agent.gcscope_agent_start(args[0].encode() if args else None)
        elif command == "facts":
            reply = facts()
        elif command == "collect":
            generation, times = int(args[0]), int(args[1])
            reply["results"] = [gc.collect(generation) for _ in range(times)]
            reply["stats"] = gc.get_stats()
        elif command == "nodes":
            keep.extend(Node() for _ in range(int(args[0])))
        elif command == "census_workload":
            reply = build_census_workload(int(args[0]), reply)
        elif command == "gc_disable":
            gc.disable()
        elif command == "gc_enable":
            gc.enable()
        elif command == "cycles":
            # The same garbage twice: once collected here to learn the answer, once left for the agent.
            gc.disable()
            gc.collect()
            make_cycles(int(args[0]))
            reply["expected"] = gc.collect()
            make_cycles(int(args[0]))
        elif command == "fork":
            # The child has only this thread: it must be able to collect (our callback is in its
            # gc.callbacks too) and must not hold a copy of the agent's socket.
            child = os.fork()
            if child == 0:
                gc.collect()
                os._exit(len(os.listdir("/proc/self/fd")))
            _, status = os.waitpid(child, 0)
            reply["child_fds"] = os.waitstatus_to_exitcode(status)
        elif command == "varied":
            reply = build_varied(int(args[0]))
        elif command == "borrowed":
            reply = build_borrowed()
        elif command == "truth":
            reply = truth_of(known[args[0]])
        elif command == "census_tracked":
            reply = census_tracked(reply)
        elif command == "known":
            reply = build_known()
        elif command == "refcounts":
            reply = refcounts()
        elif command == "linked":
            reply = build_linked(int(args[0]))
        elif command == "mixed":
            build_mixed(int(args[0]))
        elif command == "freeze":
            # Old objects put away by gc.freeze(), and new ones (one of them holding the old list).
            n = int(args[0])
            known["frozen_holder"] = [Node() for _ in range(n)]
            gc.freeze()
            known["fresh_holder"] = [Node() for _ in range(n)] + [known["frozen_holder"]]
            reply["frozen"] = gc.get_freeze_count()
            reply["frozen_holder"] = id(known["frozen_holder"])
            reply["fresh_holder"] = id(known["fresh_holder"])
        elif command == "python_walk":
            reply = python_walk()
        elif command == "gc_state":
            reply = {"stats": gc.get_stats(), "count": gc.get_count()}
        elif command == "secret":
            secret = "-".join(["hunter2", "SECRET"])  # built at run time: no code object holds it
            known["secret_holder"] = {"password": secret, "other": [secret]}
        elif command == "park_thread":
            reply = park_thread()
        elif command == "collect_slowly":
            reply = collect_slowly()
        elif command == "join_collector":
            known.pop("collector").join()
        elif command == "allocator_start":
            allocator = start_allocator()
        elif command == "allocator_stop":
            allocator[0].set()
            allocator[1].join()
            allocator = None
        elif command == "exit":
            print(json.dumps({}), flush=True)
            return
        else:
            reply["error"] = "unknown command " + command
        print(json.dumps(reply), flush=True)
        del reply  # nothing of a command's answer may outlive it (the census test counts lists)


main()
