"""Treatment forms: input checks only; the compliance rules live in compliance.rules."""

from flask_wtf import FlaskForm
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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from compliance.forms import MultiCheckboxField, OnceOnlyMixin, options
from compliance.models.treatment import AFTER_EFFECTS, SEVERITIES
from compliance.rules.injection import LEG_REGIONS

LEG_CHOICES = [(region, region.capitalize()) for region in LEG_REGIONS]


class SessionForm(FlaskForm, OnceOnlyMixin):
    prescription_id = SelectField("Prescription", coerce=int, validators=[InputRequired()],
                                  validate_choice=False)
    session_date = DateField("Session date", validators=[DataRequired()])
    treatment_areas = MultiCheckboxField("Treatment areas", choices=options(LEG_CHOICES),
                                         validate_choice=False)
    notes = TextAreaField("Notes", validators=[Length(max=2000)])


class InjectionForm(FlaskForm, OnceOnlyMixin):
    barcode = StringField("Scan the ampoule's barcode", validators=[Length(max=200)],
                          description="Or choose the batch below.")
    batch_id = SelectField("Batch", coerce=int, validators=[Optional()], validate_choice=False,
                           description="The batches to use first, soonest expiry first; scan "
                                       "a pack to use any other.")
    volume_ml = DecimalField("Volume (ml)", places=3,
                             validators=[InputRequired(), NumberRange(min=0.001, max=100)])
    site = SelectField("Site", choices=options(LEG_CHOICES), validate_choice=False)
    points = IntegerField("Injection points", default=1,
                          validators=[InputRequired(), NumberRange(min=1, max=200)])


class ReverseInjectionForm(FlaskForm):
    reason = TextAreaField("Why was this injection recorded wrongly?",
                           validators=[DataRequired(), Length(max=500)])


class VoidSessionForm(FlaskForm):
    reason = TextAreaField("Why is this session being voided?",
                           validators=[DataRequired("Give the reason for voiding this session."),
                                       Length(max=500)],
                           description="For example: opened for the wrong patient.")


class SignForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=256)])


class AddendumForm(FlaskForm, OnceOnlyMixin):
    text = TextAreaField("Addendum", validators=[DataRequired(), Length(max=2000)])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])


class FollowUpForm(FlaskForm, OnceOnlyMixin):
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
