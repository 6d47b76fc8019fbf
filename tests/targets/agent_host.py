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


agent = None
keep = []


def facts():
    return {
        "callbacks": len(gc.callbacks),
        "threads": len(os.listdir("/proc/self/task")),
        "fds": len(os.listdir("/proc/self/fd")),
        "stats": gc.get_stats(),
        "enabled": gc.isenabled(),
        "executable": sys.executable,
        "pid": os.getpid(),
        "threading_imported": "threading" in sys.modules,
    }


def build_census_workload(n):
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
    # Plain str -> int dicts stay untracked, so this bookkeeping is invisible to gc.get_objects()
    # and the heap the agent counts later is exactly the one measured here.
    counts = dict.fromkeys(names, 0)
    sizes = dict.fromkeys(names, 0)
    objects = gc.get_objects()
    total = len(objects)
    for o in objects:
        t = type(o)
        name = t.__qualname__ if t.__module__ == "builtins" else t.__module__ + "." + t.__qualname__
        if name in counts:
            counts[name] += 1
            # Sized.__sizeof__ raises, so sys.getsizeof cannot measure it: basic size plus the GC
            # header and managed-dict pointers is what the agent must report.
            sizes[name] += (t.__basicsize__ + 32) if t is Sized else sys.getsizeof(o)
    del objects, o
    callback_size = sum(sys.getsizeof(cb) for cb in gc.callbacks)
    return {"counts": counts, "sizes": sizes, "objects": total, "callback_size": callback_size}


def make_cycles(n):
    for i in range(n):
        a = Node()
        b = Node()
        a.other = b
        b.other = a
        a.payload = [i]


def main():
    global agent
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
            reply = build_census_workload(int(args[0]))
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
        elif command == "exit":
            print(json.dumps({}), flush=True)
            return
        else:
            reply["error"] = "unknown command " + command
        print(json.dumps(reply), flush=True)
        del reply  # nothing of a command's answer may outlive it (the census test counts lists)


main()
