"""The records audit events are about, named as people name them ("batch STS05-2398",
"session 3 of 6, Eleanor Walker") with the page each is shown on: one query per kind of
record for a whole page of events."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from compliance.clock import to_local
from compliance.extensions import db
from compliance.models import (
    Batch,
    Consent,
    Consultation,
    ExceptionReview,
    FollowUp,
    Injection,
    LedgerEntry,
    Patient,
    Prescription,
    Product,
    Screening,
    SessionAddendum,
    SessionFlag,
    StocktakeLine,
    StorageArea,
    TemperatureReading,
    Transfer,
    TreatmentSession,
    User,
)


@dataclass(frozen=True)
class RecordName:
    name: str
    page: tuple[str, int] | None = None  # ("session", 12): see reports.catalogue.RECORD_PAGES


def _ints(ids: Iterable[str]) -> list[int]:
    return sorted({int(i) for i in ids if i and i.isdigit() and len(i) < 10})


def _sessions(ids) -> dict[int, RecordName]:
    query = (select(TreatmentSession.id, TreatmentSession.session_number,
                    Prescription.sessions_authorised, Patient.first_name, Patient.last_name)
             .join(Prescription, Prescription.id == TreatmentSession.prescription_id)
             .join(Patient, Patient.id == TreatmentSession.patient_id)
             .where(TreatmentSession.id.in_(_ints(ids))))
    return {sid: RecordName(f"session {number} of {authorised}, {first} {last}",
                            ("session", sid))
            for sid, number, authorised, first, last in db.session.execute(query)}


def _batches(ids) -> dict[int, RecordName]:
    query = select(Batch.id, Batch.batch_number).where(Batch.id.in_(_ints(ids)))
    return {bid: RecordName(f"batch {number}", ("batch", bid))
            for bid, number in db.session.execute(query)}


def _patients(ids) -> dict[int, RecordName]:
    query = (select(Patient.id, Patient.first_name, Patient.last_name, Patient.reference)
             .where(Patient.id.in_(_ints(ids))))
    return {pid: RecordName(f"patient {first} {last} ({ref})", ("patient", pid))
            for pid, first, last, ref in db.session.execute(query)}


def _via(model, parent_column, parents, label: str):
    """Name the rows of `model` by the record they belong to: "follow-up of session 3 of 6,
    Eleanor Walker", linked to that record's page."""

    def named(ids) -> dict[int, RecordName]:
        owner = dict(db.session.execute(select(model.id, parent_column)
                                        .where(model.id.in_(_ints(ids)))).all())
        names = parents(str(value) for value in owner.values())
        return {row_id: RecordName(f"{label} {names[parent].name}", names[parent].page)
                for row_id, parent in owner.items() if parent in names}

    return named


def _plain(model, column, label: str, page: str | None = None):
    def named(ids) -> dict[int, RecordName]:
        query = select(model.id, column).where(model.id.in_(_ints(ids)))
        return {row_id: RecordName(f"{label} {value}", (page, row_id) if page else None)
                for row_id, value in db.session.execute(query)}

    return named


def _prescriptions(ids) -> dict[int, RecordName]:
    query = (select(Prescription.id, Patient.first_name, Patient.last_name)
             .join(Patient, Patient.id == Prescription.patient_id)
             .where(Prescription.id.in_(_ints(ids))))
    return {rid: RecordName(f"prescription RX-{rid:06d}, {first} {last}",
                            ("prescription", rid))
            for rid, first, last in db.session.execute(query)}


def _readings(ids) -> dict[int, RecordName]:
    """A storage temperature reading by its area, value and time (D7)."""
    query = (select(TemperatureReading.id, TemperatureReading.storage_area_id,
                    TemperatureReading.temperature_c, TemperatureReading.taken_at,
                    StorageArea.name)
             .join(StorageArea, StorageArea.id == TemperatureReading.storage_area_id)
             .where(TemperatureReading.id.in_(_ints(ids))))
    return {rid: RecordName(f"reading of {area}, {value:.1f} °C at "
                            f"{to_local(taken):%d %b %Y %H:%M}", ("storage_area", area_id))
            for rid, area_id, value, taken, area in db.session.execute(query)}


NAMERS = {
    "treatment_sessions": _sessions,
    "batches": _batches,
    "patients": _patients,
    "prescriptions": _prescriptions,
    "ledger_entries": _via(LedgerEntry, LedgerEntry.batch_id, _batches, "ledger entry of"),
    "stocktake_lines": _via(StocktakeLine, StocktakeLine.batch_id, _batches, "count of"),
    "transfers": _via(Transfer, Transfer.batch_id, _batches, "transfer of"),
    "injections": _via(Injection, Injection.session_id, _sessions, "injection in"),
    "session_flags": _via(SessionFlag, SessionFlag.session_id, _sessions, "flag on"),
    "follow_ups": _via(FollowUp, FollowUp.session_id, _sessions, "follow-up of"),
    "session_addenda": _via(SessionAddendum, SessionAddendum.session_id, _sessions,
                            "addendum to"),
    "consents": _via(Consent, Consent.patient_id, _patients, "consent of"),
    "consultations": _via(Consultation, Consultation.patient_id, _patients,
                          "consultation of"),
    "screenings": _via(Screening, Screening.patient_id, _patients, "screening of"),
    "stocktakes": lambda ids: {i: RecordName(f"stocktake {i}", ("stocktake", i))
                               for i in _ints(ids)},
    "users": _plain(User, User.full_name, "account of", "user"),
    "products": _plain(Product, Product.name, "product"),
    "exception_reviews": _plain(ExceptionReview, ExceptionReview.exception_key,
                                "review of exception"),
    "temperature_readings": _readings,
}


def fallback(table_name: str, record_id: str) -> str:
    """A record no namer knows, or one gone: its table in words and its id."""
    return f"{table_name.replace('_', ' ').removesuffix('s')} {record_id}"


def name_records(refs: Iterable[tuple[str | None, str | None]]) -> dict[tuple, RecordName]:
    """{(table, record id): its name and page} for every reference; a reference without a
    table is left out."""
    wanted = defaultdict(set)
    for table, record_id in refs:
        if table and record_id:
            wanted[table].add(record_id)
    named = {}
    # Every namer runs, with or without ids: a page asks the same statements whatever its
    # rows hold (one or two per kind of record), never one per row.
    found_by_table = {table: namer(wanted.get(table, ())) for table, namer in NAMERS.items()}
    for table, ids in wanted.items():
        found = found_by_table.get(table, {})
        for record_id in ids:
            key = int(record_id) if record_id.isdigit() and len(record_id) < 10 else None
            named[table, record_id] = found.get(key) or RecordName(fallback(table, record_id))
    return named
