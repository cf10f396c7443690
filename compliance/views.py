"""The one shape of a view that changes something: validate the form, call the service, then
flash and redirect, or show the form again with the user's input and the refusal beside its
field (microblog's `app/auth/routes.py`, cosmicpython's `entrypoints/flask_app.py`)."""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from compliance.errors import AlreadySubmitted, DomainError
from compliance.forms import submission_key
from compliance.services import submissions


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a refusal next to its field when it names one, and flash it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    flash(error.message, "error")


def _of(value, result) -> str:
    return value(result) if callable(value) else value


def _submit(form: FlaskForm, action: Callable[[], Any], to) -> tuple[Any, str]:
    """Run `action`; once only per submission key when the form carries one."""
    key = submission_key(form)
    if key is None:
        result = action()
        return result, _of(to, result)
    return submissions.once(current_user, key, action, lambda result: _of(to, result))


def run_form(form: FlaskForm, action: Callable[[], Any], *, success: str | Callable[[Any], str],
             to: str | Callable[[Any], str], invalid: str | None = None,
             on_refusal: Callable[[DomainError], None] | None = None,
             category: str | Callable[[Any], str] = "success") -> Response | None:
    """Once `form` validates, run `action`, flash `success` as `category` and redirect to `to`
    (each may be a function of what `action` returned). None means "show the form again": a
    refusal is flashed, put beside its field and handed to `on_refusal`; an invalid form flashes
    `invalid` if given. A repeat of a recorded form's key (OnceOnlyMixin) writes nothing and
    goes where the first went."""
    if not form.validate_on_submit():
        if invalid and form.is_submitted():
            flash(invalid, "error")
        return None
    try:
        result, target = _submit(form, action, to)
    except AlreadySubmitted as repeat:  # the first submission's answer, not a refusal
        flash(repeat.message, "info")
        return redirect(repeat.result_url)
    except DomainError as error:
        show_domain_error(form, error)
        if on_refusal is not None:
            on_refusal(error)
        return None
    flash(_of(success, result), _of(category, result))
    return redirect(target)
