"""Stock forms: input checks only; the ledger's rules live on Batch (models/stock.py)."""

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from compliance.forms import (
    Form,
    Length,
    OnceOnlyMixin,
    SelectField,
    code_field,
    options,
    text_field,
)
from compliance.inputs import optional_id
from compliance.models.stock import CONTAINER_TYPES
from compliance.permissions import waste_reasons
from compliance.rules.waste import WASTE_REASONS


def reason_field(label: str = "Reason") -> TextAreaField:
    return TextAreaField(label, validators=[DataRequired(), Length(max=500)])


class ReceiveForm(Form, OnceOnlyMixin):
    barcode = StringField("Scan or paste the pack's GS1 barcode", validators=[Length(max=200)],
                          description="Fills the product, batch number and expiry date.")
    product_id = SelectField("Product", coerce=int, validators=[InputRequired()])
    gtin = StringField("GTIN", validators=[Optional(), Length(max=14)])
    batch_number = text_field("Batch number", 40)
    expires_on = DateField("Expiry date", validators=[DataRequired()])
    serial = StringField("Serial number (from the barcode)", validators=[Length(max=40)])
    supplier = text_field("Supplier", 120)
    delivery_reference = text_field("Delivery or invoice reference", 60)
    containers = IntegerField("Containers received",
                              validators=[InputRequired(), NumberRange(min=1, max=100_000)])
    received_on = DateField("Date received", validators=[Optional()])
    # Choices: the current location's storage areas in use (the view fills them); the
    # service refuses any other, in words.
    storage_area_id = SelectField(
        "Storage area", coerce=optional_id, validate_choice=False,
        description="A batch already held here goes into the area it is kept in.")

    def validate_storage_area_id(self, field) -> None:
        if field.data is None:
            raise ValidationError("Choose the storage area the containers are put in.")


class SecondPersonMixin:
    """The stocktake's countersigner (the waste form names its witness the same way)."""

    second_email = StringField("Countersigner's email", validators=[Length(max=254)])
    second_password = PasswordField("Countersigner's password", validators=[Length(max=256)])
    second_code = code_field("Countersigner's code, if they use a second factor")


class WasteForm(Form, OnceOnlyMixin):
    containers = IntegerField("Sealed containers", default=0,
                              validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    volume_ml = DecimalField("Loose volume (ml)", default=0, places=3,
                             validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    # The reasons offered are the user's own (`waste_form`); the service refuses any other,
    # so that a refusal by permission is recorded rather than lost as "not a valid choice".
    waste_reason = SelectField("Why", choices=options((r, r.capitalize()) for r in WASTE_REASONS),
                               validate_choice=False)
    reason = reason_field("Details")
    second_email = StringField("Witness's email", validators=[Length(max=254)],
                               description="Needed when sealed containers are disposed of.")
    second_password = PasswordField("Witness's password", validators=[Length(max=256)])
    second_code = code_field("Witness's code, if they use a second factor")


def waste_form(user) -> WasteForm:
    """The waste form offering only the reasons `user` may record (D1)."""
    form = WasteForm(prefix="waste")
    form.waste_reason.choices = options((r, r.capitalize()) for r in waste_reasons(user))
    return form


class ReturnForm(Form, OnceOnlyMixin):
    containers = IntegerField("Sealed containers returned",
                              validators=[InputRequired(), NumberRange(min=1, max=100_000)])
    reason = reason_field()


class AdjustForm(Form, OnceOnlyMixin):
    containers = IntegerField("Change in sealed containers (+ or −)",
                              validators=[InputRequired(), NumberRange(min=-100_000, max=100_000)])
    reason = reason_field()


class StateForm(Form):
    action = SelectField("Action", choices=options([("quarantine", "Quarantine"),
                                                    ("release", "Release from quarantine"),
                                                    ("recall", "Recall (final)")]))
    reason = reason_field()


class ReverseForm(Form):
    reason = reason_field("Why is this entry wrong?")


class ProductForm(Form, OnceOnlyMixin):
    name = text_field("Name", 120)
    # Choices: the sclerosants kept as data (the view fills them); the service refuses others.
    active_ingredient = SelectField("Active ingredient (a sclerosant)", validate_choice=False)
    strength_percent = DecimalField("Strength (% w/v)", places=2,
                                    validators=[InputRequired(), NumberRange(min=0.01, max=10)])
    container_type = SelectField("Container", choices=options((c, c.capitalize())
                                                              for c in CONTAINER_TYPES))
    container_volume_ml = DecimalField("Container volume (ml)", places=3,
                                       validators=[InputRequired(), NumberRange(min=0.1,
                                                                                max=100)])
    single_use = BooleanField("Single use (an opened container's remainder is waste)")
    gtin = StringField("GTIN", validators=[Optional(), Length(min=8, max=14)])
    max_volume_per_session_ml = DecimalField(
        "Maximum volume per session (ml)", places=3,
        validators=[InputRequired(), NumberRange(min=0.1, max=100)])
    reorder_level_containers = IntegerField(
        "Reorder level (sealed containers; blank: not watched)",
        validators=[Optional(), NumberRange(min=0, max=100_000)])
    active = BooleanField("In use", default=True)
