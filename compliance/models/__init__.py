"""All models, imported here so Alembic and the audit registry see every table."""

from compliance.models.user import LoginThrottle, User

__all__ = ["LoginThrottle", "User"]
