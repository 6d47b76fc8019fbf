"""Leak: a long-lived worker thread caches results in a threading.local() whose per-thread cache is
never trimmed, keyed by something unique per job. The main thread feeds it requests through a
queue. The culprit is __main__.CachedResult, held by the worker's thread-local dict
(__main__.tls.cache: the local's per-thread storage, reached through __main__.tls)."""
import queue
import threading

import leaklib


class Job:
    def __init__(self, rid):
        self.rid = rid
        self.payload = "job%d" % rid


class CachedResult:
    def __init__(self, job):
        self.rid = job.rid
        self.value = [job.rid, len(job.payload)]
        self.tags = ("computed", job.payload)


tls = threading.local()
jobs = queue.Queue()


def worker():
    tls.cache = {}  # the leak: per-thread cache, keyed by job id, never evicted
    while True:
        job = jobs.get()
        if job is None:
            return
        tls.cache[job.rid] = CachedResult(job)
        del job


def handle(rid):
    jobs.put(Job(rid))


if __name__ == "__main__":
    threading.Thread(target=worker, name="cache-worker", daemon=True).start()
    leaklib.serve(handle, rate=500)
    jobs.put(None)
