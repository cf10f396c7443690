"""Putting a generated data set together, in one transaction."""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from math import ceil

from sqlalchemy import bindparam, func, select, update

from compliance.clock import local_today
from compliance.extensions import db
from compliance.generator.chain import GENERATOR, Chain
from compliance.generator.clinic import ClinicGenerator
from compliance.generator.plan import Sizes, plan_courses, plan_injections
from compliance.generator.stockroom import CONTAINER_UL, Demand, Need
from compliance.generator.writer import BulkWriter
from compliance.models import Batch, BatchStock, User
from compliance.services import stock_months
from compliance.services.audit import head
from compliance.services.passwords import hash_password
from compliance.services.stock_queries import KEPT, kept_totals

PASSWORD = "Generated-Clinic-2026"


def _demand(gen: ClinicGenerator, sessions) -> dict[int, Demand]:
    """Per location and product, the containers its sessions will open (at most), by day."""
    demand: dict[int, Demand] = defaultdict(lambda: defaultdict(Need))
    for session in sessions:
        opened = ceil(sum(v for v, _s, _p in session.injections) / CONTAINER_UL) + 1
        demand[gen.locations[session.home].id][gen.product_ids[session.product]].add(
            session.day, opened)
    return demand


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
    courses = plan_courses(sizes, gen.first_day, gen.today, gen.rng, len(gen.product_ids))
    sessions = sorted((s for c in courses for s in c.sessions), key=lambda s: s.day)
    plan_injections(sessions, sizes.injections, gen.rng)
    rooms = gen.batches(_demand(gen, sessions))
    prescriptions, confirmed = _patients_and_prescriptions(gen, courses)
    month = None
    for n, planned in enumerate(sessions, start=1):
        month = _months_until(gen, planned.day, month, rooms)
        gen.session(planned, prescriptions[planned.patient, planned.course],
                    confirmed[planned.patient], rooms[gen.locations[planned.home].id])
        if n % 1000 == 0:
            tick(1000)
    tick(len(sessions) % 1000)
    _months_until(gen, gen.today, month, rooms)
    gen.still_in_transit(gen.today, rooms)
    gen.readings()
    return {"locations": len(gen.locations), "patients": sizes.patients,
            "courses": len(courses), "sessions": len(sessions),
            "injections": sum(len(s.injections) for s in sessions), "batches": sizes.batches,
            "transfers": gen.w.next_ids.get("transfers", 1) - 1}


def _months_until(gen: ClinicGenerator, day: date, month: date | None, rooms) -> date:
    """Every month begun by `day` since `month`: on its first day, each location disposes of
    its expired stock and sends its transfers, and at a quarter's start counts its stock.
    Returns the month `day` is in."""
    current = day.replace(day=1)
    first = current if month is None else _next_month(month)
    while first <= current:
        for room in rooms.values():
            gen.dispose_expired(first, room)
        gen.transfers(first, rooms)
        if first.month % 3 == 1:
            for room in rooms.values():
                gen.stocktake(first, room)
        first = _next_month(first)
    return current


def _next_month(first: date) -> date:
    return (first + timedelta(days=31)).replace(day=1)


def _patients_and_prescriptions(gen: ClinicGenerator, courses) -> tuple[dict, dict]:
    by_patient = defaultdict(list)
    for course in courses:
        by_patient[course.patient].append(course)
    prescriptions, confirmed = {}, {}
    for number, own in by_patient.items():
        doctor = gen.doctors[own[0].sessions[0].home]
        first_seen = min(c.start for c in own) - timedelta(days=12)
        patient_id, confirmed[number] = gen.patient(number, first_seen, doctor)
        for course in own:
            prescriptions[number, course.index] = gen.prescription(patient_id, course, doctor)
    return prescriptions, confirmed


def _final_balances(connection, gen: ClinicGenerator) -> None:
    totals = kept_totals(connection)
    rows = [{"b_id": batch_id, "b_ul": held[0], "b_sealed": held[1],
             **{f"t_{name}": value for name, value in totals[batch_id].items()}}
            for batch_id, held in gen.totals.items()]
    table = Batch.__table__
    statement = (update(table).where(table.c.id == bindparam("b_id"))
                 .values(balance_ul=bindparam("b_ul"), sealed_containers=bindparam("b_sealed"),
                         **{name: bindparam(f"t_{name}") for name in KEPT}))
    connection.execute(statement, rows)
    # Each part is kept in its location's drug cupboard.
    connection.execute(BatchStock.__table__.insert(), [
        {"batch_id": part.id, "location_id": part.location,
         "storage_area_id": gen.by_location[part.location].area_id,
         "balance_ul": part.balance_ul, "sealed_containers": part.sealed}
        for part in gen.parts.values()])
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
