"""Leak: a response cache keyed by something unique per request, so every entry is a miss and
nothing is ever evicted. The culprit is __main__.Response, held by __main__.cache._entries (a dict
inside a cache wrapper object)."""
import random

import leaklib


class Response:
    def __init__(self, status, body):
        self.status = status
        self.body = body
        self.headers = {"content-length": str(len(body))}


class ResponseCache:
    def __init__(self):
        self._entries = {}
        self.hits = self.misses = 0

    def get(self, key, compute):
        found = self._entries.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        found = self._entries[key] = compute()
        return found


cache = ResponseCache()


def handle(rid):
    path = random.choice(["/items", "/cart", "/user"])
    # The bug: the request id is part of the key, so no two requests share an entry.
    key = "%s?rid=%d" % (path, rid)
    return cache.get(key, lambda: Response(200, "x" * random.randint(20, 60)))


if __name__ == "__main__":
    leaklib.serve(handle, rate=600)
