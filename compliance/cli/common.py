"""What every command group shares."""

import getpass

from compliance.services.audit import Actor

COMMAND_LINE = Actor(None, "command line")


def operator() -> Actor:
    """The person at the server's command line, named by their OS account."""
    return Actor(None, f"operator {getpass.getuser()}")
