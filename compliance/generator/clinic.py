"""Writing the generated clinic: people, stock, patients, courses, sessions, audit events."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from compliance.generator.chain import Chain
from compliance.generator.places import PlaceRows
from compliance.generator.plan import PlannedCourse, PlannedSession, Sizes
from compliance.generator.stock_rows import StockRows, at, fingerprint
from compliance.generator.stockroom import CONTAINER_UL, Stockroom
from compliance.generator.transfer_rows import TransferRows
from compliance.generator.writer import BulkWriter
from compliance.rules.flags import FLAG_LABELS
from compliance.rules.limits import MAX_SESSIONS_PER_COURSE
from compliance.seeds import DEFAULT_CONTRAINDICATIONS
from compliance.services.audit import serialise

PASSWORD_NOTE = "Generated users all share the password printed by the command."
# Parents before children, so that foreign keys always find their row.
TABLE_ORDER = ("locations", "storage_areas", "users", "user_locations", "products", "batches",
               "patients", "screenings", "screening_answers", "consents", "consultations",
               "prescriptions", "treatment_sessions", "stocktakes", "ledger_entries",
               "transfers", "stocktake_lines", "injections", "session_flags", "signatures",
               "temperature_readings", "audit_events")
INSPECTION_DAYS = 365  # how long the generated inspectors' access lasts


class Prescribed(NamedTuple):
    """What a course's sessions need of its prescription (kept for a million courses)."""

    id: int
    patient_id: int
    product_id: int


