"""The audit trail on screen and as CSV; a record's history; chain verification."""

import json
from itertools import chain

from flask import redirect, render_template, request, url_for

from compliance import scope
from compliance.audit import bp
from compliance.audit.forms import AsAtForm, AuditFilterForm
from compliance.clock import end_of_local_day, to_local
from compliance.csvexport import csv_response, preamble
from compliance.forms import EmptyForm, options
from compliance.permissions import requires
from compliance.query import query_id
from compliance.services import (
    audit,
    audit_anchors,
    audit_history,
    audit_replay,
    audit_search,
    audit_verify,
)
from compliance.services.audit_search import AuditFilters
from compliance.services.reports import audit_trail
from compliance.services.signatures import signatures_of
from compliance.services.unit_of_work import record_alone

CSV_HEADER = ["seq", "occurred_at_utc", "actor_id", "actor_name", "action", "table", "record_id",
              "changes", "reason", "rule", "detail", "prev_hash", "hash"]


def _filter_form() -> tuple[AuditFilterForm, AuditFilters]:
    form = AuditFilterForm(request.args)
    form.actor.choices = options(audit_search.actor_choices())
    form.table.choices = options(audit_search.table_choices())
    if not form.validate():
        return form, AuditFilters()
    actor = form.actor.data
    filters = AuditFilters(actor_id=int(actor) if actor and actor.isdigit() else None,
                           table=form.table.data or None, record=form.record.data or None,
                           action=form.action.data or None, date_from=form.date_from.data,
                           date_to=form.date_to.data)
    return form, filters


@bp.route("/")
@requires("view_audit")
def index():
    form, filters = _filter_form()
    before = query_id("before")
    events = audit_search.page(filters, before, scope.visible_ids())
    seq, head_hash = audit.head()
    older = events[-1].seq if len(events) == audit_search.PAGE_SIZE else None
    return render_template("audit/index.html", form=form, events=events, head_seq=seq,
                           head_hash=head_hash, older=older, before=before,
                           latest_anchor=audit_anchors.latest(), decode=_decode,
                           words=audit_trail.of_events(events))


def _decode(changes: str) -> dict:
    return json.loads(changes or "{}")


def _csv_rows(events):
    for event in events:
        yield [event.seq, event.occurred_at.isoformat(), event.actor_id, event.actor_name,
               event.action, event.table_name, event.record_id, event.changes, event.reason,
               event.rule, event.detail, event.prev_hash, event.hash]


@bp.route("/export.csv")
@requires("view_audit")
def export():
    _form, filters = _filter_form()
    record_alone(None, "export", detail=f"Audit trail CSV; filters: {filters.describe()}")
    about = preamble("Audit trail", filters.describe())
    return csv_response(about.filename("audit-trail"), about, CSV_HEADER,
                        _csv_rows(audit_search.streamed(filters, scope.visible_ids())))


@bp.route("/verify")
@requires("view_audit")
def verification():
    return render_template("audit/verify.html", recorded=audit_verify.last_recorded(),
                           latest_anchor=audit_anchors.latest(),
                           replay=audit_replay.last_recorded())


@bp.route("/verify", methods=["POST"])
@requires("verify_audit")
def verify():
    # Running it appends an audit event, so it is a POST; the page then shows what it found.
    if EmptyForm().validate_on_submit():
        audit_verify.verify_and_record()
    return redirect(url_for("audit.verification"))


@bp.route("/records/<table_name>/<record_id>")
@requires("view_audit")
def record(table_name: str, record_id: str):
    events = audit_history.history(table_name, record_id)
    form = AsAtForm(request.args)
    state = None
    if form.validate() and form.at.data:
        state = audit_history.state_at(events, end_of_local_day(form.at.data))
    current = audit_search.current_record(table_name, record_id)
    signatures = signatures_of(current) if current is not None else []
    fields = sorted(set(chain.from_iterable(_decode(e.changes) for e in events)))
    return render_template("audit/record.html", table_name=table_name, record_id=record_id,
                           events=events, form=form, state=state, fields=fields,
                           signatures=signatures, decode=_decode, to_local=to_local)
