"""The idle timeout over HTTP: every signed-in page carries the warning, "Stay signed in"
restarts the clock, and a form sent after the timeout is kept for the session's user, who
finds it back on the form's page after signing in, written only when they submit it."""

import json
import re

import pytest
from flask import g
from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.forms import new_submission_key
from compliance.models import Injection, KeptForm
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_session
from tests.second_factor_helpers import enrol, next_code
from tests.treatment_helpers import injection_form, treatment_state

KEPT = re.compile(r'<script type="application/json" id="kept-form">(.*?)</script>', re.S)
RESTORED = "Your unsaved entry has been put back in the form below"


def expire(client) -> None:
    with client.session_transaction() as session:
        session["seen_at"] -= 16 * 60


def kept_form_on(page_html: str) -> dict | None:
    found = KEPT.search(page_html)
    return json.loads(found.group(1)) if found else None


@pytest.fixture
def chair(clinic):
    session = make_session(clinic["prescription"], clinic["nurse"], local_today(), [],
                           signed=False, areas="left calf;right calf")
    page = f"/treatment/sessions/{session.id}"
    return dict(clinic, session=session, page=page, action=f"{page}/injections")


def injection_after_timeout(client, chair, **extra):
    """The nurse opens the session page, walks away, and sends an injection 16 minutes on."""
    sign_in(client, chair["nurse"])
    assert client.get(chair["page"]).status_code == 200
    expire(client)
    data = injection_form(chair["other"], ml="0.8", site="right calf", points="6",
                          **{"inj-submission_key": new_submission_key(), **extra})
    return client.post(chair["action"], data=data,
                       headers={"Referer": f"http://localhost{chair['page']}"}), data


def test_every_signed_in_page_carries_the_warning_and_the_sign_in_page_does_not(client, users):
    page = client.get("/login").get_data(as_text=True)
    assert 'id="idle-warning"' not in page and "idle.js" not in page
    sign_in(client, users["nurse"])
    page = client.get("/").get_data(as_text=True)
    assert 'data-idle-seconds="900" data-warn-seconds="120"' in page
    assert ">Stay signed in</button>" in page and "js/idle.js" in page


