"""`flask notices`: the managers' daily notice by mail (run by a timer)."""

import click

from compliance.cli.common import operator
from compliance.services import notices
from compliance.services.audit import acting_as
from compliance.services.mail import MailError

notices_cli = click.Group("notices", help="The managers' notices by mail.")


@notices_cli.command("send")
def send_notice():
    """Send today's notice to the recipients (NOTICE_RECIPIENTS, else every active manager,
    of the locations each works at)."""
    try:
        with acting_as(operator()):
            sent = notices.send_daily()
    except MailError as error:
        raise click.ClickException(str(error)) from error
    for notice in sent:
        click.echo(f"Sent \"{notice.subject}\" to {', '.join(notice.recipients)}")
