"""Control, no leak: every request allocates many objects that reference counting frees at once
(no cycles, nothing kept). Must not be a suspect."""
import random

import leaklib


class Message:
    def __init__(self, rid):
        self.rid = rid
        self.fields = {"a": rid, "b": [rid, rid + 1]}


def handle(rid):
    batch = [Message(rid * 10 + i) for i in range(20)]
    total = sum(m.fields["b"][1] for m in batch)
    return total + random.random()


if __name__ == "__main__":
    leaklib.serve(handle, rate=600)
