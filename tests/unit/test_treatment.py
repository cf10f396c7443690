"""Treatment sessions end to end: courses, sign-off, waste of opened ampoules, locking."""

from datetime import timedelta

import pytest

from compliance.errors import (
    InvalidInput,
    NotPermitted,
    RecordLocked,
    SessionNotAuthorised,
    SignatureRefused,
    TooSoon,
)
from compliance.extensions import db
from compliance.models.stock import ADMINISTRATION, RECEIPT, REVERSAL, WASTE
from compliance.services import follow_ups, stock_queries, treatment
from compliance.services.signatures import signatures_of
from tests.audit_helpers import changes, events, execute_raw
from tests.factories import PASSWORD, make_product, ready_patient, receive_batch
from tests.stock_helpers import assert_balance_is_ledger_sum
from tests.treatment_helpers import days_ago, inject, open_session, treatment_state


def full_session(clinic, on, volume_ul=1_500):
    nurse = clinic["nurse"]
    session = open_session(nurse, clinic["patient"], clinic["prescription"], on)
    inject(nurse, session, clinic["batch"], volume_ul)
    return treatment.sign_session(nurse, session.id, PASSWORD)


def test_a_course_is_six_sessions_four_weeks_apart_and_a_seventh_is_refused(clinic):
    start = days_ago(6 * 28)
    sessions = [full_session(clinic, start + timedelta(days=28 * n)) for n in range(6)]
    assert [s.session_number for s in sessions] == [1, 2, 3, 4, 5, 6]
    before = treatment_state()
    with pytest.raises(SessionNotAuthorised, match="authorises 6 sessions"):
        open_session(clinic["nurse"], clinic["patient"], clinic["prescription"], days_ago(0))
    assert treatment_state() == before


def test_three_weeks_is_refused_and_seven_weeks_is_recorded_but_flagged(clinic):
    first = full_session(clinic, days_ago(49))
    with pytest.raises(TooSoon):
        open_session(clinic["nurse"], clinic["patient"], clinic["prescription"], days_ago(28))
    late = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"], days_ago(0))
    assert late.session_number == 2 and first.session_number == 1
    assert "gap_over_6_weeks" in {flag.code for flag in late.flags}
    assert "49 days" in next(f.detail for f in late.flags if f.code == "gap_over_6_weeks")


def test_a_back_dated_session_is_refused_when_a_later_session_is_too_close(clinic):
    """Sessions on "1 June" and "20 July", then one back-dated to "1 July": refused."""
    full_session(clinic, days_ago(79))
    later = full_session(clinic, days_ago(30))
    before = treatment_state()
    with pytest.raises(TooSoon) as refused:
        open_session(clinic["nurse"], clinic["patient"], clinic["prescription"], days_ago(49))
    assert refused.value.message == (f"The next session was on {later.session_date:%d %b %Y}, "
                                     "19 days after; sessions must be at least 28 days apart.")
    assert treatment_state() == before
    assert events(action="refused")[-1].rule == "D4.5 28 days between sessions"


def test_a_back_dated_session_far_enough_from_both_sides_is_numbered_by_count(clinic):
    """Signed sessions are locked, so a back-dated session is not slotted in between them:
    it takes the next number of the course, and the course counts it."""
    first = full_session(clinic, days_ago(120))
    second = full_session(clinic, days_ago(30))
    between = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(75))
    assert (first.session_number, second.session_number, between.session_number) == (1, 2, 3)


def test_a_session_recorded_days_later_is_flagged_as_a_late_entry(clinic):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(3))
    assert "late_entry" in {flag.code for flag in session.flags}


def test_an_unconfirmed_gp_visit_is_flagged(clinic):
    clinic["patient"].gp_visit_confirmed_on = None
    db.session.commit()
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    assert "gp_not_confirmed" in {flag.code for flag in session.flags}


