"""Write throughput over HTTP with 8 concurrent clients against gunicorn: recording sessions
with 3 injections, against the ceiling of a one-row insert endpoint of the same app."""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bench.client import Browser
from compliance.clock import local_today, utcnow
from compliance.extensions import db
from compliance.generator.run import PASSWORD
from compliance.models import (
    Consent,
    Consultation,
    Contraindication,
    Patient,
    Prescription,
    Screening,
    ScreeningAnswer,
    User,
)
from compliance.models.location import FIRST_LOCATION_ID
from compliance.models.stock import Product
from compliance.services import stock_queries
from compliance.services.signatures import sign

CLIENTS = 8
COUNTING = threading.Lock()
SESSIONS_PER_CLIENT = int(os.environ.get("BENCH_SESSIONS_PER_CLIENT", "15"))
CEILING_SECONDS = 10
ROOT = Path(__file__).resolve().parent.parent
# The form marks the only choice `selected`, and a batch's option carries its number, before
# the value.
BATCH_OPTION = re.compile(r'<option (?:data-batch-number="[^"]*" )?value="([1-9]\d*)">[^<]*expires')
PRESCRIPTION_OPTION = re.compile(r'<option (?:selected )?value="(\d+)">RX-')


def _ready_patient(n: int, doctor: User, product: Product) -> Prescription:
    seen = local_today() - timedelta(days=1)
    patient = Patient(reference=f"B{n:06d}{utcnow():%H%M%S}", first_name="Bench",
                      last_name=f"Patient{n}", date_of_birth=seen.replace(year=1980),
                      sex="female", gp_visit_advised=True, gp_visit_confirmed_on=seen)
    db.session.add(patient)
    db.session.flush()
    consultation = _assess(patient, doctor, seen)
    prescription = Prescription(
        patient_id=patient.id, product_id=product.id, consultation_id=consultation.id,
        prescriber_id=doctor.id, max_volume_per_session_ul=8_000, sessions_authorised=6,
        valid_from=seen, valid_until=seen + timedelta(days=365), status="signed",
        signed_at=utcnow())
    db.session.add(prescription)
    db.session.flush()
    sign(prescription, doctor, PASSWORD, "prescribed")
    return prescription


def _assess(patient: Patient, doctor: User, seen) -> Consultation:
    """A clear screening, a consultation finding the patient suitable, and consent."""
    screening = Screening(patient_id=patient.id, screened_on=seen, recorded_by_id=doctor.id)
    screening.answers = [ScreeningAnswer(contraindication_id=c.id, present=False)
                         for c in db.session.scalars(select(Contraindication))]
    consultation = Consultation(patient_id=patient.id, prescriber_id=doctor.id, held_on=seen,
                                mode="face to face", place="Room 1", findings="Thread veins",
                                suitable=True, suitability_reason="Suitable")
    db.session.add_all([screening, consultation, Consent(
        patient_id=patient.id, consented_on=seen, procedure="Microsclerotherapy",
        areas="legs", risks_explained="Explained", recorded_by_id=doctor.id)])
    db.session.flush()
    return consultation


def prepare(app, clients: int = CLIENTS,
            per_client: int = SESSIONS_PER_CLIENT) -> tuple[list[str], list[list[int]]]:
    """Nurses' emails and, per client, patients ready for a first session today."""
    with app.app_context():
        doctor = db.session.scalar(select(User).where(User.profession == "doctor").limit(1))
        nurses = db.session.scalars(select(User).where(User.profession == "nurse")
                                    .limit(clients)).all()
        product = next(p for p in stock_queries.products()
                       if stock_queries.usable_batches(p.id, local_today(), FIRST_LOCATION_ID))
        patients = [[_ready_patient(c * 1000 + n, doctor, product).patient_id
                     for n in range(per_client)] for c in range(clients)]
        db.session.commit()
        return [nurse.email for nurse in nurses], patients


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, settings: dict | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-" + "k" * 40, **(settings or {}))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "4", "--threads", "4", "-b",
         f"127.0.0.1:{port}", "--log-level", "warning", "bench.wsgi_bench:app"],
        cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def record_session(browser: Browser, patient_id: int, day: str) -> Counter:
    """Open, inject three times, sign, as a tablet at the chair does: the session page is
    loaded once for its batch list; after each POST the tablet would load it again, which
    the bench skips so that the server's time goes to recording. Returns the recording
    POSTs that succeeded, by kind."""
    path = _open_session(browser, patient_id, day)
    done = Counter(open=1)
    batch = BATCH_OPTION.findall(browser.get(path))[0]
    for volume in ("0.5", "1.2", "0.7"):
        batch = _inject(browser, path, batch, volume, done)
    status, _ = browser.post(path + "/sign", {"password": PASSWORD})
    done["sign-off"] += status == 302
    return done


