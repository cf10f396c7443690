"""All models, imported here so Alembic and the audit registry see every table."""

from compliance.models.audit import AuditEvent, Signature
from compliance.models.kept_form import KeptForm
from compliance.models.location import BatchStock, Location, StorageArea, UserLocation
from compliance.models.patient import (
    Consent,
    Consultation,
    Contraindication,
    Patient,
    Screening,
    ScreeningAnswer,
)
from compliance.models.review import ExceptionReview
from compliance.models.stock import Batch, LedgerEntry, Product, Sclerosant
from compliance.models.stock_month import StockMonth
from compliance.models.stocktake import Stocktake, StocktakeLine
from compliance.models.submission import FormSubmission
from compliance.models.temperature import TemperatureReading, TemperatureUpload
from compliance.models.transfer import Transfer
from compliance.models.treatment import (
    FollowUp,
    Injection,
    InjectionReversal,
    Prescription,
    RecallContact,
    SessionAddendum,
    SessionFlag,
    TreatmentSession,
)
from compliance.models.user import LoginThrottle, RecoveryCode, User

__all__ = ["AuditEvent", "Batch", "BatchStock", "Consent", "Consultation", "Contraindication",
           "ExceptionReview", "FollowUp", "FormSubmission", "Injection", "InjectionReversal",
           "KeptForm", "LedgerEntry", "Location", "LoginThrottle", "Patient", "Prescription",
           "Product",
           "RecallContact", "RecoveryCode", "Sclerosant", "Screening", "ScreeningAnswer",
           "SessionAddendum", "SessionFlag", "Signature", "StockMonth", "Stocktake",
           "StocktakeLine", "StorageArea", "TemperatureReading", "TemperatureUpload",
           "Transfer", "TreatmentSession", "User", "UserLocation"]
