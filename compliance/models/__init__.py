"""All models, imported here so Alembic and the audit registry see every table."""

from compliance.models.audit import AuditEvent, Signature
from compliance.models.user import LoginThrottle, User

__all__ = ["AuditEvent", "LoginThrottle", "Signature", "User"]
