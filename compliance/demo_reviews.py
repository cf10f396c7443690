"""The demo's reviews of compliance exceptions: the manager has looked at a few and noted what
was done, so a new user sees reviewed exceptions beside those still waiting."""

from datetime import time
from functools import partial

from compliance.demo_patients import MANAGER
from compliance.demo_timeline import Step
from compliance.rules.flags import FLAG_LABELS
from compliance.services import reviews
from compliance.services.reports import exceptions
from compliance.services.reports.common import Filters

# (days ago, the kind of exception, the manager's note): the oldest of that kind is reviewed.
REVIEWS = (
    (29, exceptions.DISCREPANCY, "Missing ampoule not found after a second search; supplier "
     "delivery note checked. Stocktake correction stands; staff reminded to log breakage."),
    (1, FLAG_LABELS["gp_not_confirmed"], "Patient phoned: GP appointment booked. Reception to "
     "record the date when the patient confirms it."),
    (1, FLAG_LABELS["late_entry"], "Entered late because the paper record reached the office "
     "a week after the event; checked against it and correct."),
)


def _review(made: dict, kind: str, note: str) -> None:
    waiting = [row for row in exceptions.listed(Filters(), stored_batches=False)
               if row.kind == kind and not row.review]
    row = min(waiting, key=lambda row: (row.day, row.key))
    reviews.review_exception(made["users"][MANAGER], row.day, row.key, note)


def review_steps(made: dict) -> list[Step]:
    return [Step(days_ago, time(9), partial(_review, made, kind, note))
            for days_ago, kind, note in REVIEWS]
