"""`flask audit replay`: the live tables against the new values of their audit events."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from compliance import demo
from compliance.extensions import db
from compliance.models import AuditEvent, LedgerEntry
from compliance.services import audit, audit_replay
from compliance.services.replay_fold import DELETED, GONE, NO_CREATE, UNREADABLE
from tests.audit_helpers import append_only_lifted, changes, events, execute_raw
from tests.factories import make_product


@pytest.fixture(autouse=True, params=["one process", "two processes", "three passes"])
def shares(request, monkeypatch):
    """Replay in one process; or share the tables out between two (as `flask audit replay`
    does on a large database); or also go over the trail three times, each holding a slice
    of the rows (as it does where they would not fit in AUDIT_REPLAY_MEMORY_MB)."""
    if request.param == "one process":
        monkeypatch.setattr(audit_replay, "cpu_count", lambda: 1)
        return 1
    monkeypatch.setattr(audit_replay, "MIN_PER_PROCESS", 1)
    monkeypatch.setattr(audit_replay, "cpu_count", lambda: 2)
    if request.param == "three passes":
        monkeypatch.setattr(audit_replay, "passes_for", lambda rows, memory_mb: 3)
        return 3
    return 1


def listed(result) -> set[tuple]:
    return {(d.table, d.record_id, d.column or d.problem) for d in result.differences}


def test_the_clinic_replays_clean_and_the_outcome_is_recorded(app, clinic, runner, shares):
    outcome = runner.invoke(args=["audit", "replay"])
    assert outcome.exit_code == 0, outcome.output
    assert audit_replay.replay().passes == shares
    assert outcome.output.startswith("OK, ") and "rows in" in outcome.output
    event = events(action="replay")[-1]
    assert event.actor_name.startswith("operator ")
    recorded = changes(event)
    assert recorded["ok"] is True and recorded["differences"] == 0
    assert recorded["events"] > 0 and recorded["rows"] > 0


def test_the_demo_clinic_replays_clean(app):
    demo.load()
    result = audit_replay.replay()
    assert result.ok, [d.describe() for d in result.differences]
    assert result.tables > 10 and result.rows > 100


def _receipt(batch) -> LedgerEntry:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.batch_id == batch.id,
                                                       LedgerEntry.entry_type == "receipt"))


def test_a_ledger_entry_changed_with_every_sum_that_checks_it_is_listed(app, clinic, runner):
    batch, entry = clinic["batch"], _receipt(clinic["batch"])
    with append_only_lifted("ledger_entries"):
        execute_raw("UPDATE ledger_entries SET quantity_ul = quantity_ul - 2000, "
                    "containers = containers - 1, balance_after_ul = balance_after_ul - 2000, "
                    "containers_after = containers_after - 1 WHERE id = :id", id=entry.id)
    execute_raw("UPDATE batches SET balance_ul = balance_ul - 2000, sealed_containers = "
                "sealed_containers - 1, receipt_total_ul = receipt_total_ul - 2000 "
                "WHERE id = :id", id=batch.id)
    execute_raw("UPDATE stock_months SET quantity_ul = quantity_ul - 2000 WHERE product_id = :p "
                "AND entry_type = 'receipt' AND month = :month", p=batch.product_id,
                month=entry.occurred_on.replace(day=1))
    execute_raw("UPDATE batch_stocks SET balance_ul = balance_ul - 2000, sealed_containers = "
                "sealed_containers - 1 WHERE batch_id = :id AND location_id = :location",
                id=batch.id, location=entry.location_id)
    assert runner.invoke(args=["stock", "check"]).exit_code == 0
    outcome = runner.invoke(args=["audit", "replay"], catch_exceptions=False)
    assert outcome.exit_code == 1
    assert f"ledger_entries {entry.id} quantity_ul: table 58000, audited 60000" in outcome.output
    assert {("ledger_entries", str(entry.id), "quantity_ul"),
            ("ledger_entries", str(entry.id), "containers"),
            ("batches", str(batch.id), "balance_ul"),
            ("batches", str(batch.id), "receipt_total_ul")} <= (found := listed(
                audit_replay.replay()))
    assert changes(events(action="replay")[-1])["differences"] == len(found)


def test_a_row_inserted_without_an_event_is_listed(app, clinic):
    execute_raw("INSERT INTO contraindications (id, name, source, question, active, position) "
                "VALUES (900, 'Slipped in', 'clinic', 'Unrecorded?', :yes, 99)", yes=True)
    assert listed(audit_replay.replay()) == {("contraindications", "900", NO_CREATE)}


def test_a_row_deleted_without_an_event_is_listed_and_one_deleted_with_it_is_not(app, users):
    kept, removed = make_product("2"), make_product("3")
    removed_id = removed.id
    db.session.delete(kept)  # through the application: a delete event
    db.session.commit()
    assert audit_replay.replay().ok
    execute_raw("DELETE FROM products WHERE id = :id", id=removed_id)
    assert listed(audit_replay.replay()) == {("products", str(removed_id), GONE)}


def test_a_row_deleted_on_the_trail_but_still_in_the_table_is_listed(app, users):
    product = make_product("2")
    db.session.delete(product)
    db.session.commit()
    execute_raw("INSERT INTO products (id, name, active_ingredient, strength_percent, "
                "container_type, container_volume_ul, single_use, max_volume_per_session_ul, "
                "active) VALUES (:id, 'Back again', 'sodium tetradecyl sulphate', 2, 'ampoule', "
                "2000, :yes, 10000, :yes)", id=product.id, yes=True)
    assert listed(audit_replay.replay()) == {("products", str(product.id), DELETED)}


def test_times_dates_and_booleans_are_compared_as_recorded(app, clinic):
    patient = clinic["patient"]
    patient.created_at = patient.created_at.replace(microsecond=0)  # isoformat drops them
    db.session.commit()
    assert audit_replay.replay().ok
    moved, born = patient.created_at + timedelta(seconds=1), patient.date_of_birth
    execute_raw("UPDATE patients SET created_at = :at, gp_visit_advised = :no, "
                "date_of_birth = :born WHERE id = :id", at=moved.replace(tzinfo=None), no=False,
                born=born - timedelta(days=1), id=patient.id)
    result = audit_replay.replay()
    by_column = {d.column: d for d in result.differences}
    assert set(by_column) == {"created_at", "gp_visit_advised", "date_of_birth"}
    assert by_column["created_at"].table_value == moved.isoformat()
    assert by_column["gp_visit_advised"].table_value is False
    assert by_column["date_of_birth"].audited_value == born.isoformat()


def test_a_secret_replaced_behind_the_trail_is_listed_and_excluded_columns_are_not(app,
                                                                                  users):
    """Secrets are recorded by their digest: a password hash swapped in the table (to take an
    account over) shows, though neither value is on the trail; columns never recorded
    (session tokens) are not compared."""
    nurse = users["nurse"]
    execute_raw("UPDATE users SET session_token = 'replaced'")
    assert audit_replay.replay().ok
    execute_raw("UPDATE users SET password_hash = 'known-hash' WHERE id = :id", id=nurse.id)
    result = audit_replay.replay()
    assert listed(result) == {("users", str(nurse.id), "password_hash")}
    [difference] = result.differences
    assert difference.table_value == audit.redacted("known-hash")
    assert "known-hash" not in str(difference)


def test_a_changed_audit_event_value_is_a_difference_too(app, users):
    """Rewriting the trail instead of the table shows up the same way."""
    nurse = users["nurse"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.table_name == "users",
                                                       AuditEvent.record_id == str(nurse.id)))
    with append_only_lifted("audit_events"):
        execute_raw("UPDATE audit_events SET changes = REPLACE(changes, :old, :new) "
                    "WHERE seq = :seq", old=nurse.full_name, new="Someone Else", seq=event.seq)
    assert ("users", str(nurse.id), "full_name") in listed(audit_replay.replay())


def test_an_event_whose_changes_cannot_be_read_is_named_not_a_crash(app, users):
    nurse = users["nurse"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.table_name == "users",
                                                       AuditEvent.record_id == str(nurse.id)))
    with append_only_lifted("audit_events"):
        execute_raw("UPDATE audit_events SET changes = 'not json' WHERE seq = :seq",
                    seq=event.seq)
    assert listed(audit_replay.replay()) == {("users", str(nurse.id), UNREADABLE)}
