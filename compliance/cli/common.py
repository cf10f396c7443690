"""What every command group shares."""

from compliance.services.audit import Actor

COMMAND_LINE = Actor(None, "command line")
