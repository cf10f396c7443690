"""The audit trail: captured in one place, chained, append-only, verifiable."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from compliance.append_only import APPEND_ONLY_TABLES
from compliance.errors import NotPermitted
from compliance.extensions import db
from compliance.models import User
from compliance.services import accounts, audit, audit_history, audit_verify
from compliance.services.accounts import Profile
from tests.audit_helpers import append_only_lifted, changes, events, execute_raw
from tests.factories import PASSWORD, make_user

# Every audited table needs a test here that creates, changes and corrects a record.
COVERED_TABLES = {"users", "signatures", "products", "batches", "ledger_entries", "stocktakes",
                  "stocktake_lines", "treatment_sessions", "injections", "injection_reversals",
                  "session_flags", "session_addenda", "follow_ups", "recall_contacts",
                  "recovery_codes"}
# D3 patients: tested in tests/unit/test_patient_audit.py
COVERED_TABLES |= {"patients", "contraindications", "screenings", "screening_answers", "consents",
                   "consultations", "prescriptions"}
# Exception reviews are written once and never changed: their create event is tested in
# tests/functional/test_exception_reviews.py
COVERED_TABLES |= {"exception_reviews"}
# D7 locations, storage areas and who works where: tests/unit/test_location_audit.py
COVERED_TABLES |= {"locations", "storage_areas", "user_locations"}
# D7 storage temperature readings, append-only (a correction is a new reading):
# tests/unit/test_temperatures.py
COVERED_TABLES |= {"temperature_readings"}
# D7 transfers between locations: tests/unit/test_transfers.py
COVERED_TABLES |= {"transfers"}


def test_every_model_is_audited_or_exempt_with_a_reason(app):
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        reason = getattr(model, "__audit_exempt__", None)
        if reason is not None:
            assert isinstance(reason, str) and len(reason) > 10, model
        else:
            assert model.__tablename__ in COVERED_TABLES, (
                f"{model.__tablename__} is audited: add it to COVERED_TABLES with a test")


def test_recovery_codes_made_used_and_removed_are_recorded_without_their_hash(app, users):
    from compliance.services import second_factor, sign_in
    from tests.second_factor_helpers import enrol

    manager = users["manager"]
    _totp, codes = enrol(manager)
    made = events(table_name="recovery_codes", action="create")
    assert len(made) == 10 and all(e.actor_id == manager.id for e in made)
    assert all(changes(e)["code_hash"][1].startswith(f"{audit.REDACTED} sha256:") for e in made)
    sign_in.second_step(manager.id, manager.session_token, codes[0])
    used = events(table_name="recovery_codes", action="update")
    assert len(used) == 1 and list(changes(used[0])) == ["used_at"]
    second_factor.reset(make_user("manager"), manager.id, "Phone lost")
    removed = events(table_name="recovery_codes", action="delete")
    assert len(removed) == 10 and {e.reason for e in removed} == {"Phone lost"}


def test_users_create_change_and_correct_are_recorded(app, users):
    manager = users["manager"]
    profile = Profile("lena@test.clinic", "Dr Lena Brok", {"prescriber"}, "doctor", "GMC",
                      "7111222")
    user = accounts.create_user(manager, profile, "Sclero-Ledger-Witness-42")
    created = events(table_name="users", record_id=str(user.id), action="create")[0]
    assert created.actor_id == manager.id and created.actor_name == manager.full_name
    assert changes(created)["full_name"] == [None, "Dr Lena Brok"]
    assert changes(created)["password_hash"] == [None, audit.redacted(user.password_hash)]
    assert "session_token" not in changes(created)

    profile.full_name = "Dr Lena Brook"
    accounts.update_user(manager, user.id, profile, "Surname misspelt at registration")
    corrected = events(table_name="users", record_id=str(user.id), action="update")[-1]
    assert changes(corrected) == {"full_name": ["Dr Lena Brok", "Dr Lena Brook"]}
    assert corrected.reason == "Surname misspelt at registration"
    assert corrected.occurred_at >= created.occurred_at

    accounts.set_active(manager, user.id, False, "Contract ended")
    deactivated = events(table_name="users", record_id=str(user.id), action="update")[-1]
    assert changes(deactivated) == {"active": [True, False]}
    assert deactivated.reason == "Contract ended"


def test_a_rolled_back_change_leaves_no_event_and_a_commit_always_does(app, users):
    before = len(events())
    users["nurse"].full_name = "Changed then rolled back"
    db.session.flush()
    assert len(db.session.info[audit.PENDING]) == 1  # held by the transaction...
    db.session.rollback()
    assert len(events()) == before and audit.PENDING not in db.session.info  # ...gone with it
    users["nurse"].full_name = "Changed and kept"
    db.session.commit()
    assert changes(events()[-1])["full_name"][1] == "Changed and kept"


def test_a_closed_session_drops_the_events_it_had_queued(app, users):
    before = len(events())
    users["nurse"].full_name = "Queued, then the session closed"
    db.session.flush()
    db.session.close()
    assert audit.PENDING not in db.session.info and len(events()) == before


def test_the_chain_lock_is_taken_only_as_a_transaction_commits(app, users):
    """A writer holding the chain lock then waits for nobody: it is taken after every row
    lock (of a batch, say), so two writers cannot deadlock over it. A flush does not take it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers hold the whole database from BEGIN IMMEDIATE")
    users["nurse"].full_name = "Flushed, not yet committed"
    db.session.flush()
    with db.engine.connect() as other:
        free = other.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"),
                            {"key": audit.CHAIN_LOCK_KEY})
        other.rollback()
    assert free is True
    db.session.commit()
    assert changes(events()[-1])["full_name"][1] == "Flushed, not yet committed"


