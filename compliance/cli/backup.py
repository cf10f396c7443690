"""`flask backup`: backups taken, checked and restored (D8)."""

import sys
from pathlib import Path

import click

from compliance.cli.common import COMMAND_LINE
from compliance.services import backups
from compliance.services.audit import acting_as
from compliance.services.backup_stores import BackupError

backup_cli = click.Group("backup", help="Back up, check and restore the database.")
BACKUP_FILE = click.Path(path_type=Path, dir_okay=False)


@backup_cli.command("create")
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write it (default: the BACKUP_DIR setting).")
def create_backup(directory):
    """Write a backup file and its manifest (audit head, balances' checksum, file hash)."""
    try:
        with acting_as(COMMAND_LINE):
            manifest = backups.create(directory)
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup {manifest.file}: {manifest.event_count} events, head "
               f"{manifest.head_seq} {manifest.head_hash}, SHA-256 {manifest.file_sha256}")


@backup_cli.command("verify")
@click.argument("backup", type=BACKUP_FILE)
def verify_backup(backup):
    """Restore FILE into a scratch database and check its audit chain, stock balances and
    manifest; exit non-zero on any problem."""
    try:
        problems = backups.verify(backup)
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    for problem in problems:
        click.echo(f"PROBLEM {problem}")
    if problems:
        sys.exit(1)
    click.echo(f"OK, {backup.name} restores to the audit head and balances of its manifest")


@backup_cli.command("restore")
@click.argument("backup", type=BACKUP_FILE)
def restore_backup(backup):
    """Restore FILE into the configured database, which must be new and empty (run
    `flask backup verify FILE` first)."""
    try:
        manifest = backups.restore(backup)
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {manifest.file}: {manifest.event_count} events, head "
               f"{manifest.head_seq}")
