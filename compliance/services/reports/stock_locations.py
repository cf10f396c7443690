"""Stock reconciliation per location (D7): what each location of the report holds now of
the batches it covers, and what is in transit from it and to it."""

from dataclasses import dataclass

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import BatchStock, LedgerEntry, Location
from compliance.models.transfer import Transfer
from compliance.rules.transfers import IN_TRANSIT
from compliance.services.reports.common import Filters, at_locations
from compliance.services.reports.stock_products import chosen


@dataclass
class LocationHolding:
    """What one location holds of the batches the report covers now, and what is in transit
    from it and to it."""

    location_id: int
    name: str
    batches: int = 0
    stored_ul: int = 0
    sealed_containers: int = 0
    sending_ul: int = 0
    coming_ul: int = 0


def _in_transit(filters: Filters, end) -> dict[int, int]:
    """Per location at one `end` of the transfers (from or to), the volume in transit now."""
    query = (select(end, func.sum(-LedgerEntry.quantity_ul))
             .join(LedgerEntry, LedgerEntry.id == Transfer.sent_entry_id)
             .where(Transfer.status == IN_TRANSIT,
                    chosen(Transfer.batch_id, filters))
             .group_by(end))
    return {location_id: int(ul) for location_id, ul
            in db.session.execute(at_locations(query, end, filters))}


def location_rows(filters: Filters) -> list[LocationHolding]:
    """Per location in the filters' scope holding stock or with stock in transit from or to
    it: one grouped read of the parts, and one of the transfers at each end."""
    query = (select(Location.id, Location.name, func.count(BatchStock.batch_id),
                    func.coalesce(func.sum(BatchStock.balance_ul), 0),
                    func.coalesce(func.sum(BatchStock.sealed_containers), 0))
             .join(BatchStock, BatchStock.location_id == Location.id)
             .where(chosen(BatchStock.batch_id, filters),
                    BatchStock.balance_ul > 0)
             .group_by(Location.id, Location.name))
    held = {lid: LocationHolding(lid, name, batches, int(ul), int(sealed))
            for lid, name, batches, ul, sealed in db.session.execute(
                at_locations(query, Location.id, filters))}
    sending = _in_transit(filters, Transfer.from_location_id)
    coming = _in_transit(filters, Transfer.to_location_id)
    names = dict(db.session.execute(select(Location.id, Location.name).where(
        Location.id.in_((sending.keys() | coming.keys()) - held.keys()))).all())
    for location_id, name in names.items():
        held[location_id] = LocationHolding(location_id, name)
    for place in held.values():
        place.sending_ul, place.coming_ul = (sending.get(place.location_id, 0),
                                             coming.get(place.location_id, 0))
    return sorted(held.values(), key=lambda place: place.name)
