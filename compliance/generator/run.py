"""Putting a generated data set together, in one transaction."""

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from math import ceil

from sqlalchemy import bindparam, func, select, update

from compliance.clock import local_today
from compliance.extensions import db
from compliance.generator.chain import GENERATOR, Chain
from compliance.generator.clinic import ClinicGenerator
from compliance.generator.plan import Sizes, plan_courses, plan_injections
from compliance.generator.writer import BulkWriter
from compliance.models import Batch, BatchStock, User
from compliance.models.location import FIRST_LOCATION_ID
from compliance.services import stock_months
from compliance.services.audit import head
from compliance.services.passwords import hash_password
from compliance.services.stock_queries import KEPT, kept_totals

PASSWORD = "Generated-Clinic-2026"


def _containers_needed(sessions) -> int:
    return sum(ceil(sum(v for v, _s, _p in s.injections) / 2_000) + 1 for s in sessions)


def _quarter(day) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3


def generate(sizes: Sizes, tick: Callable[[int], None], seed: int = 7) -> dict:
    """Write the data set into an empty database; `tick(n)` reports n sessions done."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise RuntimeError("The database already holds data; generate into an empty one.")
    seq, chain_head = head()
    db.session.close()
    with db.engine.begin() as connection:
        writer = BulkWriter(connection)
        gen = ClinicGenerator(writer, Chain(writer, seq, chain_head), sizes,
                              hash_password(PASSWORD), local_today(), seed)
        counts = _write(gen, sizes, tick)
        writer.flush_all()
        _final_balances(connection, gen)
        writer.flush_all()  # the final balances' audit events
        stock_months.rebuild(connection)
        writer.reset_sequences()
    with db.engine.begin() as connection:
        # The planner's statistics are stale after a bulk load; autovacuum would catch up
        # only later, and until then reports pick poor plans.
        connection.exec_driver_sql("ANALYZE")
    return counts


def _write(gen: ClinicGenerator, sizes: Sizes, tick) -> dict:
    gen.people()
    gen.products()
    courses = plan_courses(sizes, gen.first_day, gen.today, gen.rng)
    sessions = sorted((s for c in courses for s in c.sessions), key=lambda s: s.day)
    plan_injections(sessions, sizes.injections, gen.rng)
    stockroom = gen.batches(_containers_needed(sessions))
    prescriptions, confirmed = _patients_and_prescriptions(gen, courses)
    quarter = None
    for n, planned in enumerate(sessions, start=1):
        if _quarter(planned.day) != quarter:
            quarter = _quarter(planned.day)
            gen.stocktake(planned.day, stockroom)
        gen.session(planned, prescriptions[planned.patient, planned.course],
                    confirmed[planned.patient], stockroom)
        if n % 1000 == 0:
            tick(1000)
    tick(len(sessions) % 1000)
    return {"patients": sizes.patients, "courses": len(courses), "sessions": len(sessions),
            "injections": sum(len(s.injections) for s in sessions), "batches": sizes.batches}


def _patients_and_prescriptions(gen: ClinicGenerator, courses) -> tuple[dict, dict]:
    by_patient = defaultdict(list)
    for course in courses:
        by_patient[course.patient].append(course)
    prescriptions, confirmed = {}, {}
    for number, own in by_patient.items():
        doctor = gen.rng.choice(gen.doctors)
        first_seen = min(c.start for c in own) - timedelta(days=12)
        patient_id, confirmed[number] = gen.patient(number, first_seen, doctor)
        for course in own:
            prescriptions[number, course.index] = gen.prescription(patient_id, course, doctor)
    return prescriptions, confirmed


def _final_balances(connection, gen: ClinicGenerator) -> None:
    totals = kept_totals(connection)
    rows = [{"b_id": sim.id, "b_ul": sim.balance_ul, "b_sealed": sim.sealed,
             **{f"t_{name}": value for name, value in totals[sim.id].items()}}
            for sim in gen.sims.values()]
    table = Batch.__table__
    statement = (update(table).where(table.c.id == bindparam("b_id"))
                 .values(balance_ul=bindparam("b_ul"), sealed_containers=bindparam("b_sealed"),
                         **{name: bindparam(f"t_{name}") for name in KEPT}))
    connection.execute(statement, rows)
    # Everything generated is held at the first location, in its first storage area.
    connection.execute(BatchStock.__table__.insert(), [
        {"batch_id": row["b_id"], "location_id": FIRST_LOCATION_ID, "storage_area_id": 1,
         "balance_ul": row["b_ul"], "sealed_containers": row["b_sealed"]} for row in rows])
    for row in rows:
        _record_final_balance(gen, row)


def _record_final_balance(gen: ClinicGenerator, row: dict) -> None:
    written = gen.batch_rows[row["b_id"]]
    final = {"balance_ul": row["b_ul"], "sealed_containers": row["b_sealed"],
             **{name: row[f"t_{name}"] for name in KEPT}}
    changes = {name: [written[name], value] for name, value in final.items()
               if written[name] != value}
    if changes:
        gen.chain.append("update", "batches", row["b_id"], (None, GENERATOR),
                         gen.chain.when, changes)
