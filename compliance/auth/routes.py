"""Sign-in, sign-out and password change views."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from compliance.auth import bp
from compliance.auth.forms import ChangePasswordForm, LoginForm
from compliance.forms import EmptyForm
from compliance.permissions import public, requires
from compliance.security import end_session, safe_next, start_second_step, start_session
from compliance.services import accounts, sign_in
from compliance.views import run_form


def _signed_in(form: LoginForm):
    user = sign_in.authenticate(form.email.data, form.password.data)
    if user.has_second_factor:
        start_second_step(user, safe_next(request.args.get("next")))
    else:
        start_session(user)
    return user


def _after_password(user) -> str:
    if user.has_second_factor:
        return url_for("auth.enter_code")
    return safe_next(request.args.get("next")) or url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    return run_form(
        form, lambda: _signed_in(form),
        success=lambda user: ("Password accepted: now the code." if user.has_second_factor
                              else f"Signed in as {user.full_name}."),
        to=_after_password,
    ) or render_template("auth/login.html", form=form)


def _sign_out() -> None:
    sign_in.end_sessions(current_user)
    end_session()


@bp.route("/logout", methods=["POST"])
@requires("use_app")
def logout():
    return run_form(EmptyForm(), _sign_out, success="You have signed out.",
                    to=url_for("auth.login")) or redirect(url_for("auth.login"))


def _change_password(form: ChangePasswordForm) -> None:
    accounts.change_password(current_user, form.current_password.data, form.password.data)
    end_session()


@bp.route("/account/password", methods=["GET", "POST"])
@requires("use_app")
def change_password():
    form = ChangePasswordForm()
    return run_form(
        form, lambda: _change_password(form),
        success="Password changed. Sign in with your new password.", to=url_for("auth.login"),
    ) or render_template("auth/password.html", form=form)


@bp.route("/session/keep-alive", methods=["POST"])
@requires("use_app")
def keep_alive():
    """"Stay signed in": reaching this view restarted the idle clock (security.py), as any
    request does; a POST, so that CSRF protection applies to it too."""
    return "", 204
