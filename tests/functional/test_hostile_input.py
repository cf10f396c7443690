"""Generated hostile values in every form and query string of the app, as every role, on the
database of this run: never a server error, and a refused request writes nothing (issue 12).

The forms and query strings are found by reading the app's own pages (tests/site_map.py), so
a new form is covered as soon as a page shows it. CI runs this on SQLite, then PostgreSQL.
"""

import os
import re
import time
from collections import Counter
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from compliance.extensions import db
from compliance.models import User
from compliance.permissions import can
from tests.factories import make_user
from tests.fingerprint import fingerprint
from tests.functional.test_route_matrix import (  # noqa: F401 - `sample` is a fixture
    KINDS,
    sample,
    url_for_rule,
)
from tests.hostile_values import EXTREME_INTS, values_for
from tests.site_map import SiteMap, Target

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", 2_000))  # per database; CI runs both
CRAWLERS = ("doctor", "nurse", "manager")


@pytest.fixture
def world(app, sample):  # noqa: F811 - the route matrix's fixture
    """The sample records and their URLs, and the ids of the users of each kind. The user
    pages act on `victim`, so that no request changes the accounts the test signs in as."""
    named = {**sample, "inspector": make_user("inspector")}
    urls = {(rule.endpoint, rule.rule): url_for_rule(rule, named)
            for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    people = {kind: sample.get(kind) for kind in KINDS}
    allowed = {rule.endpoint: [kind for kind, user in people.items()
                               if _may_use(app.view_functions[rule.endpoint], user)]
               for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    return {"urls": urls, "allowed": allowed,
            "people": {kind: user and user.id for kind, user in people.items()}}


def _may_use(view, user) -> bool:
    capability = getattr(view, "required_capability", None)
    return capability is None or (user is not None and can(user, capability))


@pytest.fixture
def targets(app, client, world) -> list[Target]:
    site, urls = SiteMap(app), world["urls"]
    for kind in CRAWLERS:
        become(client, world["people"][kind])
        site.crawl(client, list(urls.values()))
    found = site.complete(lambda rule: urls[rule.endpoint, rule.rule])
    accounts = {user_id for user_id in world["people"].values() if user_id is not None}
    return [t for t in found if t.args.get("user_id", 0) not in accounts]


def become(client, user_id: int | None) -> None:
    """Sign `client` in as the user (as sign-in would leave the session), or out."""
    with client.session_transaction() as session:
        session.clear()
        if user_id is not None:
            now = time.time()
            session.update(_user_id=db.session.get(User, user_id).get_id(), _fresh=True,
                           login_at=now, seen_at=now)
    db.session.remove()


def accepted(client, response) -> bool:
    """Whether the request was carried out: it says so with a success message, kept for the
    page it redirects to or shown on the page it answers with."""
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return (any(kind == "success" for kind, _ in flashes)
            or b'class="flash flash-success"' in response.data)


def shown(values: dict) -> dict:
    return {name: (repr(value)[:60] + f"... ({len(value)} chars)" if len(repr(value)) > 60
                   else value) for name, value in values.items() if value is not None}


def request_for(data, target: Target) -> tuple[str, dict]:
    """A path (an id in it sometimes replaced by an extreme one) and the form to send."""
    path = target.path
    if re.search(r"/\d+(/|$)", path) and data.draw(st.integers(0, 7)) == 0:
        extreme = data.draw(st.sampled_from(EXTREME_INTS))
        path = re.sub(r"/\d+(?=/|$)", f"/{extreme}", path, count=1)
    query = data.draw(values_for(target.query if target.method == "POST" else target.fields,
                                 query=True))
    form = data.draw(values_for(target.fields)) if target.method == "POST" else {}
    query = {name: value for name, value in query.items() if value is not None}
    return (f"{path}?{urlencode(query, doseq=True)}" if query else path), form


def send(client, target: Target, kind: str, user_id: int | None, url: str, form: dict):
    """Send one request as `kind`; no server error, and nothing written unless accepted."""
    note(f"{kind} {target.method} {url[:300]} {shown(form)}")
    become(client, user_id)
    before = fingerprint()
    response = client.open(url, method=target.method, data={
        name: value for name, value in form.items() if value is not None})
    # A streamed export reads its rows as the body is read: read it before the session ends,
    # as a real server does.
    response.get_data()
    db.session.remove()
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if not accepted(client, response):
        assert fingerprint() == before, f"refused ({response.status_code}) but written"
    return response.status_code


def test_hostile_input_never_fails_and_refusals_write_nothing(client, world, targets, capsys):
    routes = sorted({(t.endpoint, t.method) for t in targets})
    by_route = {route: [t for t in targets if (t.endpoint, t.method) == route]
                for route in routes}
    statuses: Counter = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def one_request(data):
        route = data.draw(st.sampled_from(routes))
        target = data.draw(st.sampled_from(by_route[route]))
        # Mostly as someone the route lets in (its checks are deeper), now and then anyone.
        kind = data.draw(st.sampled_from(world["allowed"][route[0]] * 4 + list(KINDS)))
        url, form = request_for(data, target)
        status = send(client, target, kind, world["people"][kind], url, form)
        statuses[status] += 1

    one_request()
    with capsys.disabled():
        print(f"\nhostile input: {sum(statuses.values())} requests to {len(routes)} routes "
              f"({len(targets)} URLs) as {len(KINDS)} kinds of user; answers "
              f"{dict(sorted(statuses.items()))}")
