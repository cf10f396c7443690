"""Treatment forms: input checks only; the compliance rules live in compliance.rules."""

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from compliance.forms import (
    Form,
    Length,
    MultiCheckboxField,
    OnceOnlyMixin,
    SelectField,
    code_field,
    options,
)
from compliance.inputs import optional_id
from compliance.models.treatment import AFTER_EFFECTS, SEVERITIES
from compliance.rules.injection import LEG_REGIONS

LEG_CHOICES = [(region, region.capitalize()) for region in LEG_REGIONS]


class SessionForm(Form, OnceOnlyMixin):
    # Not checked against the list: a prescription not in force is a rule's refusal (D4.2).
    prescription_id = SelectField("Prescription", coerce=optional_id, validate_choice=False,
                                  validators=[DataRequired(message="Choose a prescription.")])
    session_date = DateField("Session date", validators=[DataRequired()])
    treatment_areas = MultiCheckboxField("Treatment areas", choices=options(LEG_CHOICES),
                                         validate_choice=False)
    notes = TextAreaField("Notes", validators=[Length(max=2000)])


class InjectionForm(Form, OnceOnlyMixin):
    barcode = StringField("Scan the ampoule's barcode", validators=[Length(max=200)],
                          description="Or choose the batch below.")
    batch_id = SelectField("Batch", coerce=optional_id, validate_choice=False,
                           description="The batches to use first, soonest expiry first; scan "
                                       "a pack to use any other.")
    volume_ml = DecimalField("Volume (ml)", places=3,
                             validators=[InputRequired(), NumberRange(min=0.001, max=100)])
    site = SelectField("Site", choices=options(LEG_CHOICES), validate_choice=False,
                       validators=[DataRequired(message="Choose where the injection was "
                                                        "given.")])
    points = IntegerField("Injection points", default=1,
                          validators=[InputRequired(), NumberRange(min=1, max=200)])

    def validate_batch_id(self, field) -> None:
        if not field.data and not (self.barcode.data or "").strip():
            raise ValidationError("Choose a batch or scan its pack.")


class ReverseInjectionForm(Form):
    reason = TextAreaField("Why was this injection recorded wrongly?",
                           validators=[DataRequired(), Length(max=500)])


class VoidSessionForm(Form):
    reason = TextAreaField("Why is this session being voided?",
                           validators=[DataRequired("Give the reason for voiding this session."),
                                       Length(max=500)],
                           description="For example: opened for the wrong patient.")


class SignForm(Form):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=256)])
    code = code_field()


class AddendumForm(Form, OnceOnlyMixin):
    text = TextAreaField("Addendum", validators=[DataRequired(), Length(max=2000)])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])


class FollowUpForm(Form, OnceOnlyMixin):
    seen_on = DateField("Seen on", validators=[DataRequired()])
    effects = MultiCheckboxField("After-effects",
                                 choices=options((e, e.capitalize()) for e in AFTER_EFFECTS),
                                 validate_choice=False)
    complication = BooleanField("This is a complication")
    severity = SelectField("Severity", choices=options([("", "Not a complication")] +
                                                       [(s, s.capitalize()) for s in SEVERITIES]))
    action_taken = TextAreaField("Action taken", validators=[Length(max=1000)],
                                 description="For example: clot removed, referred to GP.")
    notes = TextAreaField("Notes", validators=[Length(max=2000)])
