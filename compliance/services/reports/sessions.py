"""Report 1, session audit: one row per treatment session with who, what, from which batches."""

from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from compliance.extensions import db
from compliance.models import (
    Batch,
    Injection,
    InjectionReversal,
    Location,
    Patient,
    Prescription,
    Product,
    Sclerosant,
    SessionAddendum,
    SessionFlag,
    TreatmentSession,
    User,
)
from compliance.models.sclerosant import dose_mg
from compliance.models.treatment import standing
from compliance.models.user import registration_text
from compliance.rules.flags import FLAG_LABELS
from compliance.services.reports.common import (
    Filters,
    Listing,
    Result,
    at_locations,
    between_days,
    corrected_ids,
    in_chunks,
    ordered,
    paged,
)
from compliance.services.reports.session_rows import BatchUse, SessionRow

ADMIN, DOCTOR = aliased(User, name="administering"), aliased(User, name="doctor")
SORTS = {"date": "Date", "patient": "Patient", "prescriber": "Administering prescriber",
         "doctor": "Prescribing doctor", "signed": "Signed off"}
_SORT_COLUMNS = {"date": TreatmentSession.session_date, "patient": Patient.last_name,
                 "prescriber": ADMIN.full_name, "doctor": DOCTOR.full_name,
                 "signed": TreatmentSession.signed_at}
# Sign-off is the session's routine second write; it is not a correction. Voiding is, and
# is named as one with its reason (below), rather than as an unexplained change.
ROUTINE_UPDATES = frozenset({"status", "signed_at", "voided_at", "voided_by_id", "void_reason"})


_SESSION_COLUMNS = (
    TreatmentSession.id, TreatmentSession.session_date, TreatmentSession.started_at,
    TreatmentSession.signed_at, TreatmentSession.voided_at, TreatmentSession.void_reason,
    TreatmentSession.session_number, Prescription.sessions_authorised,
    Patient.first_name, Patient.last_name, Patient.reference,
    ADMIN.full_name.label("admin_name"), ADMIN.register.label("admin_register"),
    ADMIN.registration_number.label("admin_number"), DOCTOR.full_name.label("doctor_name"),
    DOCTOR.register.label("doctor_register"), DOCTOR.registration_number.label("doctor_number"),
    Prescription.id.label("prescription_id"),
    Prescription.signed_at.label("prescription_signed_at"),
    Sclerosant.name.label("ingredient"), Sclerosant.short_name,
    Location.name.label("location"))


def filtered(filters: Filters) -> Select:
    return _narrowed(select(*_SESSION_COLUMNS)
                     .join(Patient, Patient.id == TreatmentSession.patient_id)
                     .join(ADMIN, ADMIN.id == TreatmentSession.prescriber_id)
                     .join(Prescription, Prescription.id == TreatmentSession.prescription_id)
                     .join(DOCTOR, DOCTOR.id == Prescription.prescriber_id)
                     .join(Product, Product.id == Prescription.product_id)
                     .join(Sclerosant, Sclerosant.name == Product.active_ingredient)
                     .join(Location, Location.id == TreatmentSession.location_id), filters)


def _narrowed(query: Select, filters: Filters) -> Select:
    """`query` of sessions limited to those the filters match (on the sessions' own columns,
    so that the ids alone are read without the report's joins)."""
    query = at_locations(between_days(query, TreatmentSession.session_date, filters),
                         TreatmentSession.location_id, filters)
    if filters.prescriber_id:
        query = query.where(TreatmentSession.prescriber_id == filters.prescriber_id)
    if filters.patient_id:
        query = query.where(TreatmentSession.patient_id == filters.patient_id)
    if filters.product_id:
        query = query.where(TreatmentSession.prescription_id.in_(
            select(Prescription.id).where(Prescription.product_id == filters.product_id)))
    if filters.batch_id:
        query = query.where(TreatmentSession.id.in_(
            select(Injection.session_id).where(Injection.batch_id == filters.batch_id)))
    return query


def _row(r) -> SessionRow:
    row = SessionRow(
        id=r.id, session_date=r.session_date, started_at=r.started_at, signed_at=r.signed_at,
        voided_at=r.voided_at, void_reason=r.void_reason, session_number=r.session_number,
        sessions_authorised=r.sessions_authorised,
        patient_name=f"{r.first_name} {r.last_name}", patient_reference=r.reference,
        prescriber_name=r.admin_name,
        prescriber_registration=registration_text(r.admin_register, r.admin_number),
        doctor_name=r.doctor_name,
        doctor_registration=registration_text(r.doctor_register, r.doctor_number),
        prescription_reference=f"RX-{r.prescription_id:06d}",
        prescription_signed_at=r.prescription_signed_at, active_ingredient=r.ingredient,
        dose_label=f"{r.short_name} mg", location=r.location)
    if row.voided:
        row.corrections.append(f"voided: {row.void_reason}")
    return row


