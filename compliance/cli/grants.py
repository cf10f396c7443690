"""`flask db grants`: the app's database role gets what it needs and no more (PostgreSQL)."""

import click
from flask.cli import with_appcontext

from compliance import grants
from compliance.database import migration_engine
from compliance.settings import setting


@click.command("grants")
@with_appcontext  # as Flask-Migrate's own commands: its `db` group is a plain click group
def grants_command():
    """Grant the role of DATABASE_URL row access only, and on append-only tables SELECT and
    INSERT only. Run as the owner (MIGRATION_DATABASE_URL) after every `flask db upgrade`."""
    try:
        place, done = grants.apply(setting("SQLALCHEMY_DATABASE_URI"),
                                   migration_engine())
    except grants.Refused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    for statement in done:
        click.echo(statement)
    click.echo(f"Done: role {place.role} on database {place.database} as {place.owner}, "
               f"{len(place.tables)} tables. Run again after every `flask db upgrade`.")
