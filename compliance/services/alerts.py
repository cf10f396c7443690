"""Mail sent at once rather than with the daily notice (D8): a failed verification or replay
of the audit trail, a recalled batch. Each is sent after the work it is about has committed."""

from compliance.clock import to_local, utcnow
from compliance.services.mail import send_quietly
from compliance.services.unit_of_work import after_commit
from compliance.settings import setting


def _send_later(kind: str, subject: str, body: str) -> None:
    after_commit(lambda: send_quietly(kind, subject, body))


def verification_failed(summary: str) -> None:
    """The audit trail's hash chain did not verify: someone must look today."""
    _send_later("verification failed",
                f"{setting('CLINIC_NAME')}: the audit trail failed verification",
                f"The verification of the audit trail at {to_local(utcnow()):%d %b %Y %H:%M} "
                f"found:\n\n{summary}\n\nThe trail's records can no longer be trusted until "
                "this is explained. Its page in the product (Audit, Verification) shows the "
                "event named.\n")


def replay_failed(summary: str) -> None:
    """Live rows disagree with the new values of their audit events: changed outside the
    application, or their events were."""
    _send_later("replay failed",
                f"{setting('CLINIC_NAME')}: the tables disagree with the audit trail",
                f"The replay of the audit trail at {to_local(utcnow()):%d %b %Y %H:%M} "
                f"found:\n\n{summary}\n\n`flask audit replay` lists every row and column "
                "that differs; the product's verification page (Audit, Verification) shows the "
                "first few. Those rows cannot be trusted until this is explained.\n")


def batch_recalled(batch, reason: str, by: str, patients: int) -> None:
    """A batch was recalled: what it still holds, and how many patients received it."""
    _send_later("recall", f"{setting('CLINIC_NAME')}: batch {batch.batch_number} recalled",
                f"{batch} (expires {batch.expires_on:%d %b %Y}) was recalled by {by}.\n"
                f"Reason: {reason}\n\n"
                f"It still holds {batch.balance_ul / 1000:g} ml in {batch.sealed_containers} "
                f"sealed containers: return or dispose of them.\n"
                f"Patients who received it: {patients or 'none'}; the batch's recall log in "
                "the product lists them for contact.\n")
