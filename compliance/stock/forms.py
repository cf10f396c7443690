"""Stock forms: input checks only; the ledger's rules live on Batch (models/stock.py)."""

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from compliance.forms import Form, Length, options, text_field
from compliance.models.stock import CONTAINER_TYPES, WASTE_REASONS


def reason_field(label: str = "Reason") -> TextAreaField:
    return TextAreaField(label, validators=[DataRequired(), Length(max=500)])


class ReceiveForm(Form):
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


class SecondPersonMixin:
    second_email = StringField("Second person's email", validators=[Length(max=254)])
    second_password = PasswordField("Second person's password", validators=[Length(max=256)])


class WasteForm(Form, SecondPersonMixin):
    containers = IntegerField("Sealed containers", default=0,
                              validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    volume_ml = DecimalField("Loose volume (ml)", default=0, places=3,
                             validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    waste_reason = SelectField("Why", choices=options((r, r.capitalize()) for r in WASTE_REASONS))
    reason = reason_field("Details")


class ReturnForm(Form):
    containers = IntegerField("Sealed containers returned",
                              validators=[InputRequired(), NumberRange(min=1, max=100_000)])
    reason = reason_field()


class AdjustForm(Form):
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


class ProductForm(Form):
    name = text_field("Name", 120)
    active_ingredient = text_field("Active ingredient", 120)
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
    active = BooleanField("In use", default=True)
