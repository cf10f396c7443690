"""The demo patients: loaded through the services, in every state the demo needs."""

from sqlalchemy import select

from compliance import demo
from compliance.extensions import db
from compliance.models import Consultation, Patient, Prescription
from compliance.services.screening import current_screening, present_in, screenings_of
from compliance.services.signatures import signatures_of


def test_demo_patients_cover_each_state_the_demo_shows(app):
    demo.load()
    people = {p.full_name: p for p in db.session.scalars(select(Patient))}
    assert len(people) == 8 and people["Claire Bennett"].reference == "P000001"
    statuses = sorted(rx.status for rx in db.session.scalars(select(Prescription)))
    assert statuses == ["cancelled", "draft", "signed", "signed", "signed", "signed"]
    signed = db.session.scalars(select(Prescription).where(Prescription.status == "signed"))
    for rx in signed:
        [status] = signatures_of(rx)
        assert status.intact and status.signature.printed_name == "Dr Anita Patel"
        assert rx.consultation.supports_prescription
    assert present_in(current_screening(people["Emma Clarke"])) == ["Contraceptive pill"]
    modes = set(db.session.scalars(select(Consultation.mode)))
    assert modes == {"face to face", "phone"}
    unconfirmed = [p for p in people.values()
                   if p.gp_visit_advised and p.gp_visit_confirmed_on is None]
    assert [p.full_name for p in unconfirmed] == ["Margaret Hughes"]
    assert len(screenings_of(people["Fiona Walsh"])) == 2
