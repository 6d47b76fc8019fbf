"""Leak: memoization kept in a function attribute (`price.memo`) whose key includes something
unique per request (the request id), so every call is a miss and nothing is ever evicted. The
culprit is __main__.Quote, held by __main__.price.memo (a dict in the function's __dict__); the
(sku, rid) key tuples come along."""
import random

import leaklib


class Quote:
    def __init__(self, sku, amount):
        self.sku = sku
        self.amount = amount
        self.currency = "EUR"
        self.breakdown = [amount * 0.8, amount * 0.2]


def price(sku, rid):
    key = (sku, rid)  # the bug: rid makes every key unique
    found = price.memo.get(key)
    if found is None:
        found = price.memo[key] = Quote(sku, round(random.uniform(1, 100), 2))
    return found


price.memo = {}


def handle(rid):
    return price("sku%d" % random.randrange(50), rid).amount


if __name__ == "__main__":
    leaklib.serve(handle, rate=500)
