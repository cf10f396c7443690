"""Goods-in (D2): a delivery of sealed containers received into a batch."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from compliance import locations
from compliance.clock import local_today
from compliance.errors import BatchExpired, BatchRecalled, InvalidInput
from compliance.extensions import db
from compliance.inputs import MAX_ID
from compliance.models.location import StorageArea
from compliance.models.stock import AVAILABLE, RECALLED, RECEIPT, Batch, LedgerEntry, Product
from compliance.rules.injection import is_expired
from compliance.rules.storage import AreaFacts, check_receiving_area
from compliance.services import ensure_can, ledger
from compliance.services.unit_of_work import unit_of_work


@dataclass
class Receipt:
    """Goods-in, as typed or scanned."""

    product_id: int
    batch_number: str
    expires_on: date
    supplier: str
    delivery_reference: str
    containers: int
    received_on: date | None = None
    gtin: str | None = None
    # Where at the receiving location it is kept; None: where the batch is kept there
    # already, else the location's first storage area.
    storage_area_id: int | None = None


def _receiving_batch(product: Product, receipt: Receipt) -> Batch:
    number = receipt.batch_number.strip().upper()
    batch = db.session.scalars(select(Batch).where(Batch.product_id == product.id,
                                                   Batch.batch_number == number)
                               .with_for_update(of=Batch)).one_or_none()
    if batch is None:
        batch = Batch(product=product, batch_number=number, expires_on=receipt.expires_on,
                      supplier=receipt.supplier.strip(),
                      delivery_reference=receipt.delivery_reference.strip(),
                      received_on=receipt.received_on, state=AVAILABLE, balance_ul=0,
                      sealed_containers=0)
        db.session.add(batch)
    elif batch.expires_on != receipt.expires_on:
        raise InvalidInput(f"Batch {number} is already recorded with expiry "
                           f"{batch.expires_on:%d %b %Y}; check the pack.", field="expires_on")
    elif batch.state == RECALLED:
        raise BatchRecalled(f"{batch} has been recalled; do not receive it.", field="batch_number")
    return batch


def _check_receipt(product: Product | None, receipt: Receipt, today: date) -> Product:
    if product is None or not product.active:
        raise InvalidInput("Choose a product.", field="product_id")
    if receipt.gtin and receipt.gtin != product.gtin:
        raise InvalidInput(f"The barcode's GTIN {receipt.gtin} is not the GTIN of {product}.",
                           field="gtin")
    if is_expired(receipt.expires_on, today):
        raise BatchExpired("This batch has already expired; do not receive it.",
                           field="expires_on")
    if receipt.received_on > today:
        raise InvalidInput("The date received cannot be in the future.", field="received_on")
    if receipt.containers is None or receipt.containers <= 0:
        raise InvalidInput("Enter a number of containers above zero.", field="containers")
    return product


def _area(area_id: int | None) -> AreaFacts | None:
    area = db.session.get(StorageArea, area_id) if area_id and 0 < area_id <= MAX_ID else None
    return None if area is None else AreaFacts(area.id, area.name, area.location_id, area.active)


def _receiving_area(batch: Batch, location_id: int, area_id: int | None) -> int:
    """The storage area the receipt goes into at `location_id` (checked), with the batch's
    part there moved into it when that part holds nothing or sits in an area out of use."""
    part = ledger.part_at(batch, location_id)
    kept = _area(part.storage_area_id) if part is not None and part.balance_ul > 0 else None
    kept = kept if kept is not None and kept.active else None
    chosen = area_id or (kept.id if kept else ledger.first_area(location_id))
    check_receiving_area(_area(chosen), location_id, kept)
    if part is not None:
        part.storage_area_id = chosen
    return chosen


@unit_of_work("receive stock")
def receive(actor, receipt: Receipt) -> LedgerEntry:
    """Receive containers of a batch into a storage area of the actor's current location; the
    same batch number again adds to that batch, and at the same location to its part there."""
    ensure_can(actor, "receive_stock")
    location_id = locations.acting_location_id(actor)
    today = local_today()
    receipt.received_on = receipt.received_on or today
    product = _check_receipt(db.session.get(Product, receipt.product_id), receipt, today)
    batch = _receiving_batch(product, receipt)
    db.session.flush()
    batch = ledger.locked_batch(batch.id)
    area_id = _receiving_area(batch, location_id, receipt.storage_area_id)
    entry = ledger.post(actor, batch, RECEIPT, receipt.containers * product.container_volume_ul,
                        receipt.containers, location_id=location_id, storage_area_id=area_id,
                        occurred_on=receipt.received_on,
                        reason=f"Delivery {receipt.delivery_reference} from {receipt.supplier}")
    return entry
