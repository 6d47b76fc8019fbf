"""Holds MB mebibytes (argument, default 256) of written, so resident, anonymous memory: a target too
big for a snapshot child to fit beside it when memory is short. The status adds rss_anon in bytes."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402

PAGE = 4096


def rss_anon():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


size = (int(sys.argv[1]) if len(sys.argv) > 1 else 256) << 20
ballast = bytearray(size)
ballast[::PAGE] = b"\x01" * len(range(0, size, PAGE))  # every page written: resident
targetlib.ready()
n = 0
while True:
    targetlib.churn(20)
    n += 1
    time.sleep(0.25)
    targetlib.status(n=n, rss_anon=rss_anon())
