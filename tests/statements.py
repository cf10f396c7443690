"""Counting the SQL statements a request sends, to hold a page or a POST to a fixed number."""

from contextlib import contextmanager

from sqlalchemy import event

from compliance.extensions import db


class Statements(list):
    """The statements sent, in order, first line of each; `len` is the count."""

    def listing(self) -> str:
        return "\n".join(f"{number:3} {text}" for number, text in enumerate(self, 1))


@contextmanager
def counted_statements():
    """Every statement the engine sends through a cursor, and on PostgreSQL the BEGIN that
    psycopg sends on its own before a transaction's first statement (on SQLite BEGIN and
    BEGIN IMMEDIATE are sent through a cursor by compliance/database.py, so they count
    there already). COMMIT and ROLLBACK go through the driver's connection on both and are
    not counted. Counting starts outside a transaction, the signed-in user not loaded."""
    db.session.commit()
    seen = Statements()

    def cursor(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    def begin(conn):
        if conn.dialect.name != "sqlite":
            seen.append("BEGIN (sent by the driver)")

    event.listen(db.engine, "before_cursor_execute", cursor)
    event.listen(db.engine, "begin", begin)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", cursor)
        event.remove(db.engine, "begin", begin)
