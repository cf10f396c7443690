"""Flask commands, one module per group: users, demo data, the audit trail, stock, backups,
notices."""

from flask import Flask

from compliance.cli import audit, backup, demo, notices, stock, users


def register(app: Flask) -> None:
    for group in (audit.audit_cli, stock.stock_cli, users.users_cli, demo.demo_cli,
                  backup.backup_cli, notices.notices_cli):
        app.cli.add_command(group)
