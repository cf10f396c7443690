"""The seven reports of D5: what each is called, filters by, sorts by, and exports."""

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from flask import current_app, url_for
from flask_login import current_user

from compliance.csvexport import millilitres as ml
from compliance.csvexport import number
from compliance.permissions import can
from compliance.rules.wording import rule_words
from compliance.services.reports import (
    activity,
    audit_trail,
    chart_data,
    exceptions,
    expiry,
    sessions,
    stock,
    trace,
)


@dataclass(frozen=True)
class ReportSpec:
    slug: str
    title: str
    summary: str
    service: ModuleType
    filters: tuple[str, ...]
    default_sort: str
    direction: str
    csv_header: list[str]
    csv_row: Callable
    charts: Callable | None = None
    # With no filter chosen, show the last 12 months rather than ten years of records.
    recent_by_default: bool = False

    @property
    def sorts(self) -> dict:
        return self.service.SORTS


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def _session_csv(r) -> list:
    batches = "; ".join(f"{u.batch_number} (exp {u.expires_on:%Y-%m-%d}): {ml(u.volume_ul)} ml"
                        for u in r.batches)  # text: several batches in one cell
    return [r.id, _iso(r.session_date), r.patient_name, r.patient_reference, r.prescriber_name,
            r.prescriber_registration, r.doctor_name, r.doctor_registration,
            r.prescription_reference, _iso(r.prescription_signed_at), batches,
            ml(r.volume_ul), r.active_ingredient, number(r.mg), _iso(r.signed_at),
            "; ".join(r.flags),
            "; ".join(r.corrections), r.session_number, r.sessions_authorised, r.location]


def _stock_csv(r) -> list:
    return [r.product_name, r.batch_number, _iso(r.expires_on), ml(r.opening_ul),
            ml(r.received_ul), ml(r.administered_ul), ml(r.wasted_ul), ml(r.returned_ul),
            ml(r.adjusted_ul), ml(r.stocktake_ul), ml(r.reversed_ul), ml(r.sent_ul),
            ml(r.arrived_ul), ml(r.transfer_difference_ul), ml(r.expected_ul),
            ml(r.stored_ul), _yes(r.mismatch), r.counted_containers, _iso(r.counted_at),
            r.discrepancy, "; ".join(r.corrections)]


def _trace_csv(r) -> list:
    return [r.batch_number, r.session_id, _iso(r.session_date), r.patient_name,
            r.patient_reference, r.phone, r.email, r.address, r.prescriber_name,
            ml(r.volume_ul), _yes(r.reversed), r.session_number, r.location]


def _expiry_csv(r) -> list:
    return [r.product_name, r.batch_number, _iso(r.expires_on), r.days_left,
            r.status, r.state, ml(r.balance_ul),
            r.sealed_containers, "; ".join(r.corrections), r.location]


# The page of each kind of record a report row can point at: (endpoint, its id argument).
RECORD_PAGES = {"session": ("treatment.show_session", "session_id"),
                "batch": ("stock.batch", "batch_id"),
                "stocktake": ("stock.stocktake_show", "stocktake_id"),
                "patient": ("patients.show", "patient_id"),
                "prescription": ("patients.prescription_show", "prescription_id"),
                "user": ("users.show", "user_id"),
                "storage_area": ("temperatures.area", "area_id")}


def record_url(page: tuple[str, int] | None, external: bool = False) -> str:
    """The address of a record's page (full, for a file read away from the app), or ""."""
    if page is None:
        return ""
    endpoint, argument = RECORD_PAGES[page[0]]
    return url_for(endpoint, _external=external, **{argument: page[1]})


def may_see(page: tuple[str, int] | None) -> bool:
    """Whether the signed-in user may open a record's page: the capability its route asks."""
    if page is None:
        return False
    view = current_app.view_functions[RECORD_PAGES[page[0]][0]]
    return can(current_user, view.required_capability)


def visible_url(page: tuple[str, int] | None, external: bool = False) -> str:
    """The record's address when the user may see its page, else ""."""
    return record_url(page, external) if may_see(page) else ""


