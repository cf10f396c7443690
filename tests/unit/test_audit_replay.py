"""`flask audit replay`: the live tables against the new values of their audit events."""

from compliance import demo
from compliance.services import audit_replay


def test_the_clinic_replays_clean(app, clinic):
    result = audit_replay.replay()
    assert result.ok, [d.describe() for d in result.differences]
    assert result.events > 0 and result.rows > 0


def test_the_demo_clinic_replays_clean(app):
    demo.load()
    result = audit_replay.replay()
    assert result.ok, [d.describe() for d in result.differences]
