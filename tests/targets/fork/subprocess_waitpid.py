"""subprocess children waited for with os.waitpid(-1): each round starts three `sh -c 'exit N'`
with subprocess.Popen and one os.fork() child that _exits with its own N, then reaps them with
os.waitpid(-1, 0), checking every pid it gets is one it started and every status is the one it
chose. With nothing of its own left, os.waitpid(-1, WNOHANG) must say ECHILD: any other answer is a
child it can see and did not start."""
import os
import random
import subprocess
import time
import warnings

import forklib
import targetlib

warnings.simplefilter("ignore", DeprecationWarning)  # os.fork() with threads running (3.12+)
rng = random.Random(7)
reaped = 0


def spawn():
    outstanding = {}  # pid -> (the exit status chosen, its Popen or None)
    for _ in range(3):
        code = rng.randrange(0, 100)
        p = subprocess.Popen(["/bin/sh", "-c", "exit %d" % code])
        forklib.own(p.pid)
        outstanding[p.pid] = (code, p)
    code = rng.randrange(0, 100)
    pid = os.fork()
    if pid == 0:
        os._exit(code)
    forklib.own(pid)
    outstanding[pid] = (code, None)
    return outstanding


def reap(outstanding):
    global reaped
    while outstanding:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            forklib.anomaly("os.waitpid(-1) said ECHILD with %d children of ours outstanding" % len(outstanding))
            return
        if pid not in outstanding:
            forklib.anomaly("os.waitpid(-1) returned pid %d (%s), not a child of ours" % (pid, forklib.comm_of(pid)))
            continue
        code, popen = outstanding.pop(pid)
        got = os.waitstatus_to_exitcode(status)
        if got != code:
            forklib.anomaly("child %d exited with %d, not %d" % (pid, got, code))
        if popen is not None:
            popen.returncode = got  # reaped here: the Popen must not wait for it again
        reaped += 1
    try:
        pid, status = os.waitpid(-1, os.WNOHANG)
        forklib.anomaly("os.waitpid(-1, WNOHANG) with nothing of ours outstanding gave pid %d (%s)"
                        % (pid, forklib.comm_of(pid) if pid else "a child still running"))
    except ChildProcessError:
        pass


forklib.start()
forklib.ready()
n = 0
last = time.monotonic()
while True:
    reap(spawn())
    targetlib.churn(10)
    n += 1
    forklib.beat("main")
    time.sleep(0.01)
    if time.monotonic() - last > 0.25:
        last = time.monotonic()
        forklib.status(n=n, reaped=reaped)
