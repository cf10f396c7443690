"""Stock (D2): products, batches and the append-only ledger."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compliance.clock import local_today, utcnow
from compliance.dbtypes import UTCDateTime
from compliance.errors import AlreadyReversed, BatchRecalled, InsufficientStock, StockRefusal
from compliance.extensions import db
from compliance.models.sclerosant import Sclerosant, dose_mg
from compliance.models.transfer import TRANSFER_DIFFERENCE, TRANSFER_IN, TRANSFER_OUT, TRANSIT
from compliance.rules.facts import BatchFacts
from compliance.rules.injection import is_expired

if TYPE_CHECKING:
    from compliance.models.location import BatchStock

CONTAINER_TYPES = ("ampoule", "vial")
AVAILABLE, QUARANTINED, RECALLED = "available", "quarantined", "recalled"
EXPIRED, EXHAUSTED = "expired", "exhausted"

RECEIPT, ADMINISTRATION, WASTE, RETURN = "receipt", "administration", "waste", "return"
ADJUSTMENT, STOCKTAKE_CORRECTION, REVERSAL = "adjustment", "stocktake correction", "reversal"
ENTRY_TYPES = (RECEIPT, ADMINISTRATION, WASTE, RETURN, ADJUSTMENT, STOCKTAKE_CORRECTION,
               REVERSAL, TRANSFER_OUT, TRANSFER_IN, TRANSFER_DIFFERENCE)
# Each kind of entry has its all-time sum kept on the batch (signed as in the ledger), so a
# reconciliation reads one row per batch instead of summing the whole ledger.
TOTAL_COLUMNS = {RECEIPT: "receipt_total_ul", ADMINISTRATION: "administration_total_ul",
                 WASTE: "waste_total_ul", RETURN: "return_total_ul",
                 ADJUSTMENT: "adjustment_total_ul", STOCKTAKE_CORRECTION: "stocktake_total_ul",
                 REVERSAL: "reversal_total_ul", TRANSFER_OUT: "transfer_out_total_ul",
                 TRANSFER_IN: "transfer_in_total_ul",
                 TRANSFER_DIFFERENCE: "transfer_difference_total_ul"}
STATE_CHANGES = {  # action: (states it may start from, state it leads to)
    "quarantine": ({AVAILABLE}, QUARANTINED), "release": ({QUARANTINED}, AVAILABLE),
    "recall": ({AVAILABLE, QUARANTINED}, RECALLED)}


class Product(db.Model):
    """A strength of sclerosant in one kind of container."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The database itself refuses an ingredient that is not on the list of sclerosants.
    active_ingredient: Mapped[str] = mapped_column(ForeignKey("sclerosants.name"))
    strength_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    container_type: Mapped[str] = mapped_column(String(20))
    container_volume_ul: Mapped[int] = mapped_column(Integer)
    single_use: Mapped[bool] = mapped_column(Boolean, default=True)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    max_volume_per_session_ul: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Sealed containers in usable batches at or below which the managers' notice says to
    # reorder; None: not watched.
    reorder_level_containers: Mapped[int | None] = mapped_column(Integer)

    sclerosant: Mapped[Sclerosant] = relationship(lazy="joined", innerjoin=True)

    def dose_mg(self, volume_ul: int) -> Decimal:
        """mg of active ingredient in `volume_ul` of this product."""
        return dose_mg(volume_ul, self.strength_percent)

    @property
    def dose_label(self) -> str:
        """What its doses are labelled with: its own ingredient, e.g. "polidocanol mg"."""
        return f"{self.sclerosant.short_name} mg"

    def __str__(self) -> str:
        return self.name


