"""What a user may see (D7): the records of the locations in their scope, and nothing of any
other. A record elsewhere is answered as not found (404, never 403), the same answer as for an
id that names nothing, so an id never tells whether a record exists at another location.

A record is located by its own location (a treatment session, a ledger entry, a stocktake, a
storage area), by its parent's (an injection by its session's, a stocktake line by its
stocktake's) or, for a batch, by where its parts are held: a batch is visible wherever any part
of it is. Patients and their clinical records, prescriptions, products and user accounts are
group-wide (D7: a patient's record is the same everywhere) and visible in every scope; what a
page lists of a patient's located records (their sessions) is still limited to the scope.

The URL parameters below are checked for every request in one place (`refuse_unseen`): a
route naming a located record needs nothing of its own. A new kind of located record adds its
condition to LOCATED and, if a URL names it, its parameter to URL_RECORDS; and a migration
that sets its events' place back to none where it was EVERYWHERE (compliance/fixed_places.py:
an event about a table not located here was about a record of no location).
"""

from collections.abc import Callable

from flask import Flask, abort, request
from flask_login import current_user
from sqlalchemy import exists, select

from compliance.extensions import db
from compliance.locations import visible_location_ids
from compliance.models import (
    Batch,
    BatchStock,
    ExceptionReview,
    FollowUp,
    Injection,
    InjectionReversal,
    LedgerEntry,
    Location,
    RecallContact,
    SessionAddendum,
    SessionFlag,
    Signature,
    Stocktake,
    StocktakeLine,
    StorageArea,
    TemperatureReading,
    Transfer,
    TreatmentSession,
    User,
    UserLocation,
)

Ids = frozenset[int]


def sessions_at(ids: Ids):
    return select(TreatmentSession.id).where(TreatmentSession.location_id.in_(ids))


def batches_at(ids: Ids):
    """The batches with a part held at one of `ids` (an emptied part still names its batch)."""
    return select(BatchStock.batch_id).where(BatchStock.location_id.in_(ids))


def _stocktakes_at(ids: Ids):
    return select(Stocktake.id).where(Stocktake.location_id.in_(ids))


def actors_within(ids: Ids):
    """The users who work only at locations of `ids`: assigned there and nowhere else, not
    group-wide. What they did, or were refused, is bounded by those locations."""
    elsewhere = select(UserLocation.user_id).where(UserLocation.location_id.not_in(ids))
    return (select(UserLocation.user_id).join(User, User.id == UserLocation.user_id)
            .where(User.all_locations.is_(False), UserLocation.user_id.not_in(elsewhere)))


# Each located model, and its rows at the locations `ids` as a condition on it.
LOCATED: dict[type, Callable[[Ids], object]] = {
    TreatmentSession: lambda ids: TreatmentSession.location_id.in_(ids),
    LedgerEntry: lambda ids: LedgerEntry.location_id.in_(ids),
    Stocktake: lambda ids: Stocktake.location_id.in_(ids),
    StorageArea: lambda ids: StorageArea.location_id.in_(ids),
    Location: lambda ids: Location.id.in_(ids),
    UserLocation: lambda ids: UserLocation.location_id.in_(ids),
    Batch: lambda ids: Batch.id.in_(batches_at(ids)),
    RecallContact: lambda ids: RecallContact.batch_id.in_(batches_at(ids)),
    Injection: lambda ids: Injection.session_id.in_(sessions_at(ids)),
    InjectionReversal: lambda ids: InjectionReversal.injection_id.in_(
        select(Injection.id).where(Injection.session_id.in_(sessions_at(ids)))),
    SessionFlag: lambda ids: SessionFlag.session_id.in_(sessions_at(ids)),
    SessionAddendum: lambda ids: SessionAddendum.session_id.in_(sessions_at(ids)),
    FollowUp: lambda ids: FollowUp.session_id.in_(sessions_at(ids)),
    StocktakeLine: lambda ids: StocktakeLine.stocktake_id.in_(_stocktakes_at(ids)),
    # A review of an exception at a location; a refused attempt's has none, and is seen
    # where its reviewer's words are bounded (as a refused attempt is: audit_scope.py).
    # A transfer is seen at both of its ends.
    Transfer: lambda ids: Transfer.from_location_id.in_(ids) | Transfer.to_location_id.in_(ids),
    TemperatureReading: lambda ids: TemperatureReading.storage_area_id.in_(
        select(StorageArea.id).where(StorageArea.location_id.in_(ids))),
    ExceptionReview: lambda ids: ExceptionReview.location_id.in_(ids)
    | (ExceptionReview.location_id.is_(None)
       & ExceptionReview.reviewed_by_id.in_(actors_within(ids))),
}

# Located tables by name, as the audit trail names them.
TABLES = {model.__tablename__: model for model in LOCATED}

# The URL parameters that name a located record.
URL_RECORDS = {"session_id": TreatmentSession, "injection_id": Injection, "batch_id": Batch,
               "entry_id": LedgerEntry, "stocktake_id": Stocktake, "location_id": Location,
               "storage_area_id": StorageArea, "area_id": StorageArea,
               "reading_id": TemperatureReading, "transfer_id": Transfer}


def visible_ids(user=None) -> Ids | None:
    """The signed-in user's scope (or `user`'s): None for every location."""
    return visible_location_ids(user if user is not None else current_user)


def narrowed(query, model, ids: Ids | None):
    """`query` limited to the rows of `model` at the locations `ids` (None: all)."""
    return query if ids is None else query.where(LOCATED[model](ids))


def is_visible(model, record_id, ids: Ids | None) -> bool:
    """Whether the `model` row `record_id` exists at one of the locations `ids` (exists at
    all, for None)."""
    condition = model.id == record_id
    if ids is not None:
        condition = condition & LOCATED[model](ids)
    return bool(db.session.scalar(select(exists().where(condition))))


def record_visible(table_name: str, record_id: str, ids: Ids | None) -> bool:
    """Whether the record an audit trail names by table and key is in scope: a group-wide
    table's always, a located table's when it is at one of `ids`, a signature's when what it
    signs is."""
    if ids is None:
        return True
    if table_name == "signatures":
        signed = db.session.execute(select(Signature.record_table, Signature.record_id)
                                    .where(Signature.id == _key(record_id))).first()
        return signed is None or record_visible(*signed, ids)
    model = TABLES.get(table_name)
    return model is None or is_visible(model, _key(record_id), ids)


def _key(record_id: str) -> int:
    """A located table's key as its column holds it; -1 (no row) for text that is none."""
    return int(record_id) if record_id.isascii() and record_id.isdigit() and len(
        record_id) < 10 else -1


def refuse_unseen() -> None:
    """Before every request: 404 for a URL naming a record outside the signed-in user's
    scope (anonymous visitors are sent to sign in by the route, whatever the id)."""
    args = request.view_args or {}
    if not (set(args) & (set(URL_RECORDS) | {"table_name"})):
        return
    if not current_user.is_authenticated:
        return
    ids = visible_ids()
    if ids is None:
        return
    for name, model in URL_RECORDS.items():
        if name in args and not is_visible(model, args[name], ids):
            abort(404)
    if "table_name" in args and not record_visible(args["table_name"],
                                                   args.get("record_id", ""), ids):
        abort(404)


def register(app: Flask) -> None:
    """After the session checks (an expired session signs in again before anything else)."""
    app.before_request(refuse_unseen)
