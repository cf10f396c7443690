"""Helpers for D3 tests: a snapshot of every patient table, to show nothing was written."""

import pytest
from sqlalchemy import select

from compliance.extensions import db
from compliance.models import (
    Consent,
    Consultation,
    Contraindication,
    Patient,
    Prescription,
    Screening,
    ScreeningAnswer,
    Signature,
)

TABLES = (Patient, Contraindication, Screening, ScreeningAnswer, Consent, Consultation,
          Prescription, Signature)


def records_state() -> dict:
    """Every row of the D3 tables (and signatures) as plain tuples."""
    db.session.expire_all()
    return {model.__tablename__: [tuple(row) for row in db.session.execute(
        select(*model.__table__.columns).order_by(*model.__table__.primary_key.columns))]
        for model in TABLES}


def refused(error, action, match: str):
    """Run `action`, expect `error` with a message matching `match`, and check that no D3
    record (nor signature) was written or changed."""
    before = records_state()
    with pytest.raises(error, match=match) as caught:
        action()
    db.session.rollback()
    assert records_state() == before
    return caught.value
