"""Holds N Keeper objects, then exits by itself: after SECONDS, or when a line "exit" arrives on
stdin ("status" prints a status). Prints READY, a STATUS (with the count of gcscope's functions alive) then and just before it returns, and
"USER-ATEXIT" from its own atexit handler, which must still run after gcscope's last snapshot.
Usage: exits_by_itself.py N [SECONDS]"""
import atexit
import gc
import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib


class Keeper:
    pass


atexit.register(lambda: print("USER-ATEXIT", flush=True))
KEPT = [Keeper() for _ in range(int(sys.argv[1]))]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3600.0
def ours():
    """gcscope's function objects still alive (its gc callback, its exit hook): none once detached.
    (atexit._ncallbacks() cannot tell: CPython 3.11 leaves an unregistered callback's slot counted.)"""
    return sum(1 for o in gc.get_objects()
               if type(o).__name__ == "builtin_function_or_method" and o.__name__.startswith("gcscope"))


def status():
    targetlib.status(gcscope_functions=ours(), kept=len(KEPT))


targetlib.ready()
status()
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    ready, _, _ = select.select([sys.stdin], [], [], 0.05)
    command = sys.stdin.readline().strip() if ready else ""
    if command == "exit":
        break
    if command == "status":
        status()
status()
