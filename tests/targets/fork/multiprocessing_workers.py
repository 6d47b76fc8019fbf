"""multiprocessing workers: a Pool of two maps a function over a range and the result is checked;
then a Process is started and joined and its exit code checked. The interpreter's default start
method (fork on 3.11, forkserver from 3.14), whose helpers (forkserver, resource tracker) are
children started before READY, the forkserver before SIGCHLD is blocked (it needs the signal)."""
import multiprocessing
import multiprocessing.forkserver
import sys
import time
import warnings

import forklib
import targetlib


def square(x):
    return x * x


def exit_with(code):
    sys.exit(code)


if __name__ == "__main__":
    warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads running (3.12+)
    context = multiprocessing.get_context()
    if context.get_start_method() == "forkserver":
        # The forkserver learns of its children's ends by SIGCHLD: started before forklib blocks it.
        multiprocessing.forkserver.ensure_running()
    forklib.start()
    pool = context.Pool(2)
    for worker in pool._pool:
        forklib.own(worker.pid)
    pool.map(square, range(10))  # the workers are up
    forklib.ready()
    n = 0
    last = time.monotonic()
    expected = [x * x for x in range(200)]
    while True:
        if pool.map(square, range(200)) != expected:
            forklib.anomaly("Pool.map gave a wrong result")
        code = n % 50
        process = context.Process(target=exit_with, args=(code,))
        process.start()
        forklib.own(process.pid)
        process.join(30)
        if process.exitcode != code:
            forklib.anomaly("a Process exited with %r, not %d" % (process.exitcode, code))
        process.close()
        targetlib.churn(10)
        n += 1
        forklib.beat("main")
        if time.monotonic() - last > 0.25:
            last = time.monotonic()
            forklib.status(n=n, method=context.get_start_method())
