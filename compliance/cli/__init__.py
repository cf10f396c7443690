"""Flask commands, one module per group: users, demo data, the audit trail, stock, backups,
notices; and `flask db grants`, added to Flask-Migrate's own `db` group beside `upgrade`."""

from flask import Flask
from flask_migrate.cli import db as migrate_cli

from compliance.cli import (
    audit,
    backup,
    demo,
    grants,
    notices,
    stock,
    users,
    users_access,
    users_import,
)

# The users group's commands live in three modules; importing them adds them to the group.
USERS_MODULES = (users_access, users_import)


def register(app: Flask) -> None:
    for group in (audit.audit_cli, stock.stock_cli, users.users_cli, demo.demo_cli,
                  backup.backup_cli, notices.notices_cli):
        app.cli.add_command(group)
    migrate_cli.add_command(grants.grants_command)
