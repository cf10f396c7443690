"""Helpers for treatment tests: a ready clinic, forms to post, and what was written."""

from datetime import timedelta

from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Injection, SessionFlag, TreatmentSession
from compliance.services import treatment
from tests.stock_helpers import ledger_state


def treatment_state() -> tuple:
    """Sessions, injections, flags, ledger and balances: equal means nothing was written."""
    counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                   for model in (TreatmentSession, Injection, SessionFlag))
    return counts, ledger_state()


def days_ago(n: int):
    return local_today() - timedelta(days=n)


def open_session(prescriber, patient, prescription, on, areas=("left calf",)):
    return treatment.open_session(prescriber, treatment.NewSession(
        patient.id, prescription.id, on, list(areas)))


def inject(prescriber, session, batch, volume_ul=1_000, site="left calf", points=4):
    return treatment.record_injection(prescriber, session.id, treatment.NewInjection(
        batch.id, volume_ul, site, points))


def session_form(prescription, on, areas=("left calf",), **extra) -> dict:
    return {"prescription_id": str(prescription.id), "session_date": on.isoformat(),
            "treatment_areas": list(areas), "notes": "Keep this note", **extra}


def injection_form(batch, ml="1.5", site="left calf", points="4", **extra) -> dict:
    return {"inj-batch_id": str(batch.id), "inj-volume_ml": ml, "inj-site": site,
            "inj-points": points, **extra}
