"""The demo's transfer between locations (D7): two days ago the manager sent sealed ampoules
from her location to another of the group's, and they are still in transit, shown on the
stock pages of both ends until someone there confirms what arrived.

Whatever other locations the demo has by then are used; a group of one gets a second."""

from datetime import time

from sqlalchemy import select

from compliance import locations
from compliance.clock import local_today
from compliance.demo_patients import MANAGER
from compliance.demo_timeline import Step
from compliance.extensions import db
from compliance.models import Location, StorageArea
from compliance.services import transfer_queries, transfers
from compliance.services.unit_of_work import unit_of_work

SECOND_LOCATION = "Harbour Street clinic"
SENT_DAYS_AGO, CONTAINERS = 2, 2


@unit_of_work("open a second location")
def _second_location(_actor) -> Location:
    location = Location(name=SECOND_LOCATION, address="14 Harbour Street, Bristol BS1 4RN",
                        regulator_id="1-000000914")
    location.storage_areas.append(StorageArea(name="Drug cupboard", kind="locked cupboard",
                                              min_temp_c=15, max_temp_c=25))
    db.session.add(location)
    return location


def _destination(from_id: int) -> Location:
    """The first other active location by name, or a new one."""
    found = db.session.scalar(select(Location).where(
        Location.active.is_(True), Location.id != from_id).order_by(Location.name).limit(1))
    return found or _second_location(None)


def _send(made: dict) -> None:
    manager = made["users"][MANAGER]
    from_id = locations.acting_location_id(manager)
    batch, _sealed = max(transfer_queries.sendable(from_id, local_today()),
                         key=lambda held: held[1])
    destination = _destination(from_id)
    made["transfer"] = transfers.send(manager, transfers.Sending(
        batch.id, destination.id, CONTAINERS,
        f"Restocking {destination.name} for next week's clinics"))


def transfer_steps(made: dict) -> list[Step]:
    return [Step(SENT_DAYS_AGO, time(16, 30), lambda: _send(made))]
