"""The flask commands: users and demo data."""

from compliance.permissions import holds
from compliance.services import accounts, sign_in, user_queries


def test_users_create_reads_the_password_from_stdin(runner):
    result = runner.invoke(args=["users", "create", "--email", "first@test.clinic", "--name",
                                 "First Manager", "--role", "manager", "--password-stdin"],
                           input="Sclero-Ledger-Witness-42\n")
    assert result.exit_code == 0, result.output
    assert sign_in.authenticate("first@test.clinic", "Sclero-Ledger-Witness-42")
    listing = runner.invoke(args=["users", "list"])
    assert "first@test.clinic" in listing.output


def test_users_create_can_make_a_doctor_prescriber_manager(runner):
    result = runner.invoke(args=["users", "create", "--email", "owner@test.clinic", "--name",
                                 "Dr Owner", "--role", "prescriber", "--role", "manager",
                                 "--profession", "doctor", "--register", "GMC",
                                 "--registration-number", "7000123", "--password-stdin"],
                           input="Sclero-Ledger-Witness-42\n")
    assert result.exit_code == 0, result.output
    assert accounts.find_by_email("owner@test.clinic").roles == {"prescriber", "manager"}


def test_users_create_refuses_a_weak_password_clearly(runner):
    result = runner.invoke(args=["users", "create", "--email", "a@test.clinic", "--name", "A",
                                 "--role", "manager", "--password-stdin"], input="short\n")
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    assert user_queries.count_users() == 0


def test_demo_load_fills_an_empty_database_and_prints_credentials(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "dr.patel@demo.clinic" in result.output and "demo only" in result.output
    assert holds(accounts.find_by_email("dr.patel@demo.clinic"), "sign_prescription")


def test_demo_load_refuses_a_database_that_holds_data(runner, users):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "already holds data" in result.output
    assert accounts.find_by_email("dr.patel@demo.clinic") is None


def test_demo_load_if_empty_skips_quietly(runner, users):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output


def test_demo_clinic_has_stock_and_a_consistent_ledger(runner):
    from compliance.services import stock_queries

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    made = stock_queries.products()
    # Four strengths of STS and one of polidocanol, whose doses are labelled as its own.
    assert sorted(p.dose_label for p in made) == ["STS mg"] * 4 + ["polidocanol mg"]
    from compliance.extensions import db
    from compliance.models import Batch

    assert db.session.query(Batch).count() == 7
    result = runner.invoke(args=["stock", "check"])
    assert result.exit_code == 0 and "OK" in result.output
    assert runner.invoke(args=["audit", "verify"]).output.startswith("OK")


def test_stock_check_names_a_batch_whose_balance_disagrees(runner, users):
    from tests.audit_helpers import execute_raw
    from tests.factories import make_product, receive_batch

    batch = receive_batch(users["manager"], make_product())
    execute_raw("UPDATE batches SET balance_ul = 1 WHERE id = :id", id=batch.id)
    result = runner.invoke(args=["stock", "check"])
    assert result.exit_code == 1 and "MISMATCH" in result.output
