"""`flask users import`: accounts from a CSV file, a dry run unless --apply is given."""

import click

from compliance.cli.users import acting, by_option, users_cli
from compliance.errors import DomainError
from compliance.services import user_import


def _rows(path: str) -> list[user_import.Row]:
    """Every row of the file, or the command ends naming each bad one by its line."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"Cannot read {path}: it must be a UTF-8 CSV file "
                                   f"({error.__class__.__name__}).") from error
    try:
        rows, problems = user_import.read(text)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    problems = sorted(problems + user_import.check(rows), key=_line_number)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} bad row(s); nothing was imported.")
    return rows


def _line_number(problem: str) -> int:
    return int(problem.split(":", 1)[0].removeprefix("line "))


@users_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run/--apply", default=True, show_default=True,
              help="Only check the file (the default), or create the accounts.")
@by_option
def import_users(path, dry_run, by):
    """Create accounts from a CSV file: a header line with email, full_name and roles
    (several separated by ';'), and optionally profession, register, registration_number,
    access_expires_on (YYYY-MM-DD), locations (names separated by ';', needed when the
    provider has several) and all_locations (yes or no). All rows are created, or none."""
    with acting(by) as manager:
        rows = _rows(path)
        if dry_run:
            click.echo(f"{len(rows)} account(s) would be created; nothing was written. "
                       "Run again with --apply to create them.")
            return
        created = user_import.apply(manager, rows)
    for item in created:
        click.echo(f"Created {item.user.email}; one-time password: {item.one_time_password}")
    click.echo(f"{len(created)} account(s) created; each must choose a new password at the "
               "first sign-in.")
