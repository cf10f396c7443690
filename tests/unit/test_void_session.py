"""Voiding a session opened by mistake (D4.5): kept, marked, audited, and counted for nothing."""

from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from compliance.clock import utcnow
from compliance.errors import InvalidInput, NotPermitted, NotVoidable, RecordLocked
from compliance.extensions import db
from compliance.models import TreatmentSession, User
from compliance.rules.flags import EXCEPTION_LABELS, FLAG_LABELS
from compliance.services import follow_ups, treatment, treatment_queries
from compliance.services.reports import dashboard, exceptions
from compliance.services.reports.common import Filters, Listing
from compliance.services.voiding import void_session
from tests.audit_helpers import changes, events
from tests.concurrency import at_once
from tests.factories import PASSWORD
from tests.treatment_helpers import days_ago, inject, open_session, treatment_state

REASON = "Opened for the wrong patient"


def opened(clinic, on=None):
    return open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                        on or days_ago(0))


def session_rows() -> list[tuple]:
    """Every session's state, to show a refusal changed nothing."""
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        select(TreatmentSession.id, TreatmentSession.status, TreatmentSession.voided_at,
               TreatmentSession.void_reason).order_by(TreatmentSession.id))]


def refused_void(error, actor, session, reason, message):
    before = (treatment_state(), session_rows())
    with pytest.raises(error) as refusal:
        void_session(actor, session.id, reason)
    assert refusal.value.message == message
    assert (treatment_state(), session_rows()) == before
    return refusal.value


def test_an_empty_session_is_voided_with_who_when_and_why(clinic):
    session = opened(clinic)
    voided = void_session(clinic["nurse"], session.id, f"  {REASON} ")
    assert (voided.status, voided.void_reason, voided.voided_by_id) == (
        "voided", REASON, clinic["nurse"].id)
    assert utcnow() - voided.voided_at < timedelta(minutes=1)
    event = events(table_name="treatment_sessions", action="update")[-1]
    assert event.reason == REASON and event.actor_id == clinic["nurse"].id
    assert changes(event)["status"] == ["open", "voided"]


def test_a_voided_session_counts_for_neither_the_course_nor_the_interval(clinic):
    mistaken = opened(clinic)
    void_session(clinic["nurse"], mistaken.id, REASON)
    back_dated = opened(clinic, days_ago(10))  # 10 days before the voided one
    assert back_dated.session_number == 1
    void_session(clinic["nurse"], back_dated.id, "Wrong date")
    again = opened(clinic)  # 0 days after the first voided one, 10 after the second
    assert again.session_number == 1 and again.status == "open"


def test_a_session_with_an_injection_cannot_be_voided(clinic):
    session = opened(clinic)
    inject(clinic["nurse"], session, clinic["batch"])
    refused_void(NotVoidable, clinic["nurse"], session, REASON,
                 "A session with injections cannot be voided: this one has 1 injection on "
                 "record (a reversed injection stays on record). Sign it off with a note "
                 "instead.")
    assert events(action="refused")[-1].rule == "D4.5 voided before any injection"


def test_a_reversed_injection_still_stops_a_session_being_voided(clinic):
    session = opened(clinic)
    first = inject(clinic["nurse"], session, clinic["batch"])
    inject(clinic["nurse"], session, clinic["batch"])
    treatment.reverse_injection(clinic["nurse"], first.id, "Wrong batch")
    error = refused_void(NotVoidable, clinic["nurse"], session, REASON,
                         "A session with injections cannot be voided: this one has 2 injections "
                         "on record (a reversed injection stays on record). Sign it off with a "
                         "note instead.")
    assert error.field is None


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_voiding_needs_a_reason(clinic, reason):
    error = refused_void(InvalidInput, clinic["nurse"], opened(clinic), reason,
                         "Give the reason for voiding this session.")
    assert error.field == "reason"


