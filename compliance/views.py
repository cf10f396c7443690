"""The one shape of a view that changes something: validate the form, call the service, then
flash and redirect, or show the form again with the user's input and the refusal beside its
field (microblog's `app/auth/routes.py`, cosmicpython's `entrypoints/flask_app.py`)."""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from compliance.errors import DomainError


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a refusal next to its field when it names one, and flash it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    flash(error.message, "error")


def _of(value, result) -> str:
    return value(result) if callable(value) else value


def run_form(form: FlaskForm, action: Callable[[], Any], *, success: str | Callable[[Any], str],
             to: str | Callable[[Any], str], invalid: str | None = None,
             on_refusal: Callable[[DomainError], None] | None = None) -> Response | None:
    """Once `form` validates, run `action`; when it succeeds flash `success` and redirect to
    `to` (either may be a function of what `action` returned).

    None means "show the form again": a refusal is flashed and put beside its field (and
    handed to `on_refusal` for errors shown outside the form), and a submitted form that does
    not validate flashes `invalid` when given.
    """
    if not form.validate_on_submit():
        if invalid and form.is_submitted():
            flash(invalid, "error")
        return None
    try:
        result = action()
    except DomainError as error:
        show_domain_error(form, error)
        if on_refusal is not None:
            on_refusal(error)
        return None
    flash(_of(success, result), "success")
    return redirect(_of(to, result))
