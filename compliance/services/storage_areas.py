"""Storage areas (D7): the locked cupboards and medicines fridges of a location, each with the
temperature range its products need; changed by a manager who works there, deactivated with a
reason once empty, never deleted."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from compliance.clock import utcnow
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.inputs import text_problem
from compliance.models.location import STORAGE_KINDS, StorageArea
from compliance.rules.storage import range_problem
from compliance.services import ensure_can, location_queries, reread
from compliance.services.audit import give_reason
from compliance.services.location_common import active_location, flush_unique, require_reason
from compliance.services.unit_of_work import unit_of_work

MAX_NAME = 80


@dataclass
class AreaDetails:
    """A storage area as a manager describes it."""

    name: str
    kind: str
    min_temp_c: Decimal | None
    max_temp_c: Decimal | None


def _clean(details: AreaDetails) -> None:
    details.name = " ".join((details.name or "").split())
    if not details.name:
        raise InvalidInput("Enter the storage area's name.", field="name")
    problem = text_problem(details.name, MAX_NAME)
    if problem:
        raise InvalidInput(problem, field="name")
    if details.kind not in STORAGE_KINDS:
        raise InvalidInput(f"Choose the kind: {', '.join(STORAGE_KINDS)}.", field="kind")
    problem = range_problem(details.min_temp_c, details.max_temp_c)
    if problem:
        raise InvalidInput(problem[1], field=problem[0])


def check(details: AreaDetails, location_id: int | None, area: StorageArea | None) -> None:
    """Refuse a storage area described wrongly, or named as another of its location is
    (compared without regard to case); `location_id` None is a location being added."""
    _clean(details)
    if location_id is None:
        return
    same = db.session.scalar(select(StorageArea).where(
        StorageArea.location_id == location_id,
        func.lower(StorageArea.name) == details.name.lower()))
    if same is not None and same is not area:
        raise InvalidInput(f"This location already has a storage area called {same.name}.",
                           field="name")


def _describe(area: StorageArea, details: AreaDetails) -> None:
    area.name, area.kind = details.name, details.kind
    area.min_temp_c, area.max_temp_c = details.min_temp_c, details.max_temp_c


@unit_of_work("add a storage area")
def add_storage_area(actor, location_id: int, details: AreaDetails) -> StorageArea:
    location = active_location(location_id)
    ensure_can(actor, "edit_location", location)
    check(details, location.id, None)
    area = StorageArea(location=location, active=True)
    _describe(area, details)
    db.session.add(area)
    flush_unique("This location already has a storage area of this name.", "name")
    return area


def _active_area(actor, area_id: int) -> StorageArea:
    area = reread(StorageArea, area_id, "No such storage area.", lock=True)
    active_location(area.location_id)
    ensure_can(actor, "edit_location", area)
    if not area.active:
        raise InvalidInput(f"{area.name} was deactivated: it is kept as it was and no "
                           "longer changed.")
    return area


@unit_of_work("change a storage area")
def update_storage_area(actor, area_id: int, details: AreaDetails,
                        reason: str) -> StorageArea:
    reason = require_reason(reason)
    area = _active_area(actor, area_id)
    check(details, area.location_id, area)
    give_reason(reason)
    _describe(area, details)
    flush_unique("This location already has a storage area of this name.", "name")
    return area


def _check_emptying(area: StorageArea) -> None:
    held = location_queries.batches_held(storage_area_id=area.id)
    if held:
        raise InvalidInput(f"{area.name} still holds stock of {held}: it is deactivated "
                           "once nothing is kept there.")
    others = db.session.scalar(select(func.count()).select_from(StorageArea).where(
        StorageArea.location_id == area.location_id, StorageArea.active.is_(True),
        StorageArea.id != area.id))
    if not others:
        raise InvalidInput(f"{area.name} is the only active storage area of its location, "
                           "which needs one to keep stock in: add another first.")


@unit_of_work("deactivate a storage area")
def deactivate_storage_area(actor, area_id: int, reason: str) -> StorageArea:
    reason = require_reason(reason)
    area = _active_area(actor, area_id)
    _check_emptying(area)
    give_reason(reason)
    area.active, area.deactivated_at, area.deactivation_reason = False, utcnow(), reason
    return area
