"""Treatment sessions and injections under the compliance rules (D3, D4).

An injection and its ledger entry are written in one transaction; sign-off posts the waste of
opened single-use containers and locks the session.
"""

from dataclasses import dataclass
from datetime import date
from math import ceil

from compliance import locations
from compliance.clock import local_today, utcnow
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
from compliance.models.treatment import OPEN, SIGNED, VOIDED
from compliance.rules import flags
from compliance.rules.course import check_course
from compliance.rules.grounds import check_grounds
from compliance.rules.injection import check_areas, check_batch, check_volume
from compliance.services import ensure_can, injection_locks, ledger, reread, rule_facts
from compliance.services.audit import give_reason
from compliance.services.signatures import checked, sign
from compliance.services.unit_of_work import unit_of_work


@dataclass
class NewSession:
    patient_id: int
    prescription_id: int
    session_date: date
    areas: list[str]
    notes: str | None = None


def _flag(session: TreatmentSession, flag: flags.Flag | None) -> None:
    if flag is None or any(given.code == flag.code for given in session.flags):
        return
    session.flags.append(SessionFlag(code=flag.code, detail=flag.detail))


def _opening_flags(session: TreatmentSession, patient: Patient, gap: int | None) -> None:
    _flag(session, flags.long_gap(gap))
    _flag(session, flags.gp_not_confirmed(rule_facts.patient_facts(patient)))
    _flag(session, flags.late_entry(rule_facts.entry_timing(
        "Session", session.session_date, session.started_at)))


@unit_of_work("open a treatment session")
def open_session(actor, new: NewSession) -> TreatmentSession:
    """Open a session for a patient under a valid prescription, if every rule allows it."""
    ensure_can(actor, "record_treatment")
    if new.session_date > local_today():
        raise InvalidInput("A session cannot be recorded in advance.", field="session_date")
    # The patient is locked: two sessions opened at once must count each other (rules 4, 5).
    patient = reread(Patient, new.patient_id, "Choose a patient.", lock=True,
                     field="patient_id")
    prescription = db.session.get(Prescription, new.prescription_id or 0)
    if prescription is None:
        raise InvalidInput("Choose a prescription.", field="prescription_id")
    check_areas(new.areas)
    course = rule_facts.course(patient.id, prescription, new.session_date)
    gap = check_course(course)
    session = TreatmentSession(
        patient_id=patient.id, prescription_id=prescription.id, prescriber_id=actor.id,
        location_id=locations.acting_location_id(actor), session_date=new.session_date,
        started_at=utcnow(), treatment_areas=";".join(new.areas),
        session_number=course.sessions_recorded + 1,
        notes=(new.notes or "").strip() or None, status=OPEN)
    _opening_flags(session, patient, gap)
    db.session.add(session)
    return session


def _open_and_own(actor, capability: str, session: TreatmentSession) -> TreatmentSession:
    if session.status == VOIDED:
        raise RecordLocked("This session was voided: open a new session instead.")
    if session.status != OPEN:
        raise RecordLocked()
    ensure_can(actor, capability, session)
    return session


def _own_open_session(actor, capability: str, session_id: int) -> TreatmentSession:
    """The actor's own open session, locked: voiding it waits for this change, and this
    change for voiding."""
    ensure_can(actor, capability)
    return _open_and_own(actor, capability,
                         reread(TreatmentSession, session_id, "No such session.", lock=True))


def _remainder_ul(batch, opened_containers: int, drawn_ul: int) -> int:
    return opened_containers * batch.product.container_volume_ul - drawn_ul


def open_remainder_ul(session: TreatmentSession, batch) -> int:
    """Volume left in containers this session has opened from `batch` and not yet used."""
    opened = drawn = 0
    for injection in session.given:
        if injection.batch_id == batch.id:
            opened += -injection.ledger_entry.containers
            drawn += injection.volume_ul
    return _remainder_ul(batch, opened, drawn)


def _loose_ul(remainder_ul: int, part) -> int:
    """What a session may still draw from containers it opened: its own remainder, but never
    more than the location's part holds opened (waste recorded on the batch's page may have
    taken it)."""
    return max(min(remainder_ul, part.opened_ul if part else 0), 0)


def _loose_here_ul(session: TreatmentSession, batch) -> int:
    return _loose_ul(open_remainder_ul(session, batch), ledger.part_at(batch, session.location_id))


@dataclass
class NewInjection:
    batch_id: int
    volume_ul: int
    site: str
    points: int


def _injection_targets(actor, session_id: int, batch_id: int):
    """The actor's own open session, the batch and its part here (None if stock never came
    here), all locked, with the refusals of `_own_open_session` and `ledger.locked_batch`."""
    found = injection_locks.locked_for_injection(actor, session_id, batch_id)
    if found is None:
        session = _own_open_session(actor, "record_injection", session_id)
        batch = ledger.locked_batch(batch_id)
        return session, batch, ledger.part_at(batch, session.location_id)
    ensure_can(actor, "record_injection")
    return _open_and_own(actor, "record_injection", found[0]), found[1], found[2]


