"""The demo patients: loaded through the services, in every state the demo needs."""

import pytest
from sqlalchemy import select

from compliance import demo
from compliance.extensions import db
from compliance.models import Consent, Consultation, Patient, Prescription, User
from compliance.services.screening import current_screening, present_in, screenings_of
from compliance.services.signatures import signatures_of


@pytest.fixture
def people(app) -> dict[str, Patient]:
    """The demo loaded; its patients by full name."""
    demo.load()
    return {p.full_name: p for p in db.session.scalars(select(Patient))}


def test_demo_patients_are_the_eight_the_demo_shows(people):
    assert len(people) == 8 and people["Claire Bennett"].reference == "P000001"
    unconfirmed = [p for p in people.values()
                   if p.gp_visit_advised and p.gp_visit_confirmed_on is None]
    assert [p.full_name for p in unconfirmed] == ["Margaret Hughes"]


def test_demo_prescriptions_are_in_each_state_and_signed_by_the_prescriber(people):
    statuses = sorted(rx.status for rx in db.session.scalars(select(Prescription)))
    assert statuses == ["cancelled", "draft", "signed", "signed", "signed", "signed"]
    signed = db.session.scalars(select(Prescription).where(Prescription.status == "signed"))
    for rx in signed:
        [status] = signatures_of(rx)
        assert status.intact and status.signature.printed_name == "Dr Anita Patel"
        assert rx.consultation.supports_prescription


def test_demo_screenings_and_consultations_cover_each_case(people):
    assert present_in(current_screening(people["Emma Clarke"])) == ["Contraceptive pill"]
    assert len(screenings_of(people["Fiona Walsh"])) == 2
    modes = set(db.session.scalars(select(Consultation.mode)))
    assert modes == {"face to face", "phone"}


def test_demo_consents_are_signed_by_the_patients_but_one_who_could_not(people, client, login):
    consents = {c.patient_id: c for c in db.session.scalars(select(Consent))}
    unsigned = [name for name, p in people.items() if not consents[p.id].patient_signature]
    assert unsigned == ["Margaret Hughes"]
    assert "unable to sign" in consents[people["Margaret Hughes"].id].unsigned_reason
    assert all(c.text_intact for c in consents.values())
    claire = people["Claire Bennett"]
    [nurse] = [d for d in demo.DEMO_USERS if d.profile.email == demo.NURSE]
    login(db.session.scalar(select(User).where(User.email == demo.NURSE)), nurse.password)
    record = client.get(f"/patients/{claire.id}").get_data(as_text=True)
    assert f'<path d="{consents[claire.id].signature_path}"/>' in record
