"""The generated clinic's stock: batches, their ledger entries, and stocktakes."""

import hashlib
from datetime import UTC, date, datetime, time
from functools import cache
from math import ceil

from compliance.generator.chain import fast_canonical
from compliance.generator.plan import split
from compliance.generator.stockroom import (
    CONTAINER_UL,
    Demand,
    SimBatch,
    Stockroom,
    drawable,
    plan_batches,
)
from compliance.services.stock_queries import KEPT

BALANCES = ("balance_ul", "sealed_containers", *KEPT)  # what the final balances set


@cache  # a few per day, asked for by most rows
def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def fingerprint(content: dict) -> str:
    return hashlib.sha256(fast_canonical(content).encode()).hexdigest()


def _in_order_of_receipt(planned: dict[int, list[SimBatch]]) -> list[SimBatch]:
    """Every location's batches in the order they are received, which is the order a live
    database numbers them in. (Numbered location by location, one location's batches were
    one block of keys, and their final balances, written at the end in that order, were all
    200,000 audit events back from the newest for the first location.)"""
    return sorted((sim for sims in planned.values() for sim in sims),
                  key=lambda sim: (sim.received, sim.location, sim.product))


class StockRows:
    """The stock half of ClinicGenerator (which provides `w`, `chain`, `sizes`, `rng`,
    `product_ids`, `locations`, `by_location`, `managers`, `group_manager`, `first_day`,
    `today` and `_signature`)."""

    def batches(self, demand: dict[int, Demand]) -> dict[int, Stockroom]:
        """Each location's batches, shared out of the sizes asked for; `demand` is what each
        location's sessions will open, per product."""
        counts = split(self.sizes.batches, len(self.locations), self.rng)
        self.parts: dict[tuple[int, int], SimBatch] = {}  # (batch, location) -> its part there
        self.totals: dict[int, list[int]] = {}  # batch -> [balance, sealed] over its parts
        # Each batch's balances as first written: the final ones are set at the end.
        self.batch_rows: dict[int, dict] = {}
        planned = {place.id: plan_batches(count, self.product_ids, self.first_day, self.today,
                                          demand.get(place.id, {}), self.rng, place.id)
                   for place, count in zip(self.locations, counts, strict=True)}
        for sim in _in_order_of_receipt(planned):
            sim.id = self.w.new_id("batches")
            self._batch_row(sim)
            self._ledger(sim, "receipt", 0, 0,
                         self.managers[self.by_location[sim.location].index][0], sim.received,
                         reason=f"Delivery INV-{sim.id:07d} from Medi Supplies Ltd",
                         absolute=(sim.balance_ul, sim.sealed))
        self.rooms = {place: Stockroom(place, sims) for place, sims in planned.items()}
        return self.rooms

    def _batch_row(self, sim: SimBatch) -> None:
        self.parts[sim.id, sim.location] = sim
        self.totals[sim.id] = [sim.balance_ul, sim.sealed]
        row = self.w.add("batches", dict(
            id=sim.id, product_id=sim.product, batch_number=f"G{sim.id:07d}",
            expires_on=sim.expires, supplier="Medi Supplies Ltd",
            delivery_reference=f"INV-{sim.id:07d}", received_on=sim.received,
            state="available", balance_ul=sim.balance_ul, sealed_containers=sim.sealed))
        self.batch_rows[sim.id] = {name: row[name] for name in BALANCES}

    def _ledger(self, sim: SimBatch, kind: str, quantity_ul: int, containers: int,
                actor_id: int, day: date, absolute=None, **links) -> int:
        """Append a ledger entry at the part's location; `absolute` gives a receipt's whole
        quantity. The balance after is the batch's, over all its parts."""
        total = self.totals[sim.id]
        if absolute is not None:
            quantity_ul, containers = absolute
        else:
            sim.balance_ul += quantity_ul
            sim.sealed += containers
            total[0] += quantity_ul
            total[1] += containers
        balance, sealed = total
        entry_id = self.w.new_id("ledger_entries")
        self.w.add("ledger_entries", dict(
            id=entry_id, batch_id=sim.id, location_id=sim.location, entry_type=kind,
            quantity_ul=quantity_ul,
            containers=containers, balance_after_ul=balance, containers_after=sealed,
            actor_id=actor_id, recorded_at=at(day, 18), occurred_on=day,
            reason=links.pop("reason", None), waste_reason=links.pop("waste_reason", None),
            reverses_id=None, stocktake_id=links.pop("stocktake_id", None),
            session_id=links.pop("session_id", None),
            witness_id=links.pop("witness_id", None)))
        return entry_id

    def _batch_for(self, stockroom: Stockroom, product: int, day: date, opened: dict,
                   volume: int) -> tuple[SimBatch, int]:
        for batch_id, left in opened.items():
            batch = self.parts[batch_id, stockroom.location]
            new = ceil(max(volume - left, 0) / CONTAINER_UL)
            usable = batch.product == product and drawable(batch, day)
            if usable and batch.sealed >= new:
                return batch, new
        new = ceil(volume / CONTAINER_UL)
        batch = (stockroom.usable(product, day, new)
                 or self.rescue(day, stockroom, product, new))
        if batch is None:
            raise RuntimeError(f"generated stock ran out on {day}; use more batches")
        return batch, new

    def dispose_expired(self, day: date, room: Stockroom) -> None:
        """The month's expiry check: what is left of expired batches is disposed of by the
        location's manager, witnessed by its doctor (D2)."""
        place = self.by_location[room.location]
        for part in room.expired(day):
            self._ledger(part, "waste", -part.balance_ul, -part.sealed,
                         self.manager_at(room.location)[0], day, waste_reason="expiry disposal",
                         witness_id=self.doctors[place.index][0] if part.sealed else None,
                         reason=f"Expired on {part.expires:%d %b %Y}: disposed of")

    # stocktakes -----------------------------------------------------------------------
    def stocktake(self, day: date, stockroom: Stockroom) -> None:
        """A location's quarterly count by its manager, countersigned by the group's."""
        live = stockroom.live(day)[:40]
        if not live:
            return
        counter = self.manager_at(stockroom.location)
        second = self.group_manager
        stocktake_id = self.w.new_id("stocktakes")
        self.w.add("stocktakes", dict(id=stocktake_id, counted_by_id=counter[0],
                                      location_id=stockroom.location,
                                      counted_at=at(day, 17), recorded_at=at(day, 17),
                                      countersigned_by_id=second[0],
                                      note="Quarterly count"))
        lines = [self._stocktake_line(stocktake_id, batch, n == 0, counter, day)
                 for n, batch in enumerate(live)]
        self._signature("stocktakes", stocktake_id, "countersigned stocktake", second,
                        at(day, 17), fingerprint({"id": stocktake_id,
                                                  "counted_by_id": counter[0],
                                                  "note": "Quarterly count", "lines": lines}))

    def _stocktake_line(self, stocktake_id: int, batch: SimBatch, short: bool, counter,
                        day: date) -> list:
        """One counted batch; a short count is corrected in the ledger, with its reason."""
        counted = batch.sealed - (1 if short else 0)
        reason = "One ampoule missing: broken in the fridge" if short else None
        self.w.add("stocktake_lines", dict(
            id=self.w.new_id("stocktake_lines"), stocktake_id=stocktake_id, batch_id=batch.id,
            expected_containers=batch.sealed, counted_containers=counted, reason=reason))
        line = [batch.id, batch.sealed, counted, reason]
        if short:
            self._ledger(batch, "stocktake correction", -CONTAINER_UL, -1, counter[0], day,
                         stocktake_id=stocktake_id, reason=reason)
        return line
