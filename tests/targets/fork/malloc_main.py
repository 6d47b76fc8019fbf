"""A main thread that lives in malloc's slow path. It allocates and frees blocks too big for glibc's
per-thread cache and too small for mmap, so nearly every call takes an arena lock. glibc 2.43
(Debian sid) reaches that path by a tail call from malloc and free: a thread stopped there shows no
malloc frame, only unnamed libc code called from Python, arena lock held. Other threads (forklib's)
make the locking real; its dlsym loop shows a dynamic loader's lock left held as a growing gap."""
import random
import time

import forklib

SIZES = [3000, 9000, 20000, 50000, 100000]

forklib.start()
forklib.ready()
rng = random.Random(7)
n = 0
last = time.monotonic()
while True:
    blocks = [bytearray(rng.choice(SIZES)) for _ in range(64)]
    del blocks
    n += 1
    forklib.beat("main")
    if time.monotonic() - last > 0.25:
        last = time.monotonic()
        forklib.status(n=n)
