"""What an audit event records, in people's words: no database, only the event's fields."""

import pytest

from compliance.services.reports.audit_words import (
    REHASHED,
    EventFacts,
    changed_fields,
    changes_text,
    field_label,
    is_correction,
    shown_value,
    what_happened,
)


def update(table: str, reason: str | None = None, **changes) -> EventFacts:
    return EventFacts("update", table, {column: list(pair) for column, pair in changes.items()},
                      reason)


@pytest.mark.parametrize(("facts", "words"), [
    (update("batches", balance_ul=(0, 40_000), receipt_total_ul=(0, 40_000),
            sealed_containers=(0, 20)), "received"),
    (update("batches", balance_ul=(20_000, 18_800), administration_total_ul=(0, -1_200)),
     "drawn"),
    (update("batches", "Ampoule cracked", balance_ul=(40_000, 38_000),
            waste_total_ul=(0, -2_000)), "wasted"),
    (update("batches", balance_ul=(20_000, 18_000), stocktake_total_ul=(0, -2_000)),
     "corrected by stocktake"),
    (update("batches", balance_ul=(1_000, 2_000), reversal_total_ul=(0, 1_000)), "reversed"),
    (update("batches", "Fridge log gap", state=("available", "quarantined")), "quarantined"),
    (update("batches", state=("quarantined", "available")), "released"),
    (update("batches", state=("available", "recalled")), "recalled"),
    (update("treatment_sessions", signed_at=(None, "2026-08-18T08:55:00+00:00"),
            status=("open", "signed")), "signed"),
    (update("treatment_sessions", "Wrong patient", status=("open", "voided")), "voided"),
    (update("prescriptions", status=("signed", "cancelled")), "cancelled"),
    (update("consents", withdrawn_on=(None, "2026-11-01")), "withdrawn"),
    (update("users", active=(True, False)), "deactivated"),
    (update("users", password_hash=("(redacted) sha256:a", "(redacted) sha256:b")),
     "password changed"),
    (update("users", REHASHED, password_hash=("(redacted) sha256:a", "(redacted) sha256:b")),
     "password hash upgraded"),
    (update("users", session_token=("(redacted) a", "(redacted) b")), "account changed"),
    (update("consultations", "Typed the wrong findings", findings=("ok", "varicose")),
     "corrected"),
    (update("patients", phone=("0700", "0711")), "corrected"),
])
def test_an_update_is_named_by_what_it_changed(facts, words):
    assert what_happened(facts) == words


@pytest.mark.parametrize(("table", "changes", "words"), [
    ("batches", {}, "received"),
    ("ledger_entries", {"entry_type": [None, "administration"]}, "drawn"),
    ("ledger_entries", {"entry_type": [None, "receipt"]}, "received"),
    ("ledger_entries", {"entry_type": [None, "waste"]}, "wasted"),
    ("ledger_entries", {"entry_type": [None, "stocktake correction"]},
     "corrected by stocktake"),
    ("signatures", {"meaning": [None, "administered"]}, "signed"),
    ("treatment_sessions", {}, "opened"),
    ("injections", {}, "injected"),
    ("exception_reviews", {}, "reviewed"),
    ("recall_contacts", {}, "contact logged"),
    ("something_new", {}, "recorded"),
])
def test_a_new_record_is_named_by_its_kind(table, changes, words):
    assert what_happened(EventFacts("create", table, changes)) == words


@pytest.mark.parametrize(("action", "words"), [
    ("refused", "refused"), ("login", "signed in"), ("login_failed", "sign-in failed"),
    ("signature_refused", "signature refused"), ("export", "exported"),
    ("verify", "verified the audit trail"), ("a_new_kind", "a new kind"),
])
def test_an_event_that_changes_no_row_is_named_by_its_action(action, words):
    assert what_happened(EventFacts(action)) == words


def test_routine_balance_changes_and_sign_offs_are_not_corrections():
    assert not is_correction(update("batches", balance_ul=(2, 1), administration_total_ul=(0, -1)))
    assert not is_correction(update("treatment_sessions", status=("open", "signed")))
    assert not is_correction(EventFacts("create", "patients", {"first_name": [None, "Ann"]}))
    assert is_correction(update("patients", "Misspelt", first_name=("Ane", "Ann")))


def test_fields_and_values_read_as_people_read_them():
    assert field_label("balance_ul") == "balance (ml)"
    assert field_label("voided_by_id") == "voided by"
    assert field_label("sealed_containers") == "sealed containers"
    assert shown_value("balance_ul", 18_800) == "18.8"
    assert shown_value("signed_at", None) == "none"
    assert shown_value("active", False) == "no"
    assert shown_value("password_hash", "(redacted) sha256:ab12") == "(redacted)"


def test_an_update_shows_each_changed_field_old_to_new_and_a_creation_none():
    drawn = update("batches", balance_ul=(20_000, 18_800), sealed_containers=(10, 9))
    assert changed_fields(drawn) == [("balance (ml)", "20", "18.8"),
                                     ("sealed containers", "10", "9")]
    assert changes_text(changed_fields(drawn)) == (
        "balance (ml): 20 -> 18.8; sealed containers: 10 -> 9")
    assert changed_fields(EventFacts("create", "batches", {"balance_ul": [None, 1]})) == []
