"""The locations migration (3f0c2b7d9e1a) on a database that already holds records: every row
moves to the first location, the ledger stays append-only, and every batch's balance becomes
its part held there."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from compliance import create_app
from compliance.extensions import db
from tests.dbutil import USING_POSTGRES, config_for

BEFORE = "a8947964026c"
ROWS = """
INSERT INTO users (id, email, full_name, password_hash, role_names, profession, active,
  must_change_password, session_token, created_at)
  VALUES (1, 'm@x.clinic', 'M', 'x', 'manager', 'other', 1, 0, 't', '2026-01-01');
INSERT INTO products (id, name, active_ingredient, strength_percent, container_type,
  container_volume_ul, single_use, max_volume_per_session_ul, active)
  VALUES (1, 'STS 1%', 'sodium tetradecyl sulphate', 1, 'ampoule', 2000, 1, 10000, 1);
INSERT INTO batches (id, product_id, batch_number, expires_on, supplier, delivery_reference,
  received_on, state, balance_ul, sealed_containers)
  VALUES (1, 1, 'B1', '2027-01-01', 'S', 'D', '2026-01-01', 'available', 18000, 9);
INSERT INTO stocktakes (id, counted_by_id, counted_at, recorded_at)
  VALUES (1, 1, '2026-02-01', '2026-02-01');
INSERT INTO stocktake_lines (id, stocktake_id, batch_id, expected_containers,
  counted_containers) VALUES (1, 1, 1, 10, 9);
INSERT INTO ledger_entries (id, batch_id, entry_type, quantity_ul, containers,
  balance_after_ul, containers_after, actor_id, recorded_at, occurred_on, stocktake_id)
  VALUES (1, 1, 'receipt', 20000, 10, 20000, 10, 1, '2026-01-01', '2026-01-01', NULL),
         (2, 1, 'stocktake correction', -2000, -1, 18000, 9, 1, '2026-02-01', '2026-02-01', 1);
"""


@pytest.mark.skipif(USING_POSTGRES, reason="SQLite rebuilds tables that other rows refer to; "
                    "PostgreSQL alters them in place (checked on the 1M-injection data set)")
def test_existing_records_move_to_the_first_location(tmp_path):
    app = create_app(config_for(f"sqlite:///{tmp_path / 'old.db'}"))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            for statement in filter(str.strip, ROWS.split(";")):
                connection.exec_driver_sql(statement)
        upgrade()
        with db.engine.connect() as connection:
            located = connection.execute(text(
                "SELECT (SELECT COUNT(*) FROM ledger_entries WHERE location_id = 1), "
                "(SELECT COUNT(*) FROM stocktakes WHERE location_id = 1), "
                "(SELECT balance_ul || '/' || sealed_containers FROM batch_stocks "
                " WHERE batch_id = 1 AND location_id = 1 AND storage_area_id = 1), "
                "(SELECT all_locations FROM users WHERE id = 1)")).one()
            assert tuple(located) == (2, 1, "18000/9", 1)
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            with pytest.raises(Exception, match="append-only"):
                connection.exec_driver_sql("UPDATE ledger_entries SET quantity_ul = 0")
        db.engine.dispose()
