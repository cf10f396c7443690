"""Batches over the years at each location, and first-expiry-first-out drawing from them."""

import heapq
import random
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from compliance.rules.injection import is_expired

CONTAINER_UL = 2_000


@dataclass
class SimBatch:
    """The part of a batch held at one location (a batch received there, or a transfer in)."""

    id: int
    product: int
    received: date
    expires: date
    sealed: int
    balance_ul: int
    location: int = 0
    shelved: bool = False  # on its location's shelf, where draws look for it


class Stockroom:
    """One location's stock: batches arrive on their dates; draws take the first-expiring
    usable batch."""

    def __init__(self, location: int, batches: list[SimBatch]):
        self.location = location
        self.parts = list(batches)  # every part ever held here, until disposed of
        self.incoming = sorted(batches, key=lambda b: (b.received, b.id))
        self.position = 0
        self.shelves: dict[int, list[tuple[date, int, SimBatch]]] = {}

    def shelve(self, part: SimBatch) -> None:
        """Put a part where draws find it (again, once a transfer brings it more)."""
        if not part.shelved:
            part.shelved = True
            heapq.heappush(self.shelves.setdefault(part.product, []),
                           (part.expires, part.id, part))

    def _receive_until(self, day: date) -> None:
        while self.position < len(self.incoming) and self.incoming[self.position].received <= day:
            self.shelve(self.incoming[self.position])
            self.position += 1

    def expired(self, day: date) -> list[SimBatch]:
        """The parts expired on `day` still holding stock; forgets those emptied since."""
        self.parts = [part for part in self.parts
                      if part.balance_ul > 0 or not is_expired(part.expires, day)]
        return [part for part in self.parts if is_expired(part.expires, day)]

    def live(self, day: date) -> list[SimBatch]:
        """The parts on the shelves holding sealed containers, not expired on `day`."""
        self._receive_until(day)
        return [part for shelf in self.shelves.values() for _e, _i, part in shelf
                if part.sealed > 0 and not is_expired(part.expires, day)]

    def usable(self, product: int, day: date, containers: int) -> SimBatch | None:
        """The first-expiring batch of `product` not expired on `day` with enough containers."""
        self._receive_until(day)
        shelf = self.shelves.get(product, [])
        while shelf and (is_expired(shelf[0][2].expires, day) or shelf[0][2].sealed == 0):
            heapq.heappop(shelf)[2].shelved = False
        if shelf and shelf[0][2].sealed >= containers:
            return shelf[0][2]
        for _expires, _id, batch in heapq.nsmallest(20, shelf):
            if batch.sealed >= containers:
                return batch
        return None


def plan_batches(count: int, products: list[int], first_day: date, last_day: date,
                 containers_needed: int, rng: random.Random, next_id,
                 location: int) -> list[SimBatch]:
    """A location's batches, received evenly over the period, each expiring 18 to 30 months
    later; a delivery brings one batch of each product, the first before the first day."""
    per_batch = max(ceil(containers_needed * 1.6 / count), 10)
    span = (last_day - first_day).days
    batches = []
    for n in range(count):
        delivery = n - n % len(products)
        received = first_day - timedelta(days=60) + timedelta(days=span * delivery // count)
        expires = received + timedelta(days=rng.randint(540, 900))
        batches.append(SimBatch(next_id(), products[n % len(products)], received, expires,
                                per_batch, per_batch * CONTAINER_UL, location))
    return batches
