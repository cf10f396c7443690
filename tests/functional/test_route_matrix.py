"""Every route, every role and anonymous: the status the capability table implies."""

import pytest

from compliance.permissions import CAPABILITIES, can
from tests.conftest import sign_in

KINDS = ("anonymous", "doctor", "nurse", "manager", "inspector")
# Values for URL parameters; every new parameter name needs one here.
SAMPLE_ARGS = {
    "user_id": lambda users: users["inspector"].id,
    "table_name": lambda users: "users",
    "record_id": lambda users: str(users["nurse"].id),
}


def app_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def test_every_route_declares_its_capability(app):
    for rule, view in app_routes(app):
        assert hasattr(view, "required_capability"), (
            f"{rule.rule} ({rule.endpoint}) has neither @requires(...) nor @public")
        capability = view.required_capability
        assert capability is None or capability in CAPABILITIES


def url_for_rule(rule, users) -> str:
    args = {}
    for name in rule.arguments:
        assert name in SAMPLE_ARGS, f"add a sample value for <{name}> of {rule.rule}"
        args[name] = SAMPLE_ARGS[name](users)
    return rule.build(args, append_unknown=False)[1]


def expected_outcome(capability, user) -> str:
    if capability is None:
        return "open"
    if user is None:
        return "login"
    return "allowed" if can(user, capability) else "forbidden"


def check(response, outcome: str, method: str, where: str) -> None:
    status = response.status_code
    location = response.headers.get("Location", "")
    if outcome == "login":
        assert status == 302 and location.startswith("/login?next="), where
    elif outcome == "forbidden":
        assert status == 403, where
    elif method == "GET":
        assert status in (200, 302) and "next=" not in location, where
        assert outcome == "open" or status == 200, where
    else:
        assert status in (200, 302) and "next=" not in location, where


@pytest.mark.parametrize("kind", KINDS)
def test_each_route_answers_each_role_as_the_table_says(app, users, kind):
    user = None if kind == "anonymous" else users[kind]
    for rule, view in app_routes(app):
        outcome = expected_outcome(view.required_capability, user)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            client = app.test_client()
            if user is not None:
                sign_in(client, user)
            url = url_for_rule(rule, users)
            response = client.open(url, method=method)
            check(response, outcome, method, f"{kind} {method} {url}")
