"""Leak: each request registers a completion callback, a closure over the request object, in a
module-level list that is never cleared. The closures (type `function`) and their cells keep every
__main__.Request alive: the report must name __main__.Request (the culprit), held through
__main__.callbacks (a list of closures)."""
import random

import leaklib


class Request:
    def __init__(self, rid, path):
        self.rid = rid
        self.path = path
        self.headers = {"x-request-id": str(rid)}


callbacks = []  # the leak: callbacks are added, never removed once they have run


def handle(rid):
    request = Request(rid, random.choice(["/", "/items", "/cart"]))

    def on_done(result):
        return request.rid, result  # captures the request: a cell in the closure

    callbacks.append(on_done)
    return len(callbacks)


if __name__ == "__main__":
    leaklib.serve(handle, rate=400)
