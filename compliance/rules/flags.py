"""D4's flags: recorded, never refused, and listed in the exceptions report."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from compliance.rules.facts import (
    BatchFacts,
    EntryTiming,
    FollowUpFacts,
    PatientFacts,
    StocktakeLineFacts,
)
from compliance.rules.limits import LATE_AFTER, LATE_AFTER_HOURS, LONG_GAP_DAYS, LONG_GAP_WEEKS

# A session's flags, by the code stored with it (codes are data: they never change).
FLAG_LABELS = {
    "gap_over_6_weeks": f"More than {LONG_GAP_WEEKS} weeks since the previous session",
    "gp_not_confirmed": "GP visit advised but not confirmed",
    "signed_late": f"Session not signed within {LATE_AFTER_HOURS} hours",
    "late_entry": f"Recorded more than {LATE_AFTER_HOURS} hours after the event",
    "batch_near_expiry": "Batch used within its near-expiry window",
}
# The exceptions the report finds beside the sessions' own flags.
EXCEPTION_LABELS = {
    "stocktake_discrepancy": "Stocktake discrepancy",
    "complication": "Complication reported",
    "unsigned": f"Session unsigned {LATE_AFTER_HOURS} hours after it started",
}


@dataclass(frozen=True)
class Flag:
    """A flagged item: its code and what it says about the record."""

    code: str
    detail: str


def long_gap(gap_days: int | None) -> Flag | None:
    """More than the long gap (LONG_GAP_WEEKS) since the patient's previous session."""
    if gap_days is None or gap_days <= LONG_GAP_DAYS:
        return None
    return Flag("gap_over_6_weeks", f"{gap_days} days since the previous session")


def gp_not_confirmed(patient: PatientFacts) -> Flag | None:
    """A GP visit was advised and is not confirmed."""
    if not patient.gp_visit_advised or patient.gp_visit_confirmed_on is not None:
        return None
    return Flag("gp_not_confirmed", FLAG_LABELS["gp_not_confirmed"])


def late_by(timing: EntryTiming) -> timedelta | None:
    """How long after the end of its event's day a record was entered (the event's hour is not
    known: the end of the day gives it the benefit of the doubt), when more than the limit."""
    elapsed = timing.recorded_at - timing.event_day_ends_at
    return elapsed if elapsed > LATE_AFTER else None


def duration(elapsed: timedelta) -> str:
    """A lapse of time as people say it: "150 days 4 hours", "1 day", "5 hours 10 min"."""
    days, seconds = elapsed.days, elapsed.seconds
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    # Minutes matter within a day, not beyond it.
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "min")]
    said = [f"{n} {unit}{'s' if n != 1 and unit != 'min' else ''}" for n, unit in parts if n]
    return " ".join(said) or "0 min"


def late_entry(timing: EntryTiming) -> Flag | None:
    """Any record entered more than the late limit after the event it records (D4): one rule
    for sessions, injections, follow-ups, receipts and other ledger entries, and stocktakes."""
    elapsed = late_by(timing)
    if elapsed is None:
        return None
    return Flag("late_entry", f"{timing.record} dated {timing.event_on:%d %b %Y}, recorded on "
                              f"{timing.recorded_on:%d %b %Y}: {duration(elapsed)} after "
                              f"that day ended")


def unsigned_if_started_before(now: datetime) -> datetime:
    """Sessions started before this instant and not signed by `now` are signed late."""
    return now - LATE_AFTER


def signed_late(started_at: datetime, signed_at: datetime) -> Flag | None:
    """A session signed more than the late limit after it was started."""
    if started_at >= unsigned_if_started_before(signed_at):
        return None
    return Flag("signed_late", FLAG_LABELS["signed_late"])


def near_expiry_until(on: date, window_days: int) -> date:
    """Batches expiring on or before this date are near expiry on `on`."""
    return on + timedelta(days=window_days)


def near_expiry(expires_on: date, on: date, window_days: int) -> bool:
    """A batch used on `on` is within `window_days` of its expiry date."""
    return expires_on <= near_expiry_until(on, window_days)


def batch_near_expiry(batch: BatchFacts, on: date, window_days: int) -> Flag | None:
    """A batch used within its near-expiry window."""
    if not near_expiry(batch.expires_on, on, window_days):
        return None
    return Flag("batch_near_expiry", f"{batch.label} expires {batch.expires_on:%d %b %Y}")


def stocktake_discrepancy(line: StocktakeLineFacts) -> Flag | None:
    """A batch counted at a stocktake holding other than the ledger expects."""
    if line.counted_containers == line.expected_containers:
        return None
    return Flag("stocktake_discrepancy",
                f"expected {line.expected_containers}, counted {line.counted_containers}: "
                f"{line.reason or 'no reason given'}")


def complication(follow_up: FollowUpFacts) -> Flag | None:
    """A follow-up reporting a complication."""
    if not follow_up.complication:
        return None
    return Flag("complication", "; ".join(filter(None, (
        follow_up.severity, follow_up.effects, follow_up.action_taken))))
