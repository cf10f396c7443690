"""Filters of the audit trail (GET forms: nothing is changed, so no CSRF token)."""

from wtforms import DateField, StringField
from wtforms.validators import Optional

from compliance.forms import Form, Length, SelectField, options

ACTIONS = ("create", "update", "delete", "login", "login_failed", "lockout", "unlock",
           "logout", "refused", "signature_refused", "export")


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    actor = SelectField("User", choices=[], validators=[Optional()])
    table = SelectField("Table", choices=[], validators=[Optional()])
    record = StringField("Record id", validators=[Optional(), Length(max=60)])
    action = SelectField("Action", validators=[Optional()],
                         choices=options([("", "Any action"), *((a, a) for a in ACTIONS)]))
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])


class AsAtForm(Form):
    class Meta:
        csrf = False

    at = DateField("As it stood at the end of", validators=[Optional()])
