"""The demo's history is recorded as it would have been on its days: its exceptions report
shows the flags it means to show, and late entries only where the demo means them."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from compliance import clock, demo
from compliance.clock import local_today, to_local
from compliance.extensions import db
from compliance.models import AuditEvent, LedgerEntry, TreatmentSession
from compliance.rules.flags import EXCEPTION_LABELS, FLAG_LABELS
from compliance.services.reports import exceptions
from compliance.services.reports.common import Filters
from compliance.services.reports.temperature_exceptions import NO_READING, OUT_OF_RANGE

LATE = FLAG_LABELS["late_entry"]


@pytest.fixture
def report(app) -> list[exceptions.ExceptionRow]:
    """The demo loaded; every row of its exceptions report."""
    demo.load()
    return exceptions.all_rows(Filters())


def test_the_demo_shows_two_deliberate_late_entries_and_no_other(report):
    """A receipt booked in three days after its delivery, and a follow-up written up four days
    after the patient was seen; everything else was recorded on its day."""
    late = sorted(row.detail for row in report if row.kind == LATE)
    today = local_today()
    seen, delivered = today - timedelta(days=48), today - timedelta(days=150)
    assert len(late) == 2, late
    assert late[0].startswith(f"Follow-up of session 1 dated {seen:%d %b %Y}, recorded on "
                              f"{seen + timedelta(days=4):%d %b %Y}: 3 days ")
    assert late[1].startswith(f"Receipt of batch STS1-2377 dated {delivered:%d %b %Y}, "
                              f"recorded on {delivered + timedelta(days=3):%d %b %Y}: 2 days ")


def test_the_demo_still_shows_each_deliberate_flag_once(report):
    kinds = Counter(row.kind for row in report)
    assert kinds == {LATE: 2, FLAG_LABELS["gp_not_confirmed"]: 1,
                     FLAG_LABELS["gap_over_6_weeks"]: 1, FLAG_LABELS["batch_near_expiry"]: 1,
                     EXCEPTION_LABELS["stocktake_discrepancy"]: 1,
                     EXCEPTION_LABELS["complication"]: 1, OUT_OF_RANGE: 1, NO_READING: 1}


def test_the_demo_history_is_recorded_in_time_order_on_its_days(app):
    demo.load()
    moments = list(db.session.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.seq)))
    assert moments == sorted(moments)
    assert moments[0] < datetime.now(UTC) - timedelta(days=150)
    sessions = db.session.scalars(select(TreatmentSession)).all()
    assert {s.status for s in sessions} == {"signed", "open", "voided"}
    assert all(to_local(s.started_at).date() == s.session_date for s in sessions)
    on_other_days = [(e.entry_type, e.batch.batch_number)
                     for e in db.session.scalars(select(LedgerEntry))
                     if to_local(e.recorded_at).date() != e.occurred_on]
    assert on_other_days == [("receipt", "STS1-2377")]


def test_the_clock_is_the_real_one_after_a_load_that_fails(app, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise RuntimeError("the count would not add up")

    monkeypatch.setattr(demo.stocktakes, "record_stocktake", refuse)
    with pytest.raises(RuntimeError):
        demo.load()
    assert datetime.now(UTC) - clock.utcnow() < timedelta(seconds=5)
