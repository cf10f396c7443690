"""Workflows: check permission and rules, write, and commit once."""

from compliance.errors import NotADoctor, NotAPrescriber, NotPermitted
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


def ensure_can(actor, capability: str, record=None) -> None:
    """Refuse unless `actor` holds `capability`, on `record` when one is given."""
    if not can(actor, capability):
        raise _REFUSALS.get(capability, NotPermitted)()
    if not can(actor, capability, record):
        raise NotPermitted(_NOT_THEIRS.get(capability))
