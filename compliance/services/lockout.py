"""Failed password attempts per email address and the lockout they lead to (D1, D6): one
counter for signing in and for every password given for a signature, as witness or as
countersigner."""

from compliance.clock import utcnow
from compliance.database import insert_for
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models import LoginThrottle
from compliance.services.accounts import ensure_manager, find_by_email, normalise_email
from compliance.services.audit import Actor, current_actor, record_event
from compliance.services.unit_of_work import unit_of_work
from compliance.settings import setting

ANONYMOUS = Actor(None, "anonymous")


def throttle(email: str) -> LoginThrottle:
    """The email address's counter, locked for this transaction: parallel failed attempts
    each count (on PostgreSQL; a SQLite writer already holds the whole database)."""
    email = normalise_email(email)
    table = LoginThrottle.__table__
    db.session.execute(insert_for(db.session)(table).values(email=email, failed_count=0)
                       .on_conflict_do_nothing(index_elements=[table.c.email]))
    return db.session.get(LoginThrottle, email, with_for_update=True, populate_existing=True)


def is_locked(counter: LoginThrottle | None) -> bool:
    return bool(counter and counter.locked_until and counter.locked_until > utcnow())


def lock_minutes() -> int:
    return int(setting("LOCKOUT_PERIOD").total_seconds() // 60)


def count_failure(counter: LoginThrottle, user_id: int | None, detail: str,
                  typed_by: Actor = ANONYMOUS) -> bool:
    """Count one wrong password against `counter`, audited as typed by `typed_by`; True when
    it locks the account."""
    counter.failed_count += 1
    record_id = str(user_id) if user_id else None
    record_event("login_failed", actor=typed_by, table_name="users", record_id=record_id,
                 detail=detail)
    if counter.failed_count < setting("LOCKOUT_THRESHOLD"):
        return False
    counter.failed_count = 0
    counter.locked_until = utcnow() + setting("LOCKOUT_PERIOD")
    record_event("lockout", actor=ANONYMOUS, table_name="users", record_id=record_id,
                 detail=f"Sign-in for {counter.email} locked until {counter.locked_until}")
    return True


def count_wrong_signature(email: str, user_id: int, meaning: str) -> None:
    """A wrong password given for a signature is a failed sign-in of the signer's account,
    recorded as typed by whoever sent the form (a witness's password is typed at another's
    session)."""
    count_wrong_password(email, user_id, f"for a signature '{meaning}'")


def count_wrong_password(email: str, user_id: int, given_for: str) -> None:
    """A wrong password given anywhere but the sign-in page is a failed sign-in too."""
    email = normalise_email(email)
    count_failure(throttle(email), user_id, f"Wrong password for {email} given {given_for}",
                  current_actor())


def count_wrong_code(email: str, user_id: int, given_for: str) -> None:
    """A wrong or reused second-factor code counts as a wrong password does."""
    email = normalise_email(email)
    count_failure(throttle(email), user_id,
                  f"Wrong or reused second-factor code for {email} given {given_for}",
                  current_actor())


@unit_of_work("unlock an account")
def unlock(actor, email: str, reason: str) -> None:
    """Lift the lock on `email`'s sign-in and signatures, and clear its failure count, saying
    why (a user locked out who has been identified)."""
    ensure_manager(actor)
    if not (reason or "").strip():
        raise InvalidInput("Give a reason for the change.", field="reason")
    counter = throttle(email)
    if not is_locked(counter) and not counter.failed_count:
        raise InvalidInput(f"{counter.email} is not locked and has no failed attempts.")
    user = find_by_email(email)
    record_event("unlock", table_name="users", record_id=str(user.id) if user else None,
                 reason=reason.strip(),
                 detail=f"Sign-in lock and failed attempts cleared for {counter.email}")
    counter.failed_count, counter.locked_until = 0, None
