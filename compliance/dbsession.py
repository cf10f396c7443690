"""The application's database session: the primary's, except for a report's reads, which may be
sent to a streaming replica (compliance/replica.py) for the rest of the request.

It is SQLAlchemy's routing session ("Partitioning Strategies" in the ORM docs): `get_bind`
chooses the engine per statement. While `session.info[READS_FROM]` names the replica's engine,
reads go there; a flush and every INSERT, UPDATE, DELETE or SELECT ... FOR UPDATE still go to
the primary, and from a transaction's first flush on everything does, so a write can never land
on (or fail against) the read-only replica. A unit of work leaves the replica before it begins
(`begin_write`): what a write checks is read from the primary.
"""

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.dml import UpdateBase

READS_FROM = "reads_from"


def _writes(clause) -> bool:
    return isinstance(clause, UpdateBase) or getattr(clause, "_for_update_arg", None) is not None


class RoutingSession(FlaskSession):
    """Flask-SQLAlchemy's session, whose reads follow `info[READS_FROM]` when it is set."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        replica = self.info.get(READS_FROM)
        if replica is not None and bind is None and not self._flushing \
                and not _writes(clause):
            return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@event.listens_for(RoutingSession, "before_flush")
def _writes_read_the_primary(session, _context, _instances) -> None:
    # From its first write on, a transaction reads from the primary too: what the commit's
    # hooks read over `session.connection()` (the audit chain's head) must be the primary's.
    session.info.pop(READS_FROM, None)


def unwrapped(session):
    """The Session itself, also when given Flask-SQLAlchemy's scoped_session."""
    return session() if hasattr(session, "registry") else session


def end_transaction_keeping_values(session) -> None:
    """Commit what the session holds without expiring what it has loaded: the signed-in user,
    loaded from the primary at the start of the request, stays as the primary gave it."""
    session = unwrapped(session)
    if not session.in_transaction():
        return
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def read_from(session, engine) -> None:
    """Send the session's reads to `engine` from its next transaction on."""
    end_transaction_keeping_values(session)
    unwrapped(session).info[READS_FROM] = engine


def stop_reading_replica(session) -> None:
    """Back to the primary for everything: the replica's transaction (read-only) is ended."""
    session = unwrapped(session)
    if session.info.get(READS_FROM) is None:
        return
    try:
        end_transaction_keeping_values(session)
    except SQLAlchemyError:
        # The replica failed (went away) mid-read: there was nothing to keep.
        session.rollback()
    session.info.pop(READS_FROM, None)


def reading_replica(session) -> bool:
    return unwrapped(session).info.get(READS_FROM) is not None
