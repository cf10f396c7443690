"""Patient forms: input checks only; the rules live in the services."""

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, InputRequired, NumberRange, Optional

from compliance.forms import (
    Form,
    Length,
    OnceOnlyMixin,
    SelectField,
    code_field,
    options,
    password_field,
    text_field,
)
from compliance.models.patient import CONSULTATION_MODES, SEXES
from compliance.rules.limits import MAX_SESSIONS_PER_COURSE
from compliance.services.clinical import ConsentDetails, ConsultationDetails
from compliance.services.patients import PatientDetails
from compliance.services.products import ml_to_ul

YES_NO = options([("yes", "Yes"), ("no", "No")])


def reason_field(label: str = "Reason for the change") -> TextAreaField:
    return TextAreaField(label, validators=[DataRequired(), Length(max=500)],
                         description="Recorded in the audit trail with the change.")


class PatientForm(Form, OnceOnlyMixin):
    first_name = text_field("First name", 80)
    last_name = text_field("Last name", 80)
    date_of_birth = DateField("Date of birth",
                              validators=[DataRequired()])
    sex = SelectField("Sex", choices=options((s, s.capitalize()) for s in SEXES))
    phone = StringField("Phone", validators=[Length(max=40)])
    email = StringField("Email address", validators=[Optional(), Length(max=254),
                                                     Email(message="Enter a valid email address.")])
    address = TextAreaField("Address", validators=[Length(max=500)])
    gp_practice = StringField("GP practice", validators=[Length(max=200)])
    gp_visit_advised = BooleanField("Advised to see their GP first", default=True)
    gp_visit_confirmed_on = DateField("GP visit confirmed on",
                                      validators=[Optional()],
                                      description="Leave empty until the patient confirms it.")

    def details(self) -> PatientDetails:
        return PatientDetails(**{name: getattr(self, name).data
                                 for name in PatientDetails.__dataclass_fields__})


class EditPatientForm(PatientForm):
    reason = reason_field()


class ConsentForm(Form, OnceOnlyMixin):
    consented_on = DateField("Date of consent",
                             validators=[DataRequired()])
    procedure = text_field("Procedure consented to", 200)
    areas = text_field("Areas", 300)
    risks_explained = TextAreaField("Risks explained", validators=[DataRequired(),
                                                                    Length(max=2000)])
    # The strokes drawn on the tablet, written here by static/js/signature-pad.js; the bound
    # before any parsing is the service's (compliance.drawn_signature), so that a refusal
    # says what was wrong with the drawing rather than how long its text was.
    # A plain hidden input, not a HiddenField: hidden_tag() would render it a second time
    # outside the signature box, where the script does not look for it.
    signature = StringField("Patient's signature", widget=widgets.Input("hidden"))
    unsigned_reason = TextAreaField(
        "Reason the patient did not sign", validators=[Length(max=500)],
        description="Only if the patient cannot sign on the tablet: say why, for example "
                    "\"patient unable to sign on tablet\".")

    def details(self) -> ConsentDetails:
        return ConsentDetails(self.consented_on.data, self.procedure.data, self.areas.data,
                              self.risks_explained.data, self.signature.data,
                              self.unsigned_reason.data)


class WithdrawConsentForm(Form):
    withdrawn_on = DateField("Date withdrawn",
                             validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])


class ConsultationForm(Form, OnceOnlyMixin):
    held_on = DateField("Date", validators=[DataRequired()])
    mode = SelectField("How", choices=options((m, m.capitalize()) for m in CONSULTATION_MODES),
                       description="Only a face-to-face consultation can support a prescription.")
    place = text_field("Place", 200)
    findings = TextAreaField("Findings", validators=[DataRequired(), Length(max=4000)])
    suitable = RadioField("Suitable for microsclerotherapy?", choices=YES_NO,
                          validators=[InputRequired(message="Say whether the patient is "
                                                            "suitable.")])
    suitability_reason = TextAreaField("Why", validators=[DataRequired(), Length(max=2000)])

    def details(self) -> ConsultationDetails:
        return ConsultationDetails(self.held_on.data, self.mode.data, self.place.data,
                                   self.findings.data, self.suitable.data == "yes",
                                   self.suitability_reason.data)


class CorrectConsultationForm(ConsultationForm):
    reason = reason_field("Reason for the correction")


class PrescriptionForm(Form, OnceOnlyMixin):
    product_id = SelectField("Product", coerce=int, validators=[InputRequired()])
    consultation_id = SelectField("Based on the consultation", coerce=int,
                                  validators=[InputRequired()])
    max_volume_per_session_ml = DecimalField(
        "Maximum volume per session (ml)", places=3,
        validators=[InputRequired(), NumberRange(min=0.001, max=100)])
    sessions_authorised = IntegerField(
        "Sessions authorised",
        validators=[InputRequired(), NumberRange(min=1, max=MAX_SESSIONS_PER_COURSE)],
        description=f"A course is at most {MAX_SESSIONS_PER_COURSE} sessions.")
    valid_from = DateField("Valid from", validators=[DataRequired()])
    valid_until = DateField("Valid until", validators=[DataRequired()])
    directions = TextAreaField("Directions", validators=[Length(max=2000)])

    def values(self) -> dict:
        return dict(product_id=self.product_id.data, consultation_id=self.consultation_id.data,
                    max_volume_per_session_ul=ml_to_ul(self.max_volume_per_session_ml.data,
                                                       "max_volume_per_session_ml"),
                    sessions_authorised=self.sessions_authorised.data,
                    valid_from=self.valid_from.data, valid_until=self.valid_until.data,
                    directions=self.directions.data)


class SignForm(Form):
    password = password_field("Your password")
    code = code_field()


class ContraindicationForm(Form, OnceOnlyMixin):
    name = text_field("Contraindication", 160)
    question = text_field("Question asked at screening", 300)
    source = SelectField("Source", choices=options([("clinic", "Clinic"), ("SmPC", "SmPC")]))


class ScreeningForm(Form, OnceOnlyMixin):
    """The date; each question's answer is read from `answer-<id>` and `notes-<id>`."""

    screened_on = DateField("Date of screening",
                            validators=[DataRequired()])
