"""Report 3, batch trace and recall: who received a batch, and every attempt to reach them."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, select

from compliance.errors import InvalidInput, StockRefusal
from compliance.extensions import db
from compliance.locations import visible_location_ids
from compliance.models import (
    Batch,
    Injection,
    InjectionReversal,
    Location,
    Patient,
    RecallContact,
    TreatmentSession,
    User,
)
from compliance.models.stock import RECALLED
from compliance.services import ensure_can
from compliance.services.reports import batch_parts
from compliance.services.reports.common import (
    Filters,
    Listing,
    Result,
    at_locations,
    between_days,
    in_chunks,
    ordered,
    paged,
)
from compliance.services.unit_of_work import unit_of_work

SORTS = {"date": "Date", "patient": "Patient", "batch": "Batch", "volume": "Volume"}
_SORT_COLUMNS = {"date": TreatmentSession.session_date, "patient": Patient.last_name,
                 "batch": Batch.batch_number, "volume": Injection.volume_ul}
CONTACT_METHODS = ("phone", "email", "letter", "in person", "text message")


@dataclass
class TraceRow:
    injection_id: int
    session_id: int
    session_date: date
    batch_number: str
    batch_state: str
    patient_id: int
    patient_name: str
    patient_reference: str
    phone: str | None
    email: str | None
    address: str | None
    prescriber_name: str
    volume_ul: int
    reversed: bool
    session_number: int = 0  # in the patient's course, as the session's page names it
    location: str = ""  # where the session took place: a batch is followed across locations

    @property
    def corrected(self) -> bool:
        return self.reversed


def filtered(filters: Filters) -> Select:
    query = (select(Injection.id, Injection.session_id, Injection.volume_ul,
                    TreatmentSession.session_date, TreatmentSession.session_number,
                    Batch.batch_number, Batch.state, Patient.id
                    .label("patient_id"), Patient.first_name, Patient.last_name,
                    Patient.reference, Patient.phone, Patient.email, Patient.address,
                    User.full_name, InjectionReversal.id.label("reversal_id"),
                    Location.name.label("location"))
             .join(TreatmentSession, TreatmentSession.id == Injection.session_id)
             .join(Location, Location.id == TreatmentSession.location_id)
             .join(Batch, Batch.id == Injection.batch_id)
             .join(Patient, Patient.id == TreatmentSession.patient_id)
             .join(User, User.id == TreatmentSession.prescriber_id)
             .outerjoin(InjectionReversal, InjectionReversal.injection_id == Injection.id))
    query = at_locations(between_days(query, TreatmentSession.session_date, filters),
                         TreatmentSession.location_id, filters)
    for value, column in ((filters.batch_id, Injection.batch_id),
                          (filters.product_id, Batch.product_id),
                          (filters.patient_id, TreatmentSession.patient_id),
                          (filters.prescriber_id, TreatmentSession.prescriber_id)):
        if value:
            query = query.where(column == value)
    return query


def _row(r) -> TraceRow:
    return TraceRow(r.id, r.session_id, r.session_date, r.batch_number, r.state, r.patient_id,
                    f"{r.first_name} {r.last_name}", r.reference, r.phone, r.email, r.address,
                    r.full_name, r.volume_ul, r.reversal_id is not None, r.session_number,
                    r.location)


def report(filters: Filters, listing: Listing) -> Result:
    query = ordered(filtered(filters), _SORT_COLUMNS, listing, Injection.id)
    inner = filtered(filters).subquery()
    count, volume_ul, patients = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case(
                   (inner.c.reversal_id.is_(None), inner.c.volume_ul), else_=0)), 0),
               func.count(inner.c.patient_id.distinct()))).one()
    rows = [_row(r) for r in db.session.execute(paged(query, listing))]
    extra = {"batch": db.session.get(Batch, filters.batch_id) if filters.batch_id else None,
             "parts": batch_parts.where_held(filters)}
    if extra["batch"] is not None and extra["batch"].state == RECALLED:
        extra["recall"] = recall_log(filters.batch_id, filters.location_ids)
    return Result(rows, count, {"injections": count, "volume_ul": int(volume_ul),
                                "patients": patients}, extra)


def iter_rows(filters: Filters, listing: Listing) -> Iterator[TraceRow]:
    query = ordered(filtered(filters), _SORT_COLUMNS, listing, Injection.id)
    for chunk in in_chunks(query):
        yield from (_row(r) for r in chunk)


@dataclass
class RecallPatient:
    patient_id: int
    name: str
    reference: str
    phone: str | None
    email: str | None
    address: str | None
    contacts: list


def recall_log(batch_id: int, location_ids: frozenset[int] | None = None) -> list[RecallPatient]:
    """Every patient who received the batch (at the locations `location_ids`, None: at any),
    with each logged contact attempt."""
    received = at_locations(select(TreatmentSession.patient_id).join(Injection)
                            .where(Injection.batch_id == batch_id),
                            TreatmentSession.location_id, Filters(location_ids=location_ids))
    patients = db.session.execute(
        select(Patient).where(Patient.id.in_(received)).order_by(Patient.last_name, Patient.id))
    log = {p.id: RecallPatient(p.id, p.full_name, p.reference, p.phone, p.email, p.address, [])
           for (p,) in patients}
    for contact, who in db.session.execute(
            select(RecallContact, User.full_name).join(User, User.id ==
                                                        RecallContact.contacted_by_id)
            .where(RecallContact.batch_id == batch_id).order_by(RecallContact.id)):
        if contact.patient_id in log:
            log[contact.patient_id].contacts.append((contact, who))
    return list(log.values())


@unit_of_work("log a recall contact attempt")
def log_contact(actor, batch_id: int, patient_id: int, method: str, outcome: str):
    """Record one attempt to reach a patient who received a recalled batch."""
    ensure_can(actor, "manage_recall")
    if method not in CONTACT_METHODS:
        raise InvalidInput("Choose how the patient was contacted.", field="method")
    if not (outcome or "").strip():
        raise InvalidInput("Say what happened.", field="outcome")
    batch = db.session.get(Batch, batch_id, populate_existing=True)
    if batch is None or batch.state != RECALLED:
        raise StockRefusal("Contact attempts are logged only for a recalled batch.")
    # Received at a location of the actor's scope: the patients the recall log lists them.
    received = db.session.scalar(at_locations(
        select(func.count()).select_from(Injection).join(TreatmentSession)
        .where(Injection.batch_id == batch_id, TreatmentSession.patient_id == patient_id),
        TreatmentSession.location_id, Filters(location_ids=visible_location_ids(actor))))
    if not received:
        raise InvalidInput("This patient did not receive the batch.", field="patient_id")
    contact = RecallContact(batch_id=batch_id, patient_id=patient_id, method=method,
                            outcome=outcome.strip(), contacted_by_id=actor.id)
    db.session.add(contact)
    return contact
