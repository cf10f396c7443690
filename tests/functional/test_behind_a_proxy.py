"""Behind a TLS proxy (PROXY_FIX): forwarded headers believed, HSTS, a browser-session cookie."""

import pytest

from tests.factories import PASSWORD
from tests.functional.test_csrf_and_headers import csrf_token

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "clinic.example",
             "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def app_overrides():
    return {"PROXY_FIX": 1, "HSTS": True, "SESSION_COOKIE_SECURE": True}


def _sign_in(client, users, **headers):
    token = csrf_token(client)
    return client.post("/login", headers=FORWARDED | headers,
                       data={"email": users["nurse"].email, "password": PASSWORD,
                             "csrf_token": token})


def test_forwarded_https_is_believed_so_the_referrer_is_checked(client, users):
    # Flask-WTF checks the referrer only on HTTPS requests: refused, so the proxy's
    # X-Forwarded-Proto made this one HTTPS.
    assert _sign_in(client, users).status_code == 400


def test_sign_in_over_forwarded_https_from_the_forwarded_host(client, users):
    response = _sign_in(client, users, Referer="https://clinic.example/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie
    assert client.get("/", headers=FORWARDED).status_code == 200


def test_a_referrer_from_another_host_is_refused(client, users):
    response = _sign_in(client, users, Referer="https://elsewhere.example/login")
    assert response.status_code == 400


def test_production_answers_carry_hsts(client):
    assert client.get("/login").headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains")
