"""Page latency: median and p95 of the pages a clinic group uses most, in-process."""

from datetime import timedelta

from sqlalchemy import func, select

from bench.common import summary, timed
from compliance.clock import local_today
from compliance.extensions import db
from compliance.generator.run import PASSWORD
from compliance.models import Batch, LedgerEntry, Patient, TreatmentSession, User


def _busiest_batch() -> int:
    return db.session.execute(
        select(LedgerEntry.batch_id, func.count()).group_by(LedgerEntry.batch_id)
        .order_by(func.count().desc()).limit(1)).first()[0]


def _busiest_patient() -> int:
    return db.session.execute(
        select(TreatmentSession.patient_id, func.count()).group_by(TreatmentSession.patient_id)
        .order_by(func.count().desc()).limit(1)).first()[0]


def page_urls() -> dict[str, str]:
    """The pages measured; reports cover the last full month."""
    end = local_today().replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    month = f"date_from={start.isoformat()}&date_to={end.isoformat()}"
    batch_id, patient_id = _busiest_batch(), _busiest_patient()
    batch = db.session.get(Batch, batch_id)
    assert batch and db.session.get(Patient, patient_id)
    return {
        "stock overview": "/stock/",
        "batch detail with ledger": f"/stock/batches/{batch_id}",
        "patient record": f"/patients/{patient_id}",
        "session audit, one month": f"/reports/sessions?{month}",
        "reconciliation, all batches": "/reports/stock",
        "batch trace, one batch": f"/reports/trace?batch={batch.batch_number}"
                                  f"&product={batch.product_id}",
        "exceptions, one month": f"/reports/exceptions?{month}",
    }


def measure(app) -> dict[str, dict]:
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.role_names == "manager").limit(1))
        urls = page_urls()
        email = manager.email
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, "bench sign-in failed"
    results = {}
    for name, url in urls.items():
        status = client.get(url).status_code
        if status != 200:
            results[name] = {"error": f"HTTP {status} for {url}"}
            continue
        results[name] = summary(timed(lambda u=url: client.get(u).get_data()))
    return results
