"""Treatment sessions and injections under the compliance rules (D3, D4).

An injection and its ledger entry are written in one transaction; sign-off posts the waste of
opened single-use containers and locks the session.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from compliance.clock import end_of_local_day, local_today, utcnow
from compliance.errors import InvalidInput, RecordLocked
from compliance.extensions import db
from compliance.models import (
    Injection,
    InjectionReversal,
    Patient,
    Prescription,
    SessionAddendum,
    SessionFlag,
    TreatmentSession,
)
from compliance.models.stock import ADMINISTRATION, WASTE
from compliance.models.treatment import FLAG_LABELS, OPEN, SIGNED
from compliance.services import ensure_can, rules
from compliance.services.audit import give_reason
from compliance.services.signatures import checked, sign
from compliance.services.stock import locked_batch, post, post_reversal
from compliance.services.unit_of_work import unit_of_work

LATE = timedelta(hours=24)


@dataclass
class NewSession:
    patient_id: int
    prescription_id: int
    session_date: date
    areas: list[str]
    notes: str | None = None


def _flag(session: TreatmentSession, code: str, detail: str | None = None) -> None:
    if any(flag.code == code for flag in session.flags):
        return
    session.flags.append(SessionFlag(code=code, detail=detail or FLAG_LABELS[code]))


def _check_course(patient: Patient, prescription: Prescription, on: date) -> int | None:
    """Rules 2 to 5 for a session of `patient` under `prescription` on `on`; returns the gap."""
    rules.valid_prescription(prescription, patient.id, prescription.product_id, on)
    rules.check_contraindications(patient.id, on)
    rules.check_consultation(prescription, on)
    rules.check_consent(patient.id, on)
    rules.check_session_number(prescription, rules.next_session_number(prescription))
    return rules.check_interval(patient.id, on)


def _opening_flags(session: TreatmentSession, patient: Patient, gap: int | None) -> None:
    if rules.is_long_gap(gap):
        _flag(session, "gap_over_6_weeks", f"{gap} days since the previous session")
    if patient.gp_visit_advised and patient.gp_visit_confirmed_on is None:
        _flag(session, "gp_not_confirmed")
    if utcnow() - end_of_local_day(session.session_date) > LATE:
        _flag(session, "late_entry", f"Session of {session.session_date:%d %b %Y} recorded on "
                                     f"{local_today():%d %b %Y}")


@unit_of_work("open a treatment session")
def open_session(actor, new: NewSession) -> TreatmentSession:
    """Open a session for a patient under a valid prescription, if every rule allows it."""
    ensure_can(actor, "record_treatment")
    if new.session_date > local_today():
        raise InvalidInput("A session cannot be recorded in advance.", field="session_date")
    patient = db.session.get(Patient, new.patient_id)
    prescription = db.session.get(Prescription, new.prescription_id or 0)
    if patient is None:
        raise InvalidInput("Choose a patient.", field="patient_id")
    rules.check_areas(new.areas)
    gap = _check_course(patient, prescription, new.session_date)
    session = TreatmentSession(
        patient_id=patient.id, prescription_id=prescription.id, prescriber_id=actor.id,
        session_date=new.session_date, treatment_areas=";".join(new.areas),
        session_number=rules.next_session_number(prescription),
        notes=(new.notes or "").strip() or None, status=OPEN)
    _opening_flags(session, patient, gap)
    db.session.add(session)
    return session


def _own_open_session(actor, capability: str, session_id: int) -> TreatmentSession:
    ensure_can(actor, capability)
    session = db.session.get(TreatmentSession, session_id)
    if session is None:
        raise InvalidInput("No such session.")
    if session.status != OPEN:
        raise RecordLocked()
    ensure_can(actor, capability, session)
    return session


def open_remainder_ul(session: TreatmentSession, batch) -> int:
    """Volume left in containers this session has opened from `batch` and not yet used."""
    opened = drawn = 0
    for injection in session.given:
        if injection.batch_id == batch.id:
            opened += -injection.ledger_entry.containers
            drawn += injection.volume_ul
    return opened * batch.product.container_volume_ul - drawn


def _containers_to_open(session: TreatmentSession, batch, volume_ul: int) -> int:
    needed = volume_ul - max(open_remainder_ul(session, batch), 0)
    return ceil(needed / batch.product.container_volume_ul) if needed > 0 else 0


@dataclass
class NewInjection:
    batch_id: int
    volume_ul: int
    site: str
    points: int


def _check_injection(session: TreatmentSession, batch, new: NewInjection) -> None:
    prescription = session.prescription
    _check_course_still_valid(session)
    rules.check_areas([new.site])
    if new.volume_ul <= 0 or new.points <= 0:
        raise InvalidInput("Enter a volume and a number of points above zero.", field="volume_ml")
    rules.check_batch(batch, prescription, session.session_date)
    rules.check_volume(prescription, batch.product, session.volume_ul, new.volume_ul)


def _check_course_still_valid(session: TreatmentSession) -> None:
    """Rules 2 and 3 again at the moment of recording: things may have changed since opening."""
    prescription, on = session.prescription, session.session_date
    rules.valid_prescription(prescription, session.patient_id, prescription.product_id, on)
    rules.check_contraindications(session.patient_id, on)
    rules.check_consultation(prescription, on)
    rules.check_consent(session.patient_id, on)


@unit_of_work("record an injection")
def record_injection(actor, session_id: int, new: NewInjection) -> Injection:
    """Record one injection and draw its volume from the batch, in one transaction."""
    session = _own_open_session(actor, "record_injection", session_id)
    batch = locked_batch(new.batch_id)
    _check_injection(session, batch, new)
    opened = _containers_to_open(session, batch, new.volume_ul)
    entry = post(actor, batch, ADMINISTRATION, -new.volume_ul, -opened,
                 occurred_on=session.session_date, session_id=session.id,
                 reason=f"Session {session.id}, {new.site}")
    db.session.flush()
    injection = Injection(session=session, batch_id=batch.id, volume_ul=new.volume_ul,
                          site=new.site, points=new.points, ledger_entry_id=entry.id)
    db.session.add(injection)
    if rules.near_expiry(batch, session.session_date):
        _flag(session, "batch_near_expiry", f"{batch} expires {batch.expires_on:%d %b %Y}")
    return injection


@unit_of_work("reverse an injection")
def reverse_injection(actor, injection_id: int, reason: str) -> InjectionReversal:
    """Cancel a wrongly recorded injection of an open session by reversing its ledger entry."""
    injection = db.session.get(Injection, injection_id)
    if injection is None:
        raise InvalidInput("No such injection.")
    _own_open_session(actor, "record_injection", injection.session_id)
    if not (reason or "").strip():
        raise InvalidInput("Give a reason.", field="reason")
    give_reason(reason)
    entry = post_reversal(actor, injection.ledger_entry, reason.strip())
    db.session.flush()
    reversal = InjectionReversal(injection=injection, ledger_entry_id=entry.id,
                                 reason=reason.strip(), recorded_by_id=actor.id)
    db.session.add(reversal)
    return reversal


def _waste_opened_remainders(actor, session: TreatmentSession) -> None:
    batches = {injection.batch_id: injection.batch for injection in session.given}
    # Batch rows are locked in id order, as every writer locking several does: two sign-offs
    # would otherwise each hold the batch the other waits for.
    for _batch_id, batch in sorted(batches.items()):
        remainder = open_remainder_ul(session, batch)
        if remainder > 0 and batch.product.single_use:
            post(actor, locked_batch(batch.id), WASTE, -remainder, 0,
                 waste_reason="opened remainder", session_id=session.id,
                 occurred_on=session.session_date,
                 reason=f"Unused remainder of single-use containers opened in session "
                        f"{session.id}")


def sign_session(actor, session_id: int, password: str) -> TreatmentSession:
    """Sign-off ("administered"): post opened remainders as waste, sign, and lock."""
    return _sign_session(actor, session_id, checked(actor, password))


@unit_of_work("sign a treatment session")
def _sign_session(actor, session_id: int, password) -> TreatmentSession:
    session = _own_open_session(actor, "sign_session", session_id)
    _waste_opened_remainders(actor, session)
    if utcnow() - session.started_at > LATE:
        _flag(session, "signed_late")
    sign(session, actor, password, "administered")
    session.status, session.signed_at = SIGNED, utcnow()
    return session


@unit_of_work("add an addendum to a session")
def add_addendum(actor, session_id: int, text: str, reason: str) -> SessionAddendum:
    """A later note on a signed session, with the reason for it."""
    ensure_can(actor, "record_treatment")
    session = db.session.get(TreatmentSession, session_id)
    if session is None or session.status != SIGNED:
        raise InvalidInput("Addenda are added to signed sessions; edit an open session's notes.")
    if not (text or "").strip():
        raise InvalidInput("Write the addendum.", field="text")
    if not (reason or "").strip():
        raise InvalidInput("Give a reason.", field="reason")
    give_reason(reason)
    addendum = SessionAddendum(session_id=session.id, text=text.strip(), reason=reason.strip(),
                               recorded_by_id=actor.id)
    db.session.add(addendum)
    return addendum
