"""Demo locations (D7): the clinic group's three locations and their storage areas, set up by
the group manager through the ordinary services, and stock delivered to the other two."""

from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from functools import partial

from compliance.demo_timeline import Step
from compliance.models.location import FIRST_LOCATION_ID
from compliance.models.stock import RECEIPT
from compliance.services import ensure_can, ledger, location_admin, storage_areas
from compliance.services.location_admin import LocationDetails
from compliance.services.storage_areas import AreaDetails
from compliance.services.unit_of_work import unit_of_work

CUPBOARD = AreaDetails("Drug cupboard", "locked cupboard", Decimal(15), Decimal(25))
FRIDGE = AreaDetails("Medicines fridge", "medicines fridge", Decimal(2), Decimal(8))


@dataclass(frozen=True)
class DemoLocation:
    key: str
    details: LocationDetails
    more_areas: tuple[AreaDetails, ...] = ()


# The first location is the one every installation starts with, renamed; the names sort in
# this order, so that whoever works at the first acts there until they choose another.
MARYLEBONE = DemoLocation("marylebone", LocationDetails(
    "Marylebone Vein Clinic", "14 Welbeck Street\nLondon W1G 9XT", "1-2345678901"))
RICHMOND = DemoLocation("richmond", LocationDetails(
    "Richmond Vein Clinic", "3 Paradise Road\nRichmond TW9 1RX", "1-3456789012"), (FRIDGE,))
ST_ALBANS = DemoLocation("st albans", LocationDetails(
    "St Albans Vein Clinic", "22 Holywell Hill\nSt Albans AL1 1BT", "1-4567890123"))
DEMO_LOCATIONS = (MARYLEBONE, RICHMOND, ST_ALBANS)
# (location key, storage area, batch number, containers, by): deliveries of batches the first
# location also holds, so that each of these batches is split across locations.
DELIVERIES = (("richmond", "Drug cupboard", "STS05-2455", 6, "dr.patel@demo.clinic"),
              ("richmond", "Drug cupboard", "STS1-2410", 5, "dr.patel@demo.clinic"),
              ("richmond", "Medicines fridge", "POL1-2420", 4, "dr.patel@demo.clinic"),
              ("st albans", "Drug cupboard", "STS02-2401", 6, "owen.price@demo.clinic"),
              ("st albans", "Drug cupboard", "STS3-2402", 4, "owen.price@demo.clinic"))
DELIVERED_DAYS_AGO = 20


def set_up(made: dict, manager) -> None:
    """The group manager names the first location and opens the other two."""
    found = {MARYLEBONE.key: location_admin.update_location(
        manager, FIRST_LOCATION_ID, MARYLEBONE.details,
        "The clinic's registered name, address and CQC location id")}
    for demo in (RICHMOND, ST_ALBANS):
        found[demo.key] = location_admin.create_location(manager, demo.details, CUPBOARD)
        for area in demo.more_areas:
            storage_areas.add_storage_area(manager, found[demo.key].id, area)
    made["locations"] = found


@unit_of_work("receive stock")
def _deliver(actor, batch_id: int, containers: int, location_id: int, area_id: int):
    """A delivery into a storage area of a location, posted on the ledger there."""
    ensure_can(actor, "receive_stock")
    batch = ledger.locked_batch(batch_id)
    return ledger.post(actor, batch, RECEIPT, containers * batch.product.container_volume_ul,
                       containers, location_id=location_id, storage_area_id=area_id,
                       reason=f"Delivery INV-{batch.batch_number[-4:]}B from Medi Supplies Ltd")


def _receive(made: dict, key: str, area_name: str, number: str, containers: int,
             by: str) -> None:
    location = made["locations"][key]
    [area] = [area for area in location.storage_areas if area.name == area_name]
    _deliver(made["users"][by], made["batches"][number].id, containers, location.id, area.id)


def delivery_steps(made: dict) -> list[Step]:
    return [Step(DELIVERED_DAYS_AGO, time(10, n * 5),
                 partial(_receive, made, key, area, number, containers, by))
            for n, (key, area, number, containers, by) in enumerate(DELIVERIES)]
