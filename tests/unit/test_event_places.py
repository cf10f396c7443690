"""Audit events store where their record is, for records that never move
(compliance/fixed_places.py): the writer stores it, scopes read it, the migration fills it in
for events written before, and `flask audit replay` finds one changed behind its back."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from compliance import demo
from compliance.extensions import db
from compliance.fixed_places import EVERYWHERE, FIXED, named_place, place_of, placed
from compliance.models import (
    AuditEvent,
    Batch,
    ExceptionReview,
    Injection,
    InjectionReversal,
    LedgerEntry,
    Location,
    Patient,
    Signature,
    StocktakeLine,
    TemperatureReading,
    Transfer,
    TreatmentSession,
)
from compliance.scope import LOCATED
from compliance.services import audit_places, audit_replay, treatment
from compliance.services.audit_scope import scoped
from tests.audit_helpers import append_only_lifted, events, execute_raw
from tests.location_helpers import two_locations

HERE = frozenset({1})
BEFORE = "86eda4b3e964"  # the revision before the events stored a place


# Where a record is, without a database: `get` finds rows in a dict. ---------------------
def _getter(*rows):
    found = {(type(row), row.id): row for row in rows}
    return lambda model, key: found.get((model, key))


def test_a_record_with_a_location_of_its_own_is_there():
    get = _getter()
    assert place_of(TreatmentSession(id=1, location_id=4), get) == 4
    assert place_of(LedgerEntry(id=1, location_id=5), get) == 5
    assert place_of(Location(id=6), get) == 6
    assert place_of(ExceptionReview(id=1, location_id=None), get) is None  # refused attempt


def test_a_part_is_where_its_parent_is_and_nowhere_when_the_parent_is_not_found():
    session = TreatmentSession(id=3, location_id=7)
    injection = Injection(id=9, session_id=3)
    get = _getter(session, injection)
    assert place_of(injection, get) == 7
    assert place_of(InjectionReversal(id=1, injection_id=9), get) == 7
    assert place_of(StocktakeLine(id=1, stocktake_id=99), get) is None
    assert place_of(TemperatureReading(id=1, storage_area_id=99), get) is None


def test_a_signature_is_where_what_it_signs_is():
    get = _getter(TreatmentSession(id=3, location_id=7))
    assert place_of(Signature(id=1, record_table="treatment_sessions", record_id="3"), get) == 7
    assert place_of(Signature(id=2, record_table="prescriptions", record_id="3"),
                    get) == EVERYWHERE
    assert place_of(Signature(id=3, record_table="treatment_sessions", record_id="4"),
                    get) is None  # not found


def test_a_record_of_no_location_is_everywhere_without_a_look_up():
    def get(model, key):
        raise AssertionError("never looked up")
    assert place_of(Patient(id=1), get) == EVERYWHERE
    assert named_place("users", "7", get) == EVERYWHERE
    assert named_place("prescriptions", "not a key", get) == EVERYWHERE


def test_records_that_can_move_and_keys_that_are_none_have_no_place():
    def get(model, key):
        raise AssertionError("never looked up")
    assert place_of(Batch(id=1), get) is None
    assert place_of(Transfer(id=1), get) is None
    for key in (None, "", "abc", "1|2", "\uff11", "99999999999", "-1"):
        assert named_place("treatment_sessions", key, get) is None, key
    assert named_place("batches", "1", get) is None
    assert named_place(None, "1", get) is None


# Through the application. ------------------------------------------------------------------
def _place(table: str, record_id) -> set:
    return {event.location_id for event in events(table_name=table, record_id=str(record_id))}


def test_the_writer_stores_where_each_fixed_record_is_and_nothing_for_others(app, users):
    data = two_locations(users)
    there, far = min(data["there"]), data["far"]
    assert _place("treatment_sessions", far.id) == {there}
    assert _place("injections", far.injections[0].id) == {there}
    assert _place("stocktakes", data["stocktake"].id) == {there}
    assert _place("treatment_sessions", data["here"].id) == {1}
    signature = db.session.scalar(select(Signature.id).where(
        Signature.record_table == "stocktakes"))
    assert _place("signatures", signature) == {there}
    assert _place("batches", data["there_batch"].id) == {None}
    assert _place("patients", far.patient_id) == {EVERYWHERE}
    assert _place("users", users["doctor"].id) == {EVERYWHERE}
    prescribed = db.session.scalar(select(Signature.id).where(
        Signature.record_table == "prescriptions"))
    assert _place("signatures", prescribed) == {EVERYWHERE}


def _unplace_every_event() -> None:
    with append_only_lifted("audit_events"):
        execute_raw("UPDATE audit_events SET location_id = NULL")


def test_every_scope_shows_the_same_events_whether_places_are_stored_or_not(app, users):
    """An event without a place (written before places were stored) is decided by its
    record as it is now: the same answer the stored place gives."""
    data = two_locations(users)
    scopes = [HERE, data["there"], HERE | data["there"]]
    placed = _seen_by(scopes)
    assert db.session.scalar(select(AuditEvent.seq).where(AuditEvent.location_id.is_not(None)))
    _unplace_every_event()
    assert _seen_by(scopes) == placed


def _seen_by(scopes) -> dict:
    """The events each scope shows, with its group-wide records and without."""
    return {(ids, wide): list(db.session.scalars(scoped(select(AuditEvent.seq), ids, wide)
                                                 .order_by(AuditEvent.seq)))
            for ids in scopes for wide in (True, False)}


def _seq_of(table: str, record_id) -> int:
    return events(table_name=table, record_id=str(record_id))[0].seq


def _signature_of(table: str) -> int:
    return db.session.scalar(select(Signature.id).where(Signature.record_table == table))


def _tamper(data) -> dict[int, int]:
    """Places written behind the application's back: {event: place}."""
    far = data["far"]
    tampered = {
        _seq_of("injections", far.injections[0].id): 1,
        _seq_of("batches", data["there_batch"].id): 1,  # a batch may move: it has none
        _seq_of("signatures", _signature_of("stocktakes")): 1,
        _seq_of("treatment_sessions", far.id): EVERYWHERE,
        _seq_of("patients", far.patient_id): 1,  # a patient belongs to no location
        _seq_of("signatures", _signature_of("prescriptions")): 1,
    }
    with append_only_lifted("audit_events"):
        for seq, place in tampered.items():
            execute_raw("UPDATE audit_events SET location_id = :place WHERE seq = :seq",
                        place=place, seq=seq)
        execute_raw("UPDATE audit_events SET location_id = NULL WHERE seq = :seq",
                    seq=_seq_of("treatment_sessions", data["here"].id))  # always right
    return tampered


