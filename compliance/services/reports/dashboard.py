"""The reports home: what needs someone today, then the counts of the last 12 months, each
read by the very function its report counts with, so the two always agree."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from compliance.clock import local_today, utcnow
from compliance.extensions import db
from compliance.models import Batch, BatchStock
from compliance.rules.limits import LATE_AFTER_HOURS
from compliance.scope import batches_at, narrowed
from compliance.services import audit, audit_replay, audit_verify
from compliance.services.reports import exceptions, expiry, sessions
from compliance.services.reports.common import Filters, Listing, last_twelve_months_start
from compliance.services.stock_queries import balances_adrift
from compliance.settings import setting


@dataclass(frozen=True)
class Period:
    """The period the home's counts cover: the reports' own default, the last 12 months."""

    since: date
    until: date
    location_ids: frozenset[int] | None = None  # the scope the counts are of (D7)

    @property
    def filters(self) -> Filters:
        return Filters(date_from=self.since, location_ids=self.location_ids)


def recent(location_ids: frozenset[int] | None = None) -> Period:
    return Period(last_twelve_months_start(), local_today(), location_ids)


def open_exceptions(location_ids: frozenset[int] | None = None) -> dict[str, int]:
    """What needs someone to act now, whatever its date: sessions unsigned too long after
    (as the exceptions report finds them), expired batches still holding stock (as the expiry
    report does), batches whose balance disagrees with the movement totals kept with their
    ledger (`flask stock check` sums the ledger itself)."""
    everything = Filters(location_ids=location_ids)
    expired = expiry.report(everything, Listing("expires_on", page=None)).totals["expired"]
    return {f"Sessions unsigned after {LATE_AFTER_HOURS} hours":
            len(exceptions.unsigned_sessions(everything)),
            "Expired batches holding stock": expired,
            "Batches whose balance disagrees with their movements": balances_adrift(
                None if location_ids is None else batches_at(location_ids))}


def age_in_words(age: timedelta) -> str:
    """How long ago, as people say it: "40 minutes ago", "5 hours ago", "3 days ago"."""
    minutes = max(0, int(age.total_seconds() // 60))
    for unit, size in (("day", 1440), ("hour", 60)):
        if minutes >= size:
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now" if minutes < 1 else f"{minutes} minute{'' if minutes == 1 else 's'} ago"


def verification_age(at: datetime | None, now: datetime) -> dict | None:
    """The last verification's age, and whether it is older than the health check allows."""
    if at is None:
        return None
    age = now - at
    return {"words": age_in_words(age),
            "stale": age > timedelta(hours=setting("VERIFICATION_MAX_AGE_HOURS"))}


def _batch_counts(location_ids: frozenset[int] | None) -> tuple[int, int]:
    """How many batches there are, and how many hold stock, at the locations (the parts held
    there, for a scope)."""
    holding = Batch.balance_ul > 0
    if location_ids is not None:
        holding = Batch.id.in_(select(BatchStock.batch_id).where(
            BatchStock.location_id.in_(location_ids), BatchStock.balance_ul > 0))
    return tuple(db.session.execute(narrowed(select(func.count(), func.count().filter(holding)),
                                             Batch, location_ids)).one())


def summary(location_ids: frozenset[int] | None = None) -> dict:
    """The home's figures, of the locations `location_ids` (None: every location)."""
    period = recent(location_ids)
    listed, voided = sessions.counts(period.filters)
    batches, holding = _batch_counts(location_ids)
    verification = audit_verify.last_recorded()
    seq, head_hash = audit.head()
    found = exceptions.listed(period.filters, stored_batches=False)  # counted, not shown
    return {"period": period, "sessions": listed, "voided": voided,
            "exceptions": exceptions.tally(found),
            "needs_action": open_exceptions(location_ids), "batches": batches,
            "batches_holding": holding,
            "verification": verification,
            "verification_age": verification_age(verification and verification.at, utcnow()),
            "replay": audit_replay.last_recorded(), "head_seq": seq, "head_hash": head_hash}
