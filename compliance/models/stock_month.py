"""Kept sums of the stock ledger per location and month, for the monthly charts and the
reconciliation of chosen locations."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from compliance.extensions import db


class StockMonth(db.Model):
    """Stock moved per product, location, month and kind of entry, and how many entries:
    kept in the same transaction as each ledger entry, so that neither the charts nor a
    location's reconciliation sum ten years of ledger."""

    __tablename__ = "stock_months"
    __audit_exempt__ = "a sum of ledger entries, each audited; rebuilt by flask stock check"
    # The charts read months of chosen locations (the first) or of every location (the
    # second); the key leads with the product.
    __table_args__ = (Index("ix_stock_months_location_month", "location_id", "month"),
                      Index("ix_stock_months_month", "month"))

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    entry_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    quantity_ul: Mapped[int] = mapped_column(Integer, default=0)
    entries: Mapped[int] = mapped_column(Integer, default=0)
