"""GET /healthz, and the request id every response carries."""

from datetime import timedelta

from sqlalchemy.exc import OperationalError

from compliance.clock import frozen_at, utcnow
from compliance.extensions import db
from compliance.services import audit_verify
from tests.audit_helpers import execute_raw

HEAD_BEFORE_LAST = "61451b8b96cd"


def test_health_is_ok_on_a_migrated_database(client, users):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "migrations": "at head",
                             "last_verification": None, "problems": []}


def test_health_reports_the_last_verification_and_nothing_personal(client, users):
    audit_verify.verify_and_record()
    response = client.get("/healthz")
    assert response.status_code == 200
    last = response.json["last_verification"]
    assert last["ok"] is True and 0 <= last["age_seconds"] < 3600
    for user in users.values():
        assert user.email not in response.text and user.full_name not in response.text


def test_health_fails_when_the_last_verification_is_too_old(client, users):
    with frozen_at(utcnow() - timedelta(hours=30)):
        audit_verify.verify_and_record()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["problems"] == ["the last verification is older than 26 hours"]


def test_health_fails_when_the_schema_is_behind_the_migrations(client):
    execute_raw("UPDATE alembic_version SET version_num = :old", old=HEAD_BEFORE_LAST)
    try:
        response = client.get("/healthz")
    finally:
        execute_raw("DELETE FROM alembic_version")
        execute_raw("INSERT INTO alembic_version (version_num) VALUES (:head)",
                    head=sorted(_heads(client.application))[0])
    assert response.status_code == 503
    assert response.json["migrations"] == "not at head"


def test_health_fails_on_a_database_never_migrated(client):
    execute_raw("ALTER TABLE alembic_version RENAME TO alembic_version_away")
    try:
        response = client.get("/healthz")
    finally:
        execute_raw("ALTER TABLE alembic_version_away RENAME TO alembic_version")
    assert response.status_code == 503
    assert response.json["database"] == "ok"
    assert response.json["migrations"] == "not at head"


def _heads(app):
    from compliance.services.health import migration_heads

    return migration_heads(app.extensions["migrate"].directory)


def test_health_fails_when_the_database_does_not_answer(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    assert response.json["problems"] == ["database: OperationalError"]


def test_every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept(client):
    made = client.get("/login").headers["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/login").headers["X-Request-ID"]
    kept = client.get("/login", headers={"X-Request-ID": "proxy-4f1c2a9e"})
    assert kept.headers["X-Request-ID"] == "proxy-4f1c2a9e"
    for hostile in ("short", "x" * 65, "bad id with spaces", "<script>alert(1)</script>"):
        answered = client.get("/login", headers={"X-Request-ID": hostile})
        assert answered.headers["X-Request-ID"] != hostile
