"""The demo has a transfer in transit between two of its locations (D7), shown on its
batch's page, and its stock adds up."""

from sqlalchemy import select

from compliance import demo
from compliance.extensions import db
from compliance.models import Transfer
from compliance.rules.transfers import IN_TRANSIT
from compliance.services import transfer_queries
from tests.transfer_helpers import assert_parts_and_transit_add_up


def test_the_demo_has_a_transfer_in_transit_that_adds_up(app, client):
    demo.load()
    transfer = db.session.scalars(select(Transfer)).one()
    assert transfer.status == IN_TRANSIT and transfer.containers_sent == 2
    assert transfer.from_location_id != transfer.to_location_id
    assert transfer.to_location.active
    assert_parts_and_transit_add_up(transfer.batch_id)
    assert transfer_queries.transit_mismatches() == []
    client.post("/login", data={"email": "manager@demo.clinic",
                                "password": "Stock-Ledger-Demo-2026"})
    # The batch's page shows it wherever the manager is now (other helpers' demo locations
    # may change which location that is).
    page = client.get(f"/stock/batches/{transfer.batch_id}").get_data(as_text=True)
    assert "2 containers in transit" in page and transfer.to_location.name in page
