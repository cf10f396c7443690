"""Refusals by permission (D4): who tried what, and the capability that refused it."""

from compliance.services import refusal_of
from compliance.services.unit_of_work import record_refused, unit_of_work


@unit_of_work("record a refused attempt")
def record_refusal(actor, attempt: str, capability: str) -> None:
    """Commit one "refused" event for `actor`'s `attempt` (a route), refused `capability`:
    the same rule and message a service asking the capability would have refused with."""
    error = refusal_of(actor, capability)
    if error is None:
        return
    record_refused(attempt, error)
