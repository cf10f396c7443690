"""What the record keeps of the patient's own consent (D3): the statement they read, exactly,
with its SHA-256, and their drawn signature or the reason there is none."""

from compliance.consent_text import consent_text, text_sha256
from compliance.drawn_signature import read_strokes, strokes_json
from compliance.models import Patient
from compliance.rules.consent import check_signed_or_excused


def statement_for(patient: Patient) -> str:
    """The statement the consent form shows `patient`, rendered by the server."""
    return consent_text(patient.full_name, patient.reference)


def signing_columns(patient: Patient, signature: str | None, unsigned_reason: str | None) -> dict:
    """The consent's columns for the statement shown, and the signature or the reason for
    none, each checked (InvalidInput beside its field otherwise). The text hashed is the one
    the server renders for the patient, never one the browser sent."""
    strokes = read_strokes(signature)
    reason = (unsigned_reason or "").strip()
    check_signed_or_excused(strokes is not None, reason)
    text = statement_for(patient)
    return dict(patient_signature=strokes_json(strokes) if strokes else None,
                unsigned_reason=reason or None, consent_text=text,
                consent_text_sha256=text_sha256(text))
