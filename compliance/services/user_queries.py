"""Reading accounts: the list managers see."""

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import User


def users_by_name() -> list[User]:
    """Every account, active or not, in order of full name."""
    return list(db.session.scalars(select(User).order_by(User.full_name)))


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))
