"""Transfer pages (D7): the list, sending, one transfer with its receipt and cancellation.
Thin: the rules are in compliance/rules/transfers.py, the writing in services/transfers.py."""

from flask import abort, render_template, request, url_for
from flask_login import current_user

from compliance import locations
from compliance.clock import local_today
from compliance.forms import options
from compliance.permissions import can, requires
from compliance.query import query_id, query_page
from compliance.rules.transfers import IN_TRANSIT, TRANSFER_STATUSES
from compliance.services import transfer_queries, transfers
from compliance.stock import bp
from compliance.stock.transfer_forms import CancelTransferForm, ReceiveTransferForm, SendForm
from compliance.views import run_form


@bp.route("/transfers")
@requires("view_stock")
def transfer_list():
    args = request.args
    filters = transfer_queries.TransferFilters(
        status=args.get("status", "") if args.get("status") in TRANSFER_STATUSES else "",
        from_location_id=query_id("from"), to_location_id=query_id("to"),
        batch_id=query_id("batch"))
    pagination = transfer_queries.transfer_page(current_user, filters, query_page())
    return render_template("stock/transfers.html", pagination=pagination, filters=filters,
                           statuses=TRANSFER_STATUSES,
                           places=transfer_queries.visible_locations(current_user))


def _send_choices(form: SendForm, here) -> None:
    held = transfer_queries.sendable(here.id, local_today()) if here else []
    form.batch_id.choices = options(
        [("", "Choose a batch")]
        + [(batch.id, f"{batch} (expires {batch.expires_on:%d %b %Y}; {sealed} sealed here)")
           for batch, sealed in held])
    form.to_location_id.choices = options(
        [("", "Choose a location")]
        + [(place.id, place.name) for place in transfer_queries.destinations(
            here.id if here else None)])


@bp.route("/transfers/send", methods=["GET", "POST"])
@requires("send_transfer")
def transfer_send():
    here = locations.current_location(current_user)
    form = SendForm()
    _send_choices(form, here)
    if request.method == "GET" and query_id("batch"):
        form.batch_id.data = query_id("batch")
    return run_form(
        form, lambda: transfers.send(current_user, transfers.Sending(
            form.batch_id.data, form.to_location_id.data, form.containers.data,
            form.reason.data)),
        success=lambda sent: (f"{sent.containers_sent} containers of {sent.batch} sent to "
                              f"{sent.to_location}: in transit until received there."),
        to=lambda sent: url_for("stock.transfer_show", transfer_id=sent.id),
        invalid="Check the form: some entries are missing or out of range.",
    ) or render_template("stock/transfer_send.html", form=form, here=here)


def _visible(transfer_id: int):
    """The transfer, or 404 when neither of its ends is the user's to see (D7)."""
    transfer = transfer_queries.visible_transfer(current_user, transfer_id)
    if transfer is None:
        abort(404)
    return transfer


def _receive_form(transfer, form: ReceiveTransferForm | None = None) -> ReceiveTransferForm:
    form = form or ReceiveTransferForm(prefix="rcv")
    form.storage_area_id.choices = options(
        [(area.id, area.name) for area in transfer_queries.storage_areas(transfer.to_location_id)])
    if form.storage_area_id.data is None:
        form.storage_area_id.data = transfer_queries.kept_in(transfer.batch_id,
                                                             transfer.to_location_id)
    if form.containers_received.data is None and not form.is_submitted():
        form.containers_received.data = transfer.containers_sent
    return form


def _render(transfer, **bound):
    """The transfer; its receipt form for a user working at its destination, its cancelling
    for one working where it came from, whichever location is their current one."""
    in_transit = transfer.status == IN_TRANSIT
    return render_template(
        "stock/transfer_show.html", transfer=transfer,
        receivable=in_transit and can(current_user, "receive_transfer")
        and locations.works_at(current_user, transfer.to_location_id),
        cancellable=in_transit and can(current_user, "cancel_transfer")
        and locations.works_at(current_user, transfer.from_location_id),
        receive_form=_receive_form(transfer, bound.get("receive_form")),
        cancel_form=bound.get("cancel_form") or CancelTransferForm(prefix="cancel"))


@bp.route("/transfers/<int:transfer_id>")
@requires("view_stock")
def transfer_show(transfer_id: int):
    return _render(_visible(transfer_id))


@bp.route("/transfers/<int:transfer_id>/receive", methods=["POST"])
@requires("receive_transfer")
def transfer_receive(transfer_id: int):
    transfer = _visible(transfer_id)
    form = _receive_form(transfer, ReceiveTransferForm(prefix="rcv"))
    return run_form(
        form, lambda: transfers.receive(current_user, transfer.id, transfers.Arrival(
            form.containers_received.data, form.storage_area_id.data,
            form.difference_reason.data)),
        success=lambda done: f"{done} received: {done.containers_received} containers put "
                             f"into {done.storage_area.name} at {done.to_location}.",
        to=url_for("stock.transfer_show", transfer_id=transfer.id),
        invalid="Check the form: some entries are missing or out of range.",
    ) or _render(transfer, receive_form=form)


@bp.route("/transfers/<int:transfer_id>/cancel", methods=["POST"])
@requires("cancel_transfer")
def transfer_cancel(transfer_id: int):
    transfer = _visible(transfer_id)
    form = CancelTransferForm(prefix="cancel")
    return run_form(
        form, lambda: transfers.cancel(current_user, transfer.id, form.reason.data),
        success=lambda done: f"{done} cancelled: its containers are back in stock at "
                             f"{done.from_location}.",
        to=url_for("stock.transfer_show", transfer_id=transfer.id),
        invalid="Give a reason for cancelling.",
    ) or _render(transfer, cancel_form=form)


# A global, not a context variable, so that the stock pages' imported macro may ask it.
@bp.app_template_global("in_transit")
def in_transit(batch=None) -> tuple[int | None, list]:
    """For a stock page: the current location's id, and the transfers in transit of `batch`
    (to or from anywhere the user may see), or else to or from that location."""
    here = locations.current_location(current_user)
    here_id = here.id if here else None
    if batch is not None:
        return here_id, transfer_queries.in_transit(current_user, batch_id=batch.id)
    if here is None:
        return None, []
    return here_id, transfer_queries.in_transit(current_user, location_id=here_id)
