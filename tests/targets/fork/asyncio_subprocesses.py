"""An asyncio loop with subprocesses: two tasks keep starting three `sh` children at a time with
asyncio.create_subprocess_exec, reading what each prints and checking its exit status (the loop's
child watcher reaps them); a ticker task beats every 20 ms, so a stalled loop shows; a task runs
short jobs in the default executor."""
import asyncio
import random
import time

import forklib
import targetlib

counters = {"children": 0, "jobs": 0}


async def one_child(index, rng):
    code = rng.randrange(0, 100)
    process = await asyncio.create_subprocess_exec("/bin/sh", "-c", 'echo "out $0"; exit %d' % code, str(index),
                                                   stdout=asyncio.subprocess.PIPE)
    forklib.own(process.pid)
    out, _ = await process.communicate()
    if process.returncode != code:
        forklib.anomaly("child %d exited with %r, not %d" % (process.pid, process.returncode, code))
    if out != b"out %d\n" % index:
        forklib.anomaly("child %d printed %r" % (process.pid, out))
    counters["children"] += 1


async def spawner(name):
    rng = random.Random(name)
    index = 0
    while True:
        await asyncio.gather(*(one_child(index + i, rng) for i in range(3)))
        index += 3
        forklib.beat(name)


async def ticker():
    while True:
        await asyncio.sleep(0.02)
        forklib.beat("loop")


async def executor_jobs():
    loop = asyncio.get_running_loop()
    while True:
        await loop.run_in_executor(None, time.sleep, 0.02)
        counters["jobs"] += 1
        forklib.beat("executor")


async def report():
    n = 0
    while True:
        await asyncio.sleep(0.25)
        targetlib.churn(10)
        n += 1
        forklib.status(n=n, **counters)


async def main():
    tasks = [asyncio.create_task(c) for c in (spawner("spawner-a"), spawner("spawner-b"), ticker(),
                                               executor_jobs(), report())]
    forklib.ready()
    await asyncio.gather(*tasks)


forklib.start()
asyncio.run(main())
