"""Account forms: input checks only; rules live in services.accounts."""

from wtforms import BooleanField, DateField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Optional

from compliance.forms import (
    Form,
    Length,
    MultiCheckboxField,
    OnceOnlyMixin,
    SelectField,
    options,
    password_field,
    text_field,
)
from compliance.inputs import optional_id
from compliance.models.user import PROFESSIONS, REGISTERS
from compliance.permissions import INSPECTOR, ROLES
from compliance.services.accounts import Profile


class UserForm(Form):
    email = StringField("Email address", validators=[DataRequired(), Length(max=254),
                                                     Email(message="Enter a valid email address.")])
    full_name = text_field("Full name", 120)
    roles = MultiCheckboxField("Roles", choices=options((r, r.capitalize()) for r in ROLES),
                               validators=[DataRequired(message="Choose at least one role.")])
    profession = SelectField("Profession",
                             choices=options((p, p.capitalize()) for p in PROFESSIONS))
    register = SelectField("Professional register",
                           choices=options([("", "None"), *((r, r) for r in REGISTERS)]))
    registration_number = StringField("Registration number", validators=[Length(max=20)])
    access_expires_on = DateField("Access expires on", validators=[Optional()],
                                  description="For inspectors: the last day they may sign in.")
    # The active locations (the view fills them); the service refuses any other.
    location_ids = MultiCheckboxField("Works at", coerce=optional_id, validate_choice=False)
    all_locations = BooleanField("All locations (group-wide)",
                                 description="A group manager, or an inspector of the whole "
                                             "provider: works at every location, present and "
                                             "future.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # D7: an inspector's access names an end date (an empty date field is Optional, so
        # its own validators never run).
        if INSPECTOR in (self.roles.data or ()) and not self.access_expires_on.data \
                and not self.access_expires_on.errors:
            self.access_expires_on.errors = [*self.access_expires_on.errors,
                                             "An inspector's access needs an end date."]
            return False
        return valid

    def profile(self) -> Profile:
        return Profile(
            email=self.email.data, full_name=self.full_name.data, roles=set(self.roles.data),
            profession=self.profession.data, register=self.register.data or None,
            registration_number=self.registration_number.data or None,
            access_expires_on=self.access_expires_on.data,
            all_locations=self.all_locations.data,
            location_ids=set(self.location_ids.data or ()),
        )


class EditUserForm(UserForm):
    reason = TextAreaField("Reason for the change", validators=[DataRequired(), Length(max=500)],
                           description="Recorded in the audit trail with the change.")


class NewUserForm(UserForm, OnceOnlyMixin):
    password = password_field("Initial password")
    confirm = PasswordField("Repeat the password",
                            validators=[EqualTo("password", message="The passwords differ.")])
