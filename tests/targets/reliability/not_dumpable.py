"""A process that made itself non-dumpable (as setuid programs and some hardened services are):
only a CAP_SYS_PTRACE tracer may attach."""
import ctypes
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402

PR_SET_DUMPABLE = 4
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
    raise SystemExit("prctl(PR_SET_DUMPABLE) failed")
targetlib.ready()
n = 0
while True:
    time.sleep(0.2)
    n += 1
    targetlib.status(n=n)
