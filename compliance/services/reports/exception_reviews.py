"""The reviews of compliance exceptions, read for the exceptions report and the reports home."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from compliance.database import rows_where_in
from compliance.models import ExceptionReview, User

REVIEWED, UNREVIEWED = "reviewed", "unreviewed"


@dataclass(frozen=True)
class Review:
    by: str
    at: datetime
    note: str


def reviews_of(keys: list[str]) -> dict[str, Review]:
    """{exception key: its review} of those of `keys` that have been reviewed."""
    query = (select(ExceptionReview.exception_key, User.full_name,
                    ExceptionReview.reviewed_at, ExceptionReview.note)
             .join(User, User.id == ExceptionReview.reviewed_by_id))
    return {key: Review(by, at, note) for key, by, at, note
            in rows_where_in(query, ExceptionReview.exception_key, sorted(set(keys)))}
