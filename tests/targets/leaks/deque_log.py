"""Leak: an access log that keeps every record in a collections.deque created without maxlen (the
missing `deque(maxlen=1000)`), on a long-lived object. The culprit is __main__.AccessRecord, held
by __main__.access_log.records (a deque)."""
import collections
import random
import time

import leaklib


class AccessRecord:
    def __init__(self, rid, path, status):
        self.rid = rid
        self.path = path
        self.status = status
        self.at = time.time()


class AccessLog:
    def __init__(self):
        self.records = collections.deque()  # the leak: no maxlen, nobody pops
        self.count = 0

    def append(self, record):
        self.records.append(record)
        self.count += 1


access_log = AccessLog()


def handle(rid):
    path = random.choice(["/", "/login", "/items", "/cart"])
    access_log.append(AccessRecord(rid, path, random.choice([200, 200, 200, 404])))
    return access_log.count


if __name__ == "__main__":
    leaklib.serve(handle, rate=500)
