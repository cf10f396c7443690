"""Reading locations and storage areas (D7): those a user may see, what is kept in them, and who
deactivated one, from the audit trail."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from compliance import locations
from compliance.extensions import db
from compliance.models import AuditEvent, Batch
from compliance.models.location import BatchStock, Location, StorageArea

# A message names at most this many batches, then says how many more.
NAMED_BATCHES = 5


def visible_locations(user) -> list[Location]:
    """The locations `user` may see, with their storage areas: active ones first, by name."""
    query = (select(Location).options(selectinload(Location.storage_areas))
             .order_by(Location.active.desc(), Location.name))
    visible = locations.visible_location_ids(user)
    if visible is not None:
        query = query.where(Location.id.in_(visible))
    return list(db.session.scalars(query))


def batches_held(*, location_id: int | None = None, storage_area_id: int | None = None) -> str:
    """The batches with stock at a location or in a storage area, as words ("" for none)."""
    query = (select(Batch.batch_number).join(BatchStock, BatchStock.batch_id == Batch.id)
             .where(BatchStock.balance_ul > 0).order_by(Batch.batch_number))
    if location_id is not None:
        query = query.where(BatchStock.location_id == location_id)
    if storage_area_id is not None:
        query = query.where(BatchStock.storage_area_id == storage_area_id)
    numbers = list(db.session.scalars(query))
    if not numbers:
        return ""
    named = ", ".join(numbers[:NAMED_BATCHES])
    more = len(numbers) - NAMED_BATCHES
    noun = "batch" if len(numbers) == 1 else "batches"
    return f"{noun} {named}" + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class Deactivation:
    """Who deactivated a location or storage area, when and why, as the trail records it."""

    by: str
    at: datetime
    reason: str | None


def deactivations(model, ids) -> dict[int, Deactivation]:
    """The latest deactivation on the audit trail of each of `model`'s records `ids`."""
    keys = [str(record_id) for record_id in ids]
    if not keys:
        return {}
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.table_name == model.__tablename__,
                                 AuditEvent.record_id.in_(keys), AuditEvent.action == "update")
        .order_by(AuditEvent.seq))
    found = {}
    for event in events:
        if json.loads(event.changes or "{}").get("active") == [True, False]:
            found[int(event.record_id)] = Deactivation(event.actor_name, event.occurred_at,
                                                       event.reason)
    return found


def deactivations_of(shown: list[Location]) -> dict[tuple[str, int], Deactivation]:
    """Deactivations of the locations `shown` and of their storage areas, by (table, id)."""
    areas = [area.id for location in shown for area in location.storage_areas if not area.active]
    return ({("locations", key): value for key, value in
             deactivations(Location, [loc.id for loc in shown if not loc.active]).items()}
            | {("storage_areas", key): value for key, value in
               deactivations(StorageArea, areas).items()})
