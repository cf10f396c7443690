"""Workflows: check permission and rules, write, and commit once."""

from compliance.errors import NotPermitted
from compliance.permissions import can


def ensure_can(actor, capability: str) -> None:
    """Refuse with NotPermitted unless `actor` holds `capability`."""
    if not can(actor, capability):
        raise NotPermitted()
