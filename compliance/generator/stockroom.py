"""Batches over the years at each location, and first-expiry-first-out drawing from them."""

import heapq
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import ceil

from compliance.rules.flags import near_expiry
from compliance.rules.injection import is_expired
from compliance.rules.limits import NEAR_EXPIRY_DAYS

CONTAINER_UL = 2_000
# A batch holds its sessions' need times MARGIN, plus SENT_PER_MONTH for each month it covers
# (what its location sends to others), and never fewer than MIN_CONTAINERS.
MARGIN = 1.3
SENT_PER_MONTH = 1
MIN_CONTAINERS = 10


@dataclass(slots=True)  # one per batch and location it was held at: 200,000 or more
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


def drawable(part: SimBatch, day: date) -> bool:
    """Whether a clinic would draw on the part on `day`: not within its near-expiry window
    (D4 flags such a use; a clinic sets short-dated stock aside, and it is disposed of when
    it expires). First-expiry-first-out over every batch not expired drew 9 in 10 doses
    from short-dated stock: 23,000 near-expiry exceptions a month at national scale."""
    return not near_expiry(part.expires, day, NEAR_EXPIRY_DAYS)


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
        """The first-expiring batch of `product` drawable on `day` with enough containers."""
        self._receive_until(day)
        shelf = self.shelves.get(product, [])
        while shelf and (not drawable(shelf[0][2], day) or shelf[0][2].sealed == 0):
            heapq.heappop(shelf)[2].shelved = False
        if shelf and shelf[0][2].sealed >= containers:
            return shelf[0][2]
        for _expires, _id, batch in heapq.nsmallest(20, shelf):
            if batch.sealed >= containers:
                return batch
        return None


@dataclass
class Need:
    """The containers one product's sessions at a location open, by day (in order)."""

    days: list[date] = field(default_factory=list)
    running: list[int] = field(default_factory=lambda: [0])  # containers before each day

    def add(self, day: date, containers: int) -> None:
        self.days.append(day)
        self.running.append(self.running[-1] + containers)

    @property
    def last(self) -> date:
        return self.days[-1]

    def between(self, start: date, until: date) -> int:
        return (self.running[bisect_left(self.days, until)]
                - self.running[bisect_left(self.days, start)])


Demand = dict[int, Need]  # product id -> its need at one location


def plan_batches(count: int, products: list[int], first_day: date, last_day: date,
                 demand: Demand, rng: random.Random, location: int) -> list[SimBatch]:
    """A location's batches, received evenly over the period, each expiring 18 to 30 months
    later; a delivery brings one batch of each product, the first before the first day. Each
    batch holds what its product's sessions open until the next delivery of it, with a margin
    for transfers. Their ids are 0 until they are numbered in order of receipt over every
    location."""
    span = (last_day - first_day).days
    arrivals = [first_day - timedelta(days=60) + timedelta(days=span * (n - n % len(products))
                                                           // count) for n in range(count)]
    batches = []
    for n, received in enumerate(arrivals):
        product = products[n % len(products)]
        following = n + len(products)
        until = arrivals[following] if following < count else date.max
        sealed = _containers_for(demand.get(product, Need()), received, until)
        expires = received + timedelta(days=rng.randint(540, 900))
        batches.append(SimBatch(0, product, received, expires, sealed,
                                sealed * CONTAINER_UL, location))
    return batches


def _containers_for(need: Need, start: date, until: date) -> int:
    """Enough sealed containers for the sessions from `start` until `until`, with a margin
    for what this location sends to others meanwhile."""
    days = (min(until, need.last) - start).days if need.days else 0
    sends = ceil(max(days, 0) / 30 * SENT_PER_MONTH)
    return max(ceil(need.between(start, until) * MARGIN) + sends, MIN_CONTAINERS)
