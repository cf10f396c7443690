"""Sign-in, sign-out and password change views."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance.auth import bp
from compliance.auth.forms import ChangePasswordForm, LoginForm
from compliance.errors import DomainError, LoginRefused
from compliance.forms import EmptyForm, show_domain_error
from compliance.permissions import public, requires
from compliance.security import end_session, safe_next, start_session
from compliance.services import accounts


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except LoginRefused as refusal:
            flash(refusal.message, "error")
            return render_template("auth/login.html", form=form), 200
        start_session(user)
        flash(f"Signed in as {user.full_name}.", "success")
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires("use_app")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        accounts.end_sessions(current_user)
        end_session()
        flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires("use_app")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            show_domain_error(form, error)
            return render_template("auth/password.html", form=form)
        end_session()
        flash("Password changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/password.html", form=form)
