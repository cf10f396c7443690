"""Transfer forms: input checks only; the rules of sending, receiving and cancelling are in
compliance/rules/transfers.py."""

from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from compliance.forms import Form, Length, OnceOnlyMixin, SelectField
from compliance.inputs import optional_id
from compliance.rules.transfers import MAX_CONTAINERS
from compliance.stock.forms import reason_field


class SendForm(Form, OnceOnlyMixin):
    # Choices: the view's (batches held here, other active locations); the service refuses
    # anything else with its reason, rather than "not a valid choice".
    batch_id = SelectField("Batch (sealed containers held here)", coerce=optional_id,
                           validate_choice=False)
    to_location_id = SelectField("Send to", coerce=optional_id, validate_choice=False)
    containers = IntegerField("Sealed containers to send", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_CONTAINERS)])
    reason = reason_field("Reason for the transfer")


class ReceiveTransferForm(Form, OnceOnlyMixin):
    containers_received = IntegerField("Sealed containers that arrived", validators=[
        InputRequired(), NumberRange(min=0, max=MAX_CONTAINERS)])
    storage_area_id = SelectField("Put them into", coerce=optional_id, validate_choice=False)
    difference_reason = TextAreaField(
        "Reason for a difference", validators=[Length(max=500)],
        description="Needed when the count differs from the containers sent.")


class CancelTransferForm(Form):
    reason = reason_field("Why is the transfer cancelled?")
