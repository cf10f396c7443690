"""Workflows: check permission and rules, write, and commit once."""

from sqlalchemy import select

from compliance.errors import InvalidInput, NotADoctor, NotAPrescriber, NotPermitted
from compliance.extensions import db
from compliance.permissions import can

# Capabilities whose refusal is itself a named rule: D4 rule 1 and D3's prescribing doctor.
_REFUSALS = {
    "record_treatment": NotAPrescriber,
    "record_injection": NotAPrescriber,
    "sign_session": NotAPrescriber,
    "write_prescription": NotADoctor,
    "sign_prescription": NotADoctor,
}
# What the refusal says when the act is the actor's to do, but the record is not theirs (D1).
_NOT_THEIRS = {
    "record_injection": "Only the session's administering prescriber records its injections.",
    "sign_session": "Only the session's administering prescriber records its injections.",
    "sign_prescription": "Only the doctor who wrote this draft may change or sign it.",
    "correct_consultation": "Only the prescriber who held the consultation may correct it.",
}

# What a refusal says when the capability's own words help more than "not allowed".
_REFUSAL_MESSAGES = {
    "dispose_of_stock": "A prescriber records waste of breakage and opened remainders only; "
                        "expiry disposal and other disposals are recorded by a manager.",
}


def ensure_can(actor, capability: str, record=None, *, field: str | None = None) -> None:
    """Refuse unless `actor` holds `capability`, on `record` when one is given; `field` is
    the form field the refusal is shown beside, when one chose the act."""
    if not can(actor, capability):
        raise _REFUSALS.get(capability, NotPermitted)(_REFUSAL_MESSAGES.get(capability),
                                                      field=field)
    if not can(actor, capability, record):
        raise NotPermitted(_NOT_THEIRS.get(capability))


def reread(model, record_id: int | None, missing: str, *, lock: bool = False):
    """The `model` row `record_id` as it is now, inside the writing transaction, and locked
    for it when `lock` (FOR UPDATE on PostgreSQL; a SQLite writer already holds the database):
    what a view read before the transaction began may be stale. InvalidInput(`missing`) when
    there is no such row."""
    query = select(model).where(model.id == record_id).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update(of=model)
    found = db.session.scalars(query).one_or_none() if record_id else None
    if found is None:
        raise InvalidInput(missing)
    return found
