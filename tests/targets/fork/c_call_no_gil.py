"""Threads blocked in C calls without the GIL: one in read() on a pipe the main thread feeds a byte
every 20 ms (it checks the sequence), one in usleep() through ctypes, one in sleep(3600) for the
whole run, one in select() on a socket that never speaks, one hashing 16 MiB (hashlib drops the GIL)
and checking the digest."""
import ctypes
import hashlib
import os
import select
import socket
import threading
import time

import forklib
import targetlib

libc = ctypes.CDLL(None)
reading, writing = os.pipe()
received = [0]
hashed = [0]
DATA = os.urandom(1 << 20) * 16
DIGEST = hashlib.sha256(DATA).hexdigest()
quiet, _peer = socket.socketpair()


def pipe_reader():
    while True:
        byte = os.read(reading, 1)  # blocked in read(), without the GIL, until the main thread writes
        if byte != bytes([received[0] % 256]):
            forklib.anomaly("the pipe gave %r as byte %d" % (byte, received[0]))
        received[0] += 1
        forklib.beat("pipe-read")


def c_sleeper():
    while True:
        libc.usleep(50000)
        forklib.beat("usleep")


def blocked_for_good():
    libc.sleep(3600)


def selector():
    while True:
        select.select([quiet], [], [], 0.1)
        forklib.beat("select")


def hasher():
    while True:
        if hashlib.sha256(DATA).hexdigest() != DIGEST:
            forklib.anomaly("sha256 of the same 16 MiB changed")
        hashed[0] += 1
        forklib.beat("sha256")
        time.sleep(0.01)


forklib.start()
for work in (pipe_reader, c_sleeper, blocked_for_good, selector, hasher):
    threading.Thread(target=work, name=work.__name__, daemon=True).start()
forklib.ready()
n = 0
last = time.monotonic()
while True:
    os.write(writing, bytes([n % 256]))
    n += 1
    targetlib.churn(10)
    forklib.beat("main")
    time.sleep(0.02)
    if time.monotonic() - last > 0.25:
        last = time.monotonic()
        if n - received[0] > 50:
            forklib.anomaly("the pipe reader is %d bytes behind" % (n - received[0]))
        forklib.status(n=n, received=received[0], hashed=hashed[0])
