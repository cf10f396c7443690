"""Recording an injection locks its session, its batch and the batch's part here with one
statement (compliance/services/injection_locks.py): in the order every writer takes them (a
session before its batches, a batch before its parts), and the part it then reads is the part
as the writer it waited for left it."""

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from compliance.errors import InsufficientStock
from compliance.extensions import db
from compliance.models import User
from compliance.services import treatment
from tests.treatment_helpers import days_ago, open_session


def _record_in_thread(app, nurse_id: int, session_id: int, batch_id: int) -> tuple:
    outcome: list = []

    def record() -> None:
        with app.app_context():
            try:
                treatment.record_injection(db.session.get(User, nurse_id), session_id,
                                           treatment.NewInjection(batch_id, 1_000, "left calf", 4))
                outcome.append("recorded")
            except Exception as error:  # noqa: BLE001 - the outcome is the finding
                outcome.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=record, daemon=True)
    thread.start()
    return thread, outcome


def _wait_until_waiting_for_a_lock(probe) -> None:
    for _ in range(100):
        waiting = probe.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE "
                                    "wait_event_type = 'Lock' AND datname = current_database()"))
        probe.rollback()  # the activity seen is one snapshot per transaction
        if waiting:
            return
        time.sleep(0.05)
    pytest.fail("the recording never waited for the batch")


def _locked_by_someone(probe, sql: str, **params) -> bool:
    try:
        probe.execute(text(sql + " FOR UPDATE NOWAIT"), params)
        return False
    except OperationalError:
        return True
    finally:
        probe.rollback()


def test_a_recording_waits_for_the_batch_holding_its_session_and_then_reads_the_part_afresh(
        app, clinic):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers hold the whole database from BEGIN IMMEDIATE")
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    session_id, batch_id, nurse_id = session.id, clinic["batch"].id, clinic["nurse"].id
    db.session.commit()
    with db.engine.connect() as writer, db.engine.connect() as probe:
        # Another writer holds the batch: the recording waits for it.
        writer.execute(text("SELECT id FROM batches WHERE id = :id FOR UPDATE"), {"id": batch_id})
        thread, outcome = _record_in_thread(app, nurse_id, session_id, batch_id)
        _wait_until_waiting_for_a_lock(probe)
        assert _locked_by_someone(probe, "SELECT id FROM treatment_sessions WHERE id = :id",
                                  id=session_id)
        assert not _locked_by_someone(probe, "SELECT id FROM batch_stocks WHERE batch_id = :id",
                                      id=batch_id)
        # The other writer empties the batch's part here, and commits.
        writer.execute(text("UPDATE batch_stocks SET balance_ul = 0, sealed_containers = 0 "
                            "WHERE batch_id = :id"), {"id": batch_id})
        writer.commit()
        thread.join(timeout=30)
    assert isinstance(outcome[0], InsufficientStock), outcome
    assert "holds 0 ml in 0 sealed containers here" in outcome[0].message
