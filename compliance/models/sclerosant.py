"""The sclerosants a product may hold (D2), kept as data."""

from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from compliance.extensions import db


def dose_mg(volume_ul: int, strength_percent) -> Decimal:
    """mg of active ingredient = ml x % x 10."""
    return Decimal(volume_ul) / 1000 * Decimal(strength_percent) * 10


class Sclerosant(db.Model):
    """An active ingredient a product may hold: the list of sclerosants kept as data (D2)."""

    __tablename__ = "sclerosants"
    __audit_exempt__ = ("reference data inserted by migrations (compliance/seeds.py); the "
                        "application never changes it")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # What doses are labelled with ("STS", "polidocanol").
    short_name: Mapped[str] = mapped_column(String(40))
