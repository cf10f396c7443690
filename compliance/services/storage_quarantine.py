"""Quarantine of the batches stored in a storage area after a temperature exception (D7),
through the one quarantine of a batch there is (services/stock.py `change_state`), all in one
unit of work: every chosen batch is quarantined, or none."""

from compliance import locations
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models import StorageArea
from compliance.models.stock import AVAILABLE, Batch
from compliance.services import ensure_can, stock
from compliance.services.temperature_queries import StoredBatch, stored_batches
from compliance.services.unit_of_work import unit_of_work


def quarantinable(area_id: int) -> list[StoredBatch]:
    """The batches stored in the area now that are not quarantined or recalled already."""
    return [b for b in stored_batches([area_id]).get(area_id, []) if b.state == AVAILABLE]


@unit_of_work("quarantine the batches stored in a storage area")
def quarantine_stored(actor, area_id: int, batch_ids: list[int | None],
                      reason: str) -> list[Batch]:
    """Quarantine the chosen batches of those stored in the area, each with `reason`."""
    ensure_can(actor, "manage_stock")
    area = db.session.get(StorageArea, area_id)
    if area is None or not locations.can_see(actor, area.location_id):
        raise InvalidInput("No such storage area.")
    chosen = sorted({batch_id for batch_id in batch_ids if batch_id})
    if not chosen:
        raise InvalidInput("Tick at least one batch.", field="batch_ids")
    held = {batch.id for batch in quarantinable(area.id)}
    if not set(chosen) <= held:
        raise InvalidInput(f"Only batches stored in {area} and not yet quarantined can be "
                           "quarantined here.", field="batch_ids")
    return [stock.change_state(actor, batch_id, "quarantine", reason) for batch_id in chosen]
