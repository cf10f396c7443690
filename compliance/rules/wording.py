"""The rules in plain words: a refusal stores its rule's code (data, kept in the audit trail and
the exports' machine columns), and every page, PDF and CSV heading shows these words instead.

The codes are the `rule` of the errors in compliance/errors.py, as stored on audit events; a
code no longer raised keeps its words here, since the trail keeps it for eleven years.
"""

from compliance.rules.limits import MIN_DAYS_BETWEEN_SESSIONS

RULE_WORDS = {
    "D4": "Compliance rules for treatment",
    "D4.1 prescribers only": "Only a prescriber may record an injection",
    "D4.2 valid prescription": "A valid prescription signed by a doctor for this patient and "
                               "product",
    "D4.3 contraindication": "No contraindication present",
    "D4.3 consultation": "A face-to-face consultation finding the patient suitable",
    "D4.3 consent": "Consent on record",
    "D4.4 sessions authorised": "No more sessions than the prescription authorises",
    "D4.4 one course at a time": "One course at a time for a patient and product",
    f"D4.5 {MIN_DAYS_BETWEEN_SESSIONS} days between sessions":
        f"At least {MIN_DAYS_BETWEEN_SESSIONS} days between sessions",
    "D4.5 voided before any injection": "A session is voided only before any injection",
    "D4.6 maximum volume": "No more than the maximum volume per session",
    "D4.7 insufficient stock": "Enough stock in the batch",
    "D4.7 unusable batch": "A usable batch only",
    "D4.7 expired batch": "No expired batch",
    "D4.7 quarantined batch": "No quarantined batch",
    "D4.7 recalled batch": "No recalled batch",
    "D4.8 legs only": "Treatment on the legs only",
    "D3 prescription": "Prescription rules",
    "D3 prescribed by a doctor": "Only a doctor may write or sign a prescription",
    "D3 active product": "A product in use",
    "D3 validity dates": "Valid dates for the prescription",
    "D3 draft then signed": "A prescription is signed once, as a draft",
    "D3 screening": "Screening for contraindications first",
    "D3 consent": "Consent withdrawn only once",
    "D7 transfer": "Transfers between locations: a usable batch to another active location, "
                   "received or cancelled once",
    "D7 working location": "Acting at a location one works at",
    "capability": "Not allowed for this account",
}
CAPABILITY_PREFIX = "capability: "


def _without_section_code(code: str) -> str:
    """A code's words past the specification's section ("D4.5 ", "D3 "), never shown."""
    first, _, rest = code.partition(" ")
    if first[:1] == "D" and first[1:].replace(".", "").isdigit():
        return rest.strip() or "A compliance rule"
    return code


def rule_words(code: str | None) -> str:
    """What a rule's code means, in words a clinic or an inspector reads: "D4.8 legs only"
    reads "Treatment on the legs only"; a capability names the act it refused; a code with no
    entry still loses its section code, and the others are words already."""
    if not code:
        return ""
    if code in RULE_WORDS:
        return RULE_WORDS[code]
    if code.startswith(CAPABILITY_PREFIX):
        act = code.removeprefix(CAPABILITY_PREFIX).replace("_", " ")
        return f"{RULE_WORDS['capability']}: {act}"
    words = _without_section_code(code)
    return words[:1].upper() + words[1:]
