"""Reading millions of rows fast, as the driver gives them (no SQLAlchemy row objects: at a
million audit events their cost is most of the run), for verification and replay.

SQLite's cursor streams. psycopg's cursor reads a query's whole result before the first row,
so on PostgreSQL a long run of audit events is read in ranges of `PG_RANGE`. (A server-side
cursor was an eighth slower; `COPY (SELECT ...) TO STDOUT` overlaps the server's work with the
client's, but costs half as much CPU again per row, and with a process per core CPU is the
limit.)
"""

FETCH = 20_000
PG_RANGE = 50_000


def batches(connection, sql: str, params: tuple = ()):
    """Lists of rows of `sql` (with `%s` markers) on the SQLAlchemy connection's own driver
    connection, in its transaction. (Lists, not rows one by one: a loop over each list costs
    less per row than a generator's step, at millions of rows.)"""
    raw = connection.connection.dbapi_connection
    if connection.dialect.name != "postgresql":
        sql = sql.replace("%s", "?")
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH):
            yield batch
    finally:
        cursor.close()


def batches_in_ranges(connection, sql: str, first: int, last: int, params: tuple = ()):
    """Lists of rows of `sql`, whose first two markers bound a range of sequence numbers, for
    first..last in order."""
    step = PG_RANGE if connection.dialect.name == "postgresql" else last - first + 1
    for low in range(first, last + 1, max(step, 1)):
        yield from batches(connection, sql, (low, min(low + step - 1, last), *params))