def test_stay_signed_in_restarts_the_idle_clock(client, users):
    sign_in(client, users["nurse"])
    with client.session_transaction() as session:
        session["seen_at"] -= 14 * 60
    assert client.post("/session/keep-alive").status_code == 204
    with client.session_transaction() as session:
        session["seen_at"] -= 14 * 60  # 28 minutes since the last page, 14 since "stay"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_stay_signed_in_needs_the_csrf_token(client, users):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": users["nurse"].email, "password": PASSWORD,
                                "csrf_token": token})
    g.pop("csrf_token", None)  # the test's app context outlives requests: forget the old token
    token = re.search(r'data-csrf="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    assert client.post("/session/keep-alive").status_code == 400
    assert client.post("/session/keep-alive", headers={"X-CSRFToken": token}).status_code == 204


def test_an_injection_sent_after_the_timeout_is_kept_and_nothing_is_written(client, chair):
    before = treatment_state()
    response, _data = injection_after_timeout(client, chair, user_id=str(chair["doctor"].id))
    assert response.headers["Location"] == f"/login?next={chair['page']}"
    assert treatment_state() == before
    kept = db.session.scalar(select(KeptForm))
    # The session's user, whatever the form says; the CSRF token is not kept.
    assert kept.user_id == chair["nurse"].id and kept.action_url == chair["action"]
    assert "csrf_token" not in dict(kept.fields)
    page = client.get("/login").get_data(as_text=True)
    assert "what you sent was not saved" in page


def test_signing_in_again_restores_the_entry_unsaved_and_a_submit_saves_it_once(client, chair):
    before = treatment_state()
    _response, data = injection_after_timeout(client, chair)
    signed_in = client.post(f"/login?next={chair['page']}",
                            data={"email": chair["nurse"].email, "password": PASSWORD})
    assert signed_in.headers["Location"] == chair["page"]
    page = client.get(chair["page"]).get_data(as_text=True)
    assert RESTORED in page
    assert kept_form_on(page) == {"action": chair["action"],
                                  "fields": [[name, value] for name, value in data.items()]}
    assert treatment_state() == before  # restored into the form, not submitted
    assert kept_form_on(client.get(chair["page"]).get_data(as_text=True)) is None  # once
    assert client.post(chair["action"], data=data).status_code == 302
    assert client.post(chair["action"], data=data).status_code == 302  # a double tap
    injections = db.session.scalars(select(Injection)).all()
    assert [(i.volume_ul, i.site, i.points) for i in injections] == [(800, "right calf", 6)]


def test_another_user_signing_in_does_not_see_the_kept_entry(client, chair):
    injection_after_timeout(client, chair)
    sign_in(client, chair["doctor"])
    page = client.get(chair["page"]).get_data(as_text=True)
    assert kept_form_on(page) is None and RESTORED not in page
    assert db.session.scalar(select(func.count()).select_from(KeptForm)) == 1
    client.post("/logout")
    sign_in(client, chair["nurse"])
    assert kept_form_on(client.get(chair["page"]).get_data(as_text=True)) is not None


def test_a_signature_sent_after_the_timeout_keeps_no_password(client, chair):
    sign_in(client, chair["nurse"])
    client.get(chair["page"])
    expire(client)
    response = client.post(f"{chair['page']}/sign", data={"password": PASSWORD,
                                                           "code": "123456"})
    assert response.headers["Location"].startswith("/login?next=")
    assert db.session.scalar(select(func.count()).select_from(KeptForm)) == 0


def test_a_form_shown_again_after_a_refusal_comes_back_to_the_page_it_was_on(client, chair):
    sign_in(client, chair["nurse"])
    client.get(chair["page"])
    refused = client.post(chair["action"], data=injection_form(chair["batch"], ml=""))
    assert refused.status_code == 200  # shown again at the POST's address, which GET cannot
    expire(client)
    response = client.post(chair["action"], data=injection_form(chair["batch"]),
                           headers={"Referer": f"http://localhost{chair['action']}"})
    assert response.headers["Location"] == f"/login?next={chair['page']}"
    assert db.session.scalar(select(KeptForm.page_url)) == chair["page"]


def test_a_referrer_off_the_site_is_not_a_page_to_come_back_to(client, chair):
    sign_in(client, chair["nurse"])
    expire(client)
    for referrer in ("http://evil.example/treatment/today", "http://localhost//evil.example/"):
        response = client.post(chair["action"], data=injection_form(chair["batch"]),
                               headers={"Referer": referrer})
        # Neither the referrer nor the POST's own address is a page here: back to Home.
        assert response.headers["Location"] == "/login?next=/"
        sign_in(client, chair["nurse"])
        expire(client)


def test_with_a_second_factor_the_code_step_also_comes_back_to_the_form(client, chair):
    """Signing in again takes two steps then: the page to come back to survives both."""
    totp, _codes = enrol(chair["nurse"])
    sign_in(client, chair["nurse"])
    client.post("/login/code", data={"code": totp.now()})
    client.get(chair["page"])
    expire(client)
    client.post(chair["action"], data=injection_form(chair["batch"]),
                headers={"Referer": f"http://localhost{chair['page']}"})
    client.post(f"/login?next={chair['page']}",
                data={"email": chair["nurse"].email, "password": PASSWORD})
    response = client.post("/login/code", data={"code": next_code(totp)})
    assert response.headers["Location"] == chair["page"]
    assert kept_form_on(client.get(chair["page"]).get_data(as_text=True))["action"] \
        == chair["action"]


def test_a_form_sent_after_the_timeout_to_an_overlong_address_is_not_kept(client, chair):
    sign_in(client, chair["nurse"])
    expire(client)
    address = chair["action"] + "?" + "x" * 3000
    response = client.post(address, data=injection_form(chair["other"], ml="0.8"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert db.session.scalar(select(func.count()).select_from(KeptForm)) == 0
