"""Where a traced batch is (D7): its part held at each location, with what moved there, so the
trace follows a batch across the locations it was received, moved and used at."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import BatchStock, LedgerEntry, Location, StorageArea
from compliance.services.reports.common import Filters, at_locations


@dataclass
class BatchPart:
    location_id: int
    location: str
    storage_area: str
    balance_ul: int
    sealed_containers: int
    # Kind of ledger entry -> microlitres moved by those entries at this location.
    moved_ul: dict[str, int] = field(default_factory=dict)


def where_held(filters: Filters) -> list[BatchPart]:
    """The chosen batch's parts at the filters' locations, by location name; none when no
    batch is chosen."""
    if not filters.batch_id:
        return []
    query = (select(BatchStock.location_id, Location.name, StorageArea.name,
                    BatchStock.balance_ul, BatchStock.sealed_containers)
             .join(Location, Location.id == BatchStock.location_id)
             .join(StorageArea, StorageArea.id == BatchStock.storage_area_id)
             .where(BatchStock.batch_id == filters.batch_id).order_by(Location.name))
    parts = {row[0]: BatchPart(*row)
             for row in db.session.execute(at_locations(query, BatchStock.location_id, filters))}
    moved = (select(LedgerEntry.location_id, LedgerEntry.entry_type,
                    func.sum(LedgerEntry.quantity_ul))
             .where(LedgerEntry.batch_id == filters.batch_id)
             .group_by(LedgerEntry.location_id, LedgerEntry.entry_type)
             .order_by(LedgerEntry.entry_type))
    for location_id, kind, ul in db.session.execute(
            at_locations(moved, LedgerEntry.location_id, filters)):
        if location_id in parts:
            parts[location_id].moved_ul[kind] = int(ul or 0)
    return list(parts.values())
