"""A 500 page shows a reference (the request id) that finds its JSON line in the log."""

import json

import pytest

from compliance.permissions import public


@pytest.fixture
def app_overrides():
    # Its own application: the failing route below is added before it serves a request.
    return {"WTF_CSRF_ENABLED": False, "PROPAGATE_EXCEPTIONS": False}


def _add_failing_route(app) -> None:
    if "fails" in app.view_functions:
        return

    @public
    def fails():
        raise RuntimeError("forced failure for the log test")

    app.add_url_rule("/test-only/fails", "fails", fails)


def _log_lines_of(reference: str, captured: str) -> list[dict]:
    lines = [json.loads(line) for line in captured.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("request_id") == reference]


def test_a_500_shows_a_reference_that_finds_its_json_log_line(app, client, capsys):
    _add_failing_route(app)
    capsys.readouterr()
    response = client.get("/test-only/fails")
    assert response.status_code == 500
    reference = response.headers["X-Request-ID"]
    assert f'<code class="reference">{reference}</code>' in response.text
    found = _log_lines_of(reference, capsys.readouterr().err)
    assert len(found) == 1
    assert found[0]["level"] == "ERROR"
    assert found[0]["path"] == "/test-only/fails"
    assert "RuntimeError: forced failure for the log test" in found[0]["exception"]
    assert "forced failure" not in response.text


def test_a_json_client_gets_the_reference_too(app, client):
    _add_failing_route(app)
    response = client.get("/test-only/fails", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.json["reference"] == response.headers["X-Request-ID"]
