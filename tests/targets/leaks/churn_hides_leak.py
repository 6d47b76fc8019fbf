"""Leak hidden in churn: every request builds a batch of __main__.Event objects linked into cycles
(each event points at its batch) and keeps the last hundred batches for retries. Dropped batches
have lived long enough to reach the oldest generation, so they wait there as cyclic garbage until a
full collection: the census count of Events climbs by thousands and falls back in a sawtooth. One
event in twenty is also sampled into __main__.telemetry.sampled, a list nobody trims (the sample
leaves its batch behind, so only the sampled events stay): those accumulate steadily under the
noise. The culprit is __main__.Event, held by __main__.telemetry.sampled (a list)."""
import collections
import random

import leaklib


class Event:
    def __init__(self, batch, kind, value):
        self.batch = batch  # event -> batch -> event: freed only by the collector
        self.kind = kind
        self.value = value


class Telemetry:
    def __init__(self):
        self.sampled = []  # the leak: samples are appended, never shipped or trimmed
        self.seen = 0

    def observe(self, event):
        self.seen += 1
        if self.seen % 20 == 0:
            event.batch = None  # keeps the event, not the batch it came in
            self.sampled.append(event)


telemetry = Telemetry()
recent = collections.deque(maxlen=100)  # the last batches, for retries: bounded, not the leak


def handle(rid):
    batch = []
    for i in range(random.randint(10, 30)):  # 20 events a request on average
        event = Event(batch, random.choice(["click", "view", "scroll"]), rid * 100 + i)
        batch.append(event)
        telemetry.observe(event)
    recent.append(batch)
    return len(batch)


if __name__ == "__main__":
    leaklib.serve(handle, rate=400)