# The triggers the migrations made, by table: the row ones refuse UPDATE and DELETE (both
# dialects), the statement one TRUNCATE (PostgreSQL).
APPEND_ONLY_TRIGGERS = {
    "postgresql": ("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c "
                   "ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
                   "WHERE p.proname = 'forbid_change'", ("{}_append_only", "{}_no_truncate")),
    "sqlite": ("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' "
               "AND sql LIKE '%append-only%'", ("{}_no_update", "{}_no_delete")),
}


def test_the_list_of_append_only_tables_is_every_table_a_migration_made_append_only(app):
    """The grants (compliance/grants.py) read the list: a table missing from it would let
    the app's role change rows that no one may change."""
    query, names = APPEND_ONLY_TRIGGERS[db.engine.dialect.name]
    found = {tuple(row) for row in db.session.execute(text(query))}
    expected = {(table, name.format(table)) for table in APPEND_ONLY_TABLES for name in names}
    assert found == expected


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_postgresql_refuses_to_truncate_an_append_only_table(app, users, table):
    """Row triggers do not see TRUNCATE: a statement trigger refuses it (CASCADE too)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE meets the row trigger")
    before = len(events())
    # A table others point at is refused for that first, unless CASCADE: then the trigger.
    for sql, refusal in ((f"TRUNCATE {table}", "append-only|foreign key"),
                         (f"TRUNCATE {table} CASCADE", "append-only")):
        with pytest.raises(DatabaseError, match=refusal):
            execute_raw(sql)
        db.session.rollback()
    assert len(events()) == before and audit_verify.verify().ok


def test_a_refused_attempt_is_an_event_but_its_record_is_not_written(app, users):
    nurse = users["nurse"]
    with pytest.raises(NotPermitted):
        accounts.create_user(nurse, Profile("x@test.clinic", "X", {"manager"}),
                             "Sclero-Ledger-Witness-42")
    refused = events(action="refused")[-1]
    assert refused.actor_id == nurse.id and refused.rule == "capability: manage_users"
    assert "create a user" in refused.detail
    assert accounts.find_by_email("x@test.clinic") is None


def test_sign_in_events_are_recorded(app, client, users):
    nurse = users["nurse"]
    for _ in range(5):
        client.post("/login", data={"email": nurse.email, "password": "wrong-password-x"})
    assert len(events(action="login_failed", record_id=str(nurse.id))) == 5
    assert events(action="lockout")[-1].record_id == str(nurse.id)
    manager = users["manager"]
    client.post("/login", data={"email": manager.email, "password": PASSWORD})
    client.post("/logout")
    assert events(action="login")[-1].actor_id == manager.id
    assert events(action="logout")[-1].actor_id == manager.id


def test_a_password_change_is_recorded_without_the_password(app):
    user = make_user("nurse")
    before = user.password_hash
    accounts.change_password(user, PASSWORD, "Sclero-Ledger-Witness-42")
    change = events(table_name="users", record_id=str(user.id), action="update")[-1]
    after = db.session.get(type(user), user.id).password_hash
    assert changes(change)["password_hash"] == [audit.redacted(before), audit.redacted(after)]
    assert before not in change.changes and after not in change.changes
    assert change.reason == "Password changed by the user" and change.actor_id == user.id


def test_every_event_links_to_the_one_before(app, users):
    chain = events()
    assert chain[0].prev_hash == audit.GENESIS
    for earlier, later in zip(chain, chain[1:], strict=False):
        assert later.seq == earlier.seq + 1 and later.prev_hash == earlier.hash


@pytest.mark.parametrize("sql", ["UPDATE audit_events SET detail = 'edited' WHERE seq = 1",
                                 "DELETE FROM audit_events WHERE seq = 1"])
def test_the_database_refuses_to_change_audit_events(app, users, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        execute_raw(sql)
    db.session.rollback()
    assert audit_verify.verify().ok


def history_of_changes(users):
    """At least six events about the nurse, for tampering with."""
    for n in range(3):
        users["nurse"].full_name = f"Name {n}"
        db.session.commit()
    assert len(events()) >= 6


@pytest.fixture(params=["one process", "three stretches"])
def stretches(request, monkeypatch):
    """Verify in one pass, or split the chain in three stretches checked in their own
    processes (as `flask audit verify` does on a long chain)."""
    if request.param == "three stretches":
        monkeypatch.setattr(audit_verify, "MIN_PER_PROCESS", 1)
        monkeypatch.setattr(audit_verify, "cpu_count", lambda: 3)


@pytest.mark.usefixtures("stretches")
def test_an_untouched_trail_verifies(app, users, runner):
    history_of_changes(users)
    seq, head = audit.head()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    chain, anchors = result.output.splitlines()
    assert chain == f"OK, {seq} events, head {head}"
    assert anchors.startswith("WARNING: no anchors yet")  # a new installation: said, not failed
    recorded = audit_verify.last_recorded()  # the check is itself on the trail
    assert recorded.verification.ok and recorded.verification.count == seq
    assert recorded.by.startswith("operator ") and recorded.events_since == 0


@pytest.mark.parametrize("tampering, finding", [
    (["UPDATE audit_events SET changes = '{}' WHERE seq = 3"], "event 3: event 3 was changed"),
    (["DELETE FROM audit_events WHERE seq = 4"], "event 4: event 4 is missing"),
    (["UPDATE audit_events SET seq = -1 WHERE seq = 3",
      "UPDATE audit_events SET seq = 3 WHERE seq = 4",
      "UPDATE audit_events SET seq = 4 WHERE seq = -1"], "event 3: events were reordered"),
], ids=["a changed event", "a deleted event", "two swapped events"])
@pytest.mark.usefixtures("stretches")
def test_tampering_is_named(app, users, runner, tampering, finding):
    history_of_changes(users)
    with append_only_lifted("audit_events"):
        for statement in tampering:
            execute_raw(statement)
        result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at {finding}" in result.output


def test_a_record_can_be_seen_as_it_stood_at_an_earlier_time(app, users):
    nurse = users["nurse"]
    nurse.full_name = "Rhiannon Jones"
    db.session.commit()
    moment = events()[-1].occurred_at
    nurse.full_name = "Rhiannon Jones-Evans"
    db.session.commit()
    history = audit_history.history("users", str(nurse.id))
    assert audit_history.state_at(history, moment)["full_name"] == "Rhiannon Jones"
    latest = audit_history.state_at(history, events()[-1].occurred_at)
    assert latest["full_name"] == "Rhiannon Jones-Evans"
    assert audit_history.state_at(history, history[0].occurred_at.replace(year=2000)) is None


def test_changes_outside_a_request_or_service_are_attributed_to_the_system(app):
    user = User(email="sys@test.clinic", full_name="Sys", password_hash="x")
    user.roles = {"manager"}
    db.session.add(user)
    db.session.commit()
    assert events(table_name="users", record_id=str(user.id))[0].actor_name == "system"


def test_writing_after_a_verification_in_the_same_transaction_works(app, users):
    assert audit_verify.verify().ok
    users["nurse"].full_name = "Written after verifying"
    db.session.commit()
    assert audit_verify.verify().ok