def test_only_the_sessions_own_prescriber_voids_it(clinic):
    session = opened(clinic)
    refused_void(NotPermitted, clinic["doctor"], session, REASON,
                 "Only the session's administering prescriber may void it.")
    refused_void(NotPermitted, clinic["manager"], session, REASON,
                 "Your account does not allow this action.")


def test_a_signed_or_voided_session_cannot_be_voided(clinic):
    signed = treatment.sign_session(clinic["nurse"], opened(clinic, days_ago(60)).id, PASSWORD)
    refused_void(RecordLocked, clinic["nurse"], signed, REASON,
                 "A signed session is locked and cannot be voided: add an addendum instead.")
    voided = void_session(clinic["nurse"], opened(clinic).id, REASON)
    refused_void(RecordLocked, clinic["nurse"], voided, "Again",
                 "This session is already voided.")


def test_a_voided_session_takes_no_injection_signature_or_follow_up(clinic):
    session = void_session(clinic["nurse"], opened(clinic).id, REASON)
    before = treatment_state()
    with pytest.raises(RecordLocked, match="This session was voided: open a new session"):
        inject(clinic["nurse"], session, clinic["batch"])
    with pytest.raises(RecordLocked, match="This session was voided"):
        treatment.sign_session(clinic["nurse"], session.id, PASSWORD)
    with pytest.raises(InvalidInput, match="voided before any injection"):
        follow_ups.record_follow_up(clinic["nurse"], session.id, follow_ups.FollowUpNote(
            days_ago(0), ["bruising"], False, None, None, None))
    assert treatment_state() == before


def _exceptions_about(session) -> set[str]:
    rows = exceptions.report(Filters(), Listing("day")).rows
    return {row.kind for row in rows if row.subject.startswith(f"Session {session.id},")}


def test_a_voided_session_is_neither_due_nor_unsigned_nor_flagged(clinic):
    session = opened(clinic, days_ago(4))  # a late entry at any hour: flagged
    session.started_at = utcnow() - timedelta(hours=30)  # and unsigned after 24 hours
    db.session.commit()
    assert _exceptions_about(session) == {FLAG_LABELS["late_entry"],
                                          EXCEPTION_LABELS["unsigned"]}
    assert dashboard.open_exceptions()["Sessions unsigned after 24 hours"] == 1
    void_session(clinic["nurse"], session.id, REASON)
    assert _exceptions_about(session) == set()
    assert dashboard.open_exceptions()["Sessions unsigned after 24 hours"] == 0
    assert treatment_queries.open_sessions(clinic["nurse"].id) == []
    due = treatment_queries.due_patients(days_ago(0))
    assert [(d.patient.id, d.last_session) for d in due] == [(clinic["patient"].id, None)]


def _void_when_ready(nurse_id, session_id, ready):
    nurse = db.session.get(User, nurse_id)
    ready()
    void_session(nurse, session_id, REASON)
    return "voided"


def _inject_when_ready(nurse_id, session_id, batch_id, ready):
    nurse = db.session.get(User, nurse_id)
    ready()
    treatment.record_injection(nurse, session_id, treatment.NewInjection(
        batch_id, 500, "left calf", 2))
    return "injected"


def test_a_session_voided_and_injected_at_once_is_one_or_the_other(app, clinic):
    """The session row is locked by both: whichever comes second finds the first's work."""
    session, nurse_id = opened(clinic), clinic["nurse"].id
    outcomes = at_once(app, [partial(_void_when_ready, nurse_id, session.id),
                             partial(_inject_when_ready, nurse_id, session.id,
                                     clinic["batch"].id)])
    db.session.rollback()
    refusals = {"voided": "RecordLocked('This session was voided: open a new session",
                "injected": "NotVoidable('A session with injections cannot be voided"}
    done = [outcome for outcome in outcomes if outcome in refusals]
    assert len(done) == 1 and len(outcomes) == 2, outcomes
    assert next(o for o in outcomes if o not in refusals).startswith(refusals[done[0]])
    session = db.session.get(TreatmentSession, session.id)
    assert (session.status, len(session.injections)) in {("voided", 0), ("open", 1)}
