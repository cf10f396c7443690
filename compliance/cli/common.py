"""What every command group shares."""

import getpass

from compliance.services.audit import Actor


def operator() -> Actor:
    """The person (or timer) at the server's command line, named by their OS account: every
    command's audit events say who ran it."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name and no password-file entry (a bare container)
        name = "unknown"
    return Actor(None, f"operator {name}")
