"""`flask users` commands that change an existing account's access: deactivate, reactivate,
reset-password, unlock, set-roles, set-access-end and reset-2fa."""

import click

from compliance.cli.users import DATE, account, acting, by_option, reason_option, users_cli
from compliance.permissions import ROLES
from compliance.services import accounts, lockout, second_factor


@users_cli.command("deactivate")
@click.argument("email")
@reason_option
@by_option
def deactivate(email, reason, by):
    """Deactivate an account; its sessions end at once. Nobody is deleted."""
    with acting(by) as manager:
        user = accounts.set_active(manager, account(email).id, False, reason)
    click.echo(f"{user.email} is deactivated.")


@users_cli.command("reactivate")
@click.argument("email")
@reason_option
@by_option
def reactivate(email, reason, by):
    """Reactivate a deactivated account."""
    with acting(by) as manager:
        user = accounts.set_active(manager, account(email).id, True, reason)
    click.echo(f"{user.email} is active.")


@users_cli.command("reset-password")
@click.argument("email")
@by_option
def reset_password(email, by):
    """Issue a one-time password, to be changed at the next sign-in; shown only now."""
    with acting(by) as manager:
        temporary = accounts.force_password_reset(manager, account(email).id)
    click.echo(f"One-time password for {email}: {temporary}")
    click.echo("Give it to them in person; they must choose a new one when they sign in.")


@users_cli.command("unlock")
@click.argument("email")
@reason_option
@by_option
def unlock(email, reason, by):
    """Lift a lock left by wrong passwords or codes, and clear the failure count."""
    with acting(by) as manager:
        lockout.unlock(manager, email, reason)
    click.echo(f"{email} may sign in again.")


@users_cli.command("set-roles")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@reason_option
@by_option
def set_roles(email, roles, reason, by):
    """Replace an account's roles (checked as the web form checks them)."""
    user = account(email)
    profile = accounts.profile_of(user)
    profile.roles = set(roles)
    with acting(by) as manager:
        user = accounts.update_user(manager, user.id, profile, reason)
    click.echo(f"{user.email} now holds: {', '.join(sorted(user.roles))}.")


@users_cli.command("set-access-end")
@click.argument("email")
@click.option("--on", "ends_on", type=DATE, help="The last day they may sign in.")
@click.option("--none", "no_end", is_flag=True, help="Remove the end date.")
@reason_option
@by_option
def set_access_end(email, ends_on, no_end, reason, by):
    """Set (or remove) the last day an account, an inspector's usually, may sign in."""
    if bool(ends_on) == no_end:
        raise click.ClickException("Give either --on YYYY-MM-DD or --none.")
    user = account(email)
    profile = accounts.profile_of(user)
    profile.access_expires_on = ends_on.date() if ends_on else None
    with acting(by) as manager:
        user = accounts.update_user(manager, user.id, profile, reason)
    ends = user.access_expires_on
    click.echo(f"{user.email} may sign in until the end of {ends.isoformat()}." if ends
               else f"{user.email} has no access end date.")


@users_cli.command("reset-2fa")
@click.argument("email")
@reason_option
@by_option
def reset_second_factor(email, reason, by):
    """Remove an account's second factor and recovery codes (a lost phone)."""
    with acting(by) as manager:
        user = second_factor.reset(manager, account(email).id, reason)
    click.echo(f"The second factor of {user.email} was removed; they set it up again when "
               "they next sign in, if they must have one.")
