"""`flask users`: accounts from the command line, checked as the web form checks them, each
change recorded as made by the manager named with --by or else by the operator (the OS user)."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import select

from compliance.cli.common import operator
from compliance.errors import DomainError
from compliance.extensions import db
from compliance.models import User
from compliance.models.user import PROFESSIONS, REGISTERS
from compliance.permissions import ROLES, holds
from compliance.services import accounts, user_locations
from compliance.services.audit import acting_as, actor_of

users_cli = click.Group("users", help="Create, list and change user accounts.")

by_option = click.option(
    "--by", metavar="EMAIL",
    help="The active manager making the change, as recorded in the audit trail; without it, "
         "the operator (the OS user) is recorded.")
reason_option = click.option("--reason", required=True,
                             help="Why, as recorded in the audit trail.")
DATE = click.DateTime(formats=["%Y-%m-%d"])


@contextmanager
def acting(by: str | None) -> Iterator[User | None]:
    """The acting manager (None for the operator) for the block, whose refusals end the
    command with one line."""
    manager = None
    if by:
        manager = accounts.find_by_email(by)
        if manager is None or not manager.is_active or not holds(manager, "manage_users"):
            raise click.ClickException(f"--by {by}: no active manager has this email address.")
    try:
        with acting_as(actor_of(manager) if manager else operator()):
            yield manager
    except DomainError as error:
        raise click.ClickException(" ".join(error.message.split())) from error


def account(email: str) -> User:
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email address {email}.")
    return user


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--profession", default="other", type=click.Choice(PROFESSIONS))
@click.option("--register", type=click.Choice(REGISTERS))
@click.option("--registration-number")
@click.option("--access-ends-on", type=DATE, help="The last day an inspector may sign in.")
@click.option("--location", "location_names", multiple=True, metavar="NAME",
              help="A location the user works at (repeat for several); needed when the "
                   "provider has several, unless --all-locations.")
@click.option("--all-locations", is_flag=True,
              help="Works at every location (a group manager, a whole-provider inspector).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@by_option
def create_user(email, full_name, roles, profession, register, registration_number,
                access_ends_on, location_names, all_locations, password_stdin, by):
    """Create an account (the first manager of a new installation, for example)."""
    profile = accounts.Profile(email, full_name, set(roles), profession, register,
                               registration_number,
                               access_ends_on.date() if access_ends_on else None, all_locations)
    password = _password(password_stdin)
    with acting(by) as manager:
        if location_names:
            profile.location_ids = user_locations.ids_named(location_names)
        user = accounts.create_user(manager, profile, password)
    click.echo(f"Created user {user.id}: {user.email} ({', '.join(sorted(user.roles))})")


def _state(user: User) -> str:
    if not user.active:
        return "deactivated"
    return "access ended" if user.access_expired else "active"


@users_cli.command("list")
def list_users():
    """Show every account: roles, registration, access end date, second factor, state."""
    for user in db.session.scalars(select(User).order_by(User.id)):
        ends = user.access_expires_on.isoformat() if user.access_expires_on else "-"
        factor = "2FA" if user.has_second_factor else "-"
        click.echo(f"{user.id:>4}  {user.email:<32} {user.full_name:<24} "
                   f"{','.join(sorted(user.roles)):<30} {user.registration or '-':<14} "
                   f"{ends:<10} {factor:<3} {_state(user)}")
