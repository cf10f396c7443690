"""Transfers in the stock reconciliation (D5.2, D7): what is in transit and what was counted
differently on arrival have columns of their own, never waste or adjustment, and the
expected balance still equals the stored one."""

from compliance.services import transfers
from tests.factories import make_product, make_user, receive_batch
from tests.reports.reading import csv_rows
from tests.transfer_helpers import MAIN, area, second_location, send, user_at


def test_in_transit_and_a_short_arrival_have_their_own_columns(client, login, app):
    harbour = second_location()
    manager, nurse = user_at("manager", MAIN), user_at("nurse", harbour.id)
    batch = receive_batch(manager, make_product(), containers=10, batch_number="RC-1")
    received = send(manager, batch, harbour, 3)
    transfers.receive(nurse, received.id, transfers.Arrival(
        2, area(harbour, "Fridge").id, "One cracked"))
    send(manager, batch, harbour, 4)  # still in transit
    login(make_user("inspector"))
    row = next(r for r in csv_rows(client, "/reports/stock.csv") if r["batch"] == "RC-1")
    assert row["in transit ml"] == "8" and row["transfer differences ml"] == "-2"
    assert row["wasted ml"] == "0" and row["adjusted ml"] == "0"
    assert row["expected balance ml"] == row["stored balance ml"] == "10"
    assert row["ledger and balance disagree"] == ""
    page = client.get("/reports/stock").get_data(as_text=True)
    assert "In transit ml" in page and "Transfer differences ml" in page
