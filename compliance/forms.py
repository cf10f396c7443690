"""Form pieces shared by every blueprint, and the checks every input of the app gets once:
text without control characters, lengths with the limit in the message, plausible dates and
ids the database can hold."""

import re
import secrets
from decimal import Decimal

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    validators,
    widgets,
)
from wtforms import SelectField as WTFormsSelectField
from wtforms.validators import DataRequired, NumberRange, StopValidation, ValidationError

from compliance.inputs import MAX_ID, date_range, text_problem


class PlausibleDate:
    """A date within `date_range()`; the message names the range. Whether an event's date
    may be in the future is for its service to say."""

    def __call__(self, form, field) -> None:
        first, last = date_range()
        if field.data is not None and not first <= field.data <= last:
            raise ValidationError(f"Enter a date from {first:%d %b %Y} to {last:%d %b %Y}.")


class Length(validators.Length):
    """WTForms' Length, with the limit in the message: "Enter at most 1,000 characters"."""

    def __call__(self, form, field) -> None:
        length = len(field.data or "")
        if self.max != -1 and length > self.max:
            raise ValidationError(self.message or f"Enter at most {self.max:,} characters "
                                                  f"(this has {length:,}).")
        if length < self.min:
            raise ValidationError(self.message or f"Enter at least {self.min:,} characters.")


class PlainText:
    """Refuses control characters in any value sent for the field."""

    def __init__(self, multiline: bool):
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        for raw in field.raw_data or ():
            problem = isinstance(raw, str) and text_problem(raw, multiline=self.multiline)
            if problem:
                raise StopValidation(problem)


class FiniteNumber:
    """Refuses NaN and infinity, which a decimal field parses but no range can compare."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, Decimal) and not field.data.is_finite():
            raise StopValidation("Enter a number.")


class WholeNumberInRange:
    """Refuses a whole number beyond what an INTEGER column holds (or a float can compare,
    which NumberRange does), naming the field's own range when it has one."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, int) and not -MAX_ID <= field.data <= MAX_ID:
            ranges = [check for check in field.validators if isinstance(check, NumberRange)]
            low = ranges[0].min if ranges and ranges[0].min is not None else -MAX_ID
            high = ranges[0].max if ranges and ranges[0].max is not None else MAX_ID
            raise StopValidation(f"Enter a whole number from {low:,} to {high:,}.")


class Form(FlaskForm):
    """The base of every form: each field refuses control characters before any other check
    runs (so no query sees them), each number one no range can compare (NaN, infinity, a
    whole number beyond the database's), and each date field an implausible date."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            checks = [PlainText(multiline=isinstance(field, TextAreaField)), *field.validators]
            if isinstance(field, DecimalField):
                checks.insert(1, FiniteNumber())
            if isinstance(field, IntegerField):
                checks.insert(1, WholeNumberInRange())
            if isinstance(field, DateField):
                checks.append(PlausibleDate())
            field.validators = checks
            return field


class EmptyForm(Form):
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


class ReasonForm(Form):
    """An action that must say why."""

    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class QuickSelect(widgets.Select):
    """WTForms' select, each plain option written directly: the same HTML, in a tenth of
    the time (html_params per option made a report's filter of 750 prescribers and
    locations 40 ms of its page)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')


class SelectField(WTFormsSelectField):
    widget = QuickSelect()


def options(pairs) -> list[SelectChoice]:
    """Choices for a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def password_field(label: str = "Password") -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(max=256)])


def code_field(label: str = "Code from your authenticator app") -> StringField:
    """A second factor's code: required by the service when the signer has one enrolled."""
    return StringField(label, validators=[Length(max=32)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


def text_field(label: str, max_length: int, required: bool = True) -> StringField:
    validators = [DataRequired()] if required else []
    return StringField(label, validators=[*validators, Length(max=max_length)])
