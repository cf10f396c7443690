"""A manager marks a compliance exception reviewed, with a note (D5.5, D8). The review is a
row of its own, so the audit trail records who reviewed what, when and why like any change."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from compliance.clock import to_local, utcnow
from compliance.errors import AlreadyReviewed, InvalidInput
from compliance.extensions import db
from compliance.locations import visible_location_ids
from compliance.models import ExceptionReview
from compliance.services import ensure_can
from compliance.services.reports import exceptions
from compliance.services.unit_of_work import unit_of_work


def _refuse_if_reviewed(key: str) -> None:
    earlier = db.session.scalar(select(ExceptionReview).where(
        ExceptionReview.exception_key == key))
    if earlier is not None:
        raise AlreadyReviewed(f"{earlier.reviewed_by.full_name} reviewed this exception on "
                              f"{to_local(earlier.reviewed_at):%d %b %Y at %H:%M}.")


@unit_of_work("review a compliance exception")
def review_exception(actor, day: date, key: str, note: str) -> ExceptionReview:
    """Mark the exception `key` of `day` reviewed by `actor`, with their note."""
    ensure_can(actor, "review_exceptions")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Write a note: what you found, and what was done about it.",
                           field="note")
    # One outside the actor's scope is not found, like one that never was (D7).
    found = exceptions.find(day, key, visible_location_ids(actor))
    if found is None:
        raise InvalidInput("No such exception: it may have been resolved since.")
    _refuse_if_reviewed(key)
    review = ExceptionReview(exception_key=key, reviewed_by_id=actor.id, reviewed_at=utcnow(),
                             note=note, location_id=found.location_id)
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError as error:  # another manager's review of it committed meanwhile
        raise AlreadyReviewed() from error
    return review
