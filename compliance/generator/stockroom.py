"""Batches over the years, and first-expiry-first-out drawing from them."""

import heapq
import random
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from compliance.rules.injection import is_expired

CONTAINER_UL = 2_000


@dataclass
class SimBatch:
    id: int
    product: int
    received: date
    expires: date
    sealed: int
    balance_ul: int


class Stockroom:
    """Batches arrive on their dates; draws take the first-expiring usable batch."""

    def __init__(self, batches: list[SimBatch]):
        self.incoming = sorted(batches, key=lambda b: (b.received, b.id))
        self.position = 0
        self.shelves: dict[int, list[tuple[date, int, SimBatch]]] = {}

    def _receive_until(self, day: date) -> None:
        while self.position < len(self.incoming) and self.incoming[self.position].received <= day:
            batch = self.incoming[self.position]
            heapq.heappush(self.shelves.setdefault(batch.product, []),
                           (batch.expires, batch.id, batch))
            self.position += 1

    def usable(self, product: int, day: date, containers: int) -> SimBatch | None:
        """The first-expiring batch of `product` not expired on `day` with enough containers."""
        self._receive_until(day)
        shelf = self.shelves.get(product, [])
        while shelf and (is_expired(shelf[0][2].expires, day) or shelf[0][2].sealed == 0):
            heapq.heappop(shelf)
        if shelf and shelf[0][2].sealed >= containers:
            return shelf[0][2]
        for _expires, _id, batch in heapq.nsmallest(20, shelf):
            if batch.sealed >= containers:
                return batch
        return None


def plan_batches(count: int, products: list[int], first_day: date, last_day: date,
                 containers_needed: int, rng: random.Random, next_id) -> list[SimBatch]:
    """Batches received evenly over the period, each expiring 18 to 30 months later."""
    per_batch = max(ceil(containers_needed * 1.6 / count), 10)
    span = (last_day - first_day).days
    batches = []
    for n in range(count):
        received = first_day - timedelta(days=60) + timedelta(days=span * n // count)
        expires = received + timedelta(days=rng.randint(540, 900))
        batches.append(SimBatch(next_id(), products[n % len(products)], received, expires,
                                per_batch, per_batch * CONTAINER_UL))
    return batches