def _open_session(browser: Browser, patient_id: int, day: str) -> str:
    """Open a session on the patient's prescription; the session page's path."""
    html = browser.get(f"/treatment/sessions/new?patient_id={patient_id}")
    prescription = PRESCRIPTION_OPTION.search(html).group(1)
    status, location = browser.post(f"/treatment/sessions/new?patient_id={patient_id}", {
        "prescription_id": prescription, "session_date": day,
        "treatment_areas": "left calf"})
    assert status == 302, f"opening a session failed ({status})"
    return location.replace(browser.base, "")


def _inject(browser: Browser, path: str, batch: str, volume: str, done: Counter) -> str:
    """Record one injection, trying up to three batches; counts the outcome in `done` and
    returns the batch to use next."""
    for attempt in range(1, 4):
        status, _ = browser.post(path + "/injections", {
            "inj-batch_id": batch, "inj-volume_ml": volume, "inj-site": "left calf",
            "inj-points": "3"})
        if status == 302:
            done["injection"] += 1
            return batch
        # Another nurse opened the batch's last ampoule first: choose again, as they would.
        done["injection refused"] += 1
        offered = BATCH_OPTION.findall(browser.get(path))
        batch = offered[min(attempt, len(offered) - 1)]
    done["injection given up"] += 1
    return batch


def _ceiling(base: str, email: str, results: list, stop: float) -> None:
    browser = Browser(base)
    browser.sign_in(email, PASSWORD)
    browser.get("/")
    while time.monotonic() < stop:
        status, _ = browser.post("/bench/insert-one", {})
        results.append(status == 200)


def ceiling(base: str, emails: list[str]) -> float:
    """One-row inserts per second with CLIENTS concurrent clients."""
    results: list[bool] = []
    stop = time.monotonic() + CEILING_SECONDS
    threads = [threading.Thread(target=_ceiling, args=(base, email, results, stop))
               for email in emails]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results), "the ceiling endpoint failed"
    return len(results) / (time.monotonic() - started)


def _sessions(base: str, email: str, patients: list[int], day: str, counts: Counter,
              errors: list) -> None:
    browser = Browser(base)
    browser.sign_in(email, PASSWORD)
    for patient_id in patients:
        try:
            done = record_session(browser, patient_id, day)
            with COUNTING:
                counts.update(done)
        except Exception as error:  # a failed session is a finding, not a crash
            errors.append(repr(error))


def sessions(base: str, emails: list[str], patients: list[list[int]], day: str) -> dict:
    counts: Counter = Counter()
    errors: list[str] = []
    threads = [threading.Thread(target=_sessions, args=(base, email, own, day, counts, errors))
               for email, own in zip(emails, patients, strict=True)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    return {"sessions_per_s": round(counts["sign-off"] / seconds, 2),
            "write_posts_per_s": round(sum(counts.values()) / seconds, 1),
            "recorded_posts_per_s": round(
                (counts["open"] + counts["injection"] + counts["sign-off"]) / seconds, 1),
            "posts": dict(counts), "seconds": round(seconds, 1),
            "sessions": counts["sign-off"], "errors": errors[:5], "error_count": len(errors)}


def measure(app, url: str) -> dict:
    emails, patients = prepare(app)
    with app.app_context():
        day = local_today().isoformat()
    process, base = start_gunicorn(url)
    try:
        inserts_per_s = ceiling(base, emails)
        recorded = sessions(base, emails, patients, day)
    finally:
        process.terminate()
        process.wait(timeout=30)
    recorded["ceiling_inserts_per_s"] = round(inserts_per_s, 1)
    recorded["ratio_recorded_posts_to_ceiling"] = round(
        recorded["recorded_posts_per_s"] / inserts_per_s, 2)
    with app.app_context():
        recorded["negative_balances"] = db.session.scalar(
            select(db.func.count()).where(db.text("balance_ul < 0")).select_from(
                db.text("batches")))
        recorded["balance_mismatches"] = len(stock_queries.balance_mismatches())
    return recorded
