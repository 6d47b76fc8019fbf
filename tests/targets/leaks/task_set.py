"""Leak: asyncio tasks kept in a set "so they are not garbage collected", but never discarded when
done (the missing task.add_done_callback(inflight.discard)). The culprit is _asyncio.Task, held by
__main__.dispatcher.inflight (a set); each finished task also keeps its JobResult."""
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402


class JobResult:
    def __init__(self, job):
        self.job = job
        self.value = [job] * 3


class Dispatcher:
    def __init__(self):
        self.inflight = set()

    def submit(self, job):
        task = asyncio.get_running_loop().create_task(run_job(job))
        self.inflight.add(task)  # the leak: never removed once the task is done


dispatcher = Dispatcher()


async def run_job(job):
    await asyncio.sleep(0)
    return JobResult(job)


async def main(duration):
    end = time.monotonic() + duration
    job = 0
    targetlib.ready()
    while time.monotonic() < end:
        for _ in range(8):
            job += 1
            dispatcher.submit(job)
        await asyncio.sleep(0.02)


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else float("inf")))
