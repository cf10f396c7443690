"""The one capability table of D1 and the decorator that checks it.

Views, templates and services ask `can(user, capability, record)`; nothing else looks at roles,
professions or who owns a record.
"""

from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from compliance.rules.waste import (
    BREAKAGE,
    EXPIRY_DISPOSAL,
    OPENED_REMAINDER,
    OTHER,
    WASTE_REASONS,
)

PRESCRIBER = "prescriber"
MANAGER = "manager"
INSPECTOR = "inspector"
ROLES = (PRESCRIBER, MANAGER, INSPECTOR)
DOCTOR = "doctor"


# Treatment sessions, prescriptions and consultations all name their owner so (D1 ownership).
OWNER_FIELD = "prescriber_id"


@dataclass(frozen=True)
class Capability:
    """Who holds a capability: any of `roles`, and the profession when one is named; only a
    group-wide user (`User.all_locations`) when `group_wide`. On a given record, only its owner
    when `own_records_only`, and only someone who works at its location when
    `at_own_location` (D7)."""

    roles: frozenset[str]
    profession: str | None = None
    own_records_only: bool = False
    group_wide: bool = False
    at_own_location: bool = False

    def held_by(self, user) -> bool:
        if not user.roles & self.roles:
            return False
        if self.group_wide and not getattr(user, "all_locations", False):
            return False
        return self.profession is None or user.profession == self.profession

    def allows(self, user, record) -> bool:
        if not self.held_by(user):
            return False
        if record is None:
            return True
        if self.at_own_location:
            return _works_at(user, record)
        return not self.own_records_only or getattr(record, OWNER_FIELD) == user.id


def _works_at(user, record) -> bool:
    """Whether `user` works at the (active) location of `record`; a Location is its own."""
    from compliance import locations
    from compliance.models.location import Location

    location_id = record.id if isinstance(record, Location) else record.location_id
    return locations.works_at(user, location_id)


def _any(*roles: str) -> Capability:
    return Capability(frozenset(roles))


def _own(*roles: str) -> Capability:
    return Capability(frozenset(roles), own_records_only=True)


def _doctor(own_records_only: bool = False) -> Capability:
    return Capability(frozenset({PRESCRIBER}), DOCTOR, own_records_only)


CAPABILITIES: dict[str, Capability] = {
    "use_app": _any(*ROLES),
    "manage_users": _any(MANAGER),
    "view_reports": _any(MANAGER, INSPECTOR),
    "view_audit": _any(MANAGER, INSPECTOR),
    # Running the verification appends its outcome to the trail; inspectors may still run it.
    "verify_audit": _any(MANAGER, INSPECTOR),
    # The managers' notices (D8): they receive them, and only they preview them.
    "receive_notices": _any(MANAGER),
    # Marking a compliance exception reviewed, with a note: the managers act on exceptions;
    # an inspector reads who reviewed what, and never reviews.
    "review_exceptions": _any(MANAGER),
    "view_stock": _any(*ROLES),
    "receive_stock": _any(MANAGER),
    "manage_stock": _any(MANAGER),
    # Waste of what was opened or broken at the chair (D1); which reasons: WASTE_REASON_NEEDS.
    "record_waste": _any(MANAGER, PRESCRIBER),
    # Expiry disposal and any other disposal of stock stay with managers (D1).
    "dispose_of_stock": _any(MANAGER),
    # Who may witness a disposal or countersign a stocktake: never an inspector (D1).
    "witness": _any(MANAGER, PRESCRIBER),
    # Transfers between locations (D7): a manager sends and cancels, at the sending location;
    # a manager or prescriber at the receiving location confirms what arrived.
    "send_transfer": _any(MANAGER),
    "receive_transfer": _any(MANAGER, PRESCRIBER),
    "cancel_transfer": _any(MANAGER),
    "record_treatment": _any(PRESCRIBER),
    "record_injection": _own(PRESCRIBER),
    "sign_session": _own(PRESCRIBER),
    "add_addendum": _own(PRESCRIBER),
    # A session opened by mistake, before any injection (D4.5).
    "void_session": _own(PRESCRIBER),
    "write_prescription": _doctor(),
    "sign_prescription": _doctor(own_records_only=True),
    "view_patients": _any(PRESCRIBER, MANAGER, INSPECTOR),
    "register_patients": _any(PRESCRIBER, MANAGER),
    "record_consultation": _any(PRESCRIBER),
    "correct_consultation": _own(PRESCRIBER),
    "record_follow_up": _any(PRESCRIBER),
    "manage_contraindications": _any(MANAGER),
    "manage_recall": _any(MANAGER),
    # D7: managers see the locations and storage areas (each only those they may see); a
    # group-wide manager adds a location, deactivates one and makes an account group-wide; a
    # manager who works at a location changes it, its storage areas and who works there.
    "view_locations": _any(MANAGER),
    "create_location": Capability(frozenset({MANAGER}), group_wide=True),
    "edit_location": Capability(frozenset({MANAGER}), at_own_location=True),
    # Storage temperatures (D7): everyone reads them; those who work at a location take its
    # readings (services check where they work); a manager imports a data logger's file.
    "view_temperatures": _any(*ROLES),
    "record_temperature": _any(MANAGER, PRESCRIBER),
    "import_temperatures": _any(MANAGER),
}


# The capability each waste reason needs: a prescriber records breakage and opened remainders
# only, a manager every reason (D1).
WASTE_REASON_NEEDS = {OPENED_REMAINDER: "record_waste", BREAKAGE: "record_waste",
                      EXPIRY_DISPOSAL: "dispose_of_stock", OTHER: "dispose_of_stock"}


def waste_reasons(user) -> tuple[str, ...]:
    """The waste reasons `user` may record, in the order of WASTE_REASONS."""
    return tuple(reason for reason in WASTE_REASONS if can(user, WASTE_REASON_NEEDS[reason]))


def can(user, capability: str, record=None) -> bool:
    """Whether the signed-in `user` holds `capability`, on `record` when one is given (its
    owner only, for a capability limited to one's own records); an unknown capability is a
    programming error."""
    rule = CAPABILITIES[capability]
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return rule.allows(user, record)


def holds(user, capability: str) -> bool:
    """Whether `user`'s roles and profession grant `capability`, signed in or not: a fact
    about who made a record (a prescription's signer), not a permission to act now."""
    return CAPABILITIES[capability].held_by(user)


def has_profession_for(user, capability: str) -> bool:
    """Whether `user`'s profession is the one `capability` names: who signed a prescription
    stays a doctor's signature when their roles change later."""
    return CAPABILITIES[capability].profession in (None, user.profession)


def _record_refusal(capability: str) -> None:
    """One refused event per refused request (D4); a failure to record it is logged and
    must not turn the 403 into a 500."""
    from compliance.services.refusals import record_refusal

    # The path is the visitor's own text: no NUL (PostgreSQL refuses it) and not unbounded.
    path = request.path.replace("\x00", "")[:300]
    try:
        record_refusal(current_user, f"{request.method} {path}", capability)
    except Exception:  # noqa: BLE001 - the refusal stands whether or not it was recorded
        current_app.logger.exception("could not record a refusal of %s", capability)


def requires(capability: str):
    """Route decorator: login for anonymous users, 403 (recorded as a refused attempt) for
    those without `capability`."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not can(current_user, capability):
                _record_refusal(capability)
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


def public(view):
    """Mark a route as open to anonymous visitors (the login page)."""
    view.required_capability = None
    return view
