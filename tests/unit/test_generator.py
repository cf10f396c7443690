"""The generated data set abides by every rule it claims to."""

import json
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, timedelta
from functools import partial

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from compliance import locations
from compliance.clock import local_today
from compliance.extensions import db
from compliance.fixed_places import EVERYWHERE
from compliance.generator import run, stockroom, transfer_rows
from compliance.generator.plan import Sizes
from compliance.generator.run import generate
from compliance.generator.stock_rows import at
from compliance.models import AuditEvent, Injection, Prescription, Signature, TreatmentSession
from compliance.models.location import BatchStock, Location
from compliance.models.stock import Batch, LedgerEntry
from compliance.models.temperature import TemperatureReading
from compliance.models.transfer import Transfer
from compliance.rules.flags import near_expiry
from compliance.rules.injection import session_limit_ul
from compliance.rules.limits import NEAR_EXPIRY_DAYS
from compliance.services import (
    audit_replay,
    audit_verify,
    rule_facts,
    stock_check,
    stock_months,
    stock_queries,
)
from compliance.services.audit import canonical
from compliance.services.signatures import signatures_of

SIZES = Sizes(patients=60, sessions=200, injections=560, batches=40, years=3, clinics=3)


@contextmanager
def _recorded(steps: dict, label: str, length: int):
    """A progress bar that keeps how far each step said it went, against its length."""
    steps[label] = [0, length]

    def advance(n: int) -> None:
        steps[label][0] += n
    yield advance


@pytest.fixture
def generated(app):
    steps = {}
    counts = generate(SIZES, seed=3, stage=partial(_recorded, steps))
    return counts, steps


def test_it_writes_the_sizes_asked_for(generated):
    counts, _steps = generated
    assert counts["sessions"] == 200 and counts["injections"] == 560
    assert db.session.scalar(select(func.count()).select_from(Injection)) == 560
    assert db.session.scalar(select(func.count()).select_from(Batch)) == 40


def test_every_step_reports_its_progress_to_the_end(generated):
    _counts, steps = generated
    assert steps["Sessions"] == [200, 200] and steps["Patients"] == [60, 60]
    assert all(done == length for done, length in steps.values()), steps


def test_its_ledger_and_audit_trail_check_out(generated):
    assert stock_queries.balance_mismatches() == []
    assert stock_months.mismatches() == []
    result = audit_verify.verify()
    assert result.ok and result.count > 60 + 200


def test_every_generated_row_agrees_with_its_audit_events(generated):
    result = audit_replay.replay()
    assert result.ok, [d.describe() for d in result.differences[:10]]
    assert result.events >= result.rows > 560


def test_its_events_store_where_their_records_are(generated):
    """As the application's writer does, so that the bench reads scopes as they will be read
    (the replay above checks that each stored place is right): every event but those about a
    record that may move (a batch, a transfer, an assignment)."""
    unplaced = db.session.scalars(select(AuditEvent.table_name).distinct().where(
        AuditEvent.location_id.is_(None))).all()
    assert set(unplaced) <= {"batches", "transfers", "user_locations"}
    assert db.session.scalar(select(func.count()).where(AuditEvent.location_id == EVERYWHERE))
    placed = db.session.scalar(select(func.count()).where(
        AuditEvent.table_name == "signatures", AuditEvent.location_id.is_not(None)))
    assert placed == db.session.scalar(select(func.count()).select_from(Signature)) > 0


def test_its_sessions_keep_to_the_compliance_rules(generated):
    by_patient = defaultdict(list)
    sessions = db.session.scalars(select(TreatmentSession)).all()
    for session in sessions:
        by_patient[session.patient_id].append(session.session_date)
        prescription = db.session.get(Prescription, session.prescription_id)
        assert prescription.valid_from <= session.session_date <= prescription.valid_until
        assert session.session_number <= prescription.sessions_authorised <= 6
        assert session.volume_ul <= session_limit_ul(
            rule_facts.volume_facts(prescription, prescription.product))
        _check_batches_drawn(session)
    for dates in by_patient.values():
        dates.sort()
        assert all((b - a).days >= 28 for a, b in zip(dates, dates[1:], strict=False))


def _check_batches_drawn(session) -> None:
    for injection in session.injections:
        assert injection.batch.received_on <= session.session_date
        # Short-dated stock is set aside (so not expired either): no use for the
        # exceptions report to list.
        assert not near_expiry(injection.batch.expires_on, session.session_date,
                               NEAR_EXPIRY_DAYS)


def test_its_signatures_are_intact(generated):
    for model in (TreatmentSession, Prescription):
        for record in db.session.scalars(select(model).limit(20)):
            assert [status.intact for status in signatures_of(record)] == [True]


def test_it_refuses_a_database_that_holds_data(generated):
    with pytest.raises(RuntimeError, match="already holds data"):
        generate(SIZES)


def test_it_spreads_the_group_over_its_locations(generated):
    counts, _ticks = generated
    assert counts["locations"] == 3
    per_location = dict(db.session.execute(
        select(TreatmentSession.location_id, func.count())
        .group_by(TreatmentSession.location_id)).all())
    assert set(per_location) == {loc.id for loc in db.session.scalars(select(Location))}
    for session in db.session.scalars(select(TreatmentSession)).all():
        assert not session.prescriber.all_locations
        assert locations.works_at(session.prescriber, session.location_id)


