"""A manager marks a compliance exception reviewed, with a note, from the exceptions report."""

from datetime import date

from flask import abort, render_template, request, url_for
from flask_login import current_user

from compliance import scope
from compliance.inputs import date_range
from compliance.permissions import requires
from compliance.reports import bp
from compliance.reports.catalogue import visible_url
from compliance.reports.forms import ReviewForm
from compliance.security import safe_next
from compliance.services import reviews
from compliance.services.reports import exceptions
from compliance.views import run_form


def _day(text: str | None) -> date:
    """The exception's date from the address (`on=2026-11-20`): another value names none."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        abort(404)
    earliest, latest = date_range()
    return day if earliest <= day <= latest else abort(404)


@bp.route("/exceptions/review/<exception_key>", methods=["GET", "POST"])
@requires("review_exceptions")
def review_exception(exception_key: str):
    day = _day(request.args.get("on"))
    row = exceptions.find(day, exception_key[:60], scope.visible_ids()) or abort(404)
    form = ReviewForm()
    back = safe_next(form.back.data or request.args.get("back")) or url_for("reports.exceptions")
    form.back.data = back
    return run_form(
        form, lambda: reviews.review_exception(current_user, day, row.key, form.note.data),
        success="Exception marked reviewed.", to=back,
        invalid="Write a note before marking the exception reviewed.",
    ) or render_template("reports/review.html", row=row, form=form, back=back,
                          visible_url=visible_url)
