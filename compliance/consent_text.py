"""The statement a patient reads and signs when consenting (D3), and its hash (pure)."""

import hashlib
import hmac

# The statement shown to the patient on the consent form. Changing it changes the hash of
# every consent given after the change, never of one given before: each keeps its own text.
STATEMENT = (
    "I, {name} (patient {reference}), confirm that:\n"
    "- the treatment proposed, microsclerotherapy (injections of a sclerosant into thread "
    "veins), how it is done and its alternatives have been explained to me;\n"
    "- the risks written on this form have been explained to me, and I have been able to ask "
    "questions and have had them answered;\n"
    "- I may withdraw my consent at any time, before or between treatment sessions.\n"
    "I consent to the procedure written on this form, on the areas written on this form."
)


def consent_text(full_name: str, reference: str) -> str:
    """The statement as the server renders it for a patient: the form shows exactly this, and
    the consent keeps exactly this with its hash (never a text sent by the browser)."""
    return STATEMENT.format(name=full_name, reference=reference)


def text_sha256(text: str) -> str:
    """The SHA-256 of `text`'s UTF-8 bytes, in hexadecimal."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def matches(text: str, sha256: str) -> bool:
    """Whether `text` still has the hash `sha256` taken of it."""
    return hmac.compare_digest(text_sha256(text), sha256)
