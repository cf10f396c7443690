from types import SimpleNamespace

import pytest

from compliance.permissions import CAPABILITIES, can, requires


def person(*roles, profession="other"):
    return SimpleNamespace(is_authenticated=True, roles=frozenset(roles), profession=profession)


def test_only_a_doctor_prescriber_may_sign_prescriptions():
    assert can(person("prescriber", profession="doctor"), "sign_prescription")
    assert not can(person("prescriber", profession="nurse"), "sign_prescription")
    assert not can(person("manager", profession="doctor"), "sign_prescription")


def test_only_prescribers_may_record_injections():
    assert can(person("prescriber", profession="nurse"), "record_injection")
    for role in ("manager", "inspector"):
        assert not can(person(role), "record_injection")


def test_inspectors_hold_read_capabilities_only():
    inspector = person("inspector")
    held = {name for name in CAPABILITIES if can(inspector, name)}
    assert held == {"use_app", "view_reports", "view_audit", "view_stock", "view_patients"}
    assert not can(inspector, "register_patients")


def test_several_roles_combine():
    owner = person("prescriber", "manager", profession="doctor")
    assert can(owner, "manage_users") and can(owner, "sign_prescription")


def test_anonymous_holds_nothing():
    anonymous = SimpleNamespace(is_authenticated=False)
    assert not any(can(anonymous, name) for name in CAPABILITIES)


def test_an_unknown_capability_is_a_programming_error():
    with pytest.raises(KeyError):
        requires("fly_to_the_moon")
