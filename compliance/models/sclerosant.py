"""The sclerosants a product may hold (D2), kept as data."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from compliance.extensions import db


class Sclerosant(db.Model):
    """An active ingredient a product may hold: the list of sclerosants kept as data (D2)."""

    __tablename__ = "sclerosants"
    __audit_exempt__ = ("reference data inserted by migrations (compliance/seeds.py); the "
                        "application never changes it")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # What doses are labelled with ("STS", "polidocanol").
    short_name: Mapped[str] = mapped_column(String(40))
