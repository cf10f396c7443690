"""The late-entry flag (D4) for every record with an event date: receipts and other ledger
entries, sessions, injections, follow-ups and stocktakes are flagged when entered more than 24
hours after their day ended, never at 24 hours, and each is listed in the exceptions report
with what was late, by how much, who entered it and a link to the record."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from compliance.clock import end_of_local_day, local_today, start_of_local_day, to_local
from compliance.extensions import db
from compliance.models import FollowUp, Stocktake
from compliance.models.stock import RECEIPT, WASTE
from compliance.rules.limits import LATE_AFTER
from compliance.services import follow_ups, goods_in
from compliance.services.ledger import locked_batch, post
from tests.factories import make_product, make_session, ready_patient, receive_batch
from tests.reports.reading import csv_rows, pdf_text, screen

LATE = "Recorded more than 24 hours after the event"


def event_day():
    return local_today() - timedelta(days=10)


def at_the_limit():
    """Exactly 24 hours after the event's day ended: not yet late."""
    return end_of_local_day(event_day()) + LATE_AFTER


def past_the_limit():
    return at_the_limit() + timedelta(seconds=1)


def enter_stock(manager, tag: str, entered):
    """A batch received today, then a receipt and a waste dated ten days ago entered at
    `entered`."""
    product = make_product("1" if tag == "LATE" else "3")
    batch = receive_batch(manager, product, batch_number=f"R-{tag}", received_days_ago=0)
    for entry_type, quantity_ul, containers, why in ((RECEIPT, 2000, 1, {}), (
            WASTE, -2000, -1, {"waste_reason": "breakage", "reason": "Dropped"})):
        post(manager, locked_batch(batch.id), entry_type, quantity_ul, containers,
             occurred_on=event_day(), recorded_at=entered, **why)
    return product, batch


def enter_each_kind(users, tag: str, entered) -> dict[str, tuple[str, str, str]]:
    """One record of each kind dated ten days ago and entered at `entered`: {how the flag
    names it: (what the report says it concerns, who entered it, the record's page)}."""
    manager, doctor, day = users["manager"], users["doctor"], event_day()
    product, batch = enter_stock(manager, tag, entered)
    patient, rx = ready_patient(users, product)
    session = make_session(rx, doctor, day, [(batch, 100)], entered_at=entered)
    stocktake = Stocktake(counted_by_id=manager.id, location_id=1, recorded_at=entered,
                          counted_at=start_of_local_day(day) + timedelta(hours=17))
    follow_up = FollowUp(session_id=session.id, seen_on=day, recorded_by_id=doctor.id,
                         recorded_at=entered)
    db.session.add_all([stocktake, follow_up])
    db.session.commit()
    on_batch = (f"Batch R-{tag}", manager.full_name, f"/stock/batches/{batch.id}")
    on_session = (f"Session {session.session_number}, {patient.first_name} {patient.last_name} "
                  f"({patient.reference})", doctor.full_name, f"/treatment/sessions/{session.id}")
    return {f"Receipt of batch R-{tag}": on_batch, f"Waste of batch R-{tag}": on_batch,
            "Session": on_session,
            f"Injection from batch R-{tag}": on_session,
            f"Follow-up of session {session.session_number}": on_session,
            f"Stocktake {stocktake.id}": (f"Stocktake {stocktake.id}", manager.full_name,
                                          f"/stock/stocktakes/{stocktake.id}")}


def late_rows(client) -> list[dict]:
    return [row for row in csv_rows(client, "/reports/exceptions.csv")
            if row["exception"] == LATE]


@pytest.fixture
def inspector(client, login, users):
    login(users["inspector"])
    return client


