"""Scope (D7): which records, and which audit events, the locations of a scope show."""

import json

import pytest
from sqlalchemy import select

from compliance import scope
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.locations import visible_location_ids
from compliance.models import (
    AuditEvent,
    Batch,
    ExceptionReview,
    Injection,
    LedgerEntry,
    Signature,
    Stocktake,
    StocktakeLine,
    TreatmentSession,
)
from compliance.services import reviews, stock
from compliance.services.audit_scope import scoped
from compliance.services.refusals import record_refusal
from compliance.services.reports import exceptions, trace
from compliance.services.reports.common import Filters
from tests.factories import receive_batch
from tests.location_helpers import make_location, two_locations, user_at

HERE = frozenset({1})  # the first location; each test makes the second


def _ids(model, ids):
    return set(db.session.scalars(scope.narrowed(select(model.id), model, ids)))


def test_a_group_wide_user_sees_every_location_and_others_their_assigned_ones(app, users):
    there = make_location()
    assert visible_location_ids(users["manager"]) is None
    inspector = user_at("inspector", there.id)
    assert visible_location_ids(inspector) == frozenset({there.id})
    there.active = False  # a deactivated location's records stay in its inspector's scope
    db.session.commit()
    assert visible_location_ids(inspector) == frozenset({there.id})


def test_each_kind_of_located_record_is_seen_only_at_its_location(app, users):
    data = two_locations(users)
    there = data["there"]
    assert _ids(TreatmentSession, HERE) == {data["here"].id}
    assert _ids(TreatmentSession, there) == {data["far"].id}
    assert _ids(Injection, there) == {data["far"].injections[0].id}
    assert _ids(Stocktake, HERE) == set() and _ids(Stocktake, there) == {data["stocktake"].id}
    assert _ids(StocktakeLine, there) == {line.id for line in data["stocktake"].lines}
    far_entries = _ids(LedgerEntry, there)
    assert far_entries and not far_entries & _ids(LedgerEntry, HERE)
    assert {e.batch_id for e in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.id.in_(far_entries)))} == {data["there_batch"].id}


def test_a_batch_is_seen_wherever_a_part_of_it_is_held(app, users):
    data = two_locations(users)
    there, far_batch = data["there"], data["there_batch"]
    assert _ids(Batch, HERE) == {data["here_batch"].id}
    assert _ids(Batch, there) == {far_batch.id}
    # Received at the first location too: now a part is held at each.
    receive_batch(user_at("manager", 1), far_batch.product, batch_number="FAR9")
    assert far_batch.id in _ids(Batch, HERE)
    assert scope.is_visible(Batch, far_batch.id, HERE)
    assert not scope.is_visible(Batch, data["here_batch"].id, there)


def test_an_audit_trail_record_is_in_scope_by_its_location_a_signature_by_what_it_signs(
        app, users):
    data = two_locations(users)
    far, there = data["far"], data["there"]
    assert scope.record_visible("treatment_sessions", str(far.id), there)
    assert not scope.record_visible("treatment_sessions", str(far.id), HERE)
    assert not scope.record_visible("injections", str(far.injections[0].id), HERE)
    assert scope.record_visible("patients", str(far.patient_id), HERE)  # group-wide
    assert scope.record_visible("treatment_sessions", str(far.id), None)
    assert not scope.record_visible("treatment_sessions", "not-a-key", HERE)
    countersigned = db.session.scalar(select(Signature).where(
        Signature.record_table == "stocktakes"))
    assert not scope.record_visible("signatures", str(countersigned.id), HERE)
    assert scope.record_visible("signatures", str(countersigned.id), there)


def _events(ids, group_wide=True) -> list[AuditEvent]:
    return list(db.session.scalars(scoped(select(AuditEvent), ids, group_wide)))


def _records_of(events) -> set[tuple]:
    return {(e.table_name, e.record_id) for e in events if e.table_name}


