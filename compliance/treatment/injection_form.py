"""The injection form at the chair: the batch and site of the session's last injection kept
for the next, and a scanned pack's code read into the batch it names (issue 15: three
injections from one batch took fifteen inputs)."""

from flask import flash, request
from wtforms import SelectChoice

from compliance.errors import DomainError, InvalidBarcode
from compliance.extensions import db
from compliance.inputs import MAX_ID
from compliance.models import Batch, BatchStock, Location, TreatmentSession
from compliance.services import stock_parts, stock_queries
from compliance.services.gs1 import read_pack_code
from compliance.treatment.forms import InjectionForm
from compliance.views import show_domain_error


def _batch_choice(batch: Batch, held_ul: int) -> SelectChoice:
    # The batch number on the option lets the page choose it from a scan without a request.
    return SelectChoice(batch.id, f"{batch.batch_number}: expires {batch.expires_on:%d %b %Y}, "
                                  f"{held_ul / 1000:g} ml on hand here",
                        render_kw={"data-batch-number": batch.batch_number})


def _offered(session: TreatmentSession, picture,
             chosen: int | None) -> tuple[list[Batch], dict[int, BatchStock]]:
    """The batches of the picture, and the chosen one if a scan named a batch of the
    prescribed product beyond them held here (the service judges whether it may be used);
    with the parts of them held at the session's location."""
    batches = list(picture.batches)
    extra = chosen if chosen and 0 < chosen <= MAX_ID and all(
        batch.id != chosen for batch in batches) else None
    held = stock_parts.held_at(session.location_id,
                               [batch.id for batch in batches] + ([extra] if extra else []))
    part = held.get(extra)
    if part is not None and part.balance_ul > 0 and \
            part.batch.product_id == session.prescription.product_id:
        batches.append(part.batch)
    return batches, held


def _keep_last(form: InjectionForm, session: TreatmentSession, offered: list[Batch]) -> None:
    """Start the next injection where the last one left off: its batch (while still offered)
    and its site, else the session's first area."""
    last = session.given[-1] if session.given else None
    if last is not None and any(batch.id == last.batch_id for batch in offered):
        form.batch_id.data = last.batch_id
    site = last.site if last is not None else (session.areas or [None])[0]
    if site:
        form.site.data = site


def injection_form(session: TreatmentSession, picture,
                   form: InjectionForm | None = None) -> InjectionForm:
    """The form to show: `form` as sent (input kept), else a new one that keeps the last
    injection's batch and site."""
    fresh = form is None
    form = form or InjectionForm(prefix="inj")
    offered, held = _offered(session, picture, form.batch_id.data)
    form.batch_id.choices = [SelectChoice(0, "Choose a batch"), *(
        _batch_choice(batch, held[batch.id].balance_ul if batch.id in held else 0)
        for batch in offered)]
    if fresh:
        _keep_last(form, session, offered)
    # A scanner's Enter in the scan field chooses the batch and moves on to the volume
    # (static/js/app.js) instead of sending a form with no volume.
    form.barcode.render_kw = {"autocomplete": "off", "data-scan-for": form.batch_id.id,
                              "data-scan-then": form.volume_ml.id}
    return form


def scanned_batch(barcode: str, session: TreatmentSession) -> Batch:
    """The batch of the prescribed product named by a scanned GS1 code."""
    code = read_pack_code(barcode)
    product = session.prescription.product
    if code.gtin and product.gtin and code.gtin != product.gtin:
        raise InvalidBarcode(f"This pack (GTIN {code.gtin}) is not {product.name}, the "
                             "prescribed product.", field="barcode")
    if not code.batch_number:
        raise InvalidBarcode("This code names no batch: choose the batch from the list.",
                             field="barcode")
    batch = stock_queries.batch_numbered(product.id, code.batch_number)
    part = stock_parts.held_at(session.location_id, [batch.id]).get(batch.id) if batch else None
    if part is None or part.balance_ul <= 0:
        here = db.session.get(Location, session.location_id)
        raise InvalidBarcode(f"No batch {code.batch_number} of the prescribed product is in "
                             f"stock here at {here}.", field="barcode")
    return batch


def batch_to_use(form: InjectionForm, session: TreatmentSession) -> int:
    """The batch named by a scanned GS1 code, else the one chosen from the list."""
    if not (form.barcode.data or "").strip():
        return form.batch_id.data or 0
    return scanned_batch(form.barcode.data, session).id


def is_scan_alone(form: InjectionForm) -> bool:
    """A code scanned with no volume yet: the scanner's Enter sent the form (without
    JavaScript) before anything else was typed, so this chooses the batch, no more."""
    volume = request.form.get(form.volume_ml.name, "")
    return bool((form.barcode.data or "").strip()) and not volume.strip()


def read_scan(form: InjectionForm, session: TreatmentSession) -> InjectionForm:
    """Choose the scanned pack's batch in the form and clear the scan, or say why not."""
    if not form.barcode.validate(form):  # too long, or a control character
        return form
    try:
        batch = scanned_batch(form.barcode.data, session)
    except DomainError as error:
        show_domain_error(form, error)
        return form
    form.batch_id.data = batch.id
    form.barcode.data, form.barcode.raw_data = "", None
    form.volume_ml.render_kw = {"autofocus": True}  # the next thing to type
    flash(f"Batch {batch.batch_number} scanned: enter the volume.", "info")
    return form
