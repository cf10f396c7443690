"""Forms kept at the idle timeout: for their own user only, at most 30 minutes (by the app's
clock), given back once, and never with a secret in them."""

from datetime import timedelta

from sqlalchemy import func, select

from compliance.clock import frozen_at, utcnow
from compliance.extensions import db
from compliance.models import AuditEvent, KeptForm
from compliance.services import kept_forms

PAGE = "/treatment/sessions/7"
ACTION = "/treatment/sessions/7/injections"
TYPED = [("csrf_token", "token-of-the-old-session"), ("inj-submission_key", "a" * 32),
         ("inj-batch_id", "3"), ("inj-volume_ml", "1.5"), ("inj-site", "left calf"),
         ("inj-points", "4"), ("inj-barcode", "(01)05060012345020(10)LATER-2")]


def kept_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(KeptForm))


def test_secrets_and_the_csrf_token_are_never_kept():
    sent = [("csrf_token", "t"), ("password", "p"), ("current_password", "p"),
            ("confirm", "p"), ("code", "123456"), ("second_password", "p"),
            ("second_code", "654321"), ("rev-password", "p"), ("reason", "broken ampoule"),
            ("inj-barcode", "0105060012345020")]
    assert kept_forms.keepable(sent) == [["reason", "broken ampoule"],
                                         ["inj-barcode", "0105060012345020"]]


def test_an_outsized_value_is_left_out_not_cut_short_and_the_whole_is_capped():
    sent = [("notes", "x" * (kept_forms.MAX_VALUE_CHARS + 1)), ("site", "left calf")]
    assert kept_forms.keepable(sent) == [["site", "left calf"]]
    many = [(f"field{n}", "y" * 4_000) for n in range(40)]
    kept = kept_forms.keepable(many)
    assert sum(len(value) for _name, value in kept) <= kept_forms.MAX_TOTAL_CHARS
    assert [name for name, _value in kept] == [f"field{n}" for n in range(len(kept))]


def test_a_field_sent_several_times_is_kept_each_time_in_order():
    sent = [("treatment_areas", "left calf"), ("treatment_areas", "right shin")]
    assert kept_forms.keepable(sent) == [["treatment_areas", "left calf"],
                                         ["treatment_areas", "right shin"]]


def test_a_kept_form_is_given_back_once_and_only_to_its_own_user(users):
    nurse, doctor = users["nurse"], users["doctor"]
    assert kept_forms.keep(nurse, PAGE, ACTION, TYPED)
    assert kept_forms.waiting(nurse.id) and not kept_forms.waiting(doctor.id)
    assert kept_forms.take(doctor, PAGE) is None
    assert kept_forms.take(nurse, "/treatment/sessions/8") is None
    restored = kept_forms.take(nurse, PAGE)
    assert restored.action_url == ACTION
    assert restored.fields == [[name, value] for name, value in TYPED[1:]]
    assert kept_forms.take(nurse, PAGE) is None and kept_rows() == 0


def test_a_form_kept_more_than_30_minutes_ago_is_discarded_and_deleted(users):
    nurse = users["nurse"]
    with frozen_at(utcnow() - timedelta(minutes=31)):
        kept_forms.keep(nurse, PAGE, ACTION, TYPED)
    with frozen_at(utcnow() - timedelta(minutes=29)):
        kept_forms.keep(nurse, "/patients/1", "/patients/1/consent", [("notes", "recent")])
    assert kept_rows() == 2
    assert kept_forms.take(nurse, PAGE) is None
    assert kept_rows() == 1  # the old one is deleted, not merely hidden
    assert kept_forms.take(nurse, "/patients/1").fields == [["notes", "recent"]]


def test_a_second_form_sent_from_the_same_page_replaces_the_first(users):
    nurse = users["nurse"]
    kept_forms.keep(nurse, PAGE, ACTION, [("inj-volume_ml", "1.5")])
    kept_forms.keep(nurse, PAGE, ACTION, [("inj-volume_ml", "2")])
    assert kept_rows() == 1
    assert kept_forms.take(nurse, PAGE).fields == [["inj-volume_ml", "2"]]


def test_a_form_with_nothing_worth_keeping_keeps_no_row(users):
    assert not kept_forms.keep(users["nurse"], PAGE, "/treatment/sessions/7/sign",
                               [("csrf_token", "t"), ("password", "p"), ("code", "1")])
    assert kept_rows() == 0


def test_keeping_and_restoring_leave_the_audit_trail_alone(users):
    """A kept form is no record (the audit trail could never delete it): its submission is."""
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    kept_forms.keep(users["nurse"], PAGE, ACTION, TYPED)
    kept_forms.take(users["nurse"], PAGE)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
