"""The second factor (D8): setting it up, the code after the password, recovery codes,
replay, the lock, required set-up, and a manager's reset."""

import re

import pyotp
import pytest
from sqlalchemy import select

from compliance.extensions import db
from compliance.models import AuditEvent, LoginThrottle, RecoveryCode
from compliance.services import audit, second_factor
from tests.audit_helpers import changes, events
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_user
from tests.second_factor_helpers import enrol, next_code

WRONG_CODE = "The code is incorrect or was already used."


def _code(client, code: str, follow: bool = False):
    return client.post("/login/code", data={"code": code}, follow_redirects=follow)


def test_a_user_sets_up_a_second_factor_from_the_qr_code_page(client, login, users):
    nurse = users["nurse"]
    login(nurse)
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'<p class="secret"><code>([A-Z2-7]+)</code>', page).group(1)
    refused = client.post("/account/second-factor", data={"code": "000000"})
    assert "That code does not match" in refused.get_data(as_text=True)
    assert secret in refused.get_data(as_text=True)  # the same secret, still to confirm
    done = client.post("/account/second-factor", data={"code": pyotp.TOTP(secret).now()})
    shown = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>",
                       done.get_data(as_text=True))
    assert len(set(shown)) == 10
    db.session.refresh(nurse)
    assert nurse.has_second_factor and second_factor.unseal(nurse.totp_secret) == secret
    assert secret not in nurse.totp_secret  # encrypted at rest
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(shown) & set(stored)  # hashed, never in clear


