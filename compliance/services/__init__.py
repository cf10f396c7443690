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
    "sign_session": "Only the session's administering prescriber signs it off.",
    "add_addendum": "Only the session's administering prescriber adds addenda to it.",
    "void_session": "Only the session's administering prescriber may void it.",
    "sign_prescription": "Only the doctor who wrote this draft may change or sign it.",
    "correct_consultation": "Only the prescriber who held the consultation may correct it.",
    "edit_location": "Only a manager who works at this location changes it, its storage areas "
                     "or who works there.",
}

# What a refusal says when the capability's own words help more than "not allowed".
_REFUSAL_MESSAGES = {
    "dispose_of_stock": "A prescriber records waste of breakage and opened remainders only; "
                        "expiry disposal and other disposals are recorded by a manager.",
    "create_location": "Only a group-wide manager (one who works at all locations) adds or "
                       "deactivates a location, or makes an account group-wide.",
}


def refusal_of(actor, capability: str, record=None, *,
               field: str | None = None) -> NotPermitted | None:
    """The refusal of `capability` to `actor` (on `record` when one is given), or None when
    they hold it. Its rule is the named rule (D4.1, D3) or names the capability (D4); `field`
    is the form field it is shown beside, when one chose the act."""
    if not can(actor, capability):
        error = _REFUSALS.get(capability, NotPermitted)(_REFUSAL_MESSAGES.get(capability),
                                                        field=field)
    elif not can(actor, capability, record):
        error = NotPermitted(_NOT_THEIRS.get(capability))
    else:
        return None
    if error.rule == NotPermitted.rule:
        error.rule = f"capability: {capability}"
    return error


def ensure_can(actor, capability: str, record=None, *, field: str | None = None) -> None:
    """Refuse unless `actor` holds `capability`, on `record` when one is given."""
    error = refusal_of(actor, capability, record, field=field)
    if error is not None:
        raise error


def reread(model, record_id: int | None, missing: str, *, lock: bool = False,
           field: str | None = None):
    """The `model` row `record_id` as it is now, inside the writing transaction, and locked
    for it when `lock` (FOR UPDATE on PostgreSQL; a SQLite writer already holds the database):
    what a view read before the transaction began may be stale. InvalidInput(`missing`) when
    there is no such row (beside `field` when given)."""
    query = select(model).where(model.id == record_id).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update(of=model)
    found = db.session.scalars(query).one_or_none() if record_id else None
    if found is None:
        raise InvalidInput(missing, field=field)
    return found
