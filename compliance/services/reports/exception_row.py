"""One row of the compliance exceptions report (report 5)."""

from dataclasses import dataclass
from datetime import date

from compliance.services.reports import exception_reviews


@dataclass
class ExceptionRow:
    day: date
    kind: str
    subject: str
    detail: str
    who: str = ""
    rule: str = ""
    corrected: bool = False
    page: tuple[str, int] | None = None  # the record's page: ("session", 12)
    key: str = ""  # names the exception for its review: "flag-12", "refused-340"
    review: exception_reviews.Review | None = None
    # A storage temperature exception's batches stored in the area, offered for quarantine.
    batches: tuple = ()
    location_id: int | None = None  # where it happened (D7); none for a refused attempt
    location: str = ""
