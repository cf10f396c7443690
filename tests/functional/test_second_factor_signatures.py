"""An electronic signature of a signer with a second factor has two components (D8): the
password and a current code; either alone is refused and signs nothing, and a wrong code
counts toward the signer's lock as a wrong password does."""

import pytest

from tests.audit_helpers import events
from tests.conftest import sign_in
from tests.factories import PASSWORD
from tests.functional.test_signature_lockout import FORMS, WRONG, _post, _written
from tests.second_factor_helpers import enrol

# The field each form carries the signer's code in.
CODE_FIELD = {"witness of a waste": "waste-second_code", "session sign-off": "code",
              "stocktake countersignature": "second_code", "prescription": "code"}
NEEDS_CODE = "this signature needs the password and the code; nothing was signed."
WRONG_CODE = "The code is incorrect or was already used; nothing was signed."


def _with_code(form, kind, password: str, code: str) -> dict:
    return {**form.data(password), CODE_FIELD[kind]: code}


def _failed_codes(signer) -> list:
    return [e for e in events(action="login_failed", record_id=str(signer.id))
            if "second-factor code" in e.detail]


@pytest.mark.parametrize("kind", list(FORMS))
def test_an_enrolled_signer_signs_with_password_and_code(app, clinic, kind):
    form = FORMS[kind](clinic)
    client = app.test_client()
    sign_in(client, form.poster)
    totp, _codes = enrol(form.signer)
    before = _written()
    # The password alone: refused beside the code field, not counted as a guess.
    assert NEEDS_CODE in _post(client, form, PASSWORD)
    assert _written() == before and _failed_codes(form.signer) == []
    # A code with the wrong password: refused as the wrong password.
    wrong_password = client.post(form.url, data=_with_code(form, kind, WRONG, totp.now()),
                                 follow_redirects=True).get_data(as_text=True)
    assert "The password is incorrect" in wrong_password and _written() == before
    # The right password with a wrong code: refused and counted toward the lock.
    wrong_code = client.post(form.url, data=_with_code(form, kind, PASSWORD, "000000"),
                             follow_redirects=True).get_data(as_text=True)
    assert WRONG_CODE in wrong_code and _written() == before
    assert [e.actor_id for e in _failed_codes(form.signer)] == [form.poster.id]
    # Both: signed.
    signed = client.post(form.url, data=_with_code(form, kind, PASSWORD, totp.now()),
                         follow_redirects=True).get_data(as_text=True)
    assert form.signed in signed and _written() != before


def test_a_signature_code_cannot_be_used_twice(app, clinic):
    first, second = FORMS["session sign-off"](clinic), FORMS["session sign-off"](clinic)
    client = app.test_client()
    sign_in(client, first.poster)
    totp, _codes = enrol(first.signer)
    code = totp.now()
    assert first.signed in client.post(first.url, data=_with_code(first, "session sign-off",
                                       PASSWORD, code), follow_redirects=True).get_data(
                                       as_text=True)
    replay = client.post(second.url, data=_with_code(second, "session sign-off", PASSWORD, code),
                         follow_redirects=True).get_data(as_text=True)
    assert WRONG_CODE in replay


def test_the_sign_form_shows_the_code_field_only_to_an_enrolled_signer(app, clinic):
    form = FORMS["session sign-off"](clinic)
    client = app.test_client()
    sign_in(client, form.poster)
    page = form.url.removesuffix("/sign")
    assert 'name="code"' not in client.get(page).get_data(as_text=True)
    enrol(form.signer)
    assert 'name="code"' in client.get(page).get_data(as_text=True)


@pytest.mark.parametrize("kind", ["witness of a waste", "stocktake countersignature"])
def test_a_second_person_who_must_set_up_a_second_factor_cannot_sign_without_one(
        app, clinic, kind):
    form = FORMS[kind](clinic)
    app.config["REQUIRE_SECOND_FACTOR"] = True
    totp, _codes = enrol(form.poster)
    client = app.test_client()
    sign_in(client, form.poster)
    client.post("/login/code", data={"code": totp.now()})
    before = _written()
    refused = _post(client, form, PASSWORD)
    assert f"{form.signer.full_name} must set up a second factor before signing" in refused
    assert _written() == before
    # The password was right: refused and recorded, not counted toward a lock.
    assert events(action="signature_refused")[-1].detail.endswith(
        "must set up a second factor before signing; nothing was signed.")
    assert events(action="login_failed", record_id=str(form.signer.id)) == []
    # With the setting off, the password alone signs, as before.
    app.config["REQUIRE_SECOND_FACTOR"] = False
    assert form.signed in _post(client, form, PASSWORD)
