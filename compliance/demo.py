"""Demo data for `make run`: a realistic small clinic, never for production."""

from dataclasses import dataclass

from compliance.services import accounts
from compliance.services.accounts import Profile
from compliance.services.passwords import verify_password


@dataclass(frozen=True)
class DemoUser:
    profile: Profile
    password: str


DEMO_USERS = (
    DemoUser(Profile("manager@demo.clinic", "Maria Lopez", {"manager"}),
             "Stock-Ledger-Demo-2026"),
    DemoUser(Profile("dr.patel@demo.clinic", "Dr Anita Patel", {"prescriber", "manager"},
                     "doctor", "GMC", "7123456"), "Sclero-Doctor-Demo-2026"),
    DemoUser(Profile("nurse.jones@demo.clinic", "Rhiannon Jones", {"prescriber"},
                     "nurse", "NMC", "12A3456E"), "Sclero-Nurse-Demo-2026"),
    DemoUser(Profile("inspector@demo.clinic", "Tom Whitfield", {"inspector"}),
             "Audit-Inspector-Demo-2026"),
)


def load() -> None:
    """Create the demo clinic; the caller has checked the database is empty."""
    for demo in DEMO_USERS:
        accounts.create_user(None, Profile(**vars(demo.profile)), demo.password)


def working_credentials() -> list[tuple[str, str, str]]:
    """(email, password, roles) of demo users whose demo password still works."""
    rows = []
    for demo in DEMO_USERS:
        user = accounts.find_by_email(demo.profile.email)
        if user and user.is_active and verify_password(user.password_hash, demo.password):
            rows.append((user.email, demo.password, ", ".join(sorted(user.roles))))
    return rows