class ClinicGenerator(StockRows, PlaceRows, TransferRows):
    """Builds every row of the data set through one BulkWriter."""

    def __init__(self, writer: BulkWriter, chain: Chain, sizes: Sizes, password_hash: str,
                 today: date, seed: int = 7):
        self.w, self.chain, self.sizes = writer, chain, sizes
        self.password_hash, self.today = password_hash, today
        self.rng = random.Random(seed)
        self.first_day = today - timedelta(days=365 * sizes.years)
        self.w.order = list(TABLE_ORDER)
        self.contraindication_ids = list(range(1, len(DEFAULT_CONTRAINDICATIONS) + 1))

    # people and products -------------------------------------------------------------
    def _user(self, name: str, roles: str, profession: str, register=None, number=None, *,
              place=None, expires=None):
        """A user working at `place` (or at every location), as (id, printed name,
        registration) for signatures and audit events."""
        user_id = self.w.new_id("users")
        self.w.add("users", dict(
            id=user_id, email=f"{name.lower().replace(' ', '.')}.{user_id}@generated.clinic",
            full_name=name, password_hash=self.password_hash, role_names=roles,
            profession=profession, register=register, registration_number=number, active=True,
            access_expires_on=expires, must_change_password=False, all_locations=place is None,
            session_token=f"{user_id:032x}", created_at=at(self.first_day)))
        if place is not None:
            self.works_at(user_id, place)
        return user_id, name, f"{register} {number}" if number else ""

    def people(self) -> None:
        """A doctor, a nurse and a manager at each location; a group manager and two
        inspectors, one of the whole group and one of the first location."""
        self.places()
        self.by_location = {place.id: place for place in self.locations}
        self.doctors = [self._user(f"Dr Gen Doctor{n}", "prescriber", "doctor", "GMC",
                                   f"{7100000 + n}", place=place)
                        for n, place in enumerate(self.locations)]
        self.nurses = [self._user(f"Gen Nurse{n}", "prescriber", "nurse", "NMC",
                                  f"{10 + n % 90:02d}A{1000 + n:04d}E", place=place)
                       for n, place in enumerate(self.locations)]
        self.managers = [self._user(f"Gen Manager{n}", "manager", "other", place=place)
                         for n, place in enumerate(self.locations)]
        self.group_manager = self._user("Gen Group Manager", "manager", "other")
        until = self.today + timedelta(days=INSPECTION_DAYS)
        self._user("Gen Inspector", "inspector", "other", expires=until)
        self._user("Gen Inspector Location1", "inspector", "other", place=self.locations[0],
                   expires=until)

    def products(self) -> None:
        self.product_ids = []
        for strength in ("0.2", "0.5", "1", "3"):
            product_id = self.w.new_id("products")
            self.w.add("products", dict(
                id=product_id, name=f"STS {strength}% 2 ml ampoule (generated)",
                active_ingredient="sodium tetradecyl sulphate",
                strength_percent=Decimal(strength), container_type="ampoule",
                container_volume_ul=CONTAINER_UL, single_use=True, gtin=None,
                max_volume_per_session_ul=10_000, active=True))
            self.product_ids.append(product_id)

    # patients and their courses -------------------------------------------------------
    def patient(self, number: int, first_seen: date, doctor) -> tuple[int, bool]:
        """A screened, consented patient; returns its id and whether the GP visit is confirmed."""
        patient_id = self.w.new_id("patients")
        confirmed = None if self.rng.random() < 0.05 else first_seen - timedelta(days=20)
        self.w.add("patients", dict(
            id=patient_id, reference=f"G{patient_id:07d}", first_name=f"Pat{number}",
            last_name=f"Generated{number % 5000}",
            date_of_birth=date(1950 + number % 50, 1 + number % 12, 1 + number % 28),
            sex="female" if number % 5 else "male", phone=f"07700 {number % 1000000:06d}",
            email=f"patient{patient_id}@example.org", address=f"{number % 300} High Street",
            gp_practice=f"Surgery {number % 400}", gp_visit_advised=True,
            gp_visit_confirmed_on=confirmed, created_at=at(first_seen, 9)))
        self._screening_and_consent(patient_id, first_seen, doctor)
        return patient_id, confirmed is not None

    def _screening_and_consent(self, patient_id: int, day: date, doctor) -> None:
        screening_id = self.w.new_id("screenings")
        self.w.add("screenings", dict(id=screening_id, patient_id=patient_id, screened_on=day,
                                      recorded_by_id=doctor[0], recorded_at=at(day, 9)))
        for item in self.contraindication_ids:
            self.w.add("screening_answers", dict(
                id=self.w.new_id("screening_answers"), screening_id=screening_id,
                contraindication_id=item, present=False, notes=None))
        self.w.add("consents", dict(
            id=self.w.new_id("consents"), patient_id=patient_id, consented_on=day,
            procedure="Microsclerotherapy with STS", areas="both legs",
            risks_explained="Bruising, pigmentation, blistering, clots", recorded_by_id=doctor[0],
            recorded_at=at(day, 9), withdrawn_on=None, withdrawn_reason=None))

    def prescription(self, patient_id: int, course: PlannedCourse, doctor) -> Prescribed:
        seen = course.start - timedelta(days=self.rng.randint(1, 10))
        consultation_id = self.w.new_id("consultations")
        self.w.add("consultations", dict(
            id=consultation_id, patient_id=patient_id, prescriber_id=doctor[0], held_on=seen,
            mode="face to face", place="Clinic room", findings="Thread veins on the legs",
            suitable=True, suitability_reason="No contraindications", recorded_at=at(seen, 11)))
        values = dict(id=self.w.new_id("prescriptions"), patient_id=patient_id,
                      product_id=self.product_ids[course.product],
                      consultation_id=consultation_id, prescriber_id=doctor[0],
                      max_volume_per_session_ul=8_000,
                      sessions_authorised=max(len(course.sessions),
                                              self.rng.randint(1, MAX_SESSIONS_PER_COURSE)),
                      valid_from=seen, valid_until=seen + timedelta(days=365), directions=None)
        self.w.add("prescriptions", dict(values, status="signed", created_at=at(seen, 11),
                                          signed_at=at(seen, 12), cancelled_at=None,
                                          cancelled_reason=None, replaces_id=None))
        self._signature("prescriptions", values["id"], "prescribed", doctor, at(seen, 12),
                        fingerprint({k: serialise(v) for k, v in values.items()}))
        return Prescribed(values["id"], patient_id, values["product_id"])

    def _signature(self, table: str, record_id: int, meaning: str, signer, when: datetime,
                   record_hash: str) -> None:
        self.w.add("signatures", dict(
            id=self.w.new_id("signatures"), record_table=table, record_id=str(record_id),
            meaning=meaning, signer_id=signer[0], printed_name=signer[1],
            registration=signer[2], signed_at=when, record_hash=record_hash))

    # sessions -------------------------------------------------------------------------
    def session(self, planned: PlannedSession, prescription: Prescribed, gp_confirmed: bool,
                stockroom: Stockroom) -> None:
        """A signed session at the patient's location, by one of its prescribers."""
        place = self.by_location[stockroom.location]
        prescriber = self.rng.choice((self.doctors[place.index], self.nurses[place.index]))
        session_id = self.w.new_id("treatment_sessions")
        areas = ";".join(sorted({site for _v, site, _p in planned.injections})) or "left calf"
        row = dict(id=session_id, patient_id=prescription.patient_id,
                   prescription_id=prescription.id, prescriber_id=prescriber[0],
                   location_id=place.id, session_date=planned.day,
                   started_at=at(planned.day, 10),
                   treatment_areas=areas, session_number=planned.number, notes=None,
                   status="signed", signed_at=at(planned.day, 11))
        self.w.add("treatment_sessions", row)
        injections = self._inject(row, planned, prescription.product_id, prescriber,
                                  stockroom)
        content = {"id": session_id, "patient_id": row["patient_id"],
                   "prescription_id": row["prescription_id"], "prescriber_id": prescriber[0],
                   "session_date": planned.day.isoformat(), "areas": areas,
                   "session_number": planned.number, "notes": None, "injections": injections}
        self._signature("treatment_sessions", session_id, "administered", prescriber,
                        row["signed_at"], fingerprint(content))
        if not gp_confirmed:
            self._flag(session_id, "gp_not_confirmed", row["started_at"])

    def _flag(self, session_id: int, code: str, raised_at: datetime) -> None:
        self.w.add("session_flags", dict(id=self.w.new_id("session_flags"),
                                         session_id=session_id, code=code,
                                         detail=FLAG_LABELS[code], raised_at=raised_at))

    def _inject(self, row: dict, planned: PlannedSession, product: int, prescriber,
                stockroom: Stockroom) -> list:
        opened: dict[int, int] = {}  # batch id -> volume left in this session's open ampoules
        content = []
        for volume, site, points in planned.injections:
            batch, new = self._batch_for(stockroom, product, planned.day, opened, volume)
            opened[batch.id] = opened.get(batch.id, 0) + new * CONTAINER_UL - volume
            entry_id = self._ledger(batch, "administration", -volume, -new, prescriber[0],
                                    planned.day, session_id=row["id"],
                                    reason=f"Session {row['id']}, {site}")
            injection_id = self.w.new_id("injections")
            self.w.add("injections", dict(id=injection_id, session_id=row["id"],
                                          batch_id=batch.id, volume_ul=volume, site=site,
                                          points=points, ledger_entry_id=entry_id,
                                          recorded_at=at(planned.day, 10)))
            content.append([injection_id, batch.id, volume, site, points, False])
        for batch_id, left in opened.items():
            if left > 0:
                self._ledger(self.parts[batch_id, stockroom.location], "waste", -left, 0,
                             prescriber[0], planned.day, waste_reason="opened remainder",
                             session_id=row["id"],
                             reason=f"Unused remainder of single-use containers opened in "
                                    f"session {row['id']}")
        return content
