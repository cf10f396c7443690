"""Form pieces shared by every blueprint."""

import re
import secrets

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length


class EmptyForm(FlaskForm):
    """A POST with nothing but the CSRF token."""


def new_submission_key() -> str:
    return secrets.token_hex(16)


SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")


class OnceOnlyMixin:
    """A form whose repeat (a double tap, a page sent again) must not write twice: it carries
    a one-time submission key made when the form is shown; `views.run_form` answers a repeat
    of the key with the first result."""

    submission_key = HiddenField(default=new_submission_key)


def submission_key(form) -> str | None:
    """The key the browser sent with `form`, or None: a form without one, and a key not
    made by `new_submission_key`, are simply not guarded (a forged key gains nothing)."""
    field = getattr(form, "submission_key", None)
    sent = field.raw_data[0] if field is not None and field.raw_data else ""
    return sent if SUBMISSION_KEY.fullmatch(sent) else None


class ReasonForm(FlaskForm):
    """An action that must say why."""

    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def options(pairs) -> list[SelectChoice]:
    """Choices for a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def password_field(label: str = "Password") -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(max=256)])


def text_field(label: str, max_length: int, required: bool = True) -> StringField:
    validators = [DataRequired()] if required else []
    return StringField(label, validators=[*validators, Length(max=max_length)])
