"""Shared by the test targets: status lines the integration tests read from stdout.

Each target prints `READY <pid>` once it is set up and then `STATUS {json}` lines. A status carries
what the tests check after gcscope detached: the target still works (n grows), gc.callbacks holds
nothing of ours, and the thread and descriptor counts are back where they were.
"""
import gc
import json
import os
import sys


def status(**extra):
    info = {
        "n": extra.pop("n", 0),
        "callbacks": len(gc.callbacks),
        "threads": len(os.listdir("/proc/self/task")),
        "fds": len(os.listdir("/proc/self/fd")),
        "collections": [g["collections"] for g in gc.get_stats()],
        "enabled": gc.isenabled(),
    }
    info.update(extra)
    sys.stdout.write("STATUS " + json.dumps(info) + "\n")
    sys.stdout.flush()


def ready():
    sys.stdout.write("READY %d\n" % os.getpid())
    sys.stdout.flush()


class Node:
    """A small user class whose instances form cycles, so the collector has work."""

    def __init__(self, payload):
        self.payload = payload
        self.peer = None


def churn(rounds=200):
    """Allocate short-lived cyclic garbage: drives generation-0 collections."""
    for i in range(rounds):
        a = Node([i])
        b = Node({"i": i})
        a.peer, b.peer = b, a
