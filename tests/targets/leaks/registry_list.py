"""Leak: a class-level registry list that is appended to on every request and never trimmed.

The culprit is __main__.Request, held by __main__.AuditLog.entries (a list of (time, request)
tuples). Each request also makes a Request <-> Session cycle and short-lived garbage, as real code does.
"""
import random
import time

import leaklib


class Request:
    def __init__(self, rid, path):
        self.rid = rid
        self.path = path
        self.headers = {"user-agent": "leaktest", "x-request-id": str(rid)}
        self.session = None


class Session:
    def __init__(self, request):
        self.request = request  # request <-> session: a cycle, but reachable while the request is kept
        request.session = self
        self.data = [random.random() for _ in range(4)]


class AuditLog:
    entries = []  # the leak: nobody ever trims it

    @classmethod
    def record(cls, request):
        cls.entries.append((time.time(), request))


def handle(rid):
    request = Request(rid, random.choice(["/", "/login", "/items", "/cart"]))
    Session(request)
    body = "".join(random.choice("abcdef") for _ in range(32))  # short-lived
    AuditLog.record(request)
    return len(body)


if __name__ == "__main__":
    leaklib.serve(handle, rate=600)
