"""What a refused request must leave as it was: a cheap fingerprint of the database."""

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import AuditEvent

# Audit events that record an attempt or a reading, not a change; they and the sign-in
# throttle are written by refusals on purpose, so the fingerprint leaves them out.
AUDIT_ONLY = ("login", "login_failed", "lockout", "logout", "refused", "signature_refused",
              "export", "verify")
ATTEMPT_TABLES = ("audit_events", "login_throttles")


def fingerprint() -> dict[str, int]:
    """Rows in every table, and audit events that record a change (every update is
    audited): equal before and after means nothing was written. Read on a connection of its
    own, so it sees what was committed."""
    tables = [table for table in db.metadata.sorted_tables if table.name not in ATTEMPT_TABLES]
    counts = [select(func.count()).select_from(table).scalar_subquery() for table in tables]
    changes = (select(func.count()).select_from(AuditEvent)
               .where(AuditEvent.action.not_in(AUDIT_ONLY)).scalar_subquery())
    with db.engine.connect() as connection:
        row = connection.execute(select(*counts, changes)).one()
    return dict(zip([table.name for table in tables] + ["audited changes"], row, strict=True))
