"""Threads inside logging, holding its locks: three threads log through a logger whose slow handler
sleeps inside emit() (its lock held, the GIL released), one holds logging's module lock while it
sleeps, one keeps creating loggers (which takes that lock). A counting handler checks that every
record emitted was handled."""
import logging
import os
import threading
import time

import forklib
import targetlib


class Counting(logging.Handler):
    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):  # with this handler's lock held: one at a time
        self.count += 1


class Slow(logging.Handler):
    def emit(self, record):
        time.sleep(0.003)  # this handler's lock held, the GIL not


log = logging.getLogger("busy")
log.propagate = False
log.setLevel(logging.INFO)
counting = Counting()
devnull = logging.StreamHandler(open(os.devnull, "w"))
devnull.setFormatter(logging.Formatter("%(asctime)s %(threadName)s %(levelname)s %(message)s"))
for handler in (counting, Slow(), devnull):
    log.addHandler(handler)
EMITTERS = 3
emitted = [0] * EMITTERS


def emitter(index):
    while True:
        log.info("record %d of emitter %d", emitted[index], index)
        emitted[index] += 1  # after the handlers ran
        forklib.beat("emit-%d" % index)


def module_lock_holder():
    while True:
        with logging._lock:  # what getLogger, addHandler and logging's fork handlers take
            time.sleep(0.01)
        forklib.beat("module-lock")
        time.sleep(0.001)


def logger_maker():
    i = 0
    while True:
        logging.getLogger("busy.child.%d" % (i % 500))
        i += 1
        forklib.beat("getLogger")
        time.sleep(0.001)


forklib.start()
for i in range(EMITTERS):
    threading.Thread(target=emitter, args=(i,), name="emitter-%d" % i, daemon=True).start()
for work in (module_lock_holder, logger_maker):
    threading.Thread(target=work, name=work.__name__, daemon=True).start()
forklib.ready()
n = 0
last = time.monotonic()
while True:
    targetlib.churn(20)
    log.warning("main loop %d", n)
    n += 1
    forklib.beat("main")
    if time.monotonic() - last > 0.25:
        last = time.monotonic()
        # Each emitter counts a record after its handlers ran: the handled count lies between the
        # emitted count before it and that after it plus one record in flight per thread.
        before = sum(emitted) + n
        handled = counting.count
        after = sum(emitted) + n
        if not before - 1 <= handled <= after + EMITTERS + 1:
            forklib.anomaly("%d records handled, %d..%d emitted" % (handled, before, after))
        forklib.status(n=n, emitted=after, handled=handled)
