"""Replacing an index of a large table in a migration without locking it against writes.

Keep this stable: migrations that have already run import it.
"""

from alembic import op
from sqlalchemy import text

# An index of this name left INVALID by a concurrent build that failed.
INVALID = text("SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
               "WHERE c.relname = :name AND NOT i.indisvalid")


def replace_index(table: str, old: str, new: str, columns: list, included: list) -> None:
    """On PostgreSQL the new index is built, and the old one dropped, CONCURRENTLY: a plain
    build locks the table against writes, and every write adds an audit event (49 s at
    national scale). That runs outside a transaction, each index on its own, so the steps are
    written to be run again after a failure: an INVALID index a failed build left is dropped,
    an index already built is kept, one already dropped is not dropped again. (SQLite has no
    INCLUDE: its indexes hold the row's key already.)"""
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(new, columns, unique=False)
            batch_op.drop_index(old)
        return
    with op.get_context().autocommit_block():
        if not op.get_context().as_sql and op.get_bind().execute(
                INVALID, {"name": new}).first():
            op.drop_index(new, table_name=table, postgresql_concurrently=True)
        op.create_index(new, table, columns, unique=False, postgresql_include=included,
                        postgresql_concurrently=True, if_not_exists=True)
        op.drop_index(old, table_name=table, postgresql_concurrently=True, if_exists=True)
