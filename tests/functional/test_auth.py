"""Sign-in, lockout, sign-out, timeouts and cookie replay."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import LoginThrottle
from compliance.services import accounts
from tests.conftest import sign_in
from tests.factories import PASSWORD

GENERIC = "The email address or password is incorrect."


def test_each_kind_of_user_can_sign_in_and_sees_home(client, users):
    for user in users.values():
        response = sign_in(client, user, follow=True)
        assert response.status_code == 200
        assert f"Signed in as {user.full_name}" in response.get_data(as_text=True)
        client.post("/logout")


def test_wrong_password_and_unknown_email_get_the_same_message(client, users):
    wrong = sign_in(client, users["nurse"], "not-the-password-at-all")
    unknown = client.post("/login", data={"email": "nobody@x.test", "password": "whatever-123"})
    for response in (wrong, unknown):
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and GENERIC in body


def test_the_email_is_kept_but_not_the_password(client, users):
    body = sign_in(client, users["nurse"], "not-the-password-at-all").get_data(as_text=True)
    assert f'value="{users["nurse"].email}"' in body
    assert "not-the-password-at-all" not in body


def test_five_failures_lock_sign_in_for_fifteen_minutes(client, users):
    nurse = users["nurse"]
    for _ in range(4):
        assert GENERIC in sign_in(client, nurse, "bad-password-here").get_data(as_text=True)
    fifth = sign_in(client, nurse, "bad-password-here").get_data(as_text=True)
    assert "locked for 15 minutes" in fifth
    locked = sign_in(client, nurse).get_data(as_text=True)
    assert "locked for 15 minutes" in locked


def test_unknown_emails_lock_the_same_way_so_existence_is_not_revealed(client):
    for _ in range(5):
        response = client.post("/login", data={"email": "ghost@x.test", "password": "nope-nope"})
    assert "locked for 15 minutes" in response.get_data(as_text=True)


def test_the_lock_lifts_after_its_period(client, users):
    nurse = users["nurse"]
    for _ in range(5):
        sign_in(client, nurse, "bad-password-here")
    throttle = db.session.get(LoginThrottle, nurse.email)
    throttle.locked_until -= timedelta(minutes=16)
    db.session.commit()
    assert sign_in(client, nurse).status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"email": "", "password": ""}, "This field is required."),
    ({"email": "x" * 10_000, "password": "y"}, "Enter at most 254 characters (this has 10,000)."),
    ({"email": "a@b.test", "password": "p" * 10_000}, "Enter at most 256 characters"),
    ({"email": "a\x00@b.test", "password": "y"}, "Remove the control character U+0000"),
])
def test_bad_input_gets_a_message_and_writes_nothing(client, users, data, message):
    response = client.post("/login", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


def test_inactive_and_expired_accounts_cannot_sign_in(client, users):
    users["nurse"].active = False
    users["inspector"].access_expires_on = date.today() - timedelta(days=2)
    db.session.commit()
    for kind in ("nurse", "inspector"):
        body = sign_in(client, users[kind]).get_data(as_text=True)
        assert "deactivated or its access has expired" in body


@pytest.mark.parametrize("target", ["//evil.example", "////evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "https://evil.example/x"])
def test_off_site_next_stays_home(client, users, target):
    response = client.post("/login", query_string={"next": target},
                           data={"email": users["nurse"].email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_a_local_next_is_followed(client, users):
    response = client.post("/login", query_string={"next": "/users/"},
                           data={"email": users["manager"].email, "password": PASSWORD})
    assert response.headers["Location"] == "/users/"


def test_anonymous_visitors_are_sent_to_sign_in_with_next(client):
    response = client.get("/users/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/users/")


def captured_cookie(client, user) -> str:
    assert sign_in(client, user).status_code == 302
    return client.get_cookie("session").value


def replay(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/")


def test_a_session_cookie_replayed_after_logout_is_refused(app, client, users):
    cookie = captured_cookie(client, users["nurse"])
    assert replay(app, cookie).status_code == 200
    client.post("/logout")
    assert replay(app, cookie).status_code == 302


def test_a_session_cookie_replayed_after_a_password_change_is_refused(app, client, users):
    cookie = captured_cookie(client, users["nurse"])
    client.post("/account/password", data={"current_password": PASSWORD,
                                           "password": "Sclero-Ledger-Witness-42",
                                           "confirm": "Sclero-Ledger-Witness-42"})
    assert replay(app, cookie).status_code == 302


def test_a_session_cookie_replayed_after_deactivation_is_refused(app, client, users):
    cookie = captured_cookie(client, users["nurse"])
    accounts.set_active(users["manager"], users["nurse"].id, False, "left the clinic")
    assert replay(app, cookie).status_code == 302


def test_idle_sessions_time_out(client, users):
    sign_in(client, users["nurse"])
    with client.session_transaction() as session:
        session["seen_at"] -= 16 * 60
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_sessions_end_after_the_absolute_timeout_however_busy(client, users):
    sign_in(client, users["nurse"])
    with client.session_transaction() as session:
        session["login_at"] -= 12 * 3600 + 1
    assert client.get("/").status_code == 302


def test_sign_in_starts_a_fresh_session(client, users):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, users["nurse"])
    with client.session_transaction() as session:
        assert "planted" not in session


def test_a_forced_reset_sends_the_user_to_change_their_password(client, users):
    temporary = accounts.force_password_reset(users["manager"], users["nurse"].id)
    sign_in(client, users["nurse"], temporary)
    response = client.get("/")
    assert response.headers["Location"] == "/account/password"
