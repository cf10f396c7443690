"""Electronic signatures (D6): password re-entered, meaning, printed name, registration,
time, and the hash of the exact record version signed."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import inspect, select

from compliance.clock import utcnow
from compliance.errors import SecondPersonRequired, SignatureRefused
from compliance.extensions import db
from compliance.models import Signature, User
from compliance.permissions import holds
from compliance.services import lockout, second_factor
from compliance.services.audit import actor_of, canonical, record_event, record_key, serialise
from compliance.services.passwords import verify_password

MEANINGS = ("prescribed", "administered", "witnessed destruction", "countersigned stocktake")


def record_fingerprint(record) -> str:
    """SHA-256 of what the record's signature covers: its `signed_content()`, else its
    `__signed_fields__`, else every recorded column."""
    if hasattr(record, "signed_content"):
        return hashlib.sha256(canonical(record.signed_content()).encode()).hexdigest()
    model = type(record)
    names = getattr(model, "__signed_fields__", None) or [
        attr.key for attr in inspect(model).column_attrs
        if attr.key not in getattr(model, "__audit_exclude__", ())]
    values = {name: serialise(getattr(record, name)) for name in names}
    return hashlib.sha256(canonical(values).encode()).hexdigest()


def _refuse(signer, record, meaning: str, why: str, *, wrong_password: bool = True,
            field: str = "password") -> SignatureRefused:
    """The refusal, carrying its own audit event and, for a wrong password or code, a failed
    sign-in of the signer's account (D1): both are written after the rollback."""
    event = dict(actor=actor_of(signer), table_name=record.__tablename__,
                 record_id=record_key(record), rule="electronic signature",
                 detail=f"Signature '{meaning}' refused: {why}")
    refusal = SignatureRefused(why, field=field)
    refusal.refusal_writes.append(lambda: record_event("signature_refused", **event))
    if wrong_password:
        email, signer_id = signer.email, signer.id
        count = lockout.count_wrong_signature if field == "password" else _count_wrong_code
        refusal.refusal_writes.append(lambda: count(email, signer_id, meaning))
    return refusal


def _count_wrong_code(email: str, signer_id: int, meaning: str) -> None:
    lockout.count_wrong_code(email, signer_id, f"for a signature '{meaning}'")


def _check_code(signer, record, meaning: str, code: str | None) -> None:
    """The second component of an enrolled signer's signature (D8): a current code, once.
    A signer who must have a second factor and has none cannot sign with the password
    alone (not counted against the account: the password was right)."""
    user = db.session.get(User, signer.id, populate_existing=True)
    if second_factor.must_enrol(user):
        raise _refuse(signer, record, meaning, f"{user.full_name} must set up a second "
                      "factor before signing; nothing was signed.", wrong_password=False)
    if not user.has_second_factor:
        return
    if not (code or "").strip():
        raise _refuse(signer, record, meaning, "Enter the code from your authenticator app "
                      "too: this signature needs the password and the code; nothing was "
                      "signed.", wrong_password=False, field="code")
    if not second_factor.accept_code(user, code):
        raise _refuse(signer, record, meaning, "The code is incorrect or was already used; "
                      "nothing was signed.", field="code")


def locked_message() -> str:
    return (f"Too many failed password attempts: this account is locked for "
            f"{lockout.lock_minutes()} minutes, for signatures as for sign-in; nothing was "
            "signed.")


_CHECKED = object()  # only `checked` makes a Credential that `sign` accepts


@dataclass(frozen=True)
class Credential:
    """The outcome of checking a signer's password against the hash stored at the time."""

    signer_id: int
    password_hash: str | None
    matched: bool
    proof: object = None


def checked(signer, password: str) -> Credential:
    """Check a password before the writing transaction starts: the hash takes a tenth of a
    second by design, and on SQLite every other writer would wait that long behind it."""
    return Credential(signer.id, signer.password_hash,
                      verify_password(signer.password_hash, password), _CHECKED)


def _stored_hash(signer) -> str | None:
    # Read afresh inside the writing transaction: the signer object may be older than it.
    return db.session.scalar(select(User.password_hash).where(User.id == signer.id))


def _password_matches(signer, password: "Credential | str") -> bool:
    if isinstance(password, Credential):
        # Checked by `checked`, for this person, and the password has not changed since.
        return (password.proof is _CHECKED and password.matched
                and password.signer_id == signer.id
                and password.password_hash == _stored_hash(signer))
    return verify_password(_stored_hash(signer), password)


def sign(record, signer, password: "Credential | str", meaning: str,
         code: str | None = None) -> Signature:
    """Add a signature by `signer` over `record` to the current transaction.

    Refused: a wrong password, any password while the signer is locked, a signer who must
    set up a second factor and has not, a missing, wrong or reused `code` of one who has.
    The unit of work records the refusal (counting a wrong password or code) after rollback.
    """
    if meaning not in MEANINGS:
        raise ValueError(f"unknown signature meaning {meaning!r}")
    # The counter row is locked while the password is checked, as at sign-in: guesses sent
    # at once are checked one after another, each against the count the one before left.
    if lockout.is_locked(lockout.throttle(signer.email)):
        # Even the right password: a guess that finally matches must not be let through.
        raise _refuse(signer, record, meaning, locked_message(), wrong_password=False)
    if not _password_matches(signer, password):
        raise _refuse(signer, record, meaning, "The password is incorrect; nothing was signed.")
    _check_code(signer, record, meaning, code)
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


@dataclass(frozen=True)
class SecondRole:
    """What the second person is called on the form, and why the act needs one."""

    name: str
    needed_because: str


WITNESS = SecondRole("witness", "disposal of sealed containers is witnessed")
COUNTERSIGNER = SecondRole("countersigner", "a stocktake discrepancy is countersigned")


def second_person(actor, email: str | None, role: SecondRole):
    """The active user, other than `actor`, holding the `witness` capability (a manager or
    prescriber, never an inspector: D1), who will confirm an action with their password."""
    from compliance.services.accounts import find_by_email

    if not (email or "").strip():
        raise SecondPersonRequired(f"Enter the {role.name}'s email address: "
                                   f"{role.needed_because}.", field="second_email")
    second = find_by_email(email)
    if second is None or not second.is_active:
        raise SecondPersonRequired("No active account has that email address.",
                                   field="second_email")
    if second.id == actor.id:
        raise SecondPersonRequired(f"The {role.name} must be someone other than you.",
                                   field="second_email")
    if not holds(second, "witness"):
        raise SecondPersonRequired(f"That account cannot be the {role.name}: a {role.name} "
                                   "is a manager or a prescriber, never an inspector.",
                                   field="second_email")
    return second


def sign_as_second(record, second, password: str, meaning: str,
                   code: str | None = None) -> Signature:
    """`second` (from `second_person`) signs `record` with their own password (and code)."""
    try:
        return sign(record, second, password, meaning, code)
    except SignatureRefused as refusal:
        error = SecondPersonRequired(refusal.message, field=f"second_{refusal.field}")
        error.audited = False  # the refused signature is the event that records it
        error.refusal_writes = refusal.refusal_writes
        raise error from refusal
