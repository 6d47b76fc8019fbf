"""Threads hammering malloc and free. Four threads allocate blocks of every size class through libc
itself (ctypes drops the GIL around each call, so at the instant of a clone a thread may well be
inside malloc or free, holding an arena's lock), fill each, read it back and free them in another
order; the main thread churns Python objects (pymalloc, and malloc for the big ones)."""
import ctypes
import random
import threading
import time

import forklib
import targetlib

libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.memset.restype = ctypes.c_void_p
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
SIZES = [16, 24, 48, 100, 256, 1000, 4096, 20000, 100000, 200000, 1 << 20]  # the last ones mmap'ed
THREADS = 4
rounds = [0] * THREADS


def hammer(index):
    rng = random.Random(index)
    while True:
        blocks = []
        for _ in range(48):
            size = rng.choice(SIZES)
            block = libc.malloc(size)
            if not block:
                forklib.anomaly("malloc(%d) returned NULL" % size)
                continue
            fill = rng.randrange(1, 256)
            libc.memset(block, fill, size)
            blocks.append((block, size, fill))
        rng.shuffle(blocks)
        for block, size, fill in blocks:
            seen = ctypes.string_at(block, 8) + ctypes.string_at(block + size - 8, 8)
            if seen != bytes([fill]) * 16:
                forklib.anomaly("a block of %d bytes read back %r, not %d" % (size, seen, fill))
            libc.free(block)
        rounds[index] += 1
        forklib.beat("malloc-%d" % index)
        time.sleep(0.001)


forklib.start()
for i in range(THREADS):
    threading.Thread(target=hammer, args=(i,), name="malloc-%d" % i, daemon=True).start()
forklib.ready()
n = 0
last = time.monotonic()
rng = random.Random(99)
while True:
    kept = [{"i": i, "blob": bytearray(rng.choice(SIZES))} for i in range(20)]
    targetlib.churn(20)
    del kept
    n += 1
    forklib.beat("main")
    if time.monotonic() - last > 0.25:
        last = time.monotonic()
        forklib.status(n=n, rounds=sum(rounds))
