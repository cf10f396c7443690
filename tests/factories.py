"""Builders of test records with sensible defaults."""

from datetime import timedelta
from itertools import count

from flask import current_app

from compliance.extensions import db
from compliance.models import User
from compliance.services.passwords import hash_password

PASSWORD = "Correct-Horse-Battery-9"
# A signature as the consent form's signature box sends it: two strokes, a name and a line.
SIGNATURE = "[[[40,120],[90,60],[140,130],[200,70],[260,125]],[[30,160],[280,165]]]"
_sequence = count(1)
_password_hashes: dict[tuple, str] = {}

ROLE_PROFILES = {
    "doctor": dict(roles={"prescriber"}, profession="doctor", register="GMC",
                   registration_number="7000001"),
    "nurse": dict(roles={"prescriber"}, profession="nurse", register="NMC",
                  registration_number="12A3456E"),
    "manager": dict(roles={"manager"}),
    "inspector": dict(roles={"inspector"}),
}


def password_hash() -> str:
    """PASSWORD hashed once per hash method: a real hash, so sign-in and signatures check it
    as they would any other, without paying the hash's cost for every user of every test
    (hashing itself is tested through `accounts` and `passwords`)."""
    method = tuple(current_app.config[f"PASSWORD_HASH_{name}"]
                   for name in ("MEMORY_KIB", "TIME_COST", "PARALLELISM"))
    if method not in _password_hashes:
        _password_hashes[method] = hash_password(PASSWORD)
    return _password_hashes[method]


def make_user(kind: str = "manager", *, commit: bool = True, **fields) -> User:
    """A user of one of ROLE_PROFILES' kinds, with PASSWORD; committed unless told not to."""
    n = next(_sequence)
    values = dict(email=f"{kind}{n}@test.clinic", full_name=f"{kind.title()} {n}",
                  password_hash=password_hash(), **ROLE_PROFILES[kind])
    # Working at every location, as everyone did before locations: tests of locations
    # assign users instead.
    values["all_locations"] = True
    values.update(fields)
    roles = values.pop("roles")
    user = User(**values)
    user.roles = roles
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def make_product(strength: str = "1", **fields):
    """A committed STS product in 2 ml single-use ampoules."""
    from decimal import Decimal

    from compliance.models.stock import Product

    values = dict(name=f"STS {strength}% 2 ml ampoule", active_ingredient="sodium tetradecyl "
                  "sulphate", strength_percent=Decimal(strength), container_type="ampoule",
                  container_volume_ul=2000, single_use=True, max_volume_per_session_ul=10_000)
    values.update(fields)
    product = Product(**values)
    db.session.add(product)
    db.session.commit()
    return product


def receive_batch(manager, product, containers: int = 10, batch_number: str = "B1",
                  expires_in_days: int = 365, received_days_ago: int = 250):
    """A batch received through the service, so its ledger and balance are real; received
    early enough for back-dated sessions."""
    from datetime import timedelta

    from compliance.clock import local_today
    from compliance.services import goods_in

    entry = goods_in.receive(manager, goods_in.Receipt(
        product_id=product.id, batch_number=batch_number,
        expires_on=local_today() + timedelta(days=expires_in_days), supplier="Medi Supplies",
        delivery_reference=f"DEL-{batch_number}", containers=containers,
        received_on=local_today() - timedelta(days=received_days_ago)))
    return entry.batch


def make_patient(**fields):
    """A committed patient, screened clear, consented, GP visit confirmed."""
    from datetime import date

    from compliance.models import Patient

    n = next(_sequence)
    values = dict(reference=f"P{n:06d}", first_name="Jane", last_name=f"Doe{n}",
                  date_of_birth=date(1980, 5, 17), sex="female", phone="07700 900123",
                  email=f"jane{n}@example.org", address="1 High Street", gp_practice="Elm Surgery",
                  gp_visit_advised=True, gp_visit_confirmed_on=date(2026, 1, 5))
    values.update(fields)
    patient = Patient(**values)
    db.session.add(patient)
    db.session.commit()
    return patient


def make_screening(patient, recorded_by, present: frozenset[str] = frozenset(), on=None):
    """A complete screening; `present` names the contraindications answered yes."""
    from sqlalchemy import select

    from compliance.clock import local_today
    from compliance.models import Contraindication, Screening, ScreeningAnswer

    screening = Screening(patient_id=patient.id, screened_on=on or local_today(),
                          recorded_by_id=recorded_by.id)
    for item in db.session.scalars(select(Contraindication).where(Contraindication.active)):
        screening.answers.append(ScreeningAnswer(contraindication_id=item.id,
                                                 present=item.name in present))
    db.session.add(screening)
    db.session.commit()
    return screening


