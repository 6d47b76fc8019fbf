"""Control, no leak: a cache with a bound. It fills during the first two seconds, then evicts one
entry for every new one and stays flat; a functools.lru_cache does the same. Must not be a suspect:
it grows steeply at first, which a two-point difference would call a leak."""
import functools
import random
from collections import OrderedDict

import leaklib


class Page:
    def __init__(self, page_id):
        self.page_id = page_id
        self.html = "<p>%d</p>" % page_id
        self.links = [page_id + 1, page_id + 2]


class BoundedCache:
    def __init__(self, limit):
        self.limit = limit
        self._entries = OrderedDict()

    def get(self, key, compute):
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        value = self._entries[key] = compute()
        if len(self._entries) > self.limit:
            self._entries.popitem(last=False)
        return value


pages = BoundedCache(1200)


@functools.lru_cache(maxsize=600)
def render(page_id):
    return Page(-page_id)


def handle(rid):
    page_id = random.randrange(1_000_000)  # almost every request misses: the cache churns at its bound
    pages.get(page_id, lambda: Page(page_id))
    render(page_id)


if __name__ == "__main__":
    leaklib.serve(handle, rate=600)
