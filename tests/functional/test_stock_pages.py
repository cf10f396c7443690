"""Stock pages: overview, batch ledger, goods-in by barcode, waste, stocktake sheet."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from compliance import clock
from compliance.clock import local_today
from compliance.extensions import db
from compliance.models.location import FIRST_LOCATION_ID
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
            "storage_area_id": "1", "receive": "1"}
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
    yesterday = local_today() - timedelta(days=1)
    body = client.post("/stock/receive", data=receipt_form(
        product, expires_on=yesterday.isoformat(), supplier="Keep Me Ltd")).get_data(
        as_text=True)
    assert "This batch has already expired; do not receive it." in body
    assert 'value="Keep Me Ltd"' in body
    assert ledger_state() == before


def test_a_batch_expiring_today_is_received_and_available(client, users, login):
    product = make_product()
    login(users["manager"])
    response = client.post("/stock/receive", data=receipt_form(
        product, expires_on=local_today().isoformat()), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Received 10 containers" in body and ">Available<" in body
    batch = db.session.scalars(select(Batch)).one()
    assert stock_queries.usable_batches(product.id, local_today(), FIRST_LOCATION_ID) == [batch]


def test_a_pack_marked_day_00_is_received_on_the_last_day_of_its_month(client, users, login,
                                                                       monkeypatch):
    """(17)YYMM00 is the month's last day: on that day the pack is still in date (D2)."""
    product = make_product(gtin="05012345678900")
    last_day = date(2026, 7, 31)
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 7, 31, 11, tzinfo=UTC))
    login(users["manager"])
    body = client.post("/stock/receive", data={
        "barcode": GS1.format(expiry="260700"), "read_barcode": "1"}).get_data(as_text=True)
    assert f'value="{last_day.isoformat()}"' in body
    response = client.post("/stock/receive", data=receipt_form(
        product, expires_on=last_day.isoformat(), received_on=last_day.isoformat()),
        follow_redirects=True)
    assert "Received 10 containers" in response.get_data(as_text=True)


def field_errors(body: str, field_id: str) -> list[str]:
    """The error texts shown in the form field whose input has `field_id`."""
    block = re.search(rf'<div class="field[^"]*">(?:(?!<div class="field).)*?id="{field_id}"'
                      r'(?:(?!<div class="field).)*', body, re.S)
    return re.findall(r'<p class="error-text" role="alert">([^<]*)</p>', block.group(0)) \
        if block else []


def waste_form(**changes) -> dict:
    data = {"waste-containers": "2", "waste-volume_ml": "0", "waste-waste_reason": "breakage",
            "waste-reason": "Dropped tray"}
    data.update(changes)
    return data


@pytest.mark.parametrize("why", ["breakage", "other", "expiry disposal"])
def test_destruction_without_a_witness_keeps_the_form(client, users, login, why):
    batch = receive_batch(users["manager"], make_product())
    login(users["manager"])
    before = ledger_state()
    body = client.post(f"/stock/batches/{batch.id}/waste",
                       data=waste_form(**{"waste-waste_reason": why})).get_data(as_text=True)
    message = "Enter the witness&#39;s email address: disposal of sealed containers is witnessed."
    assert field_errors(body, "waste-second_email") == [message]
    assert "Dropped tray" in body and f'<option selected value="{why}">' in body
    assert ledger_state() == before


