"""Flask commands, one module per group: users, demo data, the audit trail, stock."""

from flask import Flask

from compliance.cli import audit, demo, stock, users, users_access, users_import

# The users group's commands live in three modules; importing them adds them to the group.
USERS_MODULES = (users_access, users_import)


def register(app: Flask) -> None:
    for group in (audit.audit_cli, stock.stock_cli, users.users_cli, demo.demo_cli):
        app.cli.add_command(group)
