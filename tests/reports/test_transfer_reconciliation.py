"""Transfers in the stock reconciliation (D5.2, D7): what was sent, what arrived and what was
counted differently on arrival have columns of their own, never waste or adjustment; what is
in transit now is shown per location at both ends; the expected balance still equals the
stored one, for the group and for each location."""

from compliance.services import transfers
from tests.factories import make_product, make_user, receive_batch
from tests.reports.reading import csv_rows
from tests.transfer_helpers import MAIN, area, second_location, send, user_at


def three_sent_two_arrived(batch_number: str):
    """10 ampoules received at the main clinic; 3 sent to Harbour Street, 2 arrived there.
    Returns the main clinic's manager, the batch and Harbour Street."""
    harbour = second_location()
    manager, nurse = user_at("manager", MAIN), user_at("nurse", harbour.id)
    batch = receive_batch(manager, make_product(), containers=10, batch_number=batch_number)
    received = send(manager, batch, harbour, 3)
    transfers.receive(nurse, received.id, transfers.Arrival(
        2, area(harbour, "Fridge").id, "One cracked"))
    return manager, batch, harbour


def test_in_transit_and_a_short_arrival_have_their_own_columns(client, login, app):
    manager, batch, harbour = three_sent_two_arrived("RC-1")
    send(manager, batch, harbour, 4)  # still in transit
    login(make_user("inspector"))
    row = next(r for r in csv_rows(client, "/reports/stock.csv") if r["batch"] == "RC-1")
    assert (row["sent ml"], row["arrived ml"], row["transfer differences ml"]) == (
        "14", "6", "-2")
    assert row["wasted ml"] == "0" and row["adjusted ml"] == "0"
    assert row["expected balance ml"] == row["stored balance ml"] == "10"
    assert row["ledger and balance disagree"] == ""
    page = client.get("/reports/stock").get_data(as_text=True)
    assert "Sent ml" in page and "Arrived ml" in page and "Transfer differences ml" in page
    assert location_cells(page) == {"Main clinic": ["1", "6", "3", "8", "0"],
                                    "Harbour Street": ["1", "4", "2", "0", "8"]}


def test_at_the_receiving_location_alone_the_receipt_is_an_arrival(client, login, app):
    _manager, _batch, harbour = three_sent_two_arrived("RC-2")
    login(user_at("inspector", harbour.id))
    row = next(r for r in csv_rows(client, "/reports/stock.csv") if r["batch"] == "RC-2")
    assert (row["received ml"], row["sent ml"], row["arrived ml"],
            row["transfer differences ml"]) == ("0", "0", "6", "-2")
    assert row["expected balance ml"] == row["stored balance ml"] == "4"


def location_cells(page: str) -> dict[str, list[str]]:
    """The per-location table: location name -> its number cells."""
    table = page.split('id="locations-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in table.split("<tr>")[2:]:
        name = row.split("</a>", 1)[0].rsplit(">", 1)[1]
        rows[name] = [cell.split("</td>", 1)[0]
                      for cell in row.split('<td class="num">')[1:]]
    return rows
