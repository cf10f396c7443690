"""D3 consent: the patient signs it on the tablet, or the record says why they could not."""

from compliance.errors import InvalidInput


def check_signed_or_excused(signed: bool, unsigned_reason: str) -> None:
    """A consent carries the patient's drawn signature or the reason there is none: one of
    the two, never neither, and never both (a reason beside a signature would contradict it)."""
    if signed and unsigned_reason:
        raise InvalidInput("The patient has signed: clear the reason they could not sign, or "
                           "clear the signature.", field="unsigned_reason")
    if not signed and not unsigned_reason:
        raise InvalidInput("Ask the patient to sign in the box, or give the reason they could "
                           "not sign on the tablet.", field="signature")