def _attach_injections(rows: dict[int, SessionRow]) -> None:
    uses: dict[tuple[int, str], BatchUse] = {}
    result = db.session.execute(
        select(Injection.session_id, Batch.batch_number, Batch.expires_on,
               Product.strength_percent, Injection.volume_ul, InjectionReversal.id)
        .join(Batch, Batch.id == Injection.batch_id).join(Product, Product.id == Batch.product_id)
        .outerjoin(InjectionReversal, InjectionReversal.injection_id == Injection.id)
        .where(Injection.session_id.in_(rows)).order_by(Injection.session_id, Injection.id))
    for session_id, number, expires_on, strength, volume_ul, reversal_id in result:
        key = (session_id, number)
        if key not in uses:
            uses[key] = BatchUse(number, expires_on)
            rows[session_id].batches.append(uses[key])
        if reversal_id is not None:
            uses[key].reversed_ul += volume_ul
            rows[session_id].corrections.append(
                f"injection of {Decimal(volume_ul) / 1000:g} ml from {number} reversed")
        else:
            uses[key].volume_ul += volume_ul
            uses[key].mg += dose_mg(volume_ul, strength)


def _attach_flags_and_corrections(rows: dict[int, SessionRow]) -> None:
    for session_id, code in db.session.execute(
            select(SessionFlag.session_id, SessionFlag.code)
            .where(SessionFlag.session_id.in_(rows)).order_by(SessionFlag.id)):
        rows[session_id].flags.append(FLAG_LABELS.get(code, code))
    for session_id, count in db.session.execute(
            select(SessionAddendum.session_id, func.count())
            .where(SessionAddendum.session_id.in_(rows)).group_by(SessionAddendum.session_id)):
        rows[session_id].corrections.append(f"{count} addendum(s) after sign-off")
    for session_id in corrected_ids("treatment_sessions", rows, ROUTINE_UPDATES):
        rows[session_id].corrections.append("session record changed after it was entered")


def _complete(raw_rows) -> list[SessionRow]:
    rows = {r.id: _row(r) for r in raw_rows}
    if rows:
        _attach_injections(rows)
        _attach_flags_and_corrections(rows)
    return list(rows.values())


def totals(filters: Filters) -> dict:
    """Sessions' volume, and their doses per sclerosant ({"STS": mg}): mg of different
    ingredients are never added together."""
    # The ids without the report's joins: with them, the statement joined more tables than
    # PostgreSQL reorders (join_collapse_limit), and it read all 10M injections first (1 s).
    ids = _narrowed(select(TreatmentSession.id), filters).scalar_subquery()
    # Summed by batch before the batches are joined: joined first, the group's month hashed
    # all 200,000 batches for the 2,500 it used (88 -> 57 ms).
    by_batch = (select(Injection.batch_id, func.sum(Injection.volume_ul).label("ul"))
                .where(Injection.session_id.in_(ids), standing())
                .group_by(Injection.batch_id).subquery())
    volume_ul, mg = 0, {}
    for short_name, strength, ul in db.session.execute(
            select(Sclerosant.short_name, Product.strength_percent, func.sum(by_batch.c.ul))
            .join(Batch, Batch.id == by_batch.c.batch_id)
            .join(Product, Product.id == Batch.product_id)
            .join(Sclerosant, Sclerosant.name == Product.active_ingredient)
            .group_by(Sclerosant.short_name, Product.strength_percent)
            .order_by(Sclerosant.short_name)):
        volume_ul += int(ul or 0)
        mg[short_name] = mg.get(short_name, Decimal(0)) + dose_mg(int(ul or 0), strength)
    return {"volume_ul": volume_ul, "mg": mg}


def counts(filters: Filters) -> tuple[int, int]:
    """How many sessions the report lists for `filters`, and how many of them were voided
    (the reports home counts with this too)."""
    # The sessions' own columns: each join of the report follows a required foreign key, so
    # it never changes the count, and a month of the group's sessions joined was 140 ms.
    listed = _narrowed(select(TreatmentSession.id, TreatmentSession.voided_at), filters
                       ).subquery()
    return tuple(db.session.execute(select(func.count(), func.count(listed.c.voided_at))).one())


def report(filters: Filters, listing: Listing) -> Result:
    query = ordered(filtered(filters), _SORT_COLUMNS, listing, TreatmentSession.id)
    count, voided = counts(filters)
    rows = _complete(db.session.execute(paged(query, listing)).all())
    return Result(rows, count, {"sessions": count, "voided": voided, **totals(filters)})


def iter_rows(filters: Filters, listing: Listing) -> Iterator[SessionRow]:
    """Every matching session, read in chunks so an export's memory stays flat."""
    query = ordered(filtered(filters), _SORT_COLUMNS, listing, TreatmentSession.id)
    for chunk in in_chunks(query):
        yield from _complete(chunk)
