"""What an audit event records, in the words people use: "received", "drawn", "signed",
"voided", "refused", "corrected"; and its changed fields as old -> new values. Pure: it reads
the event's own fields (action, table, changes, reason, rule), never the database, so the
audit report, its CSV and its PDF all say the same."""

from dataclasses import dataclass, field

# Events that change no row: what each was.
ACTIONS = {"login": "signed in", "logout": "signed out", "login_failed": "sign-in failed",
           "lockout": "sign-in locked", "unlock": "sign-in unlocked", "refused": "refused",
           "signature_refused": "signature refused", "export": "exported",
           "verify": "verified the audit trail", "replay": "replayed the audit trail",
           "anchor": "anchored the audit trail", "notice": "notice sent", "backup": "backed up"}
# The reason a sign-in gives when it stores a stronger hash of the same password.
REHASHED = "Password hash upgraded at sign-in; the password is unchanged"
# A ledger entry's type, and the running total a batch keeps of it: what the movement was.
MOVEMENTS = {"receipt": "received", "administration": "drawn", "waste": "wasted",
             "return": "returned", "adjustment": "adjusted",
             "stocktake correction": "corrected by stocktake", "reversal": "reversed",
             "transfer out": "sent to another location", "transfer in": "arrived from transit",
             "transfer difference": "counted differently on arrival"}
BATCH_TOTALS = {"receipt_total_ul": "received", "administration_total_ul": "drawn",
                "waste_total_ul": "wasted", "return_total_ul": "returned",
                "adjustment_total_ul": "adjusted", "stocktake_total_ul": "corrected by stocktake",
                "reversal_total_ul": "reversed",
                "transfer_out_total_ul": "sent to another location",
                "transfer_in_total_ul": "arrived from transit",
                "transfer_difference_total_ul": "counted differently on arrival"}
BATCH_STATES = {"quarantined": "quarantined", "recalled": "recalled", "available": "released"}
# A record's status or flag as it changes: what happened to it.
STATUSES = {"signed": "signed", "voided": "voided", "cancelled": "cancelled",
            "replaced": "replaced", "received": "received"}
CREATED = {"batches": "received", "injections": "injected", "injection_reversals": "reversed",
           "signatures": "signed", "treatment_sessions": "opened", "prescriptions": "written",
           "session_addenda": "addendum added", "session_flags": "flagged",
           "stocktakes": "counted", "stocktake_lines": "counted",
           "follow_ups": "followed up", "recall_contacts": "contact logged",
           "exception_reviews": "reviewed", "users": "account created",
           "consents": "consent recorded", "consultations": "consultation recorded",
           "screenings": "screened", "screening_answers": "screening answer recorded",
           "patients": "registered", "products": "product added",
           "transfers": "sent"}
# Updates that are a record's routine course, not a change to what was entered.
ROUTINE = {"users": "account changed", "login_throttles": "sign-in attempts counted",
           "recovery_codes": "recovery code used", "stock_months": "monthly totals kept"}
REDACTED = "(redacted)"


@dataclass(frozen=True)
class EventFacts:
    """The fields of one audit event that say what happened."""

    action: str
    table_name: str | None = None
    changes: dict = field(default_factory=dict)  # {column: [old, new]}
    reason: str | None = None
    rule: str | None = None


def _new(facts: EventFacts, column: str):
    pair = facts.changes.get(column)
    return pair[1] if pair else None


def _created(facts: EventFacts) -> str:
    if facts.table_name == "ledger_entries":
        return MOVEMENTS.get(_new(facts, "entry_type"), "ledger entry recorded")
    return CREATED.get(facts.table_name, "recorded")


def _batch_updated(facts: EventFacts) -> str | None:
    if "state" in facts.changes:
        return BATCH_STATES.get(_new(facts, "state"), f"now {_new(facts, 'state')}")
    moved = [word for column, word in BATCH_TOTALS.items() if column in facts.changes]
    return moved[0] if moved else None


def _status_changed(facts: EventFacts) -> str | None:
    if "active" in facts.changes:
        return "reactivated" if _new(facts, "active") else "deactivated"
    if _new(facts, "status") in STATUSES:
        return STATUSES[_new(facts, "status")]
    if _new(facts, "withdrawn_on"):
        return "withdrawn"
    return None


def _updated(facts: EventFacts) -> str:
    if facts.table_name == "batches" and (word := _batch_updated(facts)):
        return word
    if word := _status_changed(facts):
        return word
    if facts.table_name == "users" and "password_hash" in facts.changes:
        return "password hash upgraded" if facts.reason == REHASHED else "password changed"
    return ROUTINE.get(facts.table_name, "corrected")


def what_happened(facts: EventFacts) -> str:
    """The event in a word or two: "received", "drawn", "signed", "refused", "corrected"."""
    if facts.action == "create":
        return _created(facts)
    if facts.action == "update":
        return _updated(facts)
    if facts.action == "delete":
        return "deleted"
    return ACTIONS.get(facts.action, facts.action.replace("_", " "))


def is_correction(facts: EventFacts) -> bool:
    """Whether the event changed what was first entered (D5's "corrected" mark)."""
    return what_happened(facts) == "corrected"


def field_label(column: str) -> str:
    """A column as people name it: "balance_ul" -> "balance (ml)", "voided_by_id" ->
    "voided by"."""
    unit = " (ml)" if column.endswith("_ul") else ""
    for suffix in ("_ul", "_id"):
        column = column.removesuffix(suffix)
    return column.replace("_", " ") + unit


def shown_value(column: str, value) -> str:
    """A stored value as people read it: microlitres as millilitres, yes/no, "none"."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if column.endswith("_ul") and isinstance(value, int):
        return f"{value / 1000:g}"
    if isinstance(value, str) and value.startswith(REDACTED):
        return REDACTED
    return str(value)


def changed_fields(facts: EventFacts) -> list[tuple[str, str, str]]:
    """(field, old, new) of each column an update changed, in the columns' order."""
    if facts.action != "update":
        return []
    return [(field_label(column), shown_value(column, old), shown_value(column, new))
            for column, (old, new) in sorted(facts.changes.items())]


def changes_text(changed: list[tuple[str, str, str]]) -> str:
    """Changed fields on one line, for a CSV cell: "balance (ml): 40 -> 38; ..."."""
    return "; ".join(f"{label}: {old} -> {new}" for label, old, new in changed)
