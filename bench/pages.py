"""Page latency: median and p95 of the pages a clinic group uses most, in-process, as the
people who use them: a manager at one location, the group's manager, and an inspector scoped
to one location (D7)."""

from datetime import timedelta

from sqlalchemy import func, select

from bench.common import summary, timed
from compliance.clock import local_today
from compliance.extensions import db
from compliance.generator.run import PASSWORD
from compliance.models import Batch, LedgerEntry, Patient, TreatmentSession, User
from compliance.models.location import FIRST_LOCATION_ID, StorageArea
from compliance.models.transfer import Transfer

LOCAL_MANAGER, GROUP_MANAGER = "Gen Manager0", "Gen Group Manager"
SCOPED_INSPECTOR = "Gen Inspector Location1"


def _busiest_batch(location_id: int) -> int:
    return db.session.execute(
        select(LedgerEntry.batch_id, func.count()).where(LedgerEntry.location_id == location_id)
        .group_by(LedgerEntry.batch_id).order_by(func.count().desc()).limit(1)).first()[0]


def _busiest_patient() -> int:
    return db.session.execute(
        select(TreatmentSession.patient_id, func.count()).group_by(TreatmentSession.patient_id)
        .order_by(func.count().desc()).limit(1)).first()[0]


def _a_transfer(location_id: int) -> int:
    return db.session.scalar(select(Transfer.id).where(
        (Transfer.from_location_id == location_id) | (Transfer.to_location_id == location_id))
        .order_by(Transfer.id.desc()).limit(1))


def _month() -> str:
    end = local_today().replace(day=1) - timedelta(days=1)
    return f"date_from={end.replace(day=1).isoformat()}&date_to={end.isoformat()}"


def _reports(month: str, batch: Batch, where: str = "") -> dict[str, str]:
    """The D5 reports for the last full month; `where` adds a location filter."""
    trace = f"batch={batch.batch_number}&product={batch.product_id}"
    return {"session audit, one month": f"/reports/sessions?{month}{where}",
            "reconciliation": f"/reports/stock?{where}",
            "batch trace, one batch": f"/reports/trace?{trace}{where}",
            "exceptions, one month": f"/reports/exceptions?{month}{where}",
            "prescriber activity, one month": f"/reports/activity?{month}{where}"}


def group_reports() -> dict[str, str]:
    """The group manager's one-month reports (the first location's busiest batch traced)."""
    return _reports(_month(), db.session.get(Batch, _busiest_batch(FIRST_LOCATION_ID)))


def _local_pages(month: str, batch: Batch) -> dict[str, str]:
    area = db.session.scalar(select(StorageArea.id).where(
        StorageArea.location_id == FIRST_LOCATION_ID).order_by(StorageArea.id).limit(1))
    return {"stock overview, one location": "/stock/",
            "batch detail with ledger": f"/stock/batches/{batch.id}",
            "patient record": f"/patients/{_busiest_patient()}",
            **_reports(month, batch),
            "transfers": "/stock/transfers",
            "transfer detail": f"/stock/transfers/{_a_transfer(FIRST_LOCATION_ID)}",
            "send a transfer (form)": "/stock/transfers/send",
            "storage temperatures": "/temperatures/",
            "temperature chart, one area": f"/temperatures/areas/{area}"}


def _group_pages(month: str, batch: Batch) -> dict[str, str]:
    everywhere = {f"{name}, group": url for name, url in _reports(month, batch).items()}
    one = {f"{name}, location filter": url for name, url
           in _reports(month, batch, f"&location={FIRST_LOCATION_ID}").items()}
    return {**everywhere, **one, "transfers, group": "/stock/transfers",
            "audit trail, group": "/audit/",
            "audit report, one month, group": f"/reports/audit?{month}"}


def _inspector_pages(month: str, batch: Batch) -> dict[str, str]:
    return {**_reports(month, batch), "audit trail": "/audit/",
            "audit report, one month": f"/reports/audit?{month}"}


def page_sets() -> list[tuple[str, str, dict[str, str]]]:
    """(user, email, pages) for each person measured; reports cover the last full month."""
    # The first location's busiest batch: every person measured can see it.
    month, batch = _month(), db.session.get(Batch, _busiest_batch(FIRST_LOCATION_ID))
    sets = [(LOCAL_MANAGER, _local_pages(month, batch)),
            (GROUP_MANAGER, _group_pages(month, batch)),
            (SCOPED_INSPECTOR, _inspector_pages(month, batch))]
    emails = dict(db.session.execute(select(User.full_name, User.email).where(
        User.full_name.in_([name for name, _pages in sets]))).all())
    assert db.session.get(Patient, _busiest_patient())
    return [(name, emails[name], pages) for name, pages in sets]


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"bench sign-in failed for {email}"
    return client


def _timed_pages(client, name: str, urls: dict[str, str]) -> dict[str, dict]:
    results = {}
    for page, url in urls.items():
        status = client.get(url).status_code
        if status != 200:
            results[f"{name}: {page}"] = {"error": f"HTTP {status} for {url}"}
            continue
        results[f"{name}: {page}"] = summary(timed(lambda u=url: client.get(u).get_data()))
    return results


def measure(app) -> dict[str, dict]:
    with app.app_context():
        sets = page_sets()
    results = {}
    for name, email, urls in sets:
        results.update(_timed_pages(signed_in(app, email), name, urls))
    return results
