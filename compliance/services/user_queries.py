"""Reading accounts: the list managers see."""

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import User
from compliance.permissions import holds


def users_by_name() -> list[User]:
    """Every account, active or not, in order of full name."""
    return list(db.session.scalars(select(User).order_by(User.full_name)))


def prescribers() -> list[tuple[int, str]]:
    """(id, name) of everyone who holds the treatment capability, by name: the prescriber
    filter of the reports."""
    return [(user.id, user.full_name) for user in users_by_name()
            if holds(user, "record_treatment")]


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))