class Batch(db.Model):
    """A batch (lot) of one product, with its running balance."""

    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("product_id", "batch_number", name="uq_batches_product_batch_number"),
        CheckConstraint("balance_ul >= 0", name="balance_ul_not_negative"),
        CheckConstraint("sealed_containers >= 0", name="sealed_containers_not_negative"),
        Index("ix_batches_expires_on", "expires_on"),
        Index("ix_batches_batch_number", "batch_number"),
        Index("ix_batches_product_id_id", "product_id", "id"),  # a page in product order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    batch_number: Mapped[str] = mapped_column(String(40))
    expires_on: Mapped[date] = mapped_column(Date)
    supplier: Mapped[str] = mapped_column(String(120))
    delivery_reference: Mapped[str] = mapped_column(String(60))
    received_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default=AVAILABLE)
    # Running balances, changed only together with a ledger entry in the same transaction.
    balance_ul: Mapped[int] = mapped_column(Integer, default=0)
    sealed_containers: Mapped[int] = mapped_column(Integer, default=0)
    receipt_total_ul: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    administration_total_ul: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    waste_total_ul: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    return_total_ul: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    adjustment_total_ul: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stocktake_total_ul: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reversal_total_ul: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reversal_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    transfer_out_total_ul: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    transfer_in_total_ul: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    transfer_difference_total_ul: Mapped[int] = mapped_column(Integer, default=0,
                                                              server_default="0")

    product: Mapped[Product] = relationship(lazy="joined", innerjoin=True)

    def is_expired(self, on: date | None = None) -> bool:
        """Expired from the day after its expiry date (usable on the date itself)."""
        return is_expired(self.expires_on, on or local_today())

    def facts(self) -> BatchFacts:
        """The batch as rule 7 sees it."""
        return BatchFacts(label=str(self), product_id=self.product_id,
                          received_on=self.received_on, expires_on=self.expires_on,
                          recalled=self.state == RECALLED, quarantined=self.state == QUARANTINED)

    @property
    def in_transit_ul(self) -> int:
        """Volume sent from one location and not yet received at (or back at) another."""
        return -((self.transfer_out_total_ul or 0) + (self.transfer_in_total_ul or 0))

    @property
    def opened_ul(self) -> int:
        """Volume left in opened containers: what the batch holds beyond its sealed ones."""
        return self.balance_ul - self.sealed_containers * self.product.container_volume_ul

    def post(self, entry_type: str, quantity_ul: int, containers: int = 0, *,
             stock: "BatchStock", **fields) -> "LedgerEntry":
        """Move the running balance, kept total and part held at `stock`'s location by one
        new ledger entry, returned; no balance goes below zero, and a recall is final: nothing
        is added to a recalled batch (what comes out of transit was the batch's already)."""
        if self.state == RECALLED and entry_type not in TRANSIT and max(quantity_ul,
                                                                       containers) > 0:
            raise BatchRecalled(f"{self} has been recalled; stock cannot be added.")
        _refuse_below_zero(self, stock, quantity_ul, containers)
        self.balance_ul += quantity_ul
        self.sealed_containers += containers
        stock.balance_ul = (stock.balance_ul or 0) + quantity_ul
        stock.sealed_containers = (stock.sealed_containers or 0) + containers
        # A batch created in this transaction has no column defaults until it is flushed.
        total = TOTAL_COLUMNS[entry_type]
        setattr(self, total, (getattr(self, total) or 0) + quantity_ul)
        if entry_type == REVERSAL:
            self.reversal_count = (self.reversal_count or 0) + 1
        return LedgerEntry(batch=self, entry_type=entry_type, quantity_ul=quantity_ul,
                           containers=containers, balance_after_ul=self.balance_ul,
                           containers_after=self.sealed_containers,
                           location_id=stock.location_id, **fields)

    def reverse(self, entry: "LedgerEntry", already_reversed: bool, *, stock: "BatchStock",
                **fields) -> "LedgerEntry":
        """Post the exact opposite of one of this batch's entries, once; a reversal is never
        itself reversed."""
        if entry.entry_type == REVERSAL:
            raise StockRefusal("A reversal cannot itself be reversed; record a new entry.")
        if already_reversed:
            raise AlreadyReversed()
        return self.post(REVERSAL, -entry.quantity_ul, -entry.containers, stock=stock,
                         reverses_id=entry.id, **fields)

    def change_state(self, action: str) -> None:
        """Quarantine, release or recall (one of STATE_CHANGES); a recall is final."""
        allowed_from, target = STATE_CHANGES[action]
        if self.state not in allowed_from:
            raise StockRefusal(f"{self} is {self.state}: it cannot be {action}d.")
        self.state = target

    def status(self, on: date | None = None, held_ul: int | None = None) -> str:
        """What a person should be told: recalled, quarantined, expired, exhausted or available
        (exhausted: nothing `held_ul` at one location; the batch, nothing left nor in transit)."""
        if self.state != AVAILABLE:
            return self.state
        if self.is_expired(on):
            return EXPIRED
        if held_ul is not None:
            return EXHAUSTED if held_ul == 0 else AVAILABLE
        return EXHAUSTED if self.balance_ul == 0 and not self.in_transit_ul else AVAILABLE

    def __str__(self) -> str:
        return f"{self.product.name} batch {self.batch_number}"


def _refuse_below_zero(batch: Batch, stock: "BatchStock", quantity_ul: int,
                       containers: int) -> None:
    here_ul, here_sealed = stock.balance_ul or 0, stock.sealed_containers or 0
    if min(batch.balance_ul + quantity_ul, batch.sealed_containers + containers,
           here_ul + quantity_ul, here_sealed + containers) < 0:
        raise InsufficientStock(f"{batch} holds {here_ul / 1000:g} ml in {here_sealed} sealed "
                                f"containers here; this needs {-quantity_ul / 1000:g} ml.",
                                field="quantity")


class LedgerEntry(db.Model):
    """One signed movement of stock; never updated or deleted."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_batch_id_id", "batch_id", "id"),
                      Index("ix_ledger_entries_occurred_on", "occurred_on"),
                      # The late entries of a date range are found by when they were entered.
                      Index("ix_ledger_entries_recorded_at", "recorded_at"),
                      Index("ix_ledger_entries_location_occurred_on_id", "location_id",
                            "occurred_on", postgresql_include=["id"]))  # audit scope: keys only
    # What a witness signs: the movement itself, not the links added around it.
    __signed_fields__ = ("id", "batch_id", "entry_type", "quantity_ul", "containers",
                         "occurred_on", "reason", "waste_reason")

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    # Where the stock moved (D7): the location's part of the batch moved with it.
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    entry_type: Mapped[str] = mapped_column(String(30))
    quantity_ul: Mapped[int] = mapped_column(Integer)
    containers: Mapped[int] = mapped_column(Integer, default=0)
    balance_after_ul: Mapped[int] = mapped_column(Integer)
    containers_after: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    occurred_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    waste_reason: Mapped[str | None] = mapped_column(String(30))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    stocktake_id: Mapped[int | None] = mapped_column(ForeignKey("stocktakes.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id"))
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    batch: Mapped[Batch] = relationship()
    actor = relationship("User", foreign_keys=[actor_id])
    witness = relationship("User", foreign_keys=[witness_id])
    reverses = relationship("LedgerEntry", remote_side=[id], foreign_keys=[reverses_id])