def test_its_parts_and_transfers_add_up(generated):
    assert stock_check.problems() == []
    transfers = db.session.scalars(select(Transfer)).all()
    assert {t.status for t in transfers} >= {"received", "in transit"}
    for batch in db.session.scalars(select(Batch)):
        parts = db.session.scalars(select(BatchStock).where(BatchStock.batch_id == batch.id))
        assert sum(part.balance_ul for part in parts) == batch.balance_ul
    in_transit = sum(t.containers_sent for t in transfers if t.status == "in transit")
    assert in_transit * 2_000 == sum(b.in_transit_ul for b in db.session.scalars(select(Batch)))


def test_it_numbers_batches_in_the_order_they_are_received(generated):
    """As a live database does: one location's batches are not one block of keys, whose
    events would all sit at one end of the trail."""
    received = db.session.scalars(select(Batch.received_on).order_by(Batch.id)).all()
    assert len(received) == 40 and received == sorted(received)


def test_its_storage_areas_have_a_year_of_readings(generated):
    per_area = dict(db.session.execute(
        select(TemperatureReading.storage_area_id, func.count())
        .group_by(TemperatureReading.storage_area_id)).all())
    assert len(per_area) == 3 + 1 and set(per_area.values()) == {365}


def test_expired_stock_is_disposed_of_with_a_witness(generated):
    disposals = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.waste_reason == "expiry disposal")).all()
    assert disposals and all(e.witness_id for e in disposals if e.containers)
    last_month = local_today().replace(day=1) - timedelta(days=1)
    left = db.session.scalar(select(func.count()).select_from(BatchStock)
                             .join(Batch, Batch.id == BatchStock.batch_id)
                             .where(Batch.expires_on < last_month.replace(day=1),
                                    BatchStock.balance_ul > 0))
    assert left == 0


def test_a_location_that_runs_short_is_sent_stock_by_another(app, monkeypatch):
    # Batches holding exactly what their sessions open; seed 2 runs one location short.
    monkeypatch.setattr(stockroom, "MARGIN", 1.0)
    monkeypatch.setattr(stockroom, "SENT_PER_MONTH", 0)
    monkeypatch.setattr(stockroom, "MIN_CONTAINERS", 1)
    monkeypatch.setattr(run, "local_today", lambda: date(2026, 11, 27))
    generate(SIZES, seed=2)
    urgent = db.session.scalars(select(Transfer).where(
        Transfer.reason == transfer_rows.RESCUE_REASON)).all()
    assert urgent and all(t.status == "received" for t in urgent)
    assert all(t.containers_received == t.containers_sent for t in urgent)
    assert stock_check.problems() == [] and audit_replay.replay().ok


def test_its_events_are_written_as_the_standard_library_writes_them(generated):
    """The generator encodes with orjson; its text must be canonical JSON to the byte."""
    events = db.session.execute(select(AuditEvent.seq, AuditEvent.changes)).all()
    assert len(events) > 560
    assert [seq for seq, changes in events if canonical(json.loads(changes)) != changes] == []


def _catalogue() -> set:
    """Every index and constraint of the schema, as PostgreSQL would create it again."""
    return set(db.session.execute(text(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() UNION ALL "
        "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace")).scalars())


def test_its_indexes_and_keys_are_as_the_migrations_made_them(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL sets indexes and foreign keys aside while loading")
    before = _catalogue()
    generate(SIZES, seed=3)
    assert _catalogue() == before


def test_a_load_that_breaks_a_foreign_key_writes_nothing(app, monkeypatch):
    def orphan(gen, sizes, stage):
        gen.people()
        gen.products()
        gen.batches({})
        gen.w.add("screenings", dict(id=1, patient_id=999, screened_on=date(2026, 1, 5),
                                     recorded_by_id=gen.doctors[0][0],
                                     recorded_at=at(date(2026, 1, 5))))
        return {}
    monkeypatch.setattr(run, "_write", orphan)
    # SQLite checks the key as the row goes in, PostgreSQL once all rows are in.
    with pytest.raises((IntegrityError, RuntimeError),
                       match="FOREIGN KEY constraint failed|fk_screenings_patient_id"):
        generate(SIZES, seed=3)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_the_command_takes_the_sizes_given_over_the_scale(runner):
    result = runner.invoke(args=["demo", "generate", "--patients", "60", "--sessions", "200",
                                 "--injections", "560", "--batches", "40", "--years", "3",
                                 "--locations", "3", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "3 locations, 60 patients" in result.output and "200 sessions" in result.output
    assert "Sessions: " in result.output and "Planner statistics: " in result.output


def test_the_national_scale_needs_postgresql(app, runner):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("a national data set on PostgreSQL takes half an hour")
    result = runner.invoke(args=["demo", "generate", "--scale", "national"])
    assert result.exit_code == 1
    assert "--scale national needs PostgreSQL" in result.output
    assert "SQLite stays at the clinic group's scale" in result.output
    assert db.session.scalar(select(func.count()).select_from(TreatmentSession)) == 0