def test_an_inspector_is_refused_as_a_witness_beside_the_field(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    login(users["manager"])
    before = ledger_state()
    body = client.post(f"/stock/batches/{batch.id}/waste", data=waste_form(**{
        "waste-second_email": users["inspector"].email, "waste-second_password": PASSWORD,
    })).get_data(as_text=True)
    assert field_errors(body, "waste-second_email") == [
        "That account cannot be the witness: a witness is a manager or a prescriber, never an "
        "inspector."]
    assert f'value="{users["inspector"].email}"' in body
    assert ledger_state() == before


def reason_options(body: str) -> list[str]:
    select_html = re.search(r'<select[^>]*id="waste-waste_reason".*?</select>', body, re.S)
    return re.findall(r'value="([^"]+)"', select_html.group(0))


@pytest.mark.parametrize("kind, offered", [
    ("nurse", ["opened remainder", "breakage"]), ("doctor", ["opened remainder", "breakage"]),
    ("manager", ["opened remainder", "breakage", "expiry disposal", "other"]),
])
def test_the_batch_page_offers_each_user_the_waste_they_may_record(client, users, login, kind,
                                                                  offered):
    batch = receive_batch(users["manager"], make_product())
    login(users[kind])
    body = client.get(f"/stock/batches/{batch.id}").get_data(as_text=True)
    assert reason_options(body) == offered
    assert ('a manager records expiry disposal and other disposals' in body) is (
        kind != "manager")


def test_the_session_page_leads_a_prescriber_to_the_batch_to_record_breakage(client, users,
                                                                           login):
    from tests.factories import make_session, ready_patient

    product = make_product()
    batch = receive_batch(users["manager"], product)
    _patient, prescription = ready_patient(users, product)
    session = make_session(prescription, users["nurse"], local_today(), [(batch, 1_000)],
                           signed=False)
    login(users["nurse"])
    body = client.get(f"/treatment/sessions/{session.id}").get_data(as_text=True)
    assert f'<a href="/stock/batches/{batch.id}">{batch.batch_number}</a>' in body
    assert "A container broken at the chair is recorded, with a witness, as breakage" in body


def test_an_inspector_is_offered_no_waste_form(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    login(users["inspector"])
    body = client.get(f"/stock/batches/{batch.id}").get_data(as_text=True)
    assert "Record waste" not in body


def test_a_nurse_records_a_broken_ampoule_with_a_witness(client, users, login):
    batch = receive_batch(users["manager"], make_product())
    login(users["nurse"])
    response = client.post(f"/stock/batches/{batch.id}/waste", data=waste_form(**{
        "waste-containers": "1", "waste-second_email": users["doctor"].email,
        "waste-second_password": PASSWORD}), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Waste recorded." in body and f"witness {users['doctor'].full_name}" in body
    db.session.refresh(batch)
    assert batch.sealed_containers == 9


@pytest.mark.parametrize("why", ["expiry disposal", "other"])
def test_a_nurse_posting_another_disposal_is_refused_beside_the_reason(client, users, login,
                                                                       why):
    from tests.audit_helpers import events

    batch = receive_batch(users["manager"], make_product())
    login(users["nurse"])
    before, refusals = ledger_state(), len(events(action="refused"))
    body = client.post(f"/stock/batches/{batch.id}/waste", data=waste_form(**{
        "waste-waste_reason": why, "waste-second_email": users["manager"].email,
        "waste-second_password": PASSWORD})).get_data(as_text=True)
    assert field_errors(body, "waste-waste_reason") == [
        "A prescriber records waste of breakage and opened remainders only; expiry disposal "
        "and other disposals are recorded by a manager."]
    assert "Dropped tray" in body
    assert ledger_state() == before
    assert len(events(action="refused")) == refusals + 1


@pytest.mark.parametrize("changes", [
    {"waste-containers": "abc"}, {"waste-containers": "99999999999999999999999"},
    {"waste-volume_ml": "1e999"}, {"waste-volume_ml": "-1"}, {"waste-containers": ""},
    {"waste-waste_reason": ""}, {"waste-waste_reason": "x" * 100_000},
    {"waste-waste_reason": "<script>alert(1)</script>"}, {"waste-reason": "x" * 600},
    {"waste-second_email": "x" * 300}, {"waste-second_email": "' OR 1=1 --"},
    {"waste-containers": "0", "waste-volume_ml": "0"},
], ids=lambda changes: ",".join(f"{k}={v[:12]}" for k, v in changes.items()))
def test_hostile_waste_input_is_refused_and_writes_nothing(client, users, login, changes):
    batch = receive_batch(users["manager"], make_product())
    login(users["nurse"])
    before = ledger_state()
    response = client.post(f"/stock/batches/{batch.id}/waste", data=waste_form(**changes))
    assert response.status_code == 200
    assert 'class="error-text"' in response.get_data(as_text=True)
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


@pytest.mark.parametrize("who, message", [
    ("", "Enter the countersigner&#39;s email address: a stocktake discrepancy is "
         "countersigned."),
    ("inspector", "That account cannot be the countersigner: a countersigner is a manager or a "
                  "prescriber, never an inspector."),
])
def test_a_stocktake_countersigner_is_named_beside_the_field(client, users, login, who,
                                                            message):
    batch = receive_batch(users["manager"], make_product())
    login(users["manager"])
    before = ledger_state()
    email = users[who].email if who else ""
    body = client.post("/stock/stocktake", data={
        f"count-{batch.id}": "9", f"reason-{batch.id}": "One broken", "second_email": email,
        "second_password": PASSWORD}).get_data(as_text=True)
    assert field_errors(body, "second_email") == [message]
    assert 'value="9"' in body and "One broken" in body
    assert ledger_state() == before


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