def test_every_millilitre_is_accounted_for_after_a_day_of_sessions(users):
    """Received = administered + wasted + on hand, exactly, with opened ampoules."""
    product = make_product(max_volume_per_session_ul=10_000)
    batch = receive_batch(users["manager"], product, containers=10)
    nurse = users["nurse"]
    for volumes in ([1_500, 700], [300, 300, 300], [2_100]):
        patient, prescription = ready_patient(users, product)
        session = open_session(nurse, patient, prescription, days_ago(0))
        for volume in volumes:
            inject(nurse, session, batch, volume)
        treatment.sign_session(nurse, session.id, PASSWORD)
    totals = {kind: 0 for kind in (RECEIPT, ADMINISTRATION, WASTE)}
    for entry in stock_queries.ledger(batch.id):
        totals[entry.entry_type] += entry.quantity_ul
    db.session.refresh(batch)
    assert totals[ADMINISTRATION] == -5_200
    assert totals[WASTE] == -(2 * 2_000 - 2_200) - (1 * 2_000 - 900) - (2 * 2_000 - 2_100)
    assert totals[RECEIPT] == -totals[ADMINISTRATION] - totals[WASTE] + batch.balance_ul
    assert batch.balance_ul == batch.sealed_containers * 2_000 == 10_000
    assert_balance_is_ledger_sum(batch)


def test_sign_off_shows_who_when_and_what_it_means(clinic):
    session = full_session(clinic, days_ago(0))
    [status] = signatures_of(session)
    assert status.intact and status.signature.meaning == "administered"
    assert status.signature.printed_name == clinic["nurse"].full_name
    assert status.signature.registration == "NMC 12A3456E"
    assert session.signed_at is not None


def test_a_wrong_password_does_not_sign(clinic):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    inject(clinic["nurse"], session, clinic["batch"])
    before = treatment_state()
    with pytest.raises(SignatureRefused):
        treatment.sign_session(clinic["nurse"], session.id, "not-my-password")
    assert treatment_state() == before
    db.session.refresh(session)
    assert session.status == "open"


def test_a_signed_session_is_locked(clinic):
    session = full_session(clinic, days_ago(0))
    injection = session.injections[0]
    before = treatment_state()
    with pytest.raises(RecordLocked):
        inject(clinic["nurse"], session, clinic["batch"])
    with pytest.raises(RecordLocked):
        treatment.reverse_injection(clinic["nurse"], injection.id, "wrong")
    with pytest.raises(RecordLocked):
        treatment.sign_session(clinic["nurse"], session.id, PASSWORD)
    assert treatment_state() == before


def test_a_signed_session_edited_by_raw_sql_shows_changed_after_signing(clinic):
    session = full_session(clinic, days_ago(0))
    execute_raw("UPDATE treatment_sessions SET notes = 'edited' WHERE id = :id", id=session.id)
    db.session.expire_all()
    [status] = signatures_of(session)
    assert status.label == "changed after signing"


def test_later_notes_on_a_signed_session_are_addenda_with_a_reason(clinic):
    session = full_session(clinic, days_ago(0))
    with pytest.raises(InvalidInput):
        treatment.add_addendum(clinic["nurse"], session.id, "Patient phoned", " ")
    addendum = treatment.add_addendum(clinic["nurse"], session.id, "Mild bruising reported",
                                      "Patient phoned the next day")
    event = events(table_name="session_addenda")[-1]
    assert event.reason == "Patient phoned the next day" and addendum.id
    [status] = signatures_of(session)
    assert status.intact


def test_only_the_sessions_own_prescriber_adds_an_addendum(clinic):
    """D1 ownership: another prescriber's addendum is refused, audited, and writes nothing."""
    session = full_session(clinic, days_ago(0))
    before = len(events(table_name="session_addenda"))
    with pytest.raises(NotPermitted, match="administering prescriber adds addenda to it"):
        treatment.add_addendum(clinic["doctor"], session.id, "Seen again", "Follow-up call")
    assert len(events(table_name="session_addenda")) == before
    refused = events(action="refused")[-1]
    assert refused.actor_id == clinic["doctor"].id and refused.rule == "capability: add_addendum"


def test_a_wrong_injection_is_reversed_not_edited(clinic):
    nurse = clinic["nurse"]
    session = open_session(nurse, clinic["patient"], clinic["prescription"], days_ago(0))
    wrong = inject(nurse, session, clinic["other"], 1_000)
    inject(nurse, session, clinic["batch"], 1_000)
    treatment.reverse_injection(nurse, wrong.id, "Recorded against the wrong batch")
    entry = stock_queries.ledger(clinic["other"].id)[-1]
    assert entry.entry_type == REVERSAL and entry.reverses_id == wrong.ledger_entry_id
    db.session.refresh(session)
    assert session.volume_ul == 1_000
    treatment.sign_session(nurse, session.id, PASSWORD)
    assert_balance_is_ledger_sum(clinic["other"])
    assert clinic["other"].balance_ul == 60_000


