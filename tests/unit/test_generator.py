"""The generated data set abides by every rule it claims to."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from compliance import locations
from compliance.clock import local_today
from compliance.extensions import db
from compliance.generator import run, stockroom, transfer_rows
from compliance.generator.plan import Sizes
from compliance.generator.run import generate
from compliance.models import Injection, Prescription, TreatmentSession
from compliance.models.location import BatchStock, Location
from compliance.models.stock import Batch, LedgerEntry
from compliance.models.temperature import TemperatureReading
from compliance.models.transfer import Transfer
from compliance.rules.injection import session_limit_ul
from compliance.services import (
    audit_replay,
    audit_verify,
    rule_facts,
    stock_check,
    stock_months,
    stock_queries,
)
from compliance.services.signatures import signatures_of

SIZES = Sizes(patients=60, sessions=200, injections=560, batches=40, years=3, clinics=3)


@pytest.fixture
def generated(app):
    ticks = []
    counts = generate(SIZES, ticks.append, seed=3)
    return counts, ticks


def test_it_writes_the_sizes_asked_for(generated):
    counts, ticks = generated
    assert counts["sessions"] == 200 and counts["injections"] == 560
    assert sum(ticks) == 200
    assert db.session.scalar(select(func.count()).select_from(Injection)) == 560
    assert db.session.scalar(select(func.count()).select_from(Batch)) == 40


def test_its_ledger_and_audit_trail_check_out(generated):
    assert stock_queries.balance_mismatches() == []
    assert stock_months.mismatches() == []
    result = audit_verify.verify()
    assert result.ok and result.count > 60 + 200


def test_every_generated_row_agrees_with_its_audit_events(generated):
    result = audit_replay.replay()
    assert result.ok, [d.describe() for d in result.differences[:10]]
    assert result.events >= result.rows > 560


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
        for injection in session.injections:
            assert injection.batch.expires_on > session.session_date
            assert injection.batch.received_on <= session.session_date
    for dates in by_patient.values():
        dates.sort()
        assert all((b - a).days >= 28 for a, b in zip(dates, dates[1:], strict=False))


def test_its_signatures_are_intact(generated):
    for model in (TreatmentSession, Prescription):
        for record in db.session.scalars(select(model).limit(20)):
            assert [status.intact for status in signatures_of(record)] == [True]


def test_it_refuses_a_database_that_holds_data(generated):
    with pytest.raises(RuntimeError, match="already holds data"):
        generate(SIZES, lambda n: None)


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
    # Batches holding exactly what their sessions open, on a day known to run one short.
    monkeypatch.setattr(stockroom, "MARGIN", 1.0)
    monkeypatch.setattr(stockroom, "SENT_PER_MONTH", 0)
    monkeypatch.setattr(stockroom, "MIN_CONTAINERS", 1)
    monkeypatch.setattr(run, "local_today", lambda: date(2026, 11, 27))
    generate(SIZES, lambda n: None, seed=3)
    urgent = db.session.scalars(select(Transfer).where(
        Transfer.reason == transfer_rows.RESCUE_REASON)).all()
    assert urgent and all(t.status == "received" for t in urgent)
    assert all(t.containers_received == t.containers_sent for t in urgent)
    assert stock_check.problems() == [] and audit_replay.replay().ok
