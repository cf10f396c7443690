"""`flask audit`: the tamper-evident audit trail."""

import sys

import click

from compliance.services import audit_replay, audit_verify

audit_cli = click.Group("audit", help="The tamper-evident audit trail.")


@audit_cli.command("verify")
def verify_audit():
    """Re-compute the hash chain; exit non-zero at the first broken event."""
    result = audit_verify.verify_and_record(processes=audit_verify.cpu_count())
    click.echo(result.summary())
    if not result.ok:
        sys.exit(1)


@audit_cli.command("replay")
def replay_audit():
    """Compare every audited table with its audit events; exit non-zero on any difference."""
    result = audit_replay.replay_and_record()
    for difference in result.differences:
        click.echo(difference.describe())
    click.echo(result.summary())
    if not result.ok:
        sys.exit(1)
