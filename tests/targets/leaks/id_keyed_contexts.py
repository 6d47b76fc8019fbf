"""Leak: per-request contexts kept in a module-level dict keyed by id(request) and never removed
(the missing `contexts.pop(id(request))` when the request ends). Each context holds its request,
so no id is ever reused and the dict only grows. The culprit is __main__.RequestContext, held by
__main__.contexts (a dict); each context's __main__.Request comes along with it."""
import random
import time

import leaklib


class Request:
    def __init__(self, rid, path):
        self.rid = rid
        self.path = path
        self.params = {"page": rid % 7, "q": "item%d" % rid}


class RequestContext:
    def __init__(self, request):
        self.request = request
        self.started = time.monotonic()
        self.user = "user%d" % random.randrange(100)
        self.trace = [request.path]


contexts = {}  # the leak: one entry per request, keyed by id(request), never popped


def handle(rid):
    request = Request(rid, random.choice(["/", "/search", "/items", "/cart"]))
    contexts[id(request)] = RequestContext(request)
    context = contexts[id(request)]
    context.trace.append("done")
    return len(context.trace)


if __name__ == "__main__":
    leaklib.serve(handle, rate=500)
