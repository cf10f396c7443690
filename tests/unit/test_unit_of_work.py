"""The unit of work: one transaction per workflow, also when one workflow calls another."""

from contextlib import contextmanager

import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, func, select

from compliance.errors import InvalidInput, NoConsent
from compliance.extensions import db
from compliance.models import AuditEvent, Contraindication
from compliance.services.unit_of_work import after_commit, unit_of_work
from tests.audit_helpers import events


def _add(name: str) -> None:
    db.session.add(Contraindication(name=name, question=f"{name}?", source="clinic"))


@unit_of_work("record the inner change")
def inner(_actor, refuse: bool) -> None:
    _add("inner change")
    db.session.flush()  # written to the database, so only a rollback can undo it
    if refuse:
        raise NoConsent()


@unit_of_work("record the outer change")
def outer(actor, refuse_inner: bool) -> None:
    _add("outer change")
    db.session.flush()
    inner(actor, refuse_inner)


@contextmanager
def counted_commits():
    """Commits that carried written rows (on SQLite the write lock is taken by first ending
    the read transaction, a commit that writes nothing)."""
    commits, flushed = [], []

    def wrote(_session, _context):
        flushed.append(1)

    def count(_session):
        if flushed:
            commits.append(1)
            flushed.clear()

    event.listen(FlaskSession, "after_flush", wrote)
    event.listen(FlaskSession, "after_commit", count)
    try:
        yield commits
    finally:
        event.remove(FlaskSession, "after_flush", wrote)
        event.remove(FlaskSession, "after_commit", count)


def _written(name: str) -> int:
    return db.session.scalar(select(func.count()).where(Contraindication.name == name))


def test_a_workflow_calling_another_commits_once(app, users):
    with counted_commits() as commits:
        outer(users["manager"], refuse_inner=False)
    assert len(commits) == 1
    assert _written("outer change") == 1 and _written("inner change") == 1
    created = events(table_name="contraindications", action="create")
    assert {e.actor_id for e in created[-2:]} == {users["manager"].id}


def test_a_refusal_in_the_inner_workflow_leaves_nothing_written_by_either(app, users):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(NoConsent):
        outer(users["manager"], refuse_inner=True)
    assert _written("outer change") == 0 and _written("inner change") == 0
    [refused] = events(action="refused")
    assert refused.actor_id == users["manager"].id and refused.rule == NoConsent.rule
    assert refused.detail.startswith("record the outer change: ")
    # The refusal is the only event the attempt left.
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1


def test_an_input_mistake_rolls_back_without_an_event(app, users):
    @unit_of_work("try something")
    def mistaken(_actor):
        _add("mistake")
        db.session.flush()
        raise InvalidInput("Enter a value.")

    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(InvalidInput):
        mistaken(users["manager"])
    assert _written("mistake") == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_an_unexpected_error_rolls_back_everything(app, users):
    @unit_of_work("try something")
    def broken(_actor):
        _add("half-written")
        db.session.flush()
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        broken(users["manager"])
    assert _written("half-written") == 0


@unit_of_work("record a change, then act on it")
def change_then_act(_actor, refuse: bool, seen: list) -> None:
    _add("acted on")
    after_commit(lambda: seen.append(_committed("acted on")))
    outer(_actor, refuse_inner=refuse)


def _committed(name: str) -> int:
    """Rows named so that another connection sees: committed ones only."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Contraindication)
                                 .where(Contraindication.name == name))


def test_an_action_after_commit_runs_once_the_whole_unit_has_committed(app, users):
    seen = []
    change_then_act(users["manager"], False, seen)
    assert seen == [1]


def test_an_action_after_commit_never_runs_when_the_unit_is_refused(app, users):
    seen = []
    with pytest.raises(NoConsent):
        change_then_act(users["manager"], True, seen)
    assert seen == []


def test_an_action_after_commit_outside_any_unit_runs_at_once(app):
    seen = []
    after_commit(lambda: seen.append("now"))
    assert seen == ["now"]
