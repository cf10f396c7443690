"""The second factor (D8): the code asked after the password, and setting one up."""

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user

from compliance.auth import bp
from compliance.auth.forms import CodeForm, SetupForm
from compliance.errors import AccountInactive, AccountLocked, DomainError
from compliance.permissions import public, requires
from compliance.security import (
    end_session,
    keep_session,
    pending_second_step,
    start_session,
)
from compliance.services import second_factor, sign_in
from compliance.views import show_domain_error

# The secret being set up lives in the (signed) session until a code confirms it.
PENDING_SECRET = "second_factor_secret"


def _finish(pending: dict, form: CodeForm):
    user = sign_in.second_step(pending["user_id"], pending["token"], form.code.data)
    start_session(user)
    return user


def _refused(error: DomainError, form: CodeForm):
    if isinstance(error, AccountLocked | AccountInactive):
        # Locked, or changed since the password: the half-finished sign-in is over (and
        # the message is flashed into the session that follows).
        end_session()
        flash(error.message, "error")
        return redirect(url_for("auth.login"))
    show_domain_error(form, error)
    return render_template("auth/second_factor.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@public
def enter_code():
    """The half-signed-in state grants this page only: nothing else sees it as signed in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    pending = pending_second_step()
    if pending is None:
        flash("Sign in with your password first.", "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/second_factor.html", form=form)
    try:
        user = _finish(pending, form)
    except DomainError as error:
        return _refused(error, form)
    flash(f"Signed in as {user.full_name}.", "success")
    return redirect(pending.get("next") or url_for("main.home"))


def _setup_page(form: SetupForm):
    secret = session.get(PENDING_SECRET) or second_factor.new_secret()
    session[PENDING_SECRET] = secret
    return render_template("auth/second_factor_setup.html", form=form, secret=secret,
                           qr_code=second_factor.qr_code(current_user, secret))


@bp.route("/account/second-factor", methods=["GET", "POST"])
@requires("use_app")
def second_factor_setup():
    if current_user.has_second_factor:
        return render_template("auth/second_factor_status.html",
                               unused=second_factor.unused_recovery_codes(current_user.id))
    form = SetupForm()
    if not form.validate_on_submit():
        return _setup_page(form)
    try:
        codes = second_factor.enrol(current_user, session.get(PENDING_SECRET), form.code.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _setup_page(form)
    session.pop(PENDING_SECRET, None)
    keep_session(current_user._get_current_object())
    flash("Second factor set up. Keep the recovery codes somewhere safe.", "success")
    return render_template("auth/recovery_codes.html", codes=codes)
