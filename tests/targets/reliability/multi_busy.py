"""A busy multi-threaded service: the main thread allocates, one thread is blocked in accept(),
one sits in a long C call without the GIL (libc sleep() through ctypes), one compresses in C
without the GIL, one allocates too. The status adds the resident set size (RSS) in bytes."""
import ctypes
import os
import socket
import sys
import threading
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402

counters = {"accepted": 0, "compressed": 0, "alloc": 0}
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(4)


def serve():
    while True:
        connection, _ = server.accept()
        counters["accepted"] += 1
        connection.close()


def long_c_call():
    libc = ctypes.CDLL(None)  # ctypes releases the GIL around the call
    while True:
        libc.sleep(3600)


def compress():
    data = os.urandom(1 << 16) * 4
    while True:
        zlib.compress(data, 6)  # releases the GIL while it works
        counters["compressed"] += 1
        time.sleep(0.01)


def alloc():
    while True:
        targetlib.churn(20)
        counters["alloc"] += 1


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


for work in (serve, long_c_call, compress, alloc):
    threading.Thread(target=work, name=work.__name__, daemon=True).start()
sys.stdout.write("PORT %d\n" % server.getsockname()[1])
targetlib.ready()
n = 0
last = time.monotonic()
while True:
    targetlib.churn(30)
    n += 1
    if time.monotonic() - last > 0.2:
        last = time.monotonic()
        targetlib.status(n=n, rss=rss(), **counters)
