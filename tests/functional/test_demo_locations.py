"""The demo is a clinic group (D7): three locations, one with a medicines fridge besides its
cupboard, people spread over them, and stock at each location."""

from sqlalchemy import select

from compliance import demo, locations
from compliance.extensions import db
from compliance.models import BatchStock, Location, StorageArea
from compliance.services import accounts


def test_the_demo_has_three_locations_with_people_and_stock_at_each(app):
    demo.load()
    shown = db.session.scalars(select(Location).order_by(Location.id)).all()
    assert [location.name for location in shown] == [
        "Marylebone Vein Clinic", "Richmond Vein Clinic", "St Albans Vein Clinic"]
    assert all(location.regulator_id and location.address for location in shown)
    assert [(area.kind, area.min_temp_c, area.max_temp_c) for area in shown[1].storage_areas] \
        == [("locked cupboard", 15, 25), ("medicines fridge", 2, 8)]
    held = set(db.session.execute(select(BatchStock.location_id, BatchStock.storage_area_id)
                                  .where(BatchStock.balance_ul > 0)).all())
    assert {location for location, _area in held} == {location.id for location in shown}
    fridge = db.session.scalar(select(StorageArea.id).where(StorageArea.kind
                                                            == "medicines fridge"))
    assert (shown[1].id, fridge) in held


def test_the_demo_people_work_where_the_readme_says(app):
    demo.load()

    def where(email: str) -> list[str]:
        return [location.name.removesuffix(" Vein Clinic") for location in
                locations.working_locations(accounts.find_by_email(email))]

    assert accounts.find_by_email("manager@demo.clinic").all_locations
    assert where("dr.patel@demo.clinic") == ["Marylebone", "Richmond"]
    assert where("nurse.jones@demo.clinic") == ["Marylebone"]
    assert where("owen.price@demo.clinic") == where("grace.okafor@demo.clinic") == ["St Albans"]
    assert not accounts.find_by_email("owen.price@demo.clinic").all_locations