def make_consent(patient, recorded_by, on=None):
    from compliance.clock import local_today
    from compliance.models import Consent

    consent = Consent(patient_id=patient.id, consented_on=on or local_today(),
                      procedure="Microsclerotherapy with STS", areas="both legs",
                      risks_explained="Bruising, pigmentation, blistering, clots, ulceration",
                      recorded_by_id=recorded_by.id)
    db.session.add(consent)
    db.session.commit()
    return consent


def make_consultation(patient, prescriber, on=None, mode="face to face", suitable=True):
    from compliance.clock import local_today
    from compliance.models import Consultation

    consultation = Consultation(patient_id=patient.id, prescriber_id=prescriber.id,
                                held_on=on or local_today(), mode=mode, place="Clinic room 1",
                                findings="Telangiectasia on both calves", suitable=suitable,
                                suitability_reason="No contraindications; realistic expectations")
    db.session.add(consultation)
    db.session.commit()
    return consultation


def make_prescription(patient, product, doctor, consultation=None, sessions=6, valid_from=None,
                      days_valid=365, max_ul=8_000, signed=True):
    """A prescription, signed by `doctor` (password PASSWORD) unless `signed` is False."""
    from datetime import timedelta

    from compliance.clock import local_today, utcnow
    from compliance.models import Prescription
    from compliance.services.signatures import sign

    consultation = consultation or make_consultation(patient, doctor)
    start = valid_from or local_today() - timedelta(days=200)
    prescription = Prescription(
        patient_id=patient.id, product_id=product.id, consultation_id=consultation.id,
        prescriber_id=doctor.id, max_volume_per_session_ul=max_ul, sessions_authorised=sessions,
        valid_from=start, valid_until=start + timedelta(days=days_valid), status="draft")
    db.session.add(prescription)
    db.session.flush()
    if signed:
        prescription.status, prescription.signed_at = "signed", utcnow()
        sign(prescription, doctor, PASSWORD, "prescribed")
    db.session.commit()
    return prescription


def ready_patient(users, product, **prescription_args):
    """A patient screened clear, consented, seen face to face, with a signed prescription."""
    from datetime import timedelta

    from compliance.clock import local_today

    seen = local_today() - timedelta(days=250)  # early enough for back-dated courses
    patient = make_patient()
    make_screening(patient, users["doctor"], on=seen)
    make_consent(patient, users["doctor"], on=seen)
    prescription_args.setdefault("consultation", make_consultation(patient, users["doctor"], seen))
    prescription = make_prescription(patient, product, users["doctor"], **prescription_args)
    return patient, prescription


def make_session(prescription, prescriber, session_date, injections=(), number=1,
                 signed=True, areas="left calf", entered_at=None, location_id=1):
    """A treatment session written row by row (with real ledger entries) for report tests,
    entered on its own day unless `entered_at` says when; the compliance rules are exercised
    by the treatment service's own tests."""
    from compliance.clock import start_of_local_day, utcnow
    from compliance.models import TreatmentSession

    entered = entered_at or min(utcnow(), start_of_local_day(session_date) + timedelta(hours=10))
    session = TreatmentSession(patient_id=prescription.patient_id,
                               prescription_id=prescription.id, prescriber_id=prescriber.id,
                               location_id=location_id, session_date=session_date,
                               treatment_areas=areas,
                               session_number=number, status="open", started_at=entered)
    db.session.add(session)
    db.session.flush()
    for batch, volume_ul in injections:
        _inject(session, prescriber, batch, volume_ul, entered)
    if signed:
        session.status, session.signed_at = "signed", utcnow()
    db.session.commit()
    return session


def _inject(session, prescriber, batch, volume_ul: int, entered) -> None:
    """One injection at the session's first area, drawn from `batch` through the ledger."""
    from compliance.models import Injection
    from compliance.models.stock import ADMINISTRATION
    from compliance.services.ledger import locked_batch, post

    batch = locked_batch(batch.id)
    entry = post(prescriber, batch, ADMINISTRATION, -volume_ul, -1,
                 location_id=session.location_id, occurred_on=session.session_date,
                 session_id=session.id, recorded_at=entered)
    db.session.flush()
    db.session.add(Injection(session_id=session.id, batch_id=batch.id, volume_ul=volume_ul,
                             site=session.treatment_areas.split(";")[0], points=3,
                             ledger_entry_id=entry.id, recorded_at=entered))