def _exception_csv(r) -> list:
    review = r.review
    # The rule in words for a reader; its code, last, for a machine.
    return [_iso(r.day), r.kind, r.subject, r.detail, r.who, rule_words(r.rule),
            record_url(r.page, external=True), review.by if review else "",
            _iso(review.at) if review else "", review.note if review else "", r.rule,
            r.location]


def _activity_csv(r) -> list:
    return [r.month, r.prescriber_name, r.registration, r.sessions, ml(r.volume_ul),
            r.location]


def _audit_csv(r) -> list:
    page = r.record.page if r.record else None
    return [r.seq, _iso(r.occurred_at), r.actor_name, r.what, r.record.name if r.record else "",
            r.changes_text, r.reason, r.rule, r.detail, r.hash, visible_url(page, external=True),
            _yes(r.corrected)]


REPORTS = (
    ReportSpec("sessions", "Session audit", "Every treatment session with its patient, "
               "prescriber, prescribing doctor, prescription, batches, volumes and signatures.",
               sessions, ("prescriber", "product", "batch", "patient"), "date", "desc",
               ["session", "date", "patient", "patient reference", "administering prescriber",
                "prescriber registration", "prescribing doctor", "doctor registration",
                "prescription", "prescription signed at (UTC)", "batches", "volume ml",
                "active ingredient", "dose mg", "signed off at (UTC)", "flags", "corrections",
                "session number", "sessions authorised", "location"],
               _session_csv,
               recent_by_default=True),
    ReportSpec("stock", "Stock reconciliation", "Per batch and product: received, "
               "administered, wasted, returned, adjusted, expected balance, last count.",
               stock, ("product", "batch"), "product_name", "asc",
               ["product", "batch", "expires on", "opening ml", "received ml",
                "administered ml", "wasted ml", "returned ml", "adjusted ml",
                "stocktake corrections ml", "reversals ml", "sent ml", "arrived ml",
                "transfer differences ml", "expected balance ml",
                "stored balance ml", "ledger and balance disagree", "last count containers",
                "last counted at (UTC)", "discrepancy containers", "corrections"], _stock_csv,
               lambda filters, _result: chart_data.stock_charts(filters)),
    ReportSpec("trace", "Batch trace and recall", "Every patient and treatment session that "
               "received a batch; for a recalled batch, the contact log.",
               trace, ("batch", "product", "patient", "prescriber"), "date", "asc",
               ["batch", "session", "date", "patient", "patient reference", "phone", "email",
                "address", "prescriber", "volume ml", "reversed", "session number", "location"],
               _trace_csv,
               recent_by_default=True),
    ReportSpec("expiry", "Expiry", "Batches expiring within the near-expiry window and expired "
               "batches still holding stock.", expiry, ("product", "batch"), "expires_on", "asc",
               ["product", "batch", "expires on", "days left", "status", "state", "balance ml",
                "sealed containers", "corrections", "location"], _expiry_csv),
    ReportSpec("exceptions", "Compliance exceptions", "Every flagged item (long gaps between "
               "sessions, GP visits not confirmed, late signatures and entries, stocktake "
               "discrepancies, complications, batches near expiry, storage temperatures out of "
               "range or not read) and every refused attempt "
               "from the audit trail, with the rule that refused it.", exceptions,
               ("prescriber", "review"), "day", "desc",
               ["date", "exception", "concerning", "detail", "who", "rule", "record",
                "reviewed by", "reviewed at (UTC)", "review note", "rule code", "location"],
               _exception_csv,
               lambda _filters, result: chart_data.exception_chart(result.extra["per_month"]),
               recent_by_default=True),
    ReportSpec("activity", "Prescriber activity", "Treatment sessions and volumes per "
               "prescriber per month, at each location.", activity, ("prescriber",), "month", "asc",
               ["month", "prescriber", "registration", "sessions", "volume ml", "location"],
               _activity_csv,
               lambda _filters, result: chart_data.activity_charts(result.extra["all_rows"]),
               recent_by_default=True),
    ReportSpec("audit", "Audit trail", "Every audit event, with the verification of its hash "
               "chain.", audit_trail, (), "seq", "desc",
               ["seq", "occurred at (UTC)", "who", "what happened", "record",
                "changes (old -> new)", "reason", "rule", "detail", "hash", "record's page",
                "correction"], _audit_csv),
)
BY_SLUG = {spec.slug: spec for spec in REPORTS}
