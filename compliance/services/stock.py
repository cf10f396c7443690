"""Stock workflows (D2): goods-in, the ledger, waste, returns, adjustments and batch states.

Every movement goes through `_post`, which locks the batch row, refuses a negative balance and
updates the running balance together with the ledger entry.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.errors import (
    AlreadyReversed,
    BatchExpired,
    BatchQuarantined,
    BatchRecalled,
    InsufficientStock,
    InvalidInput,
    StockRefusal,
)
from compliance.extensions import db
from compliance.models.stock import (
    ADJUSTMENT,
    ADMINISTRATION,
    AVAILABLE,
    DESTRUCTION_REASONS,
    QUARANTINED,
    RECALLED,
    RECEIPT,
    RETURN,
    REVERSAL,
    TOTAL_COLUMNS,
    WASTE,
    WASTE_REASONS,
    Batch,
    LedgerEntry,
    Product,
)
from compliance.services import ensure_can, stock_months
from compliance.services.audit import give_reason
from compliance.services.signatures import second_person, sign_as_second
from compliance.services.unit_of_work import unit_of_work


def locked_batch(batch_id: int) -> Batch:
    """The batch, re-read and locked for this transaction (FOR UPDATE on PostgreSQL; SQLite
    transactions already hold the write lock from BEGIN IMMEDIATE)."""
    batch = db.session.scalars(
        select(Batch).where(Batch.id == batch_id).with_for_update(of=Batch)
        .execution_options(populate_existing=True)).one_or_none()
    if batch is None:
        raise InvalidInput("No such batch.", field="batch_id")
    return batch


def post(actor, batch: Batch, entry_type: str, quantity_ul: int, containers: int = 0,
         **fields) -> LedgerEntry:
    """Append a ledger entry and move the running balance with it; never below zero."""
    balance_ul = batch.balance_ul + quantity_ul
    sealed = batch.sealed_containers + containers
    if balance_ul < 0 or sealed < 0:
        raise InsufficientStock(
            f"{batch} holds {batch.balance_ul / 1000:g} ml in {batch.sealed_containers} sealed "
            f"containers; this needs {-quantity_ul / 1000:g} ml.", field="quantity")
    batch.balance_ul, batch.sealed_containers = balance_ul, sealed
    _add_to_totals(batch, entry_type, quantity_ul)
    fields.setdefault("occurred_on", local_today())
    stock_months.add(batch.product.id, entry_type, fields["occurred_on"], quantity_ul)
    entry = LedgerEntry(batch=batch, entry_type=entry_type, quantity_ul=quantity_ul,
                        containers=containers, balance_after_ul=balance_ul,
                        containers_after=sealed, actor_id=actor.id, **fields)
    db.session.add(entry)
    return entry


def _add_to_totals(batch: Batch, entry_type: str, quantity_ul: int) -> None:
    # A batch created in this transaction has no column defaults until it is flushed.
    total = TOTAL_COLUMNS[entry_type]
    setattr(batch, total, (getattr(batch, total) or 0) + quantity_ul)
    if entry_type == REVERSAL:
        batch.reversal_count = (batch.reversal_count or 0) + 1


def ensure_drawable(batch: Batch, on: date) -> None:
    """Refuse a batch that is recalled, quarantined or expired on `on`."""
    if batch.state == RECALLED:
        raise BatchRecalled(f"{batch} has been recalled and cannot be used.", field="batch_id")
    if batch.state == QUARANTINED:
        raise BatchQuarantined(f"{batch} is quarantined and cannot be used.", field="batch_id")
    if batch.is_expired(on):
        raise BatchExpired(f"{batch} expired on {batch.expires_on:%d %b %Y}.", field="batch_id")


def _require_reason(reason: str | None) -> str:
    if not (reason or "").strip():
        raise InvalidInput("Give a reason.", field="reason")
    give_reason(reason)
    return reason.strip()


def _positive(value: int | None, field: str, what: str = "containers") -> int:
    if value is None or value <= 0:
        raise InvalidInput(f"Enter a number of {what} above zero.", field=field)
    return value


@unit_of_work("draw stock")
def draw(actor, batch_id: int, volume_ul: int, containers_opened: int, on: date,
         reason: str | None = None) -> LedgerEntry:
    """Administration: take `volume_ul` from a usable batch, opening sealed containers."""
    ensure_can(actor, "record_injection")
    batch = locked_batch(batch_id)
    ensure_drawable(batch, on)
    _positive(volume_ul, "volume", "microlitres")
    entry = post(actor, batch, ADMINISTRATION, -volume_ul, -containers_opened,
                 occurred_on=on, reason=reason)
    return entry


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
    if receipt.expires_on <= today:
        raise BatchExpired("This batch has already expired; do not receive it.",
                           field="expires_on")
    if receipt.received_on > today:
        raise InvalidInput("The date received cannot be in the future.", field="received_on")
    _positive(receipt.containers, "containers")
    return product


@unit_of_work("receive stock")
def receive(actor, receipt: Receipt) -> LedgerEntry:
    """Receive containers of a batch; the same batch number again adds to that batch."""
    ensure_can(actor, "receive_stock")
    today = local_today()
    receipt.received_on = receipt.received_on or today
    product = _check_receipt(db.session.get(Product, receipt.product_id), receipt, today)
    batch = _receiving_batch(product, receipt)
    db.session.flush()
    batch = locked_batch(batch.id)
    entry = post(actor, batch, RECEIPT, receipt.containers * product.container_volume_ul,
                 receipt.containers, occurred_on=receipt.received_on,
                 reason=f"Delivery {receipt.delivery_reference} from {receipt.supplier}")
    return entry


@dataclass
class Waste:
    """Sealed containers and/or loose volume thrown away, and why."""

    containers: int
    volume_ul: int
    waste_reason: str
    reason: str
    witness_email: str | None = None
    witness_password: str | None = None


@unit_of_work("record waste")
def record_waste(actor, batch_id: int, waste: Waste) -> LedgerEntry:
    """Waste; destruction of sealed stock needs a witness who signs with their password."""
    ensure_can(actor, "record_waste")
    if waste.waste_reason not in WASTE_REASONS:
        raise InvalidInput("Choose why the stock was wasted.", field="waste_reason")
    reason = _require_reason(waste.reason)
    if waste.containers < 0 or waste.volume_ul < 0 or waste.containers + waste.volume_ul == 0:
        raise InvalidInput("Enter the containers or volume wasted.", field="containers")
    witness = None
    if waste.waste_reason in DESTRUCTION_REASONS:
        witness = second_person(actor, waste.witness_email)
    batch = locked_batch(batch_id)
    quantity = waste.containers * batch.product.container_volume_ul + waste.volume_ul
    entry = post(actor, batch, WASTE, -quantity, -waste.containers,
                 waste_reason=waste.waste_reason, reason=reason,
                 witness_id=witness.id if witness else None)
    if witness is not None:
        sign_as_second(entry, witness, waste.witness_password, "witnessed destruction")
    return entry


@unit_of_work("return stock to the supplier")
def record_return(actor, batch_id: int, containers: int, reason: str) -> LedgerEntry:
    """Sealed containers sent back to the supplier."""
    ensure_can(actor, "manage_stock")
    reason = _require_reason(reason)
    _positive(containers, "containers")
    batch = locked_batch(batch_id)
    entry = post(actor, batch, RETURN, -containers * batch.product.container_volume_ul,
                 -containers, reason=reason)
    return entry


@unit_of_work("adjust stock")
def adjust(actor, batch_id: int, containers: int, reason: str) -> LedgerEntry:
    """A signed correction of sealed containers that is not a stocktake."""
    ensure_can(actor, "manage_stock")
    reason = _require_reason(reason)
    if not containers:
        raise InvalidInput("Enter a change other than zero.", field="containers")
    batch = locked_batch(batch_id)
    if batch.state == RECALLED and containers > 0:
        raise BatchRecalled(f"{batch} has been recalled; stock cannot be added.")
    entry = post(actor, batch, ADJUSTMENT, containers * batch.product.container_volume_ul,
                 containers, reason=reason)
    return entry


REVERSIBLE = {RECEIPT, WASTE, RETURN, ADJUSTMENT}


def post_reversal(actor, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Append the exact opposite of `entry`, pointing at it (no commit)."""
    if entry.entry_type == REVERSAL:
        raise StockRefusal("A reversal cannot itself be reversed; record a new entry.")
    already = db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                .where(LedgerEntry.reverses_id == entry.id))
    if already:
        raise AlreadyReversed()
    batch = locked_batch(entry.batch_id)
    return post(actor, batch, REVERSAL, -entry.quantity_ul, -entry.containers,
                reverses_id=entry.id, reason=reason)