def test_only_the_administering_prescriber_records_in_a_session(clinic):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    with pytest.raises(NotPermitted, match="administering prescriber"):
        inject(clinic["doctor"], session, clinic["batch"])


def test_injections_from_two_batches_draw_from_each(clinic):
    nurse = clinic["nurse"]
    session = open_session(nurse, clinic["patient"], clinic["prescription"], days_ago(0))
    inject(nurse, session, clinic["batch"], 2_500)
    inject(nurse, session, clinic["other"], 1_000)
    treatment.sign_session(nurse, session.id, PASSWORD)
    for batch, sealed in ((clinic["batch"], 28), (clinic["other"], 29)):
        db.session.refresh(batch)
        assert batch.sealed_containers == sealed
        assert batch.balance_ul == sealed * 2_000


def test_a_batch_near_expiry_is_flagged(clinic):
    soon = receive_batch(clinic["manager"], clinic["product"], containers=5, batch_number="S",
                         expires_in_days=10)
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    inject(clinic["nurse"], session, soon)
    db.session.refresh(session)
    assert "batch_near_expiry" in {flag.code for flag in session.flags}


def test_a_complication_needs_severity_and_action(clinic):
    session = full_session(clinic, days_ago(7))
    note = follow_ups.FollowUpNote(days_ago(0), ["clot"], True, None, None, None)
    with pytest.raises(InvalidInput, match="severity"):
        follow_ups.record_follow_up(clinic["nurse"], session.id, note)
    note.severity, note.action_taken = "moderate", "Clot removed by needle"
    follow_up = follow_ups.record_follow_up(clinic["nurse"], session.id, note)
    assert follow_up.complication and follow_up.effects == "clot"
    assert changes(events(table_name="follow_ups")[-1])["action_taken"][1] == \
        "Clot removed by needle"


def test_treatment_tables_are_audited_with_who_what_and_why(clinic):
    nurse = clinic["nurse"]
    clinic["patient"].gp_visit_confirmed_on = None
    db.session.commit()
    session = open_session(nurse, clinic["patient"], clinic["prescription"], days_ago(0))
    wrong = inject(nurse, session, clinic["batch"], 1_000)
    treatment.reverse_injection(nurse, wrong.id, "Volume typed wrongly")
    inject(nurse, session, clinic["batch"], 1_200)
    treatment.sign_session(nurse, session.id, PASSWORD)
    treatment.add_addendum(nurse, session.id, "Bruising expected", "Told the patient later")
    for table in ("treatment_sessions", "injections", "injection_reversals", "session_flags",
                  "session_addenda"):
        created = events(table_name=table, action="create")
        assert created and created[-1].actor_id == nurse.id, table
    assert events(table_name="injection_reversals")[-1].reason == "Volume typed wrongly"
    signed = [e for e in events(table_name="treatment_sessions", action="update")
              if "status" in changes(e)][-1]
    assert changes(signed)["status"] == ["open", "signed"]


def test_a_batch_cannot_be_used_before_it_was_received(clinic):
    from compliance.errors import BatchUnusable

    fresh = receive_batch(clinic["manager"], clinic["product"], batch_number="NEW",
                          received_days_ago=0)
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(30))
    before = treatment_state()
    with pytest.raises(BatchUnusable, match="after the session date"):
        inject(clinic["nurse"], session, fresh)
    assert treatment_state() == before


def test_the_chair_offers_this_sessions_opened_container_but_not_anothers(users):
    """A batch whose one ampoule another session opened has nothing to open: it is offered
    only to the session that opened it, first."""
    from compliance.services.treatment_queries import session_picture

    product = make_product()
    last = receive_batch(users["manager"], product, containers=1, batch_number="LAST",
                         expires_in_days=100)
    spare = receive_batch(users["manager"], product, containers=5, batch_number="SPARE")
    patient, prescription = ready_patient(users, product)
    other, other_rx = ready_patient(users, product)
    mine = open_session(users["nurse"], patient, prescription, days_ago(0))
    inject(users["nurse"], mine, last, 500)
    theirs = open_session(users["doctor"], other, other_rx, days_ago(0))
    assert [b.batch_number for b in session_picture(mine).batches] == ["LAST", "SPARE"]
    assert [b.batch_number for b in session_picture(theirs).batches] == ["SPARE"]
    assert spare.sealed_containers == 5
