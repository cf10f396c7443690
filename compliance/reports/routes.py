"""Report views: parse the filters, ask a service for rows, render screen, CSV or PDF."""

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from compliance import scope
from compliance.clock import utcnow
from compliance.csvexport import csv_response, preamble
from compliance.database import read_snapshot
from compliance.dbsession import stop_reading_replica
from compliance.extensions import db
from compliance.inputs import record_id
from compliance.models import Batch
from compliance.permissions import requires
from compliance.replica import read_report, read_report_with
from compliance.reports import bp
from compliance.reports.catalogue import REPORTS, record_url, visible_url
from compliance.reports.forms import RecallContactForm, ReportFilterForm
from compliance.reports.pdf import pdf_response
from compliance.services import audit, audit_anchors
from compliance.services.reports import dashboard, trace
from compliance.services.unit_of_work import record_alone
from compliance.views import run_form

SCREEN, PRINT = "reports/_screen.html", "reports/_print.html"


@bp.route("/")
@requires("view_reports")
def index():
    ids = scope.visible_ids()  # the user's scope from the primary, before the replica's reads
    source = read_report(db.session, snapshot=False)
    return render_template("reports/index.html", reports=REPORTS, source=source,
                           summary=dashboard.summary(ids))


@bp.teardown_request
def _back_to_primary(_error) -> None:
    # Flask-SQLAlchemy ends the session with the app context; a context kept open (a test's,
    # a command's) must not read the next request's data from the replica.
    stop_reading_replica(db.session)


def _context(spec, form, result, layout: str, pdf_refused: dict | None = None) -> dict:
    seq, head_hash = audit.head()
    charts = spec.charts(form.filters(), result) if result is not None and spec.charts else []
    # The screen's own address, for its form, sorting and pages even when the page answers a
    # download that could not be made (invalid filters, a PDF refused for its length).
    return dict(spec=spec, form=form, result=result, layout=layout, charts=charts,
                screen=f"reports.{spec.slug}", pdf_refused=pdf_refused,
                generated_by=current_user.full_name, generated_at=utcnow(),
                printing=layout == PRINT,
                filters_used=form.describe(), head_seq=seq, head_hash=head_hash,
                latest_anchor=audit_anchors.latest(),
                contact_form=RecallContactForm(), record_url=record_url,
                visible_url=visible_url)


def _show(spec):
    form = ReportFilterForm(spec, request.args, current_user)
    if not form.validate():
        return render_template(f"reports/{spec.slug}.html",
                               **_context(spec, form, None, SCREEN)), 400
    source, context = read_report_with(db.session, lambda: _context(
        spec, form, spec.service.report(form.filters(), form.listing()), SCREEN))
    return render_template(f"reports/{spec.slug}.html", **context, source=source)


def _described(form) -> str:
    return ", ".join(f"{label}: {value}" for label, value in form.describe()) or "none"


def _export_event(spec, form, kind: str) -> None:
    record_alone(None, "export", detail=f"{spec.title} report {kind}; filters: {_described(form)}")


def _rows(spec, form):
    if hasattr(spec.service, "iter_rows"):
        return spec.service.iter_rows(form.filters(), form.listing(all_rows=True))
    return spec.service.report(form.filters(), form.listing(all_rows=True)).rows


def _csv(spec):
    form = ReportFilterForm(spec, request.args, current_user)
    if not form.validate():
        return _show(spec)
    _export_event(spec, form, "CSV")
    read_report(db.session)
    about = preamble(f"{spec.title} report", _described(form))
    rows = (spec.csv_row(row) for row in _rows(spec, form))
    return csv_response(about.filename(f"{spec.slug}-report"), about, spec.csv_header, rows)


def _pdf(spec):
    form = ReportFilterForm(spec, request.args, current_user)
    if not form.validate():
        return _show(spec)
    read_snapshot(db.session)
    # The count that pages the screen, before any row is laid out: a PDF longer than the
    # limit would outlast the worker's timeout (bench/RESULTS.md, "Report PDFs").
    first_page = spec.service.report(form.filters(), form.listing())
    limit = current_app.config["PDF_MAX_ROWS"]
    if first_page.count > limit:
        refused = dict(rows=first_page.count, limit=limit)
        return render_template(f"reports/{spec.slug}.html",
                               **_context(spec, form, first_page, SCREEN, pdf_refused=refused))
    db.session.rollback()  # the snapshot ends: the export is recorded at the latest head
    _export_event(spec, form, "PDF")
    source, context = read_report_with(db.session, lambda: _context(
        spec, form, spec.service.report(form.filters(), form.listing(all_rows=True)), PRINT))
    html = render_template(f"reports/{spec.slug}.html", **context, source=source)
    return pdf_response(html, f"{spec.slug}-report.pdf")


def _register(spec) -> None:
    for suffix, handler in (("", _show), (".csv", _csv), (".pdf", _pdf)):
        def view(handler=handler, spec=spec):
            return handler(spec)

        view.__name__ = f"{spec.slug}{suffix.replace('.', '_')}"
        bp.add_url_rule(f"/{spec.slug}{suffix}", endpoint=view.__name__,
                        view_func=requires("view_reports")(view))


for _spec in REPORTS:
    _register(_spec)


@bp.route("/trace/batches/<int:batch_id>/contacts", methods=["POST"])
@requires("manage_recall")
def log_contact(batch_id: int):
    form = RecallContactForm()
    return run_form(
        form, lambda: trace.log_contact(current_user, batch_id, record_id(form.patient_id.data),
                                        form.method.data, form.outcome.data),
        success="Contact attempt logged.", to=lambda _contact: _traced(batch_id),
        invalid="Choose how the patient was contacted and say what happened.",
    ) or redirect(_traced(batch_id))


def _traced(batch_id: int) -> str:
    """The batch's trace report (looked up after the attempt, which is refused and recorded
    for a batch that does not exist)."""
    batch = db.get_or_404(Batch, batch_id)
    return url_for("reports.trace", batch=batch.batch_number, product=batch.product_id)
