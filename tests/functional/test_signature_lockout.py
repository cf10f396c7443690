"""A password given for a signature, as witness or as countersigner is a sign-in attempt of
that account (D1, D6): wrong ones count towards its lockout, and while it is locked its
signatures are refused too, even with the right password; nothing is written meanwhile."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import LedgerEntry, LoginThrottle, Prescription, Signature, Stocktake
from compliance.models import TreatmentSession as Session
from tests.audit_helpers import events
from tests.conftest import sign_in
from tests.factories import (
    PASSWORD,
    make_consultation,
    make_patient,
    make_prescription,
    make_screening,
    make_session,
    make_user,
)
from tests.treatment_helpers import days_ago

WRONG = "Not-The-Password-1"
INCORRECT = "The password is incorrect; nothing was signed."
LOCKED = ("Too many failed password attempts: this account is locked for 15 minutes, for "
          "signatures as for sign-in; nothing was signed.")


@dataclass
class Form:
    """Who posts where, whose password it asks, the form with a given password, and what
    the page says once it is signed."""

    poster: object
    signer: object
    url: str
    data: object
    signed: str


def _waste(clinic) -> Form:
    batch, witness = clinic["batch"], make_user("manager")
    return Form(clinic["manager"], witness, f"/stock/batches/{batch.id}/waste", lambda pw: {
        "waste-containers": "1", "waste-volume_ml": "0", "waste-waste_reason": "breakage",
        "waste-reason": "Dropped", "waste-second_email": witness.email,
        "waste-second_password": pw}, "Waste recorded.")


def _sign_off(clinic) -> Form:
    session = make_session(clinic["prescription"], clinic["nurse"], local_today(),
                           [(clinic["batch"], 1_000)], signed=False)
    return Form(clinic["nurse"], clinic["nurse"], f"/treatment/sessions/{session.id}/sign",
                lambda pw: {"password": pw}, "Session signed and locked.")


def _countersignature(clinic) -> Form:
    batch = clinic["batch"]
    others = {f"count-{b.id}": str(b.sealed_containers) for b in (clinic["other"],)}
    return Form(clinic["manager"], clinic["doctor"], "/stock/stocktake", lambda pw: {
        **others, f"count-{batch.id}": str(batch.sealed_containers - 1),
        f"reason-{batch.id}": "One broken", "second_email": clinic["doctor"].email,
        "second_password": pw}, "Stocktake recorded.")


def _prescription(clinic) -> Form:
    doctor, patient = clinic["doctor"], make_patient()
    make_screening(patient, doctor, on=days_ago(250))
    consultation = make_consultation(patient, doctor, days_ago(250))
    draft = make_prescription(patient, clinic["product"], doctor, consultation, signed=False)
    return Form(doctor, doctor, f"/patients/prescriptions/{draft.id}/sign",
                lambda pw: {"password": pw}, "signed.")


FORMS = {"witness of a waste": _waste, "session sign-off": _sign_off,
         "stocktake countersignature": _countersignature, "prescription": _prescription}


def _written() -> tuple:
    db.session.expire_all()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    signed = lambda model: db.session.scalar(  # noqa: E731
        select(func.count()).where(model.status == "signed"))
    return (count(Signature), count(LedgerEntry), count(Stocktake), signed(Session),
            signed(Prescription))


def _guess(client, form: Form, threshold: int) -> None:
    """Twelve wrong passwords: refused as incorrect until the lock, then as locked."""
    for attempt in range(12):
        response = client.post(form.url, data=form.data(WRONG), follow_redirects=True)
        assert response.status_code == 200
        assert (INCORRECT if attempt < threshold else LOCKED) in response.get_data(as_text=True)


def _assert_counted(form: Form, threshold: int) -> None:
    """Each wrong password is a failed sign-in of the signer's account, recorded as typed by
    whoever sent the form; the threshold-th locks it."""
    signer_events = events(record_id=str(form.signer.id), table_name="users")
    failed = [e.actor_id for e in signer_events if e.action == "login_failed"]
    assert failed == [form.poster.id] * threshold
    assert [e.action for e in signer_events].count("lockout") == 1


def _post(client, form: Form, password: str) -> str:
    return client.post(form.url, data=form.data(password),
                       follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("kind", list(FORMS))
def test_wrong_signature_passwords_lock_the_signers_account(app, clinic, kind):
    form = FORMS[kind](clinic)
    threshold = app.config["LOCKOUT_THRESHOLD"]
    client = app.test_client()
    sign_in(client, form.poster)
    before = _written()
    _guess(client, form, threshold)
    assert _written() == before
    _assert_counted(form, threshold)
    # The colleague's own sign-in is refused as locked ...
    assert "locked for 15 minutes" in sign_in(app.test_client(), form.signer).get_data(
        as_text=True)
    # ... and so is the signature with the right password, while the lock lasts.
    assert LOCKED in _post(client, form, PASSWORD)
    assert _written() == before
    _lift_the_lock(form.signer)
    assert form.signed in _post(client, form, PASSWORD)
    assert _written() != before


def _lift_the_lock(user) -> None:
    throttle = db.session.get(LoginThrottle, user.email)
    throttle.locked_until -= timedelta(minutes=16)
    db.session.commit()
