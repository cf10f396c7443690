"""Builders of test records with sensible defaults."""

from itertools import count

from compliance.extensions import db
from compliance.models import User
from compliance.services.passwords import hash_password

PASSWORD = "Correct-Horse-Battery-9"
_sequence = count(1)

ROLE_PROFILES = {
    "doctor": dict(roles={"prescriber"}, profession="doctor", register="GMC",
                   registration_number="7000001"),
    "nurse": dict(roles={"prescriber"}, profession="nurse", register="NMC",
                  registration_number="12A3456E"),
    "manager": dict(roles={"manager"}),
    "inspector": dict(roles={"inspector"}),
}


def make_user(kind: str = "manager", **fields) -> User:
    """A committed user of one of ROLE_PROFILES' kinds, with PASSWORD."""
    n = next(_sequence)
    values = dict(email=f"{kind}{n}@test.clinic", full_name=f"{kind.title()} {n}",
                  password_hash=hash_password(PASSWORD), **ROLE_PROFILES[kind])
    values.update(fields)
    roles = values.pop("roles")
    user = User(**values)
    user.roles = roles
    db.session.add(user)
    db.session.commit()
    return user
