"""Forms sent after the idle timeout: kept for the user whose session it was, for 30 minutes,
and given back once, to that user only, to be filled in again (never submitted for them)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, exists, select

from compliance.clock import utcnow
from compliance.extensions import db
from compliance.models import KeptForm
from compliance.services.unit_of_work import unit_of_work

KEEP_FOR = timedelta(minutes=30)
# Longer than any text the app accepts (4,000 characters): a longer value is not the user's
# typing. It is dropped, never cut short, so that a shortened note is not submitted unnoticed.
MAX_VALUE_CHARS = 5_000
MAX_TOTAL_CHARS = 50_000
MAX_FIELDS = 200
MAX_NAME_CHARS = 100
# Never kept: the CSRF token (it belongs to the session that ended) and anything that proves
# who someone is (passwords, their repetition, second-factor and recovery codes). Matched on
# the name without a form's prefix ("inj-", "rev-"); "barcode" is a pack's code, kept.
SECRET_NAME = re.compile(r"csrf|password|secret|^confirm|^code$|_code$")


@dataclass(frozen=True)
class Restored:
    """A kept form given back: the form's action on its page, and what was typed into it."""

    action_url: str
    fields: list[list[str]]


def is_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name.rsplit("-", 1)[-1].lower()))


def keepable(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The fields worth keeping, in order: no secrets, no outsized values, within the caps."""
    kept, total = [], 0
    for name, value in pairs:
        if is_secret(name) or len(name) > MAX_NAME_CHARS or len(value) > MAX_VALUE_CHARS:
            continue
        if len(kept) == MAX_FIELDS or total + len(value) > MAX_TOTAL_CHARS:
            break
        kept.append([name, value])
        total += len(value)
    return kept


def _discard_expired() -> None:
    db.session.execute(delete(KeptForm).where(KeptForm.kept_at < utcnow() - KEEP_FOR))


@unit_of_work("keep a form sent after the idle timeout")
def keep(user, page_url: str, action_url: str, pairs: Iterable[tuple[str, str]]) -> bool:
    """Keep what `user` sent to `action_url` from `page_url`; False when nothing was worth
    keeping. A second form sent from the same page replaces the first (a double tap)."""
    _discard_expired()
    db.session.execute(delete(KeptForm).where(KeptForm.user_id == user.id,
                                              KeptForm.page_url == page_url))
    fields = keepable(pairs)
    if not fields:
        return False
    db.session.add(KeptForm(user_id=user.id, page_url=page_url, action_url=action_url,
                            fields=fields, kept_at=utcnow()))
    return True


@unit_of_work("restore a form kept at the idle timeout")
def take(user, page_url: str) -> Restored | None:
    """The form `user` sent from `page_url`, if kept and recent; it is deleted as it is given
    back, so that it is filled in once."""
    _discard_expired()
    row = db.session.scalar(select(KeptForm).where(
        KeptForm.user_id == user.id, KeptForm.page_url == page_url)
        .order_by(KeptForm.id.desc()).limit(1))
    if row is None:
        return None
    restored = Restored(row.action_url, row.fields)
    db.session.delete(row)
    return restored


def waiting(user_id: int) -> bool:
    """Whether a recent kept form of `user_id`'s waits to be given back."""
    return bool(db.session.scalar(select(exists().where(
        KeptForm.user_id == user_id, KeptForm.kept_at >= utcnow() - KEEP_FOR))))
