"""`flask users`: each command, each refusal in one line, and the operator on every event."""

import getpass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import LoginThrottle, User
from compliance.services import accounts, sign_in, user_queries
from tests.audit_helpers import events
from tests.conftest import sign_in as web_sign_in
from tests.factories import make_user
from tests.second_factor_helpers import enrol

GOOD_PASSWORD = "Sclero-Ledger-Witness-42"
OPERATOR = f"operator {getpass.getuser()}"


def _create(runner, *extra, password=GOOD_PASSWORD, email="new@test.clinic", name="New One"):
    return runner.invoke(args=["users", "create", "--email", email, "--name", name,
                               "--password-stdin", *extra], input=password + "\n")


def _refused_in_one_line(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("email, name, password, message", [
    ("not-an-email", "New One", GOOD_PASSWORD, "Enter a valid email address"),
    ("new@test.clinic", "   ", GOOD_PASSWORD, "Enter the full name."),
    ("new@test.clinic", "New One", "new@test.clinic", "must not be or contain the account's "
                                                      "email address"),
    ("new@test.clinic", "New One", "x-new@test.clinic-2026!", "must not be or contain"),
    ("new@test.clinic", "New One", "short", "at least 12 characters"),
])
def test_create_refuses_what_the_web_form_refuses(runner, email, name, password, message):
    result = _create(runner, "--role", "manager", email=email, name=name, password=password)
    _refused_in_one_line(result, message)
    assert user_queries.count_users() == 0


def test_create_applies_the_registration_rules(runner):
    result = _create(runner, "--role", "prescriber", "--profession", "doctor")
    _refused_in_one_line(result, "A prescriber needs a professional register")
    result = _create(runner, "--role", "prescriber", "--profession", "doctor", "--register",
                     "NMC", "--registration-number", "12A3456E")
    _refused_in_one_line(result, "A prescribing doctor must be on the GMC register.")


def test_create_records_the_operator_or_the_manager_named(runner, users):
    assert _create(runner, "--role", "inspector").exit_code == 0
    created = events(action="create", table_name="users")[-1]
    assert (created.actor_id, created.actor_name) == (None, OPERATOR)
    manager = users["manager"]
    result = _create(runner, "--role", "inspector", "--by", manager.email,
                     email="second@test.clinic")
    assert result.exit_code == 0, result.output
    created = events(action="create", table_name="users")[-1]
    assert (created.actor_id, created.actor_name) == (manager.id, manager.full_name)


@pytest.mark.parametrize("by", ["nobody@test.clinic", "inspector", "inactive manager"])
def test_by_must_name_an_active_manager(runner, users, by):
    if by == "inspector":
        by = users["inspector"].email
    elif by == "inactive manager":
        by = make_user("manager", active=False).email
    result = _create(runner, "--role", "inspector", "--by", by)
    _refused_in_one_line(result, "no active manager has this email address")


def test_list_shows_roles_access_end_and_second_factor(runner, users):
    users["inspector"].access_expires_on = local_today() + timedelta(days=30)
    db.session.commit()
    enrol(users["manager"])
    lines = runner.invoke(args=["users", "list"]).output.splitlines()
    inspector = next(line for line in lines if users["inspector"].email in line)
    manager = next(line for line in lines if users["manager"].email in line)
    assert users["inspector"].access_expires_on.isoformat() in inspector
    assert "2FA" in manager and "2FA" not in inspector and manager.endswith("active")


def test_deactivate_and_reactivate_with_a_reason(runner, users):
    nurse = users["nurse"]
    result = runner.invoke(args=["users", "deactivate", nurse.email, "--reason", "Left"])
    assert result.exit_code == 0, result.output
    db.session.refresh(nurse)
    assert not nurse.active
    event = events(action="update", table_name="users", record_id=str(nurse.id))[-1]
    assert (event.reason, event.actor_name) == ("Left", OPERATOR)
    assert "deactivated" in web_sign_in(runner.app.test_client(), nurse).get_data(as_text=True)
    result = runner.invoke(args=["users", "reactivate", nurse.email, "--reason", "Back"])
    assert result.exit_code == 0
    db.session.refresh(nurse)
    assert nurse.active


@pytest.mark.parametrize("args, message", [
    (["deactivate", "ghost@test.clinic", "--reason", "x"], "No account has the email address"),
    (["deactivate", "{nurse}", "--reason", "  "], "Give a reason for the change."),
    (["reset-password", "ghost@test.clinic"], "No account has the email address"),
    (["unlock", "{nurse}", "--reason", "Called"], "is not locked"),
    (["set-roles", "{nurse}", "--role", "manager", "--reason", "x", "--by", "{inspector}"],
     "no active manager"),
    (["set-roles", "{manager}", "--role", "prescriber", "--reason", "x"],
     "A prescriber needs a professional register"),
    (["set-access-end", "{inspector}", "--reason", "x"], "Give either --on YYYY-MM-DD or --none"),
    (["reset-2fa", "{nurse}", "--reason", "Lost phone"], "has no second factor to reset"),
    (["deactivate", "{manager}", "--reason", "x", "--by", "{manager}"],
     "You cannot deactivate your own account."),
])
def test_each_refusal_is_one_line(runner, users, args, message):
    args = [arg.format(**{kind: user.email for kind, user in users.items()}) for arg in args]
    _refused_in_one_line(runner.invoke(args=["users", *args]), message)


def test_reset_password_gives_a_one_time_password_to_change_at_sign_in(runner, users):
    nurse = users["nurse"]
    result = runner.invoke(args=["users", "reset-password", nurse.email])
    assert result.exit_code == 0, result.output
    temporary = result.output.split(": ", 1)[1].splitlines()[0]
    assert sign_in.authenticate(nurse.email, temporary).must_change_password
    client = runner.app.test_client()
    web_sign_in(client, nurse, temporary)
    assert client.get("/patients/").headers["Location"] == "/account/password"


def test_unlock_lifts_the_lock(runner, users):
    nurse = users["nurse"]
    for _ in range(5):
        web_sign_in(runner.app.test_client(), nurse, "wrong-password-here")
    result = runner.invoke(args=["users", "unlock", nurse.email, "--reason", "Identified"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(LoginThrottle, nurse.email).locked_until is None
    assert events(action="unlock")[-1].reason == "Identified"
    assert web_sign_in(runner.app.test_client(), nurse).status_code == 302


def test_set_roles_replaces_the_roles(runner, users):
    doctor = users["doctor"]
    result = runner.invoke(args=["users", "set-roles", doctor.email, "--role", "prescriber",
                                 "--role", "manager", "--reason", "Owner",
                                 "--by", users["manager"].email])
    assert result.exit_code == 0, result.output
    db.session.refresh(doctor)
    assert doctor.roles == {"prescriber", "manager"}


def test_an_inspector_past_the_end_date_is_signed_out_and_kept_out(runner, users):
    inspector = users["inspector"]
    client = runner.app.test_client()
    web_sign_in(client, inspector)
    assert client.get("/reports/").status_code == 200
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    result = runner.invoke(args=["users", "set-access-end", inspector.email, "--on", yesterday,
                                 "--reason", "Inspection over"])
    assert result.exit_code == 0, result.output
    assert client.get("/reports/").headers["Location"].startswith("/login?next=")
    assert "access has expired" in web_sign_in(client, inspector).get_data(as_text=True)
    runner.invoke(args=["users", "set-access-end", inspector.email, "--none", "--reason", "x"])
    assert web_sign_in(runner.app.test_client(), inspector).status_code == 302


def test_the_users_page_shows_the_access_end_date(runner, client, login, users):
    ends = local_today() + timedelta(days=10)
    runner.invoke(args=["users", "set-access-end", users["inspector"].email, "--on",
                        ends.isoformat(), "--reason", "Inspection"])
    login(users["manager"])
    assert f"{ends:%d %b %Y}" in client.get("/users/").get_data(as_text=True)


def test_reset_2fa_removes_the_second_factor(runner, users):
    manager = users["manager"]
    enrol(manager)
    token = manager.session_token
    result = runner.invoke(args=["users", "reset-2fa", manager.email, "--reason", "Lost"])
    assert result.exit_code == 0, result.output
    db.session.refresh(manager)
    assert not manager.has_second_factor
    assert manager.session_token != token  # the lost phone's sessions end
    event = events(action="update", table_name="users", record_id=str(manager.id))[-1]
    assert (event.reason, event.actor_name) == ("Lost", OPERATOR)


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


GOOD_CSV = ("email,full_name,roles,profession,register,registration_number,access_expires_on\n"
            "a@test.clinic,Ann A,manager,,,,\n"
            "b@test.clinic,Dr B,prescriber;manager,doctor,GMC,7000999,\n"
            "c@test.clinic,Insp C,inspector,,,,2030-01-31\n")


def test_import_is_a_dry_run_unless_applied(runner, users, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(GOOD_CSV)
    before = _users()
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0 and "3 account(s) would be created" in result.output
    assert _users() == before
    result = runner.invoke(args=["users", "import", str(path), "--apply",
                                 "--by", users["manager"].email])
    assert result.exit_code == 0, result.output
    assert _users() == before + 3
    _assert_imported(result.output, users["manager"])


def _assert_imported(output: str, manager) -> None:
    b = accounts.find_by_email("b@test.clinic")
    assert b.roles == {"prescriber", "manager"} and b.must_change_password
    assert accounts.find_by_email("c@test.clinic").access_expires_on.isoformat() == "2030-01-31"
    temporary = next(line for line in output.splitlines() if "b@test.clinic" in line)
    assert sign_in.authenticate("b@test.clinic", temporary.rsplit(": ", 1)[1]) == b
    assert {e.actor_id for e in events(action="create", table_name="users")[-3:]} == {
        manager.id}


def test_import_names_every_bad_row_and_writes_nothing(runner, users, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("email,full_name,roles,profession,register,registration_number\n"
                    "ok@test.clinic,Fine,manager,,,\n"
                    "not-an-email,Bad Email,manager,,,\n"
                    "x@test.clinic,,manager,,,\n"
                    "y@test.clinic,Y,wizard,,,\n"
                    "z@test.clinic,Dr Z,prescriber,doctor,,\n"
                    f"{users['nurse'].email},Copy,manager,,,\n"
                    "ok@test.clinic,Again,manager,,,\n")
    before = _users()
    for mode in ([], ["--apply"]):
        result = runner.invoke(args=["users", "import", str(path), *mode])
        assert result.exit_code == 1 and "Traceback" not in result.output
        for line, text in [(3, "Enter a valid email address"), (4, "Enter the full name."),
                           (5, "unknown role wizard"), (6, "A prescriber needs a professional"),
                           (7, "Another account already uses"),
                           (8, "ok@test.clinic is also on line 2")]:
            assert f"line {line}: {text}" in result.output
        assert "line 2:" not in result.output
        assert "6 bad row(s); nothing was imported." in result.output
    assert _users() == before


@pytest.mark.parametrize("content, message", [
    ("name,roles\nx,manager\n", "lacks the column(s) email, full_name"),
    (b"\xff\xfe\x00bad", "must be a UTF-8 CSV file"),
    ("email,full_name,roles\na@test.clinic,A,nurse\nb@test.clinic," + "x" * 200_000
     + ",nurse\n", "Line 3 cannot be read as CSV: field larger than field limit"),
])
def test_import_refuses_an_unreadable_file_in_one_line(runner, tmp_path, content, message):
    path = tmp_path / "users.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    _refused_in_one_line(runner.invoke(args=["users", "import", str(path)]), message)


def test_import_of_a_missing_file_is_refused_in_one_line(runner, tmp_path):
    _refused_in_one_line(runner.invoke(args=["users", "import", str(tmp_path / "no.csv")]),
                         "Cannot read")
