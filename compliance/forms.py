"""Form pieces shared by every blueprint."""

from flask_wtf import FlaskForm
from wtforms import (
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
