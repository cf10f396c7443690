"""Domain refusals as named exceptions."""

from compliance.rules.limits import MIN_DAYS_BETWEEN_SESSIONS


class DomainError(Exception):
    """A refusal the user can act on; `field` names the form field it concerns."""

    rule = "domain"
    default_message = "This action is not allowed."
    # Refusals of a rule are audit events; plain input mistakes are not.
    audited = True

    def __init__(self, message: str | None = None, *, field: str | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.field = field
        # Writes that outlive the rollback of the refused change (a refused signature's event).
        self.refusal_writes: list = []


class NotPermitted(DomainError):
    rule = "capability"
    default_message = "Your account does not allow this action."


class InvalidInput(DomainError):
    audited = False
    rule = "input"


class WeakPassword(DomainError):
    audited = False
    rule = "password policy"
    default_message = "Choose a longer, less common password."


class DuplicateEmail(DomainError):
    audited = False
    rule = "unique email"
    default_message = "Another account already uses this email address."


class InvalidRegistration(DomainError):
    audited = False
    rule = "professional registration"


class SignatureRefused(DomainError):
    rule = "electronic signature"
    default_message = "The signature was refused."
    audited = False  # audited where it is raised, with the record it concerned


class LoginRefused(DomainError):
    rule = "login"
    default_message = "The email address or password is incorrect."


class AccountLocked(LoginRefused):
    rule = "lockout"


class AccountInactive(LoginRefused):
    rule = "inactive account"
    default_message = "This account is deactivated or its access has expired."


class StockRefusal(DomainError):
    """A stock movement that the ledger's rules refuse."""

    rule = "stock"


class InsufficientStock(StockRefusal):
    rule = "D4.7 insufficient stock"
    default_message = "The batch does not hold enough stock for this."


class BatchUnusable(StockRefusal):
    rule = "D4.7 unusable batch"


class BatchExpired(BatchUnusable):
    rule = "D4.7 expired batch"


class BatchQuarantined(BatchUnusable):
    rule = "D4.7 quarantined batch"


class BatchRecalled(BatchUnusable):
    rule = "D4.7 recalled batch"


class InvalidBarcode(DomainError):
    rule = "barcode"
    audited = False


class AlreadyReversed(StockRefusal):
    rule = "single reversal"
    default_message = "This entry has already been reversed."


class TransferRefusal(StockRefusal):
    rule = "D7 transfer"


class NotAtLocation(NotPermitted):
    rule = "D7 working location"


class SecondPersonRequired(DomainError):
    rule = "second person"
    default_message = "A second person must confirm this with their own password."


class ComplianceRefusal(DomainError):
    """A refusal under one of the eight rules of D4."""

    rule = "D4"


class NotAPrescriber(ComplianceRefusal, NotPermitted):
    """Rule 1 is a refusal by permission: `ensure_can` raises it for the treatment capabilities."""

    rule = "D4.1 prescribers only"
    default_message = "Only a prescriber may record an injection."


class NoValidPrescription(ComplianceRefusal):
    rule = "D4.2 valid prescription"
    default_message = ("There is no valid prescription signed by a doctor for this patient and "
                       "product on this date.")


class ContraindicationPresent(ComplianceRefusal):
    rule = "D4.3 contraindication"


class NoConsultation(ComplianceRefusal):
    rule = "D4.3 consultation"
    default_message = "There is no face-to-face consultation finding the patient suitable."


class NoConsent(ComplianceRefusal):
    rule = "D4.3 consent"
    default_message = "There is no consent on record for this patient."


class SessionNotAuthorised(ComplianceRefusal):
    rule = "D4.4 sessions authorised"


class CourseInProgress(ComplianceRefusal):
    rule = "D4.4 one course at a time"


class TooSoon(ComplianceRefusal):
    rule = f"D4.5 {MIN_DAYS_BETWEEN_SESSIONS} days between sessions"


class NotVoidable(ComplianceRefusal):
    """D4.5: only a session with no injection recorded, not even a reversed one, is voided."""

    rule = "D4.5 voided before any injection"


class VolumeAboveMaximum(ComplianceRefusal):
    rule = "D4.6 maximum volume"


class AreaNotOnLegs(ComplianceRefusal):
    rule = "D4.8 legs only"


class RecordLocked(DomainError):
    rule = "signed records are locked"
    default_message = "This record is signed and locked: add an addendum instead."


# --- D3 patients, screening, consent, consultations and prescriptions ---------------------

class PrescriptionRefusal(DomainError):
    """A prescription that D3's rules refuse."""

    rule = "D3 prescription"


class NotADoctor(PrescriptionRefusal, NotPermitted):
    """A refusal by permission: `ensure_can` raises it for the prescription capabilities."""

    rule = "D3 prescribed by a doctor"
    default_message = ("Only a prescriber whose profession is doctor may write or sign a "
                       "prescription.")


class ProductNotInUse(PrescriptionRefusal):
    rule = "D3 active product"
    default_message = "Choose a product that is in use."


class InvalidValidity(PrescriptionRefusal):
    rule = "D3 validity dates"
    audited = False


class NotSignable(PrescriptionRefusal):
    rule = "D3 draft then signed"


class NotScreened(PrescriptionRefusal):
    rule = "D3 screening"
    default_message = ("There is no screening for contraindications on record: screen the "
                       "patient before prescribing.")


class ConsentAlreadyWithdrawn(DomainError):
    rule = "D3 consent"
    default_message = "This consent has already been withdrawn."


class IncompleteScreening(DomainError):
    rule = "D3 screening"
    audited = False
    default_message = "Answer every screening question."


class AlreadySubmitted(DomainError):
    """A form sent again with the key of one already recorded: answered with the first
    result, not refused (nothing is wrong, and nothing is written)."""

    audited = False
    rule = "one-time submission"
    default_message = ("This was already recorded when the form was first sent; it was not "
                       "recorded again.")

    def __init__(self, result_url: str):
        super().__init__()
        self.result_url = result_url


class AlreadyReviewed(DomainError):
    audited = False  # nothing was attempted that a rule forbids: someone was quicker
    rule = "exception review"
    default_message = "This exception has already been reviewed."
