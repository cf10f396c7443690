"""What each request of recording a session costs the server, in-process (no HTTP, one at a
time): the ceiling's one-row insert against opening a session, an injection, the session page
and the sign-off. It explains the write-throughput ratio."""

import statistics
import time

from bench import writes
from bench.ceiling import bp
from compliance.clock import local_today
from compliance.generator.run import PASSWORD

SESSIONS = 8


def _ms(call) -> float:
    started = time.perf_counter()
    response = call()
    assert response.status_code in (200, 302), response.status_code
    return (time.perf_counter() - started) * 1000


def _record(client, patient_id: int, day: str, samples: dict) -> None:
    html = client.get(f"/treatment/sessions/new?patient_id={patient_id}").get_data(as_text=True)
    prescription = writes.PRESCRIPTION_OPTION.search(html).group(1)
    started = time.perf_counter()
    response = client.post(f"/treatment/sessions/new?patient_id={patient_id}", data={
        "prescription_id": prescription, "session_date": day, "treatment_areas": "left calf"})
    samples["open a session"].append((time.perf_counter() - started) * 1000)
    path = response.headers["Location"]
    page = client.get(path).get_data(as_text=True)
    samples["session page"].append(_ms(lambda: client.get(path)))
    batch = writes.BATCH_OPTION.findall(page)[0]
    for volume in ("0.5", "1.2", "0.7"):
        samples["record an injection"].append(_ms(lambda v=volume: client.post(
            path + "/injections", data={"inj-batch_id": batch, "inj-volume_ml": v,
                                        "inj-site": "left calf", "inj-points": "3"})))
    samples["sign-off (password re-entered)"].append(
        _ms(lambda: client.post(path + "/sign", data={"password": PASSWORD})))


def measure(app) -> dict:
    app.register_blueprint(bp)
    emails, patients = writes.prepare(app, clients=1, per_client=SESSIONS)
    with app.app_context():
        day = local_today().isoformat()
    client = app.test_client()
    client.post("/login", data={"email": emails[0], "password": PASSWORD})
    samples = {name: [] for name in ("ceiling: one-row insert", "open a session",
                                     "record an injection", "session page",
                                     "sign-off (password re-entered)")}
    for _ in range(50):
        samples["ceiling: one-row insert"].append(
            _ms(lambda: client.post("/bench/insert-one")))
    for patient_id in patients[0]:
        _record(client, patient_id, day, samples)
    return {name: round(statistics.median(values), 1) for name, values in samples.items()}
