"""The one transaction boundary of every write (cosmicpython's unit of work).

A workflow decorated with `unit_of_work` opens the writing transaction, runs with its changes
attributed to the acting user, and commits once at the end. A `DomainError` rolls back
everything the workflow (and any workflow it called) wrote, and records the refusal in a
transaction of its own. Services never commit or roll back themselves.
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from compliance.database import begin_write
from compliance.errors import DomainError
from compliance.extensions import db
from compliance.services.audit import Actor, acting_as, actor_of, current_actor, record_event

# The running unit of work's name, in a list so that a unit named None (a wrapper such as
# the one-time form submission) takes the name of the first workflow it runs.
_running: ContextVar[list[str | None] | None] = ContextVar("unit_of_work_running", default=None)
# What the running unit of work asked to do once it has committed (mail about it, say).
_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "unit_of_work_after_commit", default=None)


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` once the running unit of work has committed, never if it rolls back;
    outside a unit of work, at once (there is nothing to wait for)."""
    waiting = _after_commit.get()
    if waiting is None:
        action()
    else:
        waiting.append(action)


@contextmanager
def _inside(name: list[str | None]):
    token = _running.set(name)
    try:
        yield
    finally:
        _running.reset(token)


@contextmanager
def _collecting(waiting: list[Callable[[], None]]):
    token = _after_commit.set(waiting)
    try:
        yield
    finally:
        _after_commit.reset(token)


def _commit_alone(write: Callable[[], None]) -> None:
    """Roll back whatever is pending, then commit `write`'s changes on their own."""
    db.session.rollback()
    begin_write(db.session)
    write()
    db.session.commit()


def record_refused(attempt: str, error: DomainError, actor: Actor | None = None) -> None:
    """The "refused" event of an attempt: who tried what, and the rule that refused it."""
    record_event("refused", actor=actor, rule=error.rule, detail=f"{attempt}: {error.message}")


def _record_refusal(who: Actor, attempt: str, error: DomainError) -> None:
    """What a refusal leaves behind, once the refused change is rolled back: the events the
    error carries (a refused signature) and, for a refused rule, who tried what."""

    def write() -> None:
        for refusal_write in error.refusal_writes:
            refusal_write()
        if error.audited:
            record_refused(attempt, error, who)

    if error.refusal_writes or error.audited:
        _commit_alone(write)
    else:
        db.session.rollback()


def _run(service, who: Actor, attempt: str | None, args, kwargs):
    begin_write(db.session)
    # What the view read before the write began may be stale: read it again on use.
    db.session.expire_all()
    name, waiting = [attempt], []
    with acting_as(who), _inside(name), _collecting(waiting):
        try:
            result = service(*args, **kwargs)
            db.session.commit()
        except DomainError as error:
            _record_refusal(who, name[0] or "act", error)
            raise
        except BaseException:
            db.session.rollback()
            raise
    # Outside the unit: what these actions write is a unit of work of its own.
    for action in waiting:
        action()
    return result


def unit_of_work(attempt: str | None):
    """Decorate a service whose first argument is the acting user (None keeps whoever is
    already acting, as the command line does). Called from another service, it joins that
    service's transaction. A unit named None is named by the first workflow it runs."""

    def decorator(service):
        @wraps(service)
        def wrapped(actor, *args, **kwargs):
            running = _running.get()
            if running is not None:
                if running[0] is None:
                    running[0] = attempt
                return service(actor, *args, **kwargs)
            who = actor_of(actor) if actor is not None else current_actor()
            return _run(service, who, attempt, (actor, *args), kwargs)

        return wrapped

    return decorator


@unit_of_work("record an event")
def record_alone(_actor, action: str, **fields) -> None:
    """Commit one event (an export, a verification) as a unit of work of its own: called from
    a read-only view, it neither waits on nor fails against other writers. (Called inside
    another unit of work it joins that one, like any workflow.)"""
    record_event(action, **fields)
