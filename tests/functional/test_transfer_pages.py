"""Transfer pages (D7): a manager sends from their location, "in transit" shows on the stock
pages of both ends, a user working at the receiving location confirms the count, a manager
working at the sending location cancels (whichever location is their current one); refusals
keep the input and write nothing; other locations' transfers are not found."""

import pytest
from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import Transfer
from compliance.rules.transfers import CANCELLED, IN_TRANSIT, RECEIVED
from tests.factories import make_product, make_user, receive_batch
from tests.stock_helpers import ledger_state
from tests.transfer_helpers import MAIN, area, parts, second_location, send, user_at


@pytest.fixture
def group(app):
    harbour = second_location()
    people = {"main": user_at("manager", MAIN), "harbour_nurse": user_at("nurse", harbour.id),
              "harbour_manager": user_at("manager", harbour.id)}
    batch = receive_batch(people["main"], make_product(), containers=10, batch_number="TR-1")
    return dict(people, harbour=harbour, batch=batch)


def send_form(group, **changes) -> dict:
    data = {"batch_id": str(group["batch"].id), "to_location_id": str(group["harbour"].id),
            "containers": "3", "reason": "Harbour Street runs low"}
    data.update(changes)
    return data


def transfers_written() -> int:
    return db.session.scalar(select(func.count()).select_from(Transfer))


def test_the_send_page_offers_the_batch_held_here_and_other_locations(client, login, group):
    login(group["main"])
    page = client.get(f"/stock/transfers/send?batch={group['batch'].id}").get_data(as_text=True)
    assert "From <strong>Main clinic</strong>" in page
    assert f'<option selected value="{group["batch"].id}">' in page
    assert "TR-1" in page and "10 sealed here" in page and "Harbour Street" in page


