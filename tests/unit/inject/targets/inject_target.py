"""Python targets for the injector tests: put the main thread in one state, say "ready", then
show it keeps working by printing heartbeats ("beat N"). Usage: inject_target.py MODE [SECONDS]."""
import os
import selectors
import signal
import socket
import sys
import threading
import time

usr1 = 0


def say(*words):
    print(*words, flush=True)


def heartbeat(busy=False, count=None):
    n = 0
    next_beat = time.monotonic()
    while count is None or n < count:
        if busy:
            sum(i * i for i in range(2000))  # pure Python work between beats
        else:
            time.sleep(0.02)
        if time.monotonic() >= next_beat:
            n += 1
            say("beat", n, "usr1=%d" % usr1)
            next_beat += 0.05


def on_usr1(signum, frame):
    global usr1
    usr1 += 1


def hold_the_gil():
    while True:
        sum(range(3_000_000))  # one C call: the GIL is not released until it returns


def allocate_forever():
    keep = []
    while True:
        keep.append({i: str(i) * 3 for i in range(50)})
        if len(keep) > 200:
            keep.clear()


def malloc_churn():
    # Blocks over pymalloc's 512-byte limit (and over tcache's 1032) go to glibc's bins; a window
    # of thousands of live blocks of varying sizes keeps malloc and free busy splitting and
    # coalescing chunks, the work an injected malloc corrupts when it lands in the middle of it.
    window = [None] * 4096
    sizes = [1100 + (k * 7919) % 6900 for k in range(4096)]
    beats = 0
    while True:
        for i, size in enumerate(sizes):
            window[(i * 7919) % 4096] = b"x" * size
        beats += 1
        say("beat", beats, "usr1=0")


def c_library_churn():
    # malloc and free called from inside the C library (strdup, then free), in a process that has
    # had a second thread, so that glibc's malloc takes the arena's lock: with glibc 2.43 the
    # thread holds it in static helpers that malloc tail-called, under strdup's frame, not malloc's.
    import ctypes
    threading.Thread(target=lambda: None).start()
    libc = ctypes.CDLL("libc.so.6")
    libc.strdup.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    text = b"x" * 40000  # over tcache's and fastbins' sizes, under the mmap threshold
    say("ready")
    beats = 0
    while True:
        for _ in range(2000):
            libc.free(libc.strdup(text))
        beats += 1
        say("beat", beats, "usr1=0")


def main():
    mode = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    signal.signal(signal.SIGUSR1, on_usr1)
    if mode == "busy":
        say("ready")
        heartbeat(busy=True)
    elif mode == "sleep":
        say("ready")
        start = time.monotonic()
        time.sleep(seconds)
        say("slept %.3f" % (time.monotonic() - start))
        heartbeat()
    elif mode == "accept":
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        say("ready", server.getsockname()[1])
        connection, _ = server.accept()
        say("accepted")
        heartbeat()
    elif mode == "read":
        say("ready")
        data = os.read(0, 100)
        say("read", data.decode().strip())
        heartbeat()
    elif mode == "select":
        selector = selectors.DefaultSelector()
        selector.register(0, selectors.EVENT_READ)
        say("ready", type(selector).__name__)
        selector.select()
        say("selected", os.read(0, 100).decode().strip())
        heartbeat()
    elif mode == "gil":
        threading.Thread(target=hold_the_gil, daemon=True).start()
        say("ready")
        heartbeat()
    elif mode == "threads":
        for _ in range(4):
            threading.Thread(target=allocate_forever, daemon=True).start()
        say("ready")
        heartbeat(busy=True)
    elif mode == "malloc":
        say("ready")
        malloc_churn()
    elif mode == "c-malloc":
        c_library_churn()
    else:
        sys.exit("unknown mode " + mode)


main()
