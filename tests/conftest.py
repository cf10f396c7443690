"""Fixtures: an app on a fresh migrated database per test, clients and users."""

from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient

from compliance import create_app
from compliance.extensions import db
from tests import dbutil
from tests.factories import (
    PASSWORD,
    ROLE_PROFILES,
    make_product,
    make_user,
    ready_patient,
    receive_batch,
)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    return dbutil.prepare_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def database_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("database")


@pytest.fixture
def database_uri(template_db, database_dir):
    """The same URI for every test, emptied back to the migrated state before each."""
    return dbutil.fresh_database(template_db, database_dir)


@pytest.fixture(scope="session")
def built_apps():
    """Applications by database and overrides: building one compiles every URL rule,
    the largest part of a unit test's setup, so each is built once per run."""
    return {}


@pytest.fixture
def app_overrides():
    """Config values a test module wants changed (CSRF is off unless a test turns it on)."""
    return {"WTF_CSRF_ENABLED": False}


class RequestScopedClient(FlaskClient):
    """The fixture keeps an app context open, which requests reuse; Flask-Login caches the
    signed-in user on `g`, so forget it between requests as a real server would."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def build_app(database_uri: str, overrides: dict):
    application = create_app(dbutil.config_for(database_uri, **overrides))
    application.test_client_class = RequestScopedClient
    return application


@pytest.fixture
def anchor_files(tmp_path):
    """The test's own anchor key pair and log paths (made by `flask audit keygen` if the test
    wants them): never the user's."""
    folder = tmp_path / "anchors"
    return {"AUDIT_SIGNING_KEY": str(folder / "key.pem"),
            "AUDIT_PUBLIC_KEY": str(folder / "key.pub.pem"),
            "AUDIT_ANCHOR_LOG": str(folder / "anchors.jsonl")}


@pytest.fixture
def keys(runner, anchor_files):
    """`flask audit keygen` run: the test's key pair and empty anchor log, by setting name."""
    result = runner.invoke(args=["audit", "keygen"])
    assert result.exit_code == 0, result.output
    return {name: Path(path) for name, path in anchor_files.items()}


@pytest.fixture
def app(database_uri, app_overrides, built_apps, anchor_files):
    """An application in a fresh app context; its config is put back after the test."""
    key = (database_uri, tuple(sorted(app_overrides.items())))
    if key not in built_apps:
        built_apps[key] = build_app(database_uri, app_overrides)
    application = built_apps[key]
    config = dict(application.config)
    application.config.update(anchor_files)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
    application.config.clear()
    application.config.update(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """One user of each kind, committed together."""
    people = {kind: make_user(kind, commit=False) for kind in ROLE_PROFILES}
    db.session.commit()
    return people


@pytest.fixture
def clinic(users):
    """The users, a product, two batches (A1 and B2, 30 ampoules each) and a patient ready
    for treatment on a signed prescription."""
    product = make_product(max_volume_per_session_ul=10_000)
    batch = receive_batch(users["manager"], product, containers=30, batch_number="A1")
    other = receive_batch(users["manager"], product, containers=30, batch_number="B2",
                          expires_in_days=500)
    patient, prescription = ready_patient(users, product)
    return dict(users, product=product, batch=batch, other=other, patient=patient,
                prescription=prescription)


def sign_in(client, user, password: str = PASSWORD, follow: bool = False):
    return client.post("/login", data={"email": user.email, "password": password},
                       follow_redirects=follow)


@pytest.fixture
def login(client):
    """Sign `user` in on the shared client; asserts it worked."""

    def _login(user, password: str = PASSWORD):
        response = sign_in(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return _login
