"""The facts the rules read as rows (a prescription's signatures, the patient's consents, what
their screening found, what a session has used), read in one statement.

Each kind of row is one SELECT of the same columns, and UNION ALL puts them together: a page or
a workflow that needs several kinds pays one round trip, not one per kind. A column is NULL in
a kind that has no use for it, cast to its type: PostgreSQL cannot type a column NULL on both
sides of a UNION.
"""

from collections import defaultdict
from datetime import date

from sqlalchemy import Date, Integer, Select, String, cast, func, literal, null, select, union_all

from compliance.extensions import db
from compliance.models import (
    Consent,
    Contraindication,
    Injection,
    Prescription,
    Screening,
    ScreeningAnswer,
    Signature,
    User,
)
from compliance.models.stock import LedgerEntry
from compliance.services.audit import record_key
from compliance.services.screening import NEWEST_FIRST

COLUMNS = {"name": String, "detail": String, "number": Integer, "first": Date, "second": Date}


def rows_of(kind: str, **columns) -> Select:
    """The SELECT of one kind of row: `kind`, and the columns named (the others NULL)."""
    return select(literal(kind, String).label("kind"), *(
        columns.get(name, cast(null(), type_)).label(name) for name, type_ in COLUMNS.items()))


def read(*kinds: Select) -> dict[str, list]:
    """The rows of every kind, read in one statement; each kind's rows in `number` order."""
    found = defaultdict(list)
    for row in db.session.execute(union_all(*kinds).order_by("kind", "number")):
        found[row.kind].append(row)
    return found


def signatures(prescription: Prescription) -> Select:
    """The prescription's "prescribed" signatures: the signer's profession (`name`) and the
    hash of the version signed (`detail`)."""
    return (rows_of("signature", name=User.profession, detail=Signature.record_hash)
            .join_from(Signature, User, User.id == Signature.signer_id)
            .where(Signature.record_table == prescription.__tablename__,
                   Signature.record_id == record_key(prescription),
                   Signature.meaning == "prescribed"))


def screening(patient_id: int, on: date) -> list[Select]:
    """The patient's current screening on `on` (the newest screened on or before it; its id,
    or NULL), the contraindications it found present, and those in use it does not answer."""
    current = (select(Screening.id).where(Screening.patient_id == patient_id,
                                          Screening.screened_on <= on)
               .order_by(*NEWEST_FIRST).limit(1).scalar_subquery())
    answered = select(ScreeningAnswer.contraindication_id).where(
        ScreeningAnswer.screening_id == current)
    return [rows_of("screening", number=current),
            rows_of("present", name=Contraindication.name, number=ScreeningAnswer.id)
            .join_from(ScreeningAnswer, Contraindication)
            .where(ScreeningAnswer.screening_id == current, ScreeningAnswer.present.is_(True)),
            rows_of("unanswered", name=Contraindication.name, number=Contraindication.id)
            .where(Contraindication.active.is_(True), Contraindication.id.not_in(answered))]


def consents(patient_id: int) -> Select:
    """Every consent of the patient: given (`first`) and withdrawn (`second`) on."""
    return rows_of("consent", number=Consent.id, first=Consent.consented_on,
                   second=Consent.withdrawn_on).where(Consent.patient_id == patient_id)


def _total(column):
    return func.coalesce(func.sum(column), 0)


def session_use(session_id: int, batch_id: int) -> list[Select]:
    """What the session's injections that stand have used (`number`): in all ("used"), and
    from the batch, the volume drawn ("drawn") and the containers opened ("opened")."""
    standing = (Injection.session_id == session_id) & ~Injection.reversal.has()
    from_batch = standing & (Injection.batch_id == batch_id)
    return [rows_of("used", number=_total(Injection.volume_ul)).where(standing),
            rows_of("drawn", number=_total(Injection.volume_ul)).where(from_batch),
            rows_of("opened", number=_total(-LedgerEntry.containers))
            .join_from(Injection, LedgerEntry, LedgerEntry.id == Injection.ledger_entry_id)
            .where(from_batch)]
