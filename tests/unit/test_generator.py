"""The generated data set abides by every rule it claims to."""

from collections import defaultdict

import pytest
from sqlalchemy import func, select

from compliance.extensions import db
from compliance.generator.plan import Sizes
from compliance.generator.run import generate
from compliance.models import Injection, Prescription, TreatmentSession
from compliance.models.stock import Batch
from compliance.rules.injection import session_limit_ul
from compliance.services import (
    audit_replay,
    audit_verify,
    rule_facts,
    stock_months,
    stock_queries,
)
from compliance.services.signatures import signatures_of

SIZES = Sizes(patients=60, sessions=200, injections=560, batches=40, years=3)


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
