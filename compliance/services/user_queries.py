"""Reading accounts: the list managers see."""

from dataclasses import dataclass

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import User
from compliance.models.user import role_set
from compliance.permissions import holds


def users_by_name() -> list[User]:
    """Every account, active or not, in order of full name."""
    return list(db.session.scalars(select(User).order_by(User.full_name)))


@dataclass(frozen=True)
class _Holder:
    """What the capability table asks of a user, read without loading the account."""

    role_names: str
    profession: str
    all_locations: bool

    @property
    def roles(self) -> frozenset[str]:
        return role_set(self.role_names)


def prescribers() -> list[tuple[int, str]]:
    """(id, name) of everyone who holds the treatment capability, by name: the prescriber
    filter of the reports (four columns a user: a national provider has hundreds)."""
    rows = db.session.execute(select(User.id, User.full_name, User.role_names, User.profession,
                                     User.all_locations).order_by(User.full_name)).all()
    held: dict[tuple, bool] = {}  # asked once per kind of account, not once per account
    for _uid, _name, *facts in rows:
        if (key := tuple(facts)) not in held:
            held[key] = holds(_Holder(*key), "record_treatment")
    return [(uid, name) for uid, name, *facts in rows if held[tuple(facts)]]


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))
