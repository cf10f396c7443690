"""Workflows: check permission and rules, write, and commit once."""

from sqlalchemy import select

from compliance.errors import InvalidInput, NotPermitted
from compliance.extensions import db
from compliance.permissions import can


def ensure_can(actor, capability: str) -> None:
    """Refuse with NotPermitted unless `actor` holds `capability`."""
    if not can(actor, capability):
        raise NotPermitted()


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
