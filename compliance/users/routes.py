"""Managers list, create, edit, deactivate and reset users."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from compliance.errors import DomainError
from compliance.extensions import db
from compliance.forms import EmptyForm, ReasonForm, show_domain_error
from compliance.models import User
from compliance.permissions import requires
from compliance.services import accounts
from compliance.users import bp
from compliance.users.forms import EditUserForm, NewUserForm


@bp.route("/")
@requires("manage_users")
def index():
    users = db.session.scalars(select(User).order_by(User.full_name)).all()
    return render_template("users/index.html", users=users)


@bp.route("/new", methods=["GET", "POST"])
@requires("manage_users")
def new():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(current_user, form.profile(), form.password.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(f"Account created for {user.full_name}.", "success")
            return redirect(url_for("users.show", user_id=user.id))
    return render_template("users/new.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@requires("manage_users")
def show(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            accounts.update_user(current_user, user, form.profile(), form.reason.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash("Account updated.", "success")
            return redirect(url_for("users.show", user_id=user.id))
    return render_template("users/show.html", user=user, form=form,
                           reason_form=ReasonForm(prefix="access"), reset_form=EmptyForm())


@bp.route("/<int:user_id>/active", methods=["POST"])
@requires("manage_users")
def set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ReasonForm(prefix="access")
    if not form.validate_on_submit():
        flash("Give a reason for the change.", "error")
        return redirect(url_for("users.show", user_id=user.id))
    try:
        accounts.set_active(current_user, user, not user.active, form.reason.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"{user.full_name} is now {'active' if user.active else 'deactivated'}.", "success")
    return redirect(url_for("users.show", user_id=user.id))


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@requires("manage_users")
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("users.show", user_id=user.id))
    temporary = accounts.force_password_reset(current_user, user)
    return render_template("users/reset_done.html", user=user, temporary=temporary)