def test_every_kind_of_record_entered_over_24_hours_late_is_listed_and_at_24_is_not(
        inspector, users):
    late = enter_each_kind(users, "LATE", past_the_limit())
    on_time = enter_each_kind(users, "ONTIME", at_the_limit())
    rows, entered_on = late_rows(inspector), to_local(past_the_limit()).date()
    found = {(row["detail"].split(" dated ")[0], row["concerning"]): row for row in rows}
    for record, (subject, who, page) in late.items():
        row = found.pop((record, subject))
        assert row["detail"] == (f"{record} dated {event_day():%d %b %Y}, recorded on "
                                 f"{entered_on:%d %b %Y}: 1 day after that day ended")
        assert row["who"] == who and row["record"] == f"http://localhost{page}"
        assert row["date"] == f"{entered_on:%Y-%m-%d}"
    assert not [key for key in found if key[1] in {s for s, _w, _p in on_time.values()}]


def test_late_entries_link_to_their_records_on_screen_and_print_in_the_pdf(inspector, users):
    late = enter_each_kind(users, "LATE", past_the_limit())
    html = screen(inspector, "/reports/exceptions")
    for subject, _who, page in late.values():
        assert f'<a href="{page}">{subject}</a>' in html
    text = pdf_text(inspector, "/reports/exceptions.pdf")
    assert "Receipt of batch R-LATE dated" in text and "Stocktake" in text


def whole_days_after(day, recorded_at) -> int:
    """Whole days from the end of `day` (clinic time) to `recorded_at`: 149 for a day 150 days
    back, or 150 late in the evening when the day was in summer time and today is not."""
    days = (recorded_at - end_of_local_day(day)).days
    assert days in {(local_today() - day).days - 1, (local_today() - day).days}
    return days


def test_a_receipt_back_dated_150_days_is_listed_with_how_late_and_who_received_it(
        inspector, users):
    product = make_product("1")
    entry = goods_in.receive(users["manager"], goods_in.Receipt(
        product_id=product.id, batch_number="OLD-1", expires_on=local_today() + timedelta(300),
        supplier="Medi Supplies", delivery_reference="DEL-9", containers=5,
        received_on=local_today() - timedelta(days=150)))
    [row] = [row for row in late_rows(inspector) if row["concerning"] == "Batch OLD-1"]
    dated = local_today() - timedelta(days=150)
    assert row["detail"].startswith(f"Receipt of batch OLD-1 dated {dated:%d %b %Y}, "
                                    f"recorded on {local_today():%d %b %Y}: "
                                    f"{whole_days_after(dated, entry.recorded_at)} days")
    assert row["who"] == users["manager"].full_name
    assert row["record"] == f"http://localhost/stock/batches/{entry.batch_id}"


def test_a_follow_up_recorded_48_days_after_the_visit_is_listed(inspector, users):
    product = make_product("1")
    batch = receive_batch(users["manager"], product)
    _patient, rx = ready_patient(users, product)
    session = make_session(rx, users["doctor"], local_today() - timedelta(days=60),
                           [(batch, 100)])
    seen = local_today() - timedelta(days=48)
    follow_ups.record_follow_up(users["doctor"], session.id, follow_ups.FollowUpNote(
        seen, [], False, None, None, None))
    [row] = [row for row in late_rows(inspector)
             if row["detail"].startswith("Follow-up")]
    recorded = db.session.scalars(select(FollowUp.recorded_at)).one()
    assert f"dated {seen:%d %b %Y}" in row["detail"]
    assert f": {whole_days_after(seen, recorded)} days" in row["detail"]
    assert row["who"] == users["doctor"].full_name


def test_a_session_voided_before_any_injection_is_never_listed_as_late(inspector, users):
    from compliance.services.voiding import void_session

    product = make_product("1")
    patient, rx = ready_patient(users, product)
    session = make_session(rx, users["nurse"], event_day(), signed=False,
                           entered_at=past_the_limit())
    void_session(users["nurse"], session.id, "Opened under the wrong patient")
    assert not [row for row in late_rows(inspector)
                if row["concerning"].endswith(f"({patient.reference})")]