def test_a_manager_sends_from_their_location_and_both_ends_see_it_in_transit(
        client, login, group):
    login(group["main"])
    response = client.post("/stock/transfers/send", data=send_form(group),
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "3 containers of" in body and "in transit until received there" in body
    assert parts(group["batch"].id) == {MAIN: (14_000, 7)}
    overview = client.get("/stock/").get_data(as_text=True)
    assert "3 containers of" in overview and "in transit to Harbour Street" in overview
    batch_page = client.get(f"/stock/batches/{group['batch'].id}").get_data(as_text=True)
    assert "3 containers in transit to Harbour Street" in batch_page
    assert "transfer out" in batch_page
    client.post("/logout")
    login(group["harbour_nurse"])
    assert "in transit from Main clinic" in client.get("/stock/").get_data(as_text=True)


@pytest.mark.parametrize("changes, message", [
    ({"containers": "11"}, "holds 10 sealed containers"),
    ({"to_location_id": str(MAIN)}, "already at Main clinic"),
    ({"to_location_id": ""}, "Choose the location to send to"),
    ({"batch_id": "999999"}, "No such batch"),
    ({"batch_id": "abc"}, "No such batch"),
    ({"containers": "-2"}, "Check the form"),
    ({"containers": "lots"}, "Check the form"),
    ({"reason": ""}, "Check the form"),
    ({"reason": "bad\x00byte"}, "control character"),
])
def test_a_refused_send_keeps_the_input_and_writes_nothing(client, login, group, changes,
                                                            message):
    login(group["main"])
    before = ledger_state()
    response = client.post("/stock/transfers/send", data=send_form(group, **changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and message in body
    if "reason" not in changes:
        assert "Harbour Street runs low" in body
    assert ledger_state() == before and transfers_written() == 0


def test_only_batches_held_at_the_current_location_are_offered(client, login, group):
    login(group["harbour_manager"])
    page = client.get("/stock/transfers/send").get_data(as_text=True)
    assert "From <strong>Harbour Street</strong>" in page and "TR-1" not in page


def test_a_user_at_the_receiving_location_confirms_a_short_count_with_a_reason(
        client, login, group):
    transfer = send(group["main"], group["batch"], group["harbour"], 3)
    fridge = area(group["harbour"], "Fridge")
    login(group["harbour_nurse"])
    page = client.get(f"/stock/transfers/{transfer.id}").get_data(as_text=True)
    assert "Confirm receipt" in page and 'value="3"' in page
    form = {"rcv-containers_received": "2", "rcv-storage_area_id": str(fridge.id)}
    url = f"/stock/transfers/{transfer.id}/receive"
    refused = client.post(url, data=form).get_data(as_text=True)
    assert "give a reason" in refused and 'value="2"' in refused
    assert db.session.get(Transfer, transfer.id).status == IN_TRANSIT
    form["rcv-difference_reason"] = "One ampoule cracked in the box"
    done = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert f"Transfer {transfer.id} received: 2 containers put into Fridge" in done
    assert "One ampoule cracked in the box" in done and "-1" in done
    db.session.expire_all()
    assert db.session.get(Transfer, transfer.id).status == RECEIVED
    assert parts(group["batch"].id)[group["harbour"].id] == (4_000, 2)
    listed = client.get("/stock/transfers?status=received").get_data(as_text=True)
    assert f"Transfer {transfer.id}" in listed


def test_the_sender_cannot_receive_and_the_receiver_cannot_cancel(client, login, group):
    transfer = send(group["main"], group["batch"], group["harbour"], 3)
    login(group["main"])
    page = client.get(f"/stock/transfers/{transfer.id}").get_data(as_text=True)
    assert "Confirm receipt" not in page and "Cancel the transfer" in page
    assert "A manager or prescriber working at Harbour Street confirms what arrived." in page
    refused = client.post(f"/stock/transfers/{transfer.id}/receive", data={
        "rcv-containers_received": "3",
        "rcv-storage_area_id": str(area(group["harbour"], "Fridge").id)})
    assert refused.status_code == 200 and "working at Harbour Street" in refused.get_data(
        as_text=True)
    client.post("/logout")
    login(group["harbour_manager"])
    refused = client.post(f"/stock/transfers/{transfer.id}/cancel",
                          data={"cancel-reason": "Not wanted"})
    assert "working at Main clinic" in refused.get_data(as_text=True)
    assert db.session.get(Transfer, transfer.id).status == IN_TRANSIT


def test_a_group_manager_acting_at_the_sender_receives_at_the_destination(
        client, login, group):
    """The header says the main clinic; the receipt is still Harbour Street's, entered there."""
    transfer = send(group["main"], group["batch"], group["harbour"], 3)
    login(make_user("manager"))
    client.post("/location", data={"location_id": str(MAIN), "next": "/stock/"})
    page = client.get(f"/stock/transfers/{transfer.id}").get_data(as_text=True)
    assert "Confirm receipt" in page and "Cancel the transfer" in page  # works at both ends
    done = client.post(f"/stock/transfers/{transfer.id}/receive", data={
        "rcv-containers_received": "3",
        "rcv-storage_area_id": str(area(group["harbour"], "Fridge").id)}, follow_redirects=True)
    assert (f"Transfer {transfer.id} received: 3 containers put into Fridge at Harbour "
            "Street.") in done.get_data(as_text=True)
    assert parts(group["batch"].id) == {MAIN: (14_000, 7), group["harbour"].id: (6_000, 3)}


def test_a_manager_at_the_sender_cancels_with_a_reason(client, login, group):
    transfer = send(group["main"], group["batch"], group["harbour"], 3)
    login(group["main"])
    url = f"/stock/transfers/{transfer.id}/cancel"
    assert "Give a reason" in client.post(url, data={}).get_data(as_text=True)
    done = client.post(url, data={"cancel-reason": "Courier cancelled"},
                       follow_redirects=True).get_data(as_text=True)
    assert f"Transfer {transfer.id} cancelled" in done and "Courier cancelled" in done
    db.session.expire_all()
    assert db.session.get(Transfer, transfer.id).status == CANCELLED
    assert parts(group["batch"].id) == {MAIN: (20_000, 10)}


def test_the_list_filters_by_status_and_ends(client, login, group):
    first = send(group["main"], group["batch"], group["harbour"], 1)
    second = send(group["main"], group["batch"], group["harbour"], 1)
    from compliance.services import transfers

    transfers.cancel(group["main"], second.id, "Duplicate")
    login(group["main"])
    in_transit = client.get("/stock/transfers?status=in+transit").get_data(as_text=True)
    assert f"Transfer {first.id}<" in in_transit and f"Transfer {second.id}<" not in in_transit
    other_way = client.get(f"/stock/transfers?from={group['harbour'].id}").get_data(
        as_text=True)
    assert "No transfers match" in other_way
    of_batch = client.get(f"/stock/transfers?batch={group['batch'].id}&to="
                          f"{group['harbour'].id}").get_data(as_text=True)
    assert f"Transfer {first.id}<" in of_batch and f"Transfer {second.id}<" in of_batch


def test_a_transfer_between_other_locations_is_not_found(client, login, group):
    transfer = send(group["main"], group["batch"], group["harbour"], 1)
    elsewhere = user_at("manager", second_location("West End").id)
    login(elsewhere)
    assert client.get(f"/stock/transfers/{transfer.id}").status_code == 404
    assert client.post(f"/stock/transfers/{transfer.id}/cancel",
                       data={"cancel-reason": "x"}).status_code == 404
    assert f"Transfer {transfer.id}" not in client.get("/stock/transfers").get_data(
        as_text=True)
    assert client.get("/stock/transfers/2147483648").status_code == 404
