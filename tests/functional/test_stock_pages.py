"""Stock pages: overview, batch ledger, goods-in by barcode, waste, stocktake sheet."""

import re
from datetime import timedelta

import pytest

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models.stock import Batch
from compliance.services import stock_queries
from tests.factories import PASSWORD, make_product, receive_batch
from tests.stock_helpers import ledger_state

GS1 = "(01)05012345678900(17){expiry}(10)LOT42(21)SN1"


def expiry_code(days: int) -> str:
    return (local_today() + timedelta(days=days)).strftime("%y%m%d")


def receipt_form(product, **changes):
    data = {"product_id": product.id, "batch_number": "LOT42",
            "expires_on": (local_today() + timedelta(days=400)).isoformat(),
            "supplier": "Medi Supplies", "delivery_reference": "INV-991", "containers": "10",
            "receive": "1"}
    data.update(changes)
    return data


def test_everyone_sees_the_stock_overview(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    for kind in ("nurse", "inspector", "manager"):
        login(users[kind])
        body = client.get("/stock/").get_data(as_text=True)
        assert batch.batch_number in body and "20" in body
        client.post("/logout")


def test_the_overview_filters_by_status(client, users, login):
    manager = users["manager"]
    product = make_product()
    receive_batch(manager, product, batch_number="GOOD")
    receive_batch(manager, product, batch_number="SHORT", expires_in_days=1)
    login(manager)
    body = client.get("/stock/", query_string={"state": "available"}).get_data(as_text=True)
    assert "GOOD" in body


def test_a_barcode_fills_the_receipt_form(client, users, login):
    product = make_product(gtin="05012345678900")
    login(users["manager"])
    response = client.post("/stock/receive", data={"barcode": GS1.format(expiry=expiry_code(400)),
                                                   "read_barcode": "1", "expires_on": ""})
    body = response.get_data(as_text=True)
    assert 'value="LOT42"' in body and 'value="SN1"' in body
    assert f'value="{(local_today() + timedelta(days=400)).isoformat()}"' in body
    assert f'<option selected value="{product.id}">' in body or \
        re.search(rf'<option[^>]*value="{product.id}"[^>]*selected', body)


@pytest.mark.parametrize("barcode, refusal", [
    ("(01)09506000134352(17)301231(10)X1", "No product has GTIN 09506000134352"),
    ("(01)05012345678901(17)301231(10)X1", "check digit is wrong"),
], ids=["an unknown GTIN", "a bad check digit"])
def test_a_barcode_that_names_no_product_is_refused(client, users, login, barcode, refusal):
    make_product(gtin="05012345678900")
    login(users["manager"])
    body = client.post("/stock/receive", data={"barcode": barcode, "read_barcode": "1"}) \
        .get_data(as_text=True)
    assert refusal in body


def test_receiving_creates_the_batch_and_shows_its_ledger(client, users, login):
    product = make_product()
    login(users["manager"])
    response = client.post("/stock/receive", data=receipt_form(product), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Received 10 containers" in body and "receipt" in body and "INV-991" in body


def test_an_expired_receipt_is_refused_with_the_input_kept(client, users, login):
    product = make_product()
    login(users["manager"])
    before = ledger_state()
    body = client.post("/stock/receive", data=receipt_form(
        product, expires_on=local_today().isoformat(), supplier="Keep Me Ltd")).get_data(
        as_text=True)
    assert "already expired" in body and 'value="Keep Me Ltd"' in body
    assert ledger_state() == before


def test_destruction_without_a_witness_keeps_the_form(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    login(users["manager"])
    before = ledger_state()
    body = client.post(f"/stock/batches/{batch.id}/waste", data={
        "waste-containers": "2", "waste-volume_ml": "0", "waste-waste_reason": "breakage",
        "waste-reason": "Dropped tray"}).get_data(as_text=True)
    assert "No active account has that email address." in body and "Dropped tray" in body
    assert ledger_state() == before


def test_witnessed_destruction_is_recorded(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    login(users["manager"])
    response = client.post(f"/stock/batches/{batch.id}/waste", data={
        "waste-containers": "2", "waste-volume_ml": "0", "waste-waste_reason": "breakage",
        "waste-reason": "Dropped tray", "waste-second_email": users["doctor"].email,
        "waste-second_password": PASSWORD}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Waste recorded." in body and f"witness {users['doctor'].full_name}" in body
    db.session.refresh(batch)
    assert batch.sealed_containers == 8


def test_reversal_from_the_batch_page(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    entry = stock_queries.ledger(batch.id)[0]
    login(users["manager"])
    body = client.post(f"/stock/entries/{entry.id}/reverse", data={"rev-reason": "Wrong batch"},
                       follow_redirects=True).get_data(as_text=True)
    assert f"Entry {entry.id} reversed." in body and "Reversed" in body
    assert db.session.get(Batch, batch.id).balance_ul == 0


def test_stocktake_sheet_requires_a_reason_for_differences(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    login(users["manager"])
    sheet = client.get("/stock/stocktake").get_data(as_text=True)
    assert f'name="count-{batch.id}"' in sheet
    before = ledger_state()
    body = client.post("/stock/stocktake", data={f"count-{batch.id}": "9"}).get_data(as_text=True)
    assert "give a reason" in body and 'value="9"' in body
    assert ledger_state() == before
    response = client.post("/stock/stocktake", data={
        f"count-{batch.id}": "9", f"reason-{batch.id}": "One broken",
        "second_email": users["doctor"].email, "second_password": PASSWORD},
        follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Stocktake recorded." in body and "countersigned stocktake" in body
    assert "Intact" in body


def test_a_stocktake_count_that_is_not_a_number_is_shown_beside_its_batch(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    login(users["manager"])
    before = ledger_state()
    response = client.post("/stock/stocktake", data={f"count-{batch.id}": "nine"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Some counts are missing." in body
    assert "Enter the sealed containers counted, a whole number from 0 to 100,000." in body
    assert ledger_state() == before


def test_inspectors_cannot_change_stock(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    login(users["inspector"])
    response = client.post(f"/stock/batches/{batch.id}/adjust",
                           data={"adj-containers": "1", "adj-reason": "x"})
    assert response.status_code == 403
    assert client.get("/stock/receive").status_code == 403


def test_the_overview_pages_sorts_and_searches_in_the_database(client, users, login):
    manager = users["manager"]
    product = make_product()
    for n in range(55):
        receive_batch(manager, product, containers=1, batch_number=f"N{n:03d}",
                      expires_in_days=100 + n)
    login(manager)
    first = client.get("/stock/", query_string={"sort": "expires"}).get_data(as_text=True)
    assert "N000" in first and "N054" not in first and "Page 1 of 2 (55 rows)" in first
    second = client.get("/stock/", query_string={"sort": "expires", "page": 2})
    assert "N054" in second.get_data(as_text=True)
    latest = client.get("/stock/", query_string={"sort": "expires", "direction": "desc"})
    assert latest.get_data(as_text=True).index("N054") < latest.get_data(as_text=True).index(
        "N053")
    found = client.get("/stock/", query_string={"q": "n01"}).get_data(as_text=True)
    assert "N010" in found and "N020" not in found
