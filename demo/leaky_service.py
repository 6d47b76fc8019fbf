"""gcscope's demo: a small "service" that leaks, the way real ones do.

Every simulated request allocates some short-lived objects (freed at once), some cyclic garbage
(freed by the collector), and, by mistake, keeps a record in a module-level list that nobody ever
trims: the leak gcscope is meant to find. Run it with `gcscope run -o demo.db -- python3 leaky_service.py`.
"""
import gc
import random
import sys
import time


class Request:
    def __init__(self, rid, path):
        self.rid = rid
        self.path = path
        self.headers = {"user-agent": "demo", "x-request-id": str(rid)}
        self.session = None


class Session:
    def __init__(self, request):
        self.request = request  # request <-> session: a reference cycle
        request.session = self
        self.data = [random.random() for _ in range(8)]


class AuditLog:
    """The leak: every request is remembered forever."""

    entries = []

    @classmethod
    def record(cls, request):
        cls.entries.append((time.time(), request))


def handle(rid):
    request = Request(rid, random.choice(["/", "/login", "/items", "/cart"]))
    Session(request)
    body = "".join(random.choice("abcdef") for _ in range(64))
    if rid % 3 == 0:
        AuditLog.record(request)
    return len(body)


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else float("inf")
    rate = 2000  # requests per second, roughly
    start = time.monotonic()
    rid = 0
    print("leaky_service: pid", __import__("os").getpid(), "threshold", gc.get_threshold(), flush=True)
    while time.monotonic() - start < duration:
        for _ in range(rate // 20):
            rid += 1
            handle(rid)
        time.sleep(0.05)
    print("leaky_service: handled", rid, "requests; audit log holds", len(AuditLog.entries), flush=True)


if __name__ == "__main__":
    main()
