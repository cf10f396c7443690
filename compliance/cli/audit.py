"""`flask audit`: the tamper-evident audit trail and its anchors."""

import sys

import click

from compliance.cli.common import operator
from compliance.services import audit_anchors, audit_replay, audit_verify
from compliance.services.audit import acting_as
from compliance.services.replay_slices import MOST as MOST_PASSES

audit_cli = click.Group("audit", help="The tamper-evident audit trail.")


@audit_cli.command("verify")
def verify_audit():
    """Re-compute the hash chain and check it against every anchor; exit non-zero if either
    fails."""
    with acting_as(operator()):
        result = audit_verify.verify_and_record(processes=audit_verify.cpu_count())
    click.echo("\n".join(result.lines()))
    if not result.ok:
        sys.exit(1)


@audit_cli.command("keygen")
def keygen():
    """Make the anchors' Ed25519 key pair and an empty anchor log (never overwrites)."""
    try:
        key = audit_anchors.keygen()
    except (audit_anchors.AnchorError, OSError) as error:
        raise click.ClickException(str(error)) from None
    files = audit_anchors.files()
    click.echo(f"Key {key}\n  private: {files.signing_key} (keep it secret)\n"
               f"  public: {files.public_key}\n  anchor log: {files.log}")


@audit_cli.command("anchor")
def anchor():
    """Sign the chain's head, append it to the anchor log and record it on the trail."""
    try:
        with acting_as(operator()):
            checkpoint = audit_anchors.anchor()
    except audit_anchors.AnchorError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Anchored {audit_anchors.describe(checkpoint)}")


@audit_cli.command("replay")
@click.option("--passes", type=click.IntRange(1, MOST_PASSES),
              help="Go over the trail this many times, each holding a slice of the rows "
                   "(default: as many as AUDIT_REPLAY_MEMORY_MB asks).")
def replay_audit(passes):
    """Compare every audited table with its audit events; exit non-zero on any difference."""
    with acting_as(operator()):
        result = audit_replay.replay_and_record(passes=passes)
    for difference in result.differences:
        click.echo(difference.describe())
    click.echo(result.summary())
    if not result.ok:
        sys.exit(1)