def _check_injection(session: TreatmentSession, batch, new: NewInjection,
                     grounds, used_ul: int) -> None:
    # Rules 2 and 3 again at the moment of recording: things may have changed since opening.
    prescription = check_grounds(grounds)
    check_areas([new.site])
    if new.volume_ul <= 0 or new.points <= 0:
        raise InvalidInput("Enter a volume and a number of points above zero.", field="volume_ml")
    check_batch(batch.facts(), prescription, session.session_date)
    check_volume(rule_facts.volume_facts(session.prescription, batch.product, used_ul),
                 new.volume_ul)


def _containers_to_open(batch, part, use: rule_facts.SessionUse, volume_ul: int) -> int:
    remainder_ul = _remainder_ul(batch, use.opened_containers, use.drawn_ul)
    needed = volume_ul - _loose_ul(remainder_ul, part)
    return ceil(needed / batch.product.container_volume_ul) if needed > 0 else 0


@unit_of_work("record an injection")
def record_injection(actor, session_id: int, new: NewInjection) -> Injection:
    """Record one injection and draw its volume from the batch, in one transaction."""
    session, batch, part = _injection_targets(actor, session_id, new.batch_id)
    grounds, use = rule_facts.recording(session, batch.id)
    _check_injection(session, batch, new, grounds, use.used_ul)
    opened = _containers_to_open(batch, part, use, new.volume_ul)
    entry = ledger.post(actor, batch, ADMINISTRATION, -new.volume_ul, -opened,
                        location_id=session.location_id, part=part,
                        occurred_on=session.session_date, session_id=session.id,
                        reason=f"Session {session.id}, {new.site}")
    db.session.flush()
    injection = Injection(session=session, batch_id=batch.id, volume_ul=new.volume_ul,
                          site=new.site, points=new.points, ledger_entry_id=entry.id)
    db.session.add(injection)
    _flag(session, flags.batch_near_expiry(batch.facts(), session.session_date,
                                           rule_facts.near_expiry_days()))
    return injection


@unit_of_work("reverse an injection")
def reverse_injection(actor, injection_id: int, reason: str) -> InjectionReversal:
    """Cancel a wrongly recorded injection of an open session by reversing its ledger entry."""
    injection = reread(Injection, injection_id, "No such injection.")
    _own_open_session(actor, "record_injection", injection.session_id)
    if not (reason or "").strip():
        raise InvalidInput("Give a reason.", field="reason")
    give_reason(reason)
    entry = ledger.post_reversal(actor, injection.ledger_entry, reason.strip())
    db.session.flush()
    reversal = InjectionReversal(injection=injection, ledger_entry_id=entry.id,
                                 reason=reason.strip(), recorded_by_id=actor.id)
    db.session.add(reversal)
    return reversal


def _waste_opened_remainders(actor, session: TreatmentSession) -> None:
    batches = {injection.batch for injection in session.given}
    wasted = [batch.id for batch in batches
              if open_remainder_ul(session, batch) > 0 and batch.product.single_use]
    for batch in ledger.locked_batches(wasted):
        remainder_ul = _loose_here_ul(session, batch)
        if not remainder_ul:
            continue
        ledger.post(actor, batch, WASTE, -remainder_ul, 0,
                    waste_reason="opened remainder", session_id=session.id,
                    location_id=session.location_id,
                    occurred_on=session.session_date,
                    reason=f"Unused remainder of single-use containers opened in session "
                           f"{session.id}")


def sign_session(actor, session_id: int, password: str,
                 code: str | None = None) -> TreatmentSession:
    """Sign-off ("administered"): post opened remainders as waste, sign, and lock."""
    return _sign_session(actor, session_id, checked(actor, password), code)


@unit_of_work("sign a treatment session")
def _sign_session(actor, session_id: int, password, code: str | None) -> TreatmentSession:
    session = _own_open_session(actor, "sign_session", session_id)
    _waste_opened_remainders(actor, session)
    _flag(session, flags.signed_late(session.started_at, utcnow()))
    sign(session, actor, password, "administered", code)
    session.status, session.signed_at = SIGNED, utcnow()
    return session


@unit_of_work("add an addendum to a session")
def add_addendum(actor, session_id: int, text: str, reason: str) -> SessionAddendum:
    """A later note by its own prescriber on a signed session, with the reason for it."""
    ensure_can(actor, "add_addendum")
    session = db.session.get(TreatmentSession, session_id, populate_existing=True)
    if session is None or session.status != SIGNED:
        raise InvalidInput("Addenda are added to signed sessions; edit an open session's notes.")
    ensure_can(actor, "add_addendum", session)
    if not (text or "").strip():
        raise InvalidInput("Write the addendum.", field="text")
    if not (reason or "").strip():
        raise InvalidInput("Give a reason.", field="reason")
    give_reason(reason)
    addendum = SessionAddendum(session_id=session.id, text=text.strip(), reason=reason.strip(),
                               recorded_by_id=actor.id)
    db.session.add(addendum)
    return addendum
