"""`flask demo`: demo data for trying the application."""

import time

import click

from compliance import demo
from compliance.services import user_queries
from compliance.services.audit import Actor, acting_as
from compliance.settings import setting

demo_cli = click.Group("demo", help="Demo data for trying the application.")


def _refuse_in_production() -> None:
    if not setting("ALLOW_DEMO_DATA"):
        raise click.ClickException("Demo data and its published passwords are never loaded "
                                   "in production (APP_ENV=production).")


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
    _refuse_in_production()
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
@click.option("--locations", default=25, show_default=True,
              type=click.IntRange(1, 1_000), help="How many locations the group has.")
@click.option("--seed", default=7, show_default=True)
def generate_data(patients, sessions, injections, batches, years, locations, seed):
    """Write a large rule-abiding data set (bulk inserts) into an empty database."""
    _refuse_in_production()
    from compliance.generator.plan import Sizes
    from compliance.generator.run import PASSWORD, generate

    sizes = Sizes(patients, sessions, injections, batches, years, locations)
    started = time.monotonic()
    try:
        with click.progressbar(length=sessions, label="Generating sessions") as bar:
            counts = generate(sizes, bar.update, seed)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(", ".join(f"{value:,} {name}" for name, value in counts.items()) +
               f" in {time.monotonic() - started:.0f} s. Generated users' password: {PASSWORD}")
