"""`flask demo`: demo data for trying the application."""

import time
from contextlib import contextmanager
from dataclasses import replace

import click

from compliance import demo
from compliance.extensions import db
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
@click.option("--scale", type=click.Choice(["group", "national"]), default="group",
              show_default=True, help="group: 100,000 patients, 350,000 sessions, 1,000,000 "
              "injections, 20,000 batches, 25 locations; national: ten times as many of "
              "each, at 250 locations (PostgreSQL only). Both over 10 years; the options "
              "below override the scale's figures.")
@click.option("--patients", type=click.IntRange(1))
@click.option("--sessions", type=click.IntRange(1))
@click.option("--injections", type=click.IntRange(0))
@click.option("--batches", type=click.IntRange(1))
@click.option("--years", type=click.IntRange(1))
@click.option("--locations", type=click.IntRange(1, 1_000),
              help="How many locations the group has.")
@click.option("--seed", default=7, show_default=True)
def generate_data(scale, seed, **sizes):
    """Write a large rule-abiding data set (bulk inserts) into an empty database."""
    _refuse_in_production()
    from compliance.generator.plan import SCALES
    from compliance.generator.run import PASSWORD, generate

    _refuse_national_on_sqlite(scale)
    chosen = replace(SCALES[scale], **{"clinics" if name == "locations" else name: value
                                       for name, value in sizes.items() if value is not None})
    started = time.monotonic()
    try:
        counts = generate(chosen, seed, stage=_progress_bar)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(", ".join(f"{value:,} {name}" for name, value in counts.items()) +
               f" in {time.monotonic() - started:.0f} s. Generated users' password: {PASSWORD}")


def _refuse_national_on_sqlite(scale: str) -> None:
    if scale == "national" and db.engine.dialect.name != "postgresql":
        raise click.ClickException(
            "--scale national needs PostgreSQL (set DATABASE_URL): SQLite stays at the clinic "
            "group's scale (--scale group).")


@contextmanager
def _progress_bar(label: str, length: int):
    """A bar for one step of the generation, and how long the step took once done."""
    started = time.monotonic()
    with click.progressbar(length=length, label=f"{label:<24}") as bar:
        yield bar.update
    click.echo(f"{label}: {time.monotonic() - started:,.0f} s")
