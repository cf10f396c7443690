"""Managers list, create, edit, deactivate and reset users."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from compliance.errors import DomainError
from compliance.extensions import db
from compliance.forms import EmptyForm, ReasonForm, options
from compliance.models import User
from compliance.permissions import requires
from compliance.services import accounts, second_factor, user_locations, user_queries
from compliance.users import bp
from compliance.users.forms import EditUserForm, NewUserForm, UserForm
from compliance.views import run_form


def _shown(user: User) -> str:
    return url_for("users.show", user_id=user.id)


def _with_locations(form: UserForm, user: User | None = None) -> UserForm:
    """Offer the active locations; on first showing, tick where the account works (a new
    account at a provider of one location works there)."""
    active = user_locations.active_locations()
    form.location_ids.choices = options((location.id, location.name) for location in active)
    if not form.is_submitted():
        ids = {location.id for location in active}
        if user is not None:
            form.location_ids.data = sorted(user_locations.assigned_ids(user) & ids)
        elif len(ids) == 1:
            form.location_ids.data = sorted(ids)
    return form


@bp.route("/")
@requires("manage_users")
def index():
    return render_template("users/index.html", users=user_queries.users_by_name(),
                           locations_of=user_locations.names_by_user())


@bp.route("/new", methods=["GET", "POST"])
@requires("manage_users")
def new():
    form = _with_locations(NewUserForm())
    return run_form(
        form, lambda: accounts.create_user(current_user, form.profile(), form.password.data),
        success=lambda user: f"Account created for {user.full_name}.", to=_shown,
    ) or render_template("users/new.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@requires("manage_users")
def show(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _with_locations(EditUserForm(obj=user), user)
    return run_form(
        form, lambda: accounts.update_user(current_user, user.id, form.profile(),
                                           form.reason.data),
        success="Account updated.", to=_shown(user),
    ) or render_template("users/show.html", user=user, form=form,
                         reason_form=ReasonForm(prefix="access"), reset_form=EmptyForm(),
                         second_factor_form=ReasonForm(prefix="second_factor"))


def _now(user: User) -> str:
    return f"{user.full_name} is now {'active' if user.active else 'deactivated'}."


@bp.route("/<int:user_id>/active", methods=["POST"])
@requires("manage_users")
def set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ReasonForm(prefix="access")
    return run_form(
        form, lambda: accounts.set_active(current_user, user.id, not user.active,
                                          form.reason.data),
        success=_now, to=_shown(user), invalid="Give a reason for the change.",
    ) or redirect(_shown(user))


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@requires("manage_users")
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        return redirect(_shown(user))
    try:
        temporary = accounts.force_password_reset(current_user, user.id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(_shown(user))
    flash(f"A temporary password was set for {user.full_name}.", "success")
    return render_template("users/reset_done.html", user=user, temporary=temporary)


@bp.route("/<int:user_id>/reset-second-factor", methods=["POST"])
@requires("manage_users")
def reset_second_factor(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ReasonForm(prefix="second_factor")
    return run_form(
        form, lambda: second_factor.reset(current_user, user.id, form.reason.data),
        success=lambda reset: f"The second factor of {reset.full_name} was reset.",
        to=_shown(user), invalid="Give a reason for the change.",
    ) or redirect(_shown(user))
