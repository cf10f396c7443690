"""audit events store where their record is, for records that never move, and that a record
of no location is everywhere: a scope's events are then decided from an index of the month's
events (the scoped inspector's month of the audit report's count looked at each of 300,000
events' records at national scale: 0.45 s)

The column is filled in for the events already written, one statement per kind of record,
with the append-only trigger off: on PostgreSQL in batches of events, each a transaction of its
own (writes wait for the batch under way); on SQLite in the migration's transaction. Where each
record is, as compliance/fixed_places.py says at this revision; a record of no location is
everywhere (0).

Revision ID: c4e8a1f2d6b3
Revises: 86eda4b3e964
Create Date: 2026-11-28 01:30:00.000000

"""
import logging
import time

from alembic import op
import sqlalchemy as sa

from compliance.append_only import drop_append_only, make_append_only
from compliance.index_swap import replace_index


# revision identifiers, used by Alembic.
revision = 'c4e8a1f2d6b3'
down_revision = '86eda4b3e964'
branch_labels = None
depends_on = None

# The fixed records whose own column says where they are, and those that are where the
# parent their key names is.
OWN_COLUMN = ('treatment_sessions', 'ledger_entries', 'stocktakes', 'storage_areas',
              'exception_reviews')
PARENT = {
    'injections': ('session_id', 'treatment_sessions'),
    'session_flags': ('session_id', 'treatment_sessions'),
    'session_addenda': ('session_id', 'treatment_sessions'),
    'follow_ups': ('session_id', 'treatment_sessions'),
    'injection_reversals': ('injection_id', 'injections'),
    'stocktake_lines': ('stocktake_id', 'stocktakes'),
    'temperature_readings': ('storage_area_id', 'storage_areas'),
}
FIXED = (*OWN_COLUMN, *PARENT, 'locations')
# Every located table (compliance/scope.py's LOCATED at this revision): an event naming any
# other table, or a signature of a record of one, is about a record of no location.
LOCATED = (*FIXED, 'user_locations', 'batches', 'recall_contacts', 'transfers')
EVERYWHERE = 0
LOG = logging.getLogger('alembic.runtime.migration')
BATCH = 50_000  # events filled in a transaction (PostgreSQL): 0.7-2.1 s each at 1M injections
TRIGGER = 'audit_events_append_only'
OLD_INDEX = ('ix_audit_events_occurred_at_keys', ['table_name', 'record_id', 'actor_id'])
NEW_INDEX = ('ix_audit_events_occurred_at_scope',
             ['location_id', 'table_name', 'record_id', 'actor_id', 'seq'])


def _place(table: str, row: str) -> str:
    """Where the row `row` of the fixed `table` is, as SQL."""
    if table == 'locations':
        return f'{row}.id'
    if table in OWN_COLUMN:
        return f'{row}.location_id'
    key, parent = PARENT[table]
    return f'(SELECT {_place(parent, row + "p")} FROM {parent} {row}p WHERE {row}p.id = {row}.{key})'


def _key(table_column: str, key_column: str, table: str) -> str:
    """The key as an integer when the pair names a row of `table` by a key an integer column
    can hold: no other text is ever cast."""
    if op.get_bind().dialect.name == 'postgresql':
        digits = f"{key_column} ~ '^[0-9]{{1,9}}$'"
    else:
        digits = f"{key_column} NOT GLOB '*[^0-9]*' AND length({key_column}) BETWEEN 1 AND 9"
    return (f"CAST(CASE WHEN {table_column} = '{table}' AND {digits} "
            f"THEN {key_column} END AS INTEGER)")


def _fill_in(events: str = 'TRUE') -> None:
    """Fill in the places of the `events` (a condition on audit_events) still without one."""
    located = ', '.join(f"'{table}'" for table in LOCATED)
    op.execute(f"UPDATE audit_events SET location_id = {EVERYWHERE} "
               f"WHERE table_name NOT IN ({located}, 'signatures') "
               f"AND location_id IS NULL AND {events}")
    signature = _key('audit_events.table_name', 'audit_events.record_id', 'signatures')
    op.execute(f"UPDATE audit_events SET location_id = {EVERYWHERE} "
               f"WHERE table_name = 'signatures' AND location_id IS NULL AND {events} "
               f"AND EXISTS (SELECT 1 FROM signatures s WHERE s.id = {signature} "
               f"AND s.record_table NOT IN ({located}))")
    for table in FIXED:
        record = _key('audit_events.table_name', 'audit_events.record_id', table)
        op.execute(f"UPDATE audit_events SET location_id = (SELECT {_place(table, 'r')} "
                   f"FROM {table} r WHERE r.id = {record}) "
                   f"WHERE table_name = '{table}' AND location_id IS NULL AND {events}")
        signed = _key('s.record_table', 's.record_id', table)
        op.execute(f"UPDATE audit_events SET location_id = (SELECT {_place(table, 'r')} "
                   f"FROM signatures s JOIN {table} r ON r.id = {signed} "
                   f"WHERE s.id = {signature}) "
                   f"WHERE table_name = 'signatures' AND location_id IS NULL AND {events} "
                   f"AND EXISTS ("
                   f"SELECT 1 FROM signatures s WHERE s.id = {signature} "
                   f"AND s.record_table = '{table}')")


def _fill_in_batches() -> None:
    """PostgreSQL: BATCH events at a time, each batch a transaction of its own with the
    append-only trigger off inside it, so that writes wait for one batch, not for all of
    them. Events written meanwhile by the code before this revision keep no place, which is
    always right (their scope is decided by their record)."""
    with op.get_context().autocommit_block():
        last = op.get_bind().execute(sa.text(
            'SELECT COALESCE(MAX(seq), 0) FROM audit_events')).scalar()
        for first in range(1, last + 1, BATCH):
            started = time.monotonic()
            _fill_in_one_batch(first)
            LOG.info('places filled in for events %d-%d of %d in %.1f s', first,
                     min(first + BATCH - 1, last), last, time.monotonic() - started)


def _fill_in_one_batch(first: int) -> None:
    op.execute('BEGIN')
    try:
        # Every write queues behind the lock this asks for, which waits for the writes under
        # way: give up, to be run again, rather than hold them all up behind a long one.
        op.execute("SET LOCAL lock_timeout = '10s'")
        op.execute(f'ALTER TABLE audit_events DISABLE TRIGGER {TRIGGER}')
        _fill_in(f'seq BETWEEN {first} AND {first + BATCH - 1}')
        op.execute(f'ALTER TABLE audit_events ENABLE TRIGGER {TRIGGER}')
    except BaseException:
        # Never commit a batch with the trigger off (autocommit_block commits on its way out).
        op.execute('ROLLBACK')
        raise
    op.execute('COMMIT')


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        op.execute("SET LOCAL lock_timeout = '10s'")
        # IF NOT EXISTS: a rerun after a failure below finds the column there.
        op.execute('ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS location_id INTEGER')
    else:
        with op.batch_alter_table('audit_events', schema=None, recreate='never') as batch_op:
            batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=True))
    if postgres and not op.get_context().as_sql:
        _fill_in_batches()
    else:  # SQLite (one writer at a time whatever is done), or SQL written out to be read
        drop_append_only('audit_events')
        _fill_in()
        make_append_only('audit_events')
    replace_index('audit_events', OLD_INDEX[0], NEW_INDEX[0], ['occurred_at'], NEW_INDEX[1])


def downgrade():
    replace_index('audit_events', NEW_INDEX[0], OLD_INDEX[0], ['occurred_at'], OLD_INDEX[1])
    with op.batch_alter_table('audit_events', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('location_id')
