"""Control, no leak: a cache over a finite key space (3,000 product ids, requested in turn). It
fills during the first three seconds, then every request is a hit: no eviction, no churn, no
growth. Must not be a suspect when recorded from the start: it grows steeply while it fills, which a
difference between the first and last points would call a leak."""
import leaklib

KEYS = 3000


class Product:
    def __init__(self, product_id):
        self.product_id = product_id
        self.name = "product %d" % product_id
        self.prices = [product_id % 97, product_id % 89]


class ProductCache:
    def __init__(self):
        self._entries = {}
        self.hits = self.misses = 0

    def get(self, key):
        found = self._entries.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        found = self._entries[key] = Product(key)
        return found


products = ProductCache()


def handle(rid):
    return products.get(rid % KEYS).prices[0]


if __name__ == "__main__":
    leaklib.serve(handle, rate=1000)
