"""Stock views: thin; each maps a refusal to a message and keeps the user's input."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance import locations
from compliance.clock import local_today
from compliance.errors import DomainError
from compliance.extensions import db
from compliance.forms import options
from compliance.models.stock import Batch, LedgerEntry
from compliance.permissions import requires
from compliance.query import query_id, query_page, query_text
from compliance.services import goods_in, stock, stock_overview, stock_parts, stock_queries
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
    filters = stock_overview.BatchFilters(
        product_id=query_id("product"), status=args.get("state", ""),
        search=query_text("q", "The batch number or supplier", 60),
        sort=sort if sort in stock_overview.BATCH_SORTS else "product",
        direction="desc" if args.get("direction") == "desc" else "asc")
    today = local_today()
    here = locations.current_location(current_user)
    pagination = stock_overview.batch_page(filters, today, query_page(), here.id if here else 0)
    return render_template("stock/index.html", pagination=pagination, filters=filters,
                           products=stock_queries.products(), today=today, here=here)


def _visible_batch(batch_id: int) -> Batch:
    """The batch, or 404 for a user who sees none of the locations that ever held it: a
    record outside the user's locations is not found (D7)."""
    batch = db.get_or_404(Batch, batch_id)
    visible = locations.visible_location_ids(current_user)
    if visible is not None and not stock_parts.parts_of(batch.id, visible):
        abort(404)
    return batch


def _batch_forms(**bound) -> dict:
    forms = {"waste_form": waste_form(current_user), "return_form": ReturnForm(prefix="ret"),
             "adjust_form": AdjustForm(prefix="adj"), "state_form": StateForm(prefix="state")}
    forms.update(bound)
    return forms


def _render_batch(batch: Batch, status: int = 200, **bound):
    """The batch, its part at every location the user can see and the group total, and its
    ledger there; the forms act at the current location."""
    visible = locations.visible_location_ids(current_user)
    parts = stock_parts.parts_of(batch.id, visible)
    here = locations.current_location(current_user)
    return render_template("stock/batch.html", batch=batch, parts=parts, here=here,
                           here_part=next((p for p in parts if here and p.location_id == here.id),
                                          None),
                           entries=stock_queries.ledger(batch.id, visible),
                           places={part.location_id: part.location.name for part in parts},
                           reversed_ids=stock_queries.reversed_entry_ids(batch.id),
                           reverse_form=ReverseForm(prefix="rev"), today=local_today(),
                           **_batch_forms(**bound)), status


@bp.route("/batches/<int:batch_id>")
@requires("view_stock")
def batch(batch_id: int):
    return _render_batch(_visible_batch(batch_id))


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
    batch = _visible_batch(batch_id)

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
    batch = _visible_batch(batch_id)

    def action(form):
        stock.record_return(current_user, batch.id, form.containers.data, form.reason.data)

    return _act(batch, "return_form", ReturnForm(prefix="ret"), action,
                "Return to the supplier recorded.")


@bp.route("/batches/<int:batch_id>/adjust", methods=["POST"])
@requires("manage_stock")
def adjust(batch_id: int):
    batch = _visible_batch(batch_id)

    def action(form):
        stock.adjust(current_user, batch.id, form.containers.data, form.reason.data)

    return _act(batch, "adjust_form", AdjustForm(prefix="adj"), action, "Adjustment recorded.")


@bp.route("/batches/<int:batch_id>/state", methods=["POST"])
@requires("manage_stock")
def change_state(batch_id: int):
    batch = _visible_batch(batch_id)

    def action(form):
        stock.change_state(current_user, batch.id, form.action.data, form.reason.data)

    return _act(batch, "state_form", StateForm(prefix="state"), action, "Batch state changed.")


@bp.route("/entries/<int:entry_id>/reverse", methods=["POST"])
@requires("manage_stock")
def reverse(entry_id: int):
    entry = db.get_or_404(LedgerEntry, entry_id)
    if not locations.can_see(current_user, entry.location_id):
        abort(404)  # an entry outside the user's locations is not found (D7)
    form = ReverseForm(prefix="rev")
    back = url_for("stock.batch", batch_id=entry.batch_id)
    return run_form(
        form, lambda: stock.reverse(current_user, entry.id, form.reason.data),
        success=f"Entry {entry.id} reversed.", to=back,
        invalid="Give a reason for the reversal.",
    ) or redirect(back)


def _receive_choices(form: ReceiveForm, here) -> None:
    form.product_id.choices = options(
        [(0, "Choose a product")] + [(p.id, p.name) for p in stock_queries.products(False)])
    areas = stock_parts.storage_areas_at(here.id) if here else []
    form.storage_area_id.choices = options([(area.id, f"{area.name} ({area.kind})")
                                            for area in areas])


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
        received_on=form.received_on.data, gtin=form.gtin.data or None,
        storage_area_id=form.storage_area_id.data)


@bp.route("/receive", methods=["GET", "POST"])
@requires("receive_stock")
def receive():
    form = ReceiveForm()
    here = locations.current_location(current_user)
    _receive_choices(form, here)
    if request.method == "POST" and "read_barcode" in request.form:
        form.validate_on_submit()  # checks the CSRF token; field errors are not shown yet
        for field in form:
            field.errors = []
        _fill_from_barcode(form)
        return render_template("stock/receive.html", form=form, here=here)
    return run_form(
        form, lambda: goods_in.receive(current_user, _receipt(form)),
        success=lambda entry: f"Received {entry.containers} containers of {entry.batch} at "
                              f"{here}.",
        to=lambda entry: url_for("stock.batch", batch_id=entry.batch_id),
    ) or render_template("stock/receive.html", form=form, here=here)
