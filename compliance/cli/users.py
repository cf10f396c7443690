"""`flask users`: accounts from the command line."""

import sys

import click
from sqlalchemy import select

from compliance.cli.common import COMMAND_LINE
from compliance.errors import DomainError
from compliance.extensions import db
from compliance.models import User
from compliance.models.user import PROFESSIONS, REGISTERS
from compliance.permissions import ROLES
from compliance.services import accounts
from compliance.services.audit import acting_as

users_cli = click.Group("users", help="Create and list user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--profession", default="other", type=click.Choice(PROFESSIONS))
@click.option("--register", type=click.Choice(REGISTERS))
@click.option("--registration-number")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, full_name, roles, profession, register, registration_number,
                password_stdin):
    """Create an account (the first manager of a new installation, for example)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    profile = accounts.Profile(email, full_name, set(roles), profession, register,
                               registration_number)
    try:
        with acting_as(COMMAND_LINE):
            user = accounts.create_user(None, profile, password)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Created user {user.id}: {user.email} ({', '.join(sorted(user.roles))})")


@users_cli.command("list")
def list_users():
    """Show every account."""
    for user in db.session.scalars(select(User).order_by(User.id)):
        state = "active" if user.is_active else "inactive"
        click.echo(f"{user.id:>4}  {user.email:<32} {user.full_name:<24} "
                   f"{','.join(sorted(user.roles)):<30} {user.registration:<14} {state}")
