"""CSRF on every form, security headers on every response."""

import re

import pytest
from flask import g
from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import LoginThrottle
from compliance.services import audit_verify
from tests.factories import PASSWORD


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def csrf_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_sign_in_works_with_the_token(client, users):
    token = csrf_token(client)
    response = client.post("/login", data={"email": users["nurse"].email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_missing_or_wrong_token_is_a_400_and_writes_nothing(client, users, token):
    csrf_token(client)
    data = {"email": users["nurse"].email, "password": "wrong-password-x"}
    if token:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


def test_logout_without_a_token_is_refused(client, users):
    token = csrf_token(client)
    client.post("/login", data={"email": users["nurse"].email, "password": PASSWORD,
                                "csrf_token": token})
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_verifying_the_audit_trail_needs_the_pages_token(client, users):
    client.post("/login", data={"email": users["inspector"].email, "password": PASSWORD,
                                "csrf_token": csrf_token(client)})
    assert client.post("/audit/verify").status_code == 400
    assert audit_verify.last_recorded() is None
    g.pop("csrf_token", None)  # the test's app context outlives requests: forget the old token
    page = client.get("/audit/").get_data(as_text=True)
    token = re.search(r'action="/audit/verify" class="inline">\s*'
                      r'<input type="hidden" name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/audit/verify", data={"csrf_token": token}).status_code == 302
    assert audit_verify.last_recorded().by == users["inspector"].full_name


def test_security_headers_are_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client, users):
    for path in ("/login",):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert " onclick=" not in html and "style=" not in html


def test_session_cookie_is_httponly_and_samesite_lax(client, users):
    token = csrf_token(client)
    response = client.post("/login", data={"email": users["nurse"].email, "password": PASSWORD,
                                           "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_errors_show_a_friendly_page_never_a_trace(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_json_clients_get_json_errors(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"] == "Page not found"


def test_forwarded_headers_are_ignored_without_proxy_fix_and_no_hsts(client, users):
    token = csrf_token(client)
    # Not believed: the request stays plain HTTP, so no referrer is asked for.
    response = client.post("/login", headers={"X-Forwarded-Proto": "https"},
                           data={"email": users["nurse"].email, "password": PASSWORD,
                                 "csrf_token": token})
    assert response.status_code == 302
    assert "Strict-Transport-Security" not in response.headers


def test_the_session_cookie_has_no_expiry_so_browsers_keep_it_in_memory(client, users):
    token = csrf_token(client)
    response = client.post("/login", data={"email": users["nurse"].email, "password": PASSWORD,
                                           "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "Expires" not in cookie and "Max-Age" not in cookie