def test_a_place_changed_behind_the_trail_is_found_by_the_replay(app, users, monkeypatch):
    data = two_locations(users)
    assert audit_replay.replay().ok
    tampered = _tamper(data)
    count, listed = audit_places.misplaced()
    found = {int(d.record_id): d.problem for d in listed}
    assert count == len(tampered) and set(found) == set(tampered)
    assert "may move" in found[_seq_of("batches", data["there_batch"].id)]
    assert "no location" in found[_seq_of("patients", data["far"].patient_id)]
    result = audit_replay.replay()
    assert not result.ok and result.count == len(tampered)
    monkeypatch.setattr(audit_places, "SHOWN", 1)  # listed or not, every one is counted
    result = audit_replay.replay()
    assert (len(result.differences), result.count) == (1, len(tampered))
    assert result.summary().startswith(f"DIFFERENT: {len(tampered)} difference(s)")


def test_the_migration_fills_in_the_places_the_writer_stores(app, users):
    data = two_locations(users)
    written = _places()
    assert set(written.values()) >= {1, min(data["there"]), EVERYWHERE, None}
    try:
        downgrade(revision=BEFORE)
        assert "location_id" not in _audit_columns()
    finally:
        upgrade()
    assert _places() == written
    with db.engine.connect() as connection, pytest.raises(Exception, match="append-only"):
        connection.execute(text("UPDATE audit_events SET location_id = 1"))


def _places() -> dict[int, int | None]:
    """Every event's place, read in a transaction that is then ended: PostgreSQL's concurrent
    index builds in the migration wait for every open transaction."""
    places = dict(db.session.execute(select(AuditEvent.seq, AuditEvent.location_id)).all())
    db.session.rollback()
    return places


def _audit_columns() -> set[str]:
    return {column["name"] for column in db.inspect(db.engine).get_columns("audit_events")}


def _kinds_everywhere() -> None:
    """The demo clinic, with the two kinds of record it does not make: an addendum to a
    signed session and a reversed injection of an open one."""
    demo.load()
    signed = db.session.scalars(select(TreatmentSession).where(
        TreatmentSession.status == "signed")).first()
    treatment.add_addendum(signed.prescriber, signed.id, "Bruising noted", "Late note")
    drawn = db.session.scalars(select(Injection).join(TreatmentSession).where(
        TreatmentSession.status == "open")).first()
    treatment.reverse_injection(drawn.session.prescriber, drawn.id, "Wrong batch scanned")
    db.session.commit()


def _located(model, ids) -> set[int]:
    return set(db.session.scalars(select(model.id).where(LOCATED[model](ids))))


def _placed_at(model, ids) -> set[int]:
    rows = placed(model).subquery()
    return set(db.session.scalars(select(rows.c.id).where(rows.c.place.in_(ids))))


def test_each_kind_of_fixed_record_is_placed_where_its_scope_finds_it(app):
    _kinds_everywhere()
    locations = db.session.scalars(select(Location.id)).all()
    assert len(locations) > 1
    for model in FIXED.values():
        assert db.session.scalar(select(func.count()).select_from(model)), model.__name__
        for location in locations:
            ids = frozenset({location})
            assert _placed_at(model, ids) == _located(model, ids), (model.__name__, location)


def test_the_demo_clinic_s_scopes_are_the_same_with_or_without_stored_places(app):
    _kinds_everywhere()
    scopes = [frozenset({location}) for location in db.session.scalars(select(Location.id))]
    seen = _seen_by(scopes)
    count, _listed = audit_places.misplaced()
    assert count == 0
    _unplace_every_event()
    assert _seen_by(scopes) == seen
