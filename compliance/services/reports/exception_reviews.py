"""The reviews of compliance exceptions, read for the exceptions report and the reports home."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from compliance.extensions import db
from compliance.models import ExceptionReview, User

REVIEWED, UNREVIEWED = "reviewed", "unreviewed"
_SLICE = 500  # keys asked at a time: a database limits a statement's parameters


@dataclass(frozen=True)
class Review:
    by: str
    at: datetime
    note: str


def reviews_of(keys: list[str]) -> dict[str, Review]:
    """{exception key: its review} of those of `keys` that have been reviewed."""
    keys = sorted(set(keys))
    found = {}
    for start in range(0, len(keys), _SLICE):
        query = (select(ExceptionReview.exception_key, User.full_name,
                        ExceptionReview.reviewed_at, ExceptionReview.note)
                 .join(User, User.id == ExceptionReview.reviewed_by_id)
                 .where(ExceptionReview.exception_key.in_(keys[start:start + _SLICE])))
        found.update({key: Review(by, at, note) for key, by, at, note
                      in db.session.execute(query)})
    return found
