"""Stock views: thin; each maps a refusal to a message and keeps the user's input."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance import scope
from compliance.clock import local_today
from compliance.errors import DomainError
from compliance.extensions import db
from compliance.forms import options
from compliance.models.stock import Batch, LedgerEntry
from compliance.permissions import requires
from compliance.query import query_id, query_page, query_text
from compliance.services import goods_in, stock, stock_queries
from compliance.services.gs1 import read_pack_code
from compliance.services.products import ml_to_ul
from compliance.stock import bp
from compliance.stock.forms import (
    AdjustForm,
    ReceiveForm,
    ReturnForm,
    ReverseForm,
    StateForm,
    waste_form,
)
from compliance.views import run_form, show_domain_error


@bp.route("/")
@requires("view_stock")
def index():
    args = request.args
    sort = args.get("sort", "")
    filters = stock_queries.BatchFilters(
        product_id=query_id("product"), status=args.get("state", ""),
        search=query_text("q", "The batch number or supplier", 60),
        sort=sort if sort in stock_queries.BATCH_SORTS else "product",
        direction="desc" if args.get("direction") == "desc" else "asc")
    today = local_today()
    pagination = stock_queries.batch_page(filters, today, query_page(), scope.visible_ids())
    return render_template("stock/index.html", pagination=pagination, filters=filters,
                           products=stock_queries.products(), today=today)


def _batch_forms(**bound) -> dict:
    forms = {"waste_form": waste_form(current_user), "return_form": ReturnForm(prefix="ret"),
             "adjust_form": AdjustForm(prefix="adj"), "state_form": StateForm(prefix="state")}
    forms.update(bound)
    return forms


def _render_batch(batch: Batch, status: int = 200, **bound):
    entries = stock_queries.ledger(batch.id, scope.visible_ids())
    return render_template("stock/batch.html", batch=batch, entries=entries,
                           reversed_ids=stock_queries.reversed_entry_ids(batch.id),
                           reverse_form=ReverseForm(prefix="rev"), today=local_today(),
                           **_batch_forms(**bound)), status


@bp.route("/batches/<int:batch_id>")
@requires("view_stock")
def batch(batch_id: int):
    return _render_batch(db.get_or_404(Batch, batch_id))


def _act(batch: Batch, form_name: str, form, action, success: str):
    """Run `action` for a submitted batch form; re-render with the input kept on refusal."""
    return run_form(
        form, lambda: action(form), success=success,
        to=url_for("stock.batch", batch_id=batch.id),
        invalid="Check the form: some entries are missing or out of range.",
    ) or _render_batch(batch, 200, **{form_name: form})


@bp.route("/batches/<int:batch_id>/waste", methods=["POST"])
@requires("record_waste")
def waste(batch_id: int):
    batch = db.get_or_404(Batch, batch_id)

    def action(form):
        stock.record_waste(current_user, batch.id, stock.Waste(
            containers=form.containers.data, volume_ul=ml_to_ul(form.volume_ml.data, "volume_ml"),
            waste_reason=form.waste_reason.data, reason=form.reason.data,
            witness_email=form.second_email.data, witness_password=form.second_password.data,
            witness_code=form.second_code.data))

    return _act(batch, "waste_form", waste_form(current_user), action, "Waste recorded.")


@bp.route("/batches/<int:batch_id>/return", methods=["POST"])
@requires("manage_stock")
def return_stock(batch_id: int):
    batch = db.get_or_404(Batch, batch_id)

    def action(form):
        stock.record_return(current_user, batch.id, form.containers.data, form.reason.data)

    return _act(batch, "return_form", ReturnForm(prefix="ret"), action,
                "Return to the supplier recorded.")


@bp.route("/batches/<int:batch_id>/adjust", methods=["POST"])
@requires("manage_stock")
def adjust(batch_id: int):
    batch = db.get_or_404(Batch, batch_id)

    def action(form):
        stock.adjust(current_user, batch.id, form.containers.data, form.reason.data)

    return _act(batch, "adjust_form", AdjustForm(prefix="adj"), action, "Adjustment recorded.")


@bp.route("/batches/<int:batch_id>/state", methods=["POST"])
@requires("manage_stock")
def change_state(batch_id: int):
    batch = db.get_or_404(Batch, batch_id)

    def action(form):
        stock.change_state(current_user, batch.id, form.action.data, form.reason.data)

    return _act(batch, "state_form", StateForm(prefix="state"), action, "Batch state changed.")


@bp.route("/entries/<int:entry_id>/reverse", methods=["POST"])
@requires("manage_stock")
def reverse(entry_id: int):
    entry = db.get_or_404(LedgerEntry, entry_id)
    form = ReverseForm(prefix="rev")
    back = url_for("stock.batch", batch_id=entry.batch_id)
    return run_form(
        form, lambda: stock.reverse(current_user, entry.id, form.reason.data),
        success=f"Entry {entry.id} reversed.", to=back,
        invalid="Give a reason for the reversal.",
    ) or redirect(back)


def _product_choices(form: ReceiveForm) -> None:
    form.product_id.choices = options(
        [(0, "Choose a product")] + [(p.id, p.name) for p in stock_queries.products(False)])


def _fill_from_barcode(form: ReceiveForm) -> None:
    try:
        code = read_pack_code(form.barcode.data or "")
    except DomainError as error:
        show_domain_error(form, error)
        return
    product = stock_queries.product_by_gtin(code.gtin) if code.gtin else None
    if code.gtin and product is None:
        form.barcode.errors = [f"No product has GTIN {code.gtin}: add it under Products first."]
        flash(form.barcode.errors[0], "error")
        return
    found = {"gtin": code.gtin, "product_id": product.id if product else None,
             "batch_number": code.batch_number, "expires_on": code.expires_on,
             "serial": code.serial}
    for name, value in found.items():
        if value is not None:
            form[name].data, form[name].raw_data = value, None  # shown instead of typed text
    flash("Filled from the barcode: check the details and the number of containers.", "info")


def _receipt(form: ReceiveForm) -> goods_in.Receipt:
    return goods_in.Receipt(
        product_id=form.product_id.data, batch_number=form.batch_number.data,
        expires_on=form.expires_on.data, supplier=form.supplier.data,
        delivery_reference=form.delivery_reference.data, containers=form.containers.data,
        received_on=form.received_on.data, gtin=form.gtin.data or None)


@bp.route("/receive", methods=["GET", "POST"])
@requires("receive_stock")
def receive():
    form = ReceiveForm()
    _product_choices(form)
    if request.method == "POST" and "read_barcode" in request.form:
        form.validate_on_submit()  # checks the CSRF token; field errors are not shown yet
        for field in form:
            field.errors = []
        _fill_from_barcode(form)
        return render_template("stock/receive.html", form=form)
    return run_form(
        form, lambda: goods_in.receive(current_user, _receipt(form)),
        success=lambda entry: f"Received {entry.containers} containers of {entry.batch}.",
        to=lambda entry: url_for("stock.batch", batch_id=entry.batch_id),
    ) or render_template("stock/receive.html", form=form)