def test_a_wrong_set_up_code_is_refused_before_any_recovery_code_is_hashed(
        client, login, users, monkeypatch):
    hashed = []
    real_hash = second_factor.hash_password
    monkeypatch.setattr(second_factor, "hash_password",
                        lambda value: hashed.append(value) or real_hash(value))
    login(users["nurse"])
    page = client.get("/account/second-factor").get_data(as_text=True)
    secret = re.search(r'<p class="secret"><code>([A-Z2-7]+)</code>', page).group(1)
    for wrong in ("000000", "12345a", "1234567"):
        refused = client.post("/account/second-factor", data={"code": wrong})
        assert "That code does not match" in refused.get_data(as_text=True)
    assert hashed == []
    client.post("/account/second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert len(hashed) == second_factor.RECOVERY_CODE_COUNT


def test_setting_up_ends_other_sessions_and_keeps_this_one(app, client, login, users):
    nurse = users["nurse"]
    elsewhere = app.test_client()  # signed in with the password alone, by someone else
    sign_in(elsewhere, nurse)
    login(nurse)
    page = client.get("/account/second-factor").get_data(as_text=True)
    secret = re.search(r'<p class="secret"><code>([A-Z2-7]+)</code>', page).group(1)
    client.post("/account/second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert client.get("/").status_code == 200
    assert elsewhere.get("/").headers["Location"].startswith("/login")


def test_the_secret_and_recovery_codes_never_reach_the_audit_trail(users):
    nurse = users["nurse"]
    totp, codes = enrol(nurse)
    enrolled = [e for e in events(table_name="users", record_id=str(nurse.id))
                if e.action == "update"][-1]
    assert changes(enrolled)["totp_secret"] == [None, audit.redacted(nurse.totp_secret)]
    assert "totp_last_step" not in changes(enrolled)
    trail = " ".join(e.changes or "" for e in db.session.scalars(select(AuditEvent)))
    assert totp.secret not in trail and not any(code in trail for code in codes)
    code_events = events(table_name="recovery_codes")
    assert len(code_events) == 10
    assert all(changes(e)["code_hash"][0] is None
               and changes(e)["code_hash"][1].startswith(f"{audit.REDACTED} sha256:")
               for e in code_events)


def test_sign_in_asks_for_the_code_after_the_password(client, users):
    manager = users["manager"]
    totp, _codes = enrol(manager)
    first = sign_in(client, manager)
    assert first.headers["Location"] == "/login/code"
    # Half-way signed in grants nothing.
    assert client.get("/").headers["Location"].startswith("/login")
    assert client.get("/users/").headers["Location"].startswith("/login?next=")
    assert not [e for e in events(action="login") if e.actor_id == manager.id]
    response = _code(client, totp.now())
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/users/").status_code == 200
    login = [e for e in events(action="login") if e.actor_id == manager.id]
    assert login[-1].detail == "with a second-factor code"


def test_the_code_page_without_a_password_just_given_sends_back_to_sign_in(client, users):
    totp, _codes = enrol(users["manager"])
    response = _code(client, totp.now())
    assert response.headers["Location"] == "/login"
    assert client.get("/users/").headers["Location"].startswith("/login?next=")


def test_a_code_is_refused_when_used_again(client, users):
    manager = users["manager"]
    totp, _codes = enrol(manager)
    code = totp.now()
    sign_in(client, manager)
    assert _code(client, code).status_code == 302
    client.post("/logout")
    sign_in(client, manager)
    replay = _code(client, code)
    assert replay.status_code == 200 and WRONG_CODE in replay.get_data(as_text=True)
    assert _code(client, next_code(totp)).status_code == 302


def test_wrong_codes_count_toward_the_lock(app, client, users):
    manager = users["manager"]
    totp, _codes = enrol(manager)
    sign_in(client, manager)
    for _ in range(app.config["LOCKOUT_THRESHOLD"] - 1):
        assert WRONG_CODE in _code(client, "123456").get_data(as_text=True)
    locked = _code(client, "123456", follow=True).get_data(as_text=True)
    assert "locked for 15 minutes" in locked
    failed = events(action="login_failed", record_id=str(manager.id))
    assert len(failed) == app.config["LOCKOUT_THRESHOLD"]
    assert all("second-factor code" in e.detail for e in failed)
    assert db.session.get(LoginThrottle, manager.email).locked_until is not None
    # Locked: the password alone and then the right code are refused alike.
    assert "locked for 15 minutes" in sign_in(client, manager).get_data(as_text=True)
    assert client.get("/users/").headers["Location"].startswith("/login?next=")


def test_a_recovery_code_works_once(client, users):
    manager = users["manager"]
    _totp, codes = enrol(manager)
    sign_in(client, manager)
    assert _code(client, codes[0].upper()).status_code == 302
    assert [e for e in events(action="login")][-1].detail == "with a one-time recovery code"
    client.post("/logout")
    sign_in(client, manager)
    again = _code(client, codes[0])
    assert again.status_code == 200 and WRONG_CODE in again.get_data(as_text=True)
    assert _code(client, codes[1]).status_code == 302


@pytest.mark.parametrize("kind, required", [("manager", True), ("doctor", True),
                                            ("nurse", False), ("inspector", False)])
def test_the_setting_sends_managers_and_doctors_to_set_up_first(app, client, users, kind,
                                                                 required):
    app.config["REQUIRE_SECOND_FACTOR"] = True
    sign_in(client, users[kind])
    home = client.get("/")
    if required:
        assert home.headers["Location"] == "/account/second-factor"
        assert client.get("/patients/").headers["Location"] == "/account/second-factor"
        assert client.get("/account/second-factor").status_code == 200
    else:
        assert home.status_code == 200


def test_set_up_done_the_setting_lets_the_user_through(app, client, users):
    app.config["REQUIRE_SECOND_FACTOR"] = True
    totp, _codes = enrol(users["manager"])
    sign_in(client, users["manager"])
    _code(client, totp.now())
    assert client.get("/users/").status_code == 200


def test_the_setting_is_off_in_development_and_on_in_production():
    from config import DevelopmentConfig, ProductionConfig, TestingConfig

    assert ProductionConfig.REQUIRE_SECOND_FACTOR is True
    assert DevelopmentConfig.REQUIRE_SECOND_FACTOR is False
    assert TestingConfig.REQUIRE_SECOND_FACTOR is False


def assert_cleared(recorded: list) -> None:
    """A secret removed: its digest before, nothing after."""
    before, after = recorded
    assert before.startswith(f"{audit.REDACTED} sha256:")
    assert after is None


def test_a_manager_resets_a_second_factor_with_a_reason(client, login, users):
    nurse = users["nurse"]
    enrol(nurse)
    login(users["manager"])
    url = f"/users/{nurse.id}/reset-second-factor"
    client.post(url, data={"second_factor-reason": ""})
    db.session.refresh(nurse)
    assert nurse.has_second_factor
    response = client.post(url, data={"second_factor-reason": "Phone lost"},
                           follow_redirects=True)
    assert "was reset" in response.get_data(as_text=True)
    db.session.refresh(nurse)
    assert not nurse.has_second_factor and nurse.totp_secret is None
    assert db.session.scalars(select(RecoveryCode)).all() == []
    reset = [e for e in events(table_name="users", record_id=str(nurse.id))
             if e.action == "update"][-1]
    assert reset.reason == "Phone lost" and reset.actor_id == users["manager"].id
    assert_cleared(changes(reset)["totp_secret"])
    # The nurse signs in with the password alone again.
    assert sign_in(client.application.test_client(), nurse, PASSWORD).headers[
        "Location"] == "/"


def test_a_reset_ends_the_sessions_of_the_user(app, client, login, users):
    doctor = users["doctor"]
    totp, _codes = enrol(doctor)
    phone = app.test_client()  # the lost phone, still signed in
    sign_in(phone, doctor)
    _code(phone, totp.now())
    assert phone.get("/").status_code == 200
    login(users["manager"])
    client.post(f"/users/{doctor.id}/reset-second-factor",
                data={"second_factor-reason": "Phone stolen"})
    assert phone.get("/").headers["Location"].startswith("/login")


def test_a_manager_cannot_reset_their_own_second_factor_on_the_web(client, users):
    manager = users["manager"]
    totp, _codes = enrol(manager)
    sign_in(client, manager)
    _code(client, totp.now())
    page = client.get(f"/users/{manager.id}").get_data(as_text=True)
    assert "reset-second-factor" not in page and "Another manager resets yours" in page
    refused = client.post(f"/users/{manager.id}/reset-second-factor",
                          data={"second_factor-reason": "New phone"}, follow_redirects=True)
    assert "You cannot reset your own second factor" in refused.get_data(as_text=True)
    db.session.refresh(manager)
    assert manager.has_second_factor
    assert client.get("/users/").status_code == 200  # still signed in
    # Another manager can.
    other = make_user("manager")
    other_client = client.application.test_client()
    sign_in(other_client, other)
    assert f"/users/{manager.id}/reset-second-factor" in other_client.get(
        f"/users/{manager.id}").get_data(as_text=True)
    other_client.post(f"/users/{manager.id}/reset-second-factor",
                      data={"second_factor-reason": "New phone"})
    db.session.refresh(manager)
    assert not manager.has_second_factor


def test_a_changed_secret_key_leaves_the_recovery_codes(app, client, users):
    manager = users["manager"]
    totp, codes = enrol(manager)
    app.config["SECRET_KEY"] = "another-secret-key-for-this-test-only"
    sign_in(client, manager)
    assert WRONG_CODE in _code(client, totp.now()).get_data(as_text=True)
    assert _code(client, codes[0]).status_code == 302