def test_audit_events_about_records_elsewhere_are_hidden(app, users):
    data = two_locations(users)
    there = data["there"]
    far_records = {("treatment_sessions", str(data["far"].id)),
                   ("batches", str(data["there_batch"].id)),
                   ("stocktakes", str(data["stocktake"].id)),
                   ("injections", str(data["far"].injections[0].id))}
    seen_here = _records_of(_events(HERE))
    assert far_records <= _records_of(_events(None))
    assert not far_records & seen_here
    assert far_records <= _records_of(_events(there))
    # Group-wide records (the patient, the accounts) are shown in every scope...
    assert ("patients", str(data["far"].patient_id)) in seen_here
    assert ("users", str(users["doctor"].id)) in seen_here
    # ...but not when one location is chosen: only what is located there.
    chosen = _records_of(_events(there, group_wide=False))
    assert ("patients", str(data["far"].patient_id)) not in chosen
    assert far_records <= chosen


def test_no_event_shown_to_a_scope_names_a_record_elsewhere(app, users):
    data = two_locations(users)
    for event in _events(HERE):
        changes = json.loads(event.changes or "{}")
        if event.table_name in scope.TABLES or event.table_name == "signatures":
            assert scope.record_visible(event.table_name, event.record_id, HERE), event.seq
        assert changes.get("batch_number", [None, None])[1] != "FAR9", event.seq
        assert changes.get("location_id", [None, None])[1] != min(data["there"]), event.seq


def test_a_review_names_the_location_of_its_exception_and_is_scoped_by_it(app, users):
    data = two_locations(users)
    far_rows = [row for row in exceptions.all_rows(Filters(location_ids=data["there"]))
                if row.location_id in data["there"]]
    assert far_rows, "the stocktake discrepancy at the second location"
    row = far_rows[0]
    # A manager of the first location finds nothing there to review.
    manager_here = user_at("manager", 1)
    assert exceptions.find(row.day, row.key, visible_location_ids(manager_here)) is None
    review = reviews.review_exception(data["manager_there"], row.day, row.key, "Counted again")
    assert review.location_id == min(data["there"])
    assert _records_of(_events(HERE)).isdisjoint({("exception_reviews", str(review.id))})


def test_a_recall_contact_is_logged_only_for_a_patient_treated_in_scope(app, users):
    data = two_locations(users)
    far_batch, patient_id = data["there_batch"], data["far"].patient_id
    stock.change_state(data["manager_there"], far_batch.id, "recall", "Supplier's notice")
    here_manager = user_at("manager", 1)
    with pytest.raises(InvalidInput):
        trace.log_contact(here_manager, far_batch.id, patient_id, "phone", "Spoke to her")
    contact = trace.log_contact(data["manager_there"], far_batch.id, patient_id, "phone",
                                "Spoke to her")
    assert contact.patient_id == patient_id
    assert [p.patient_id for p in trace.recall_log(far_batch.id, HERE)] == []


def test_a_refused_attempt_and_its_review_are_seen_where_their_authors_work(app, users):
    far_nurse = user_at("nurse", make_location("Quay Road", "1-000000003").id)
    near_nurse = user_at("nurse", 1)
    for nurse in (far_nurse, near_nurse, users["nurse"]):
        record_refusal(nurse, "GET /users", "manage_users")
    refused = {row.who: row for row in exceptions.all_rows(Filters())
               if row.kind == "Refused attempt"}
    seen_here = {row.who for row in exceptions.all_rows(Filters(location_ids=HERE))
                 if row.kind == "Refused attempt"}
    assert seen_here == {near_nurse.full_name}
    far_row, near_row = refused[far_nurse.full_name], refused[near_nurse.full_name]
    group_review = reviews.review_exception(users["manager"], far_row.day, far_row.key, "Seen")
    near_review = reviews.review_exception(user_at("manager", 1), near_row.day, near_row.key,
                                           "Seen")
    assert group_review.location_id is None and near_review.location_id is None
    assert _ids(ExceptionReview, HERE) == {near_review.id}
    assert _ids(ExceptionReview, None) == {group_review.id, near_review.id}
