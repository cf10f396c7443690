"""The one capability table of D1 and the decorator that checks it.

Views and services ask `can(user, capability)`; nothing else looks at roles.
"""

from dataclasses import dataclass
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

PRESCRIBER = "prescriber"
MANAGER = "manager"
INSPECTOR = "inspector"
ROLES = (PRESCRIBER, MANAGER, INSPECTOR)
DOCTOR = "doctor"


@dataclass(frozen=True)
class Capability:
    """Who holds a capability: any of `roles`, and the profession when one is named."""

    roles: frozenset[str]
    profession: str | None = None

    def held_by(self, user) -> bool:
        if not user.roles & self.roles:
            return False
        return self.profession is None or user.profession == self.profession


def _any(*roles: str) -> Capability:
    return Capability(frozenset(roles))


CAPABILITIES: dict[str, Capability] = {
    "use_app": _any(*ROLES),
    "manage_users": _any(MANAGER),
    "view_reports": _any(MANAGER, INSPECTOR),
    "view_audit": _any(MANAGER, INSPECTOR),
    "view_stock": _any(*ROLES),
    "receive_stock": _any(MANAGER),
    "manage_stock": _any(MANAGER),
    "record_waste": _any(MANAGER, PRESCRIBER),
    "record_treatment": _any(PRESCRIBER),
    "record_injection": _any(PRESCRIBER),
    "sign_prescription": Capability(frozenset({PRESCRIBER}), profession=DOCTOR),
    "view_patients": _any(PRESCRIBER, MANAGER, INSPECTOR),
    "register_patients": _any(PRESCRIBER, MANAGER),
    "record_consultation": _any(PRESCRIBER),
    "record_follow_up": _any(PRESCRIBER),
    "manage_contraindications": _any(MANAGER),
    "manage_recall": _any(MANAGER),
}


def can(user, capability: str) -> bool:
    """Whether `user` holds `capability`; an unknown capability is a programming error."""
    rule = CAPABILITIES[capability]
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return rule.held_by(user)


def requires(capability: str):
    """Route decorator: login for anonymous users, 403 for those without `capability`."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not can(current_user, capability):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


def public(view):
    """Mark a route as open to anonymous visitors (the login page)."""
    view.required_capability = None
    return view
