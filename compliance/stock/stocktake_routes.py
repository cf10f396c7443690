"""The stocktake sheet: print it, count, and record the counts."""

from flask import render_template, request, url_for
from flask_login import current_user
from wtforms import TextAreaField

from compliance import scope
from compliance.errors import DomainError, InvalidInput
from compliance.extensions import db
from compliance.forms import Form, Length, OnceOnlyMixin
from compliance.inputs import text_problem
from compliance.models.stocktake import Stocktake
from compliance.permissions import requires
from compliance.services import stock_queries, stocktakes
from compliance.services.signatures import signatures_of
from compliance.stock import bp
from compliance.stock.forms import SecondPersonMixin
from compliance.views import run_form


class StocktakeForm(Form, SecondPersonMixin, OnceOnlyMixin):
    note = TextAreaField("Note", validators=[Length(max=500)])


# As many sealed containers as a receipt or an adjustment may move at once.
MAX_COUNTED = 100_000


def _count_problem(raw: str) -> str | None:
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_COUNTED:
        return f"Enter the sealed containers counted, a whole number from 0 to {MAX_COUNTED:,}."
    return None


def _counts(batches) -> tuple[list[stocktakes.Count], dict[int, str]]:
    """Counts typed on the sheet, and a message for each count that is not a whole number in
    range or whose reason cannot be taken as typed."""
    counts, problems = [], {}
    for batch in batches:
        raw = request.form.get(f"count-{batch.id}", "").strip()
        reason = request.form.get(f"reason-{batch.id}", "")
        reason_problem = text_problem(reason, 500)
        problem = _count_problem(raw) or (reason_problem and f"The reason: {reason_problem}")
        if problem:
            problems[batch.id] = problem
            continue
        counts.append(stocktakes.Count(batch.id, int(raw), reason))
    return counts, problems


def _record(form: StocktakeForm, batches, problems: dict[int, str]):
    """Record the sheet's counts; a count that is not a whole number refuses the whole sheet."""
    counts, unreadable = _counts(batches)
    if unreadable:
        problems.update(unreadable)
        raise InvalidInput("Some counts are missing.")
    return stocktakes.record_stocktake(
        current_user, counts, form.note.data,
        stocktakes.Countersignature(form.second_email.data, form.second_password.data,
                                    form.second_code.data))


@bp.route("/stocktake", methods=["GET", "POST"])
@requires("manage_stock")
def stocktake():
    form = StocktakeForm()
    batches = stocktakes.batches_to_count(scope.visible_ids())
    problems: dict[int, str] = {}
    done = run_form(
        form, lambda: _record(form, batches, problems), success="Stocktake recorded.",
        to=lambda taken: url_for("stock.stocktake_show", stocktake_id=taken.id),
        on_refusal=lambda error: problems.update(_problem_for(error)))
    if done is not None:
        return done
    if form.is_submitted():
        # As they are after the refused attempt.
        batches = stocktakes.batches_to_count(scope.visible_ids())
    return render_template("stock/stocktake.html", form=form, batches=batches,
                           problems=problems, values=request.form)


def _problem_for(error: DomainError) -> dict[int, str]:
    field = error.field or ""
    if field.startswith(("count-", "reason-")):
        return {int(field.split("-")[1]): error.message}
    return {}


@bp.route("/stocktakes/")
@requires("view_stock")
def stocktake_list():
    taken = stock_queries.stocktakes_newest_first(scope.visible_ids())
    return render_template("stock/stocktakes.html", stocktakes=taken)


@bp.route("/stocktakes/<int:stocktake_id>")
@requires("view_stock")
def stocktake_show(stocktake_id: int):
    taken = db.get_or_404(Stocktake, stocktake_id)
    return render_template("stock/stocktake_show.html", stocktake=taken,
                           signatures=signatures_of(taken))
