"""All models, imported here so Alembic and the audit registry see every table."""

from compliance.models.audit import AuditEvent, Signature
from compliance.models.stock import Batch, LedgerEntry, Product, Stocktake, StocktakeLine
from compliance.models.user import LoginThrottle, User

__all__ = ["AuditEvent", "Batch", "LedgerEntry", "LoginThrottle", "Product", "Signature",
           "Stocktake", "StocktakeLine", "User"]
