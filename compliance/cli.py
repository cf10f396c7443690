"""Flask commands: users, demo data."""

import sys
import time

import click
from flask import Flask
from sqlalchemy import select

from compliance import demo
from compliance.errors import DomainError
from compliance.extensions import db
from compliance.models import User
from compliance.models.user import PROFESSIONS, REGISTERS
from compliance.permissions import ROLES
from compliance.services import accounts, audit_verify, stock_months, stock_queries, user_queries
from compliance.services.audit import Actor, acting_as

users_cli = click.Group("users", help="Create and list user accounts.")
demo_cli = click.Group("demo", help="Demo data for trying the application.")
audit_cli = click.Group("audit", help="The tamper-evident audit trail.")
stock_cli = click.Group("stock", help="Stock ledger checks.")
COMMAND_LINE = Actor(None, "command line")


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


def _print_credentials() -> None:
    rows = demo.working_credentials()
    if not rows:
        return
    click.echo("Demo accounts (demo only, never use these on real data):")
    for email, password, roles in rows:
        click.echo(f"  {email:<26} {password:<28} {roles}")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Skip quietly when data is already there.")
def load_demo(if_empty):
    """Load the demo clinic into an empty database."""
    if user_queries.count_users() > 0:
        if not if_empty:
            raise click.ClickException("The database already holds data; demo data is only "
                                       "loaded into an empty database.")
        click.echo("The database already holds data; demo data not loaded.")
    else:
        with acting_as(Actor(None, "demo data loader")):
            demo.load()
        click.echo("Demo clinic loaded.")
    _print_credentials()


@demo_cli.command("generate")
@click.option("--patients", default=100_000, show_default=True)
@click.option("--sessions", default=350_000, show_default=True)
@click.option("--injections", default=1_000_000, show_default=True)
@click.option("--batches", default=20_000, show_default=True)
@click.option("--years", default=10, show_default=True)
@click.option("--seed", default=7, show_default=True)
def generate_data(patients, sessions, injections, batches, years, seed):
    """Write a large rule-abiding data set (bulk inserts) into an empty database."""
    from compliance.generator.plan import Sizes
    from compliance.generator.run import PASSWORD, generate

    sizes = Sizes(patients, sessions, injections, batches, years)
    started = time.monotonic()
    try:
        with click.progressbar(length=sessions, label="Generating sessions") as bar:
            counts = generate(sizes, bar.update, seed)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(", ".join(f"{value:,} {name}" for name, value in counts.items()) +
               f" in {time.monotonic() - started:.0f} s. Generated users' password: {PASSWORD}")


@audit_cli.command("verify")
def verify_audit():
    """Re-compute the hash chain; exit non-zero at the first broken event."""
    result = audit_verify.verify_and_record(processes=audit_verify.cpu_count())
    click.echo(result.summary())
    if not result.ok:
        sys.exit(1)


@stock_cli.command("check")
def check_stock():
    """Compare every batch's running balance with the sum of its ledger entries."""
    mismatches = stock_queries.balance_mismatches()
    for m in mismatches:
        click.echo(f"MISMATCH {m.batch}: stored {m.batch.balance_ul} ul / "
                   f"{m.batch.sealed_containers} sealed, ledger {m.ledger_ul} ul / "
                   f"{m.ledger_containers} sealed"
                   + (f"; kept totals differ: {', '.join(m.totals_differ)}"
                      if m.totals_differ else ""))
    months = stock_months.mismatches()
    for month in months:
        click.echo(f"MISMATCH monthly sum of {month}")
    if mismatches or months:
        sys.exit(1)
    click.echo("OK, every batch balance, kept total and monthly sum equals the sum of its "
               "ledger entries")


def register(app: Flask) -> None:
    app.cli.add_command(audit_cli)
    app.cli.add_command(stock_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
