"""One-time form submissions: a repeat of a submitted form's key writes nothing and is
answered with the first submission's result."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from compliance.database import insert_for
from compliance.errors import AlreadySubmitted
from compliance.extensions import db
from compliance.models import FormSubmission
from compliance.services.unit_of_work import unit_of_work


def _claim(user_id: int, key: str) -> bool:
    """Write the key, or find it written. On PostgreSQL a concurrent submission of the same
    key waits here until the first commits (then finds it) or rolls back (then claims it)."""
    table = FormSubmission.__table__
    claimed = db.session.scalar(
        insert_for(db.session)(table).values(user_id=user_id, key=key, result_url="")
        .on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.key])
        .returning(table.c.key))
    return claimed is not None


@unit_of_work(None)  # named by the workflow `action` runs, as its refusals are
def once(actor, key: str, action: Callable[[], Any],
         result_url: Callable[[Any], str]) -> tuple[Any, str]:
    """Run `action` in this transaction unless `actor` already submitted `key`, and keep
    where its result is shown; a repeat raises AlreadySubmitted naming that place."""
    if not _claim(actor.id, key):
        first = db.session.scalar(select(FormSubmission.result_url).where(
            FormSubmission.user_id == actor.id, FormSubmission.key == key))
        raise AlreadySubmitted(first or "/")
    result = action()
    db.session.flush()  # what the action added needs its id before its page can be named
    url = result_url(result)
    db.session.get(FormSubmission, (actor.id, key)).result_url = url
    return result, url
