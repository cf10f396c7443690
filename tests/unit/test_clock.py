"""The clock: `frozen_at` sets it back for a block only, and only the demo's history does so."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import compliance
from compliance import clock
from compliance.extensions import db
from compliance.models import User
from tests.factories import make_user

PAST = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
PACKAGE = Path(compliance.__file__).parent


def test_a_frozen_clock_reads_its_moment_and_the_clinic_day_then_the_real_time(app):
    with clock.frozen_at(PAST):
        assert clock.utcnow() == PAST and clock.local_today() == PAST.date()
    assert datetime.now(UTC) - clock.utcnow() < timedelta(seconds=5)


def test_a_frozen_clock_is_put_back_when_the_block_fails(app):
    with pytest.raises(RuntimeError), clock.frozen_at(PAST):
        raise RuntimeError("a refused step")
    assert clock.utcnow() > PAST + timedelta(days=30)


def test_the_clock_is_set_back_never_forward_and_never_without_a_time_zone(app):
    with pytest.raises(ValueError, match="never forward"):
        clock.frozen_at(datetime.now(UTC) + timedelta(minutes=1)).__enter__()
    with pytest.raises(ValueError, match="time zone"):
        clock.frozen_at(datetime(2026, 3, 14, 9, 30)).__enter__()
    assert clock.utcnow() > PAST + timedelta(days=30)


def test_a_record_stamped_by_its_model_default_follows_the_frozen_clock(app):
    with clock.frozen_at(PAST):
        user_id = make_user().id
    db.session.expire_all()
    assert db.session.get(User, user_id).created_at == PAST


def frozen_at_callers() -> set[str]:
    """The application's modules that name `frozen_at` (used, or imported under any name)."""
    found = set()
    for module in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = (getattr(node, "attr", None), getattr(node, "id", None),
                     getattr(node, "name", None) if isinstance(node, ast.alias) else None)
            if "frozen_at" in names:
                found.add(module.relative_to(PACKAGE).as_posix())
    return found


def test_only_the_demo_history_sets_the_clock_back():
    assert frozen_at_callers() == {"demo_timeline.py"}