@unit_of_work("reverse a ledger entry")
def reverse(actor, entry_id: int, reason: str) -> LedgerEntry:
    """Correct a mistaken entry by appending its opposite; nothing is edited."""
    ensure_can(actor, "manage_stock")
    reason = _require_reason(reason)
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None:
        raise InvalidInput("No such ledger entry.")
    if entry.entry_type not in REVERSIBLE:
        raise StockRefusal(f"A {entry.entry_type} entry is corrected from its own record, "
                           "not here.")
    reversal = post_reversal(actor, entry, reason)
    return reversal


STATE_CHANGES = {  # action: (states it may start from, state it leads to)
    "quarantine": ({AVAILABLE}, QUARANTINED),
    "release": ({QUARANTINED}, AVAILABLE),
    "recall": ({AVAILABLE, QUARANTINED}, RECALLED),
}


@unit_of_work("change a batch's state")
def change_state(actor, batch_id: int, action: str, reason: str) -> Batch:
    """Quarantine, release or recall a batch, with a reason; a recall is final."""
    ensure_can(actor, "manage_stock")
    reason = _require_reason(reason)
    allowed_from, target = STATE_CHANGES[action]
    batch = locked_batch(batch_id)
    if batch.state not in allowed_from:
        raise StockRefusal(f"{batch} is {batch.state}: it cannot be {action}d.")
    batch.state = target
    return batch
