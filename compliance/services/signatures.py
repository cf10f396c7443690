"""Electronic signatures (D6): password re-entered, meaning, printed name, registration,
time, and the hash of the exact record version signed."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import inspect, select

from compliance.clock import utcnow
from compliance.errors import SignatureRefused
from compliance.extensions import db
from compliance.models import Signature
from compliance.services.audit import actor_of, canonical, record_event, record_key, serialise
from compliance.services.passwords import verify_password

MEANINGS = ("prescribed", "administered", "witnessed destruction", "countersigned stocktake")


def record_fingerprint(record) -> str:
    """SHA-256 of the record's signed fields (all columns unless `__signed_fields__` says)."""
    model = type(record)
    names = getattr(model, "__signed_fields__", None) or [
        attr.key for attr in inspect(model).column_attrs
        if attr.key not in getattr(model, "__audit_exclude__", ())]
    values = {name: serialise(getattr(record, name)) for name in names}
    return hashlib.sha256(canonical(values).encode()).hexdigest()


def _refuse(signer, record, meaning: str, why: str) -> SignatureRefused:
    db.session.rollback()
    record_event("signature_refused", actor=actor_of(signer), table_name=record.__tablename__,
                 record_id=record_key(record), rule="electronic signature",
                 detail=f"Signature '{meaning}' refused: {why}")
    db.session.commit()
    return SignatureRefused(why, field="password")


def sign(record, signer, password: str, meaning: str) -> Signature:
    """Add a signature by `signer` over `record` to the current transaction.

    A wrong password is refused and audited at once; the caller commits a success together
    with the change the signature belongs to.
    """
    if meaning not in MEANINGS:
        raise ValueError(f"unknown signature meaning {meaning!r}")
    if not verify_password(signer.password_hash, password):
        raise _refuse(signer, record, meaning, "The password is incorrect; nothing was signed.")
    db.session.flush()  # the record needs its id before it can be named
    signature = Signature(
        record_table=record.__tablename__, record_id=record_key(record), meaning=meaning,
        signer_id=signer.id, printed_name=signer.full_name, registration=signer.registration,
        signed_at=utcnow(), record_hash=record_fingerprint(record))
    db.session.add(signature)
    return signature


@dataclass(frozen=True)
class SignatureStatus:
    signature: Signature
    intact: bool

    @property
    def label(self) -> str:
        return "intact" if self.intact else "changed after signing"


def signatures_of(record) -> list[SignatureStatus]:
    """The record's signatures, each checked against the record as it is now."""
    current = record_fingerprint(record)
    found = db.session.scalars(
        select(Signature).where(Signature.record_table == record.__tablename__,
                                Signature.record_id == record_key(record))
        .order_by(Signature.signed_at))
    return [SignatureStatus(sig, sig.record_hash == current) for sig in found]
