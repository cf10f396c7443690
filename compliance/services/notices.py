"""The managers' daily notice (D8): what needs them, without opening the product. Every
section is read by a query the product's own pages and reports use."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select

from compliance.clock import local_today, to_local
from compliance.extensions import db
from compliance.models import AuditEvent, Batch, BatchStock, Location
from compliance.models.stock import RECALLED
from compliance.rules.limits import FOLLOW_UP_WITHIN_DAYS, LATE_AFTER_HOURS
from compliance.services import audit_verify, mail, stock_parts, treatment_queries
from compliance.services.reports import exceptions, expiry
from compliance.services.reports.common import Filters, Listing, at_locations
from compliance.services.reports.exception_reviews import UNREVIEWED
from compliance.services.rule_facts import near_expiry_days
from compliance.settings import setting

DAILY = "daily"
NONE = "none"
# With no daily notice sent yet, the exceptions of this many days are listed.
FIRST_NOTICE_DAYS = 7


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str]
    counts: bool = True  # its lines are items that need someone (the subject counts them)


@dataclass(frozen=True)
class Notice:
    subject: str
    recipients: tuple[str, ...]
    sections: list[Section]

    @property
    def body(self) -> str:
        parts = [f"What needs the managers of {setting('CLINIC_NAME')} today. No patient is "
                 "named here: open the product for the rest."]
        for section in self.sections:
            lines = [f"- {line}" for line in section.lines] or [NONE]
            parts.append("\n".join([section.title, "-" * len(section.title), *lines]))
        return "\n\n".join(parts) + "\n"


def _ml(volume_ul: int) -> str:
    return f"{volume_ul / 1000:g} ml"


def _near_expiry(scope: Filters) -> Section:
    rows = expiry.report(scope, Listing("expires_on", page=None)).rows
    return Section(f"Batches near expiry (within {near_expiry_days()} days) or expired, "
                   "holding stock",
                   [f"{row.product_name} batch {row.batch_number}: {row.status}, "
                    f"{row.expires_on:%d %b %Y}; {_ml(row.balance_ul)} in "
                    f"{row.sealed_containers} sealed" for row in rows])


def _low_line(low: stock_parts.LowStock) -> str:
    level = f"reorder level {low.product.reorder_level_containers}"
    if low.location is None:
        return f"{low.product.name}: held at no location yet, {level}"
    return f"{low.product.name} at {low.location}: {low.sealed} sealed in usable batches, {level}"


def _low_stock(today: date, scope: Filters) -> Section:
    ids = scope.location_ids
    return Section("Low stock at each location (at or below the product's reorder level)",
                   [_low_line(low) for low in stock_parts.low_stock(today)
                    if ids is None or low.location is None or low.location.id in ids])


def _recalls(scope: Filters) -> Section:
    """Recalled batches by the stock held at each location (of the scope)."""
    parts = db.session.execute(at_locations(
        select(Batch, Location.name, BatchStock.balance_ul, BatchStock.sealed_containers)
        .join(BatchStock, BatchStock.batch_id == Batch.id)
        .join(Location, Location.id == BatchStock.location_id)
        .where(Batch.state == RECALLED, BatchStock.balance_ul > 0)
        .order_by(Batch.expires_on, Batch.id, Location.name), BatchStock.location_id, scope))
    return Section("Recalled batches still holding stock",
                   [f"{batch} at {place}: {_ml(ul)} in {sealed} sealed, to return or dispose "
                    "of" for batch, place, ul, sealed in parts])


def _where(row: exceptions.ExceptionRow) -> str:
    """A row's record by its page (session 12), not by the patient's name."""
    return f"{row.page[0]} {row.page[1]}" if row.page else row.subject


def _unsigned(scope: Filters) -> Section:
    return Section(f"Sessions unsigned after {LATE_AFTER_HOURS} hours",
                   [f"{_where(row)} by {row.who}: {row.detail}"
                    for row in exceptions.unsigned_sessions(scope)])


def _follow_ups(today: date, scope: Filters) -> Section:
    return Section(f"Follow-ups due (signed sessions of the last {FOLLOW_UP_WITHIN_DAYS} days "
                   "with no follow-up recorded)",
                   [f"session {session.id} of {session.session_date:%d %b %Y} by "
                    f"{session.prescriber.full_name}"
                    for session in treatment_queries.follow_ups_due(today,
                                                                   scope.location_ids)])


def exceptions_since(today: date) -> date:
    """The day of the last daily notice: the notice lists the exceptions of the days since it
    last told the managers that nobody has reviewed yet."""
    last = db.session.scalar(select(AuditEvent.occurred_at).where(
        AuditEvent.action == mail.NOTICE, AuditEvent.detail.like(f"{DAILY} notice%"))
        .order_by(AuditEvent.seq.desc()).limit(1))
    return to_local(last).date() if last else today - timedelta(days=FIRST_NOTICE_DAYS)


def _exceptions(today: date, scope: Filters) -> Section:
    since = exceptions_since(today)
    rows = sorted(exceptions.listed(replace(scope, date_from=since, review=UNREVIEWED)),
                  key=lambda row: (row.day, row.kind))
    return Section(f"Exceptions since {since:%d %b %Y} not yet reviewed (the exceptions "
                   "report)",
                   [f"{row.day:%d %b %Y} {row.kind}, {_where(row)}: {row.detail}"
                    for row in rows])


def _verification() -> Section:
    last = audit_verify.last_recorded()
    if last is None:
        return Section("Last verification of the audit trail", [], counts=False)
    return Section("Last verification of the audit trail", [
        f"{last.verification.summary()}, {to_local(last.at):%d %b %Y %H:%M} by {last.by}; "
        f"{last.events_since} event(s) since"], counts=not last.verification.ok)


def daily(today: date | None = None, location_ids: frozenset[int] | None = None,
          recipients: tuple[str, ...] | None = None) -> Notice:
    """Today's notice of the locations `location_ids` (None: the whole group, D7), to
    `recipients` (by default, whoever gets the notice of those locations)."""
    today, scope = today or local_today(), Filters(location_ids=location_ids)
    sections = [_near_expiry(scope), _low_stock(today, scope), _recalls(scope),
                _unsigned(scope), _follow_ups(today, scope), _exceptions(today, scope),
                _verification()]
    items = sum(len(section.lines) for section in sections if section.counts)
    if recipients is None:
        recipients = mail.recipients_by_scope().get(location_ids, ())
    return Notice(f"{setting('CLINIC_NAME')}: {items} item(s) for managers, "
                  f"{today:%d %b %Y}", recipients, sections)


def send_daily() -> list[Notice]:
    """Send today's notice, to each recipient of the locations they work at, and record
    each; raises MailError (what was sent before it stays sent and recorded)."""
    sent = []
    for location_ids, addresses in mail.recipients_by_scope().items() or [(None, ())]:
        notice = daily(location_ids=location_ids, recipients=addresses)
        mail.send(mail.Mail(DAILY, notice.subject, notice.body, notice.recipients))
        sent.append(notice)
    return sent
