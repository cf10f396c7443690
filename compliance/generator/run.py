"""Putting a generated data set together, in one transaction."""

from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import date, timedelta
from math import ceil

from sqlalchemy import bindparam, func, select, update

from compliance.clock import local_today
from compliance.extensions import db
from compliance.generator import indexes
from compliance.generator.chain import GENERATOR, Chain
from compliance.generator.clinic import TABLE_ORDER, ClinicGenerator
from compliance.generator.plan import Sizes, plan_courses, plan_injections
from compliance.generator.stockroom import CONTAINER_UL, Demand, Need
from compliance.generator.writer import BulkWriter
from compliance.models import Batch, User
from compliance.services import stock_months
from compliance.services.audit import head
from compliance.services.passwords import hash_password
from compliance.services.stock_queries import KEPT, kept_totals

PASSWORD = "Generated-Clinic-2026"
WRITTEN = (*TABLE_ORDER, "batch_stocks", "stock_months")
FINAL_CHUNK = 10_000  # batches whose final balances are set at once


def _demand(gen: ClinicGenerator, sessions) -> dict[int, Demand]:
    """Per location and product, the containers its sessions will open (at most), by day."""
    demand: dict[int, Demand] = defaultdict(lambda: defaultdict(Need))
    for session in sessions:
        opened = ceil(sum(v for v, _s, _p in session.injections) / CONTAINER_UL) + 1
        demand[gen.locations[session.home].id][gen.product_ids[session.product]].add(
            session.day, opened)
    return demand


# A context for one long step, giving the function that step reports its progress to.
Stage = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


def _quiet(label: str, length: int):
    return nullcontext(lambda n: None)


def generate(sizes: Sizes, seed: int = 7, stage: Stage | None = None) -> dict:
    """Write the data set into an empty database. `stage(label, length)`, when given, is
    entered for each long step, and gives the function `advance(n)` that step reports its
    progress to (sessions, patients, batches, statements, tables)."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise RuntimeError("The database already holds data; generate into an empty one.")
    seq, chain_head = head()
    db.session.close()
    stage = stage or _quiet
    with db.engine.begin() as connection:
        held = indexes.set_aside(connection, WRITTEN)
        writer = BulkWriter(connection, in_order=not held.foreign_keys)
        gen = ClinicGenerator(writer, Chain(writer, seq, chain_head), sizes,
                              hash_password(PASSWORD), local_today(), seed)
        try:
            counts = _write(gen, sizes, stage)
            writer.flush_all()
        finally:
            writer.close()
        _finish(connection, gen, held, stage)
    _analyse(stage)
    return counts


def _finish(connection, gen: ClinicGenerator, held: indexes.SetAside, stage) -> None:
    """After the rows: the batches' final balances, the monthly sums, the indexes and keys."""
    with stage("Final balances", len(gen.totals)) as advance:
        _final_balances(connection, gen, advance)
        gen.w.flush_all()  # the final balances' audit events
    with stage("Monthly sums", 1) as advance:
        stock_months.rebuild(connection)
        advance(1)
    if held.statements:
        with stage("Indexes and foreign keys", len(held.statements)) as advance:
            indexes.put_back(connection, held, advance)
    gen.w.reset_sequences()


def _analyse(stage) -> None:
    # The planner's statistics are stale after a bulk load; autovacuum would catch up only
    # later, and until then reports pick poor plans.
    tables = sorted(db.metadata.tables)
    with stage("Planner statistics", len(tables)) as advance, db.engine.begin() as connection:
        for table in tables:
            connection.exec_driver_sql(f'ANALYZE "{table}"')
            advance(1)


def _write(gen: ClinicGenerator, sizes: Sizes, stage: Stage) -> dict:
    with stage("Planning", 3) as advance:
        gen.people()
        gen.products()
        # Sessions end the day before: one today would be signed at 11:00, perhaps still to come.
        courses = plan_courses(sizes, gen.first_day, gen.today - timedelta(days=1), gen.rng,
                               len(gen.product_ids))
        sessions = sorted((s for c in courses for s in c.sessions), key=lambda s: s.day)
        advance(1)
        plan_injections(sessions, sizes.injections, gen.rng)
        advance(1)
        rooms = gen.batches(_demand(gen, sessions))
        advance(1)
    counts = {"locations": len(gen.locations), "patients": sizes.patients,
              "courses": len(courses), "sessions": len(sessions),
              "injections": sum(len(s.injections) for s in sessions), "batches": sizes.batches}
    prescriptions, confirmed = _patients(gen, _by_patient(courses), stage)
    courses.clear()  # so that each planned session is let go of once written
    with stage("Sessions", counts["sessions"]) as advance:
        _sessions(gen, sessions, prescriptions, confirmed, rooms, advance)
    return counts | {"transfers": gen.w.next_ids.get("transfers", 1) - 1}


def _sessions(gen: ClinicGenerator, sessions: list, prescriptions, confirmed, rooms,
              advance) -> None:
    """Day by day: each session, and each month's expiry checks, transfers and stocktakes.
    Takes the sessions out of `sessions` as it writes them."""
    month, count = None, len(sessions)
    sessions.reverse()
    while sessions:
        planned = sessions.pop()
        month = _months_until(gen, planned.day, month, rooms)
        gen.session(planned, prescriptions[planned.patient, planned.course],
                    confirmed[planned.patient], rooms[gen.locations[planned.home].id])
        if (count - len(sessions)) % 1000 == 0:
            advance(1000)
    advance(count % 1000)
    _months_until(gen, gen.today, month, rooms)
    gen.still_in_transit(gen.today, rooms)
    gen.readings()


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


def _by_patient(courses) -> dict[int, list]:
    by_patient = defaultdict(list)
    for course in courses:
        by_patient[course.patient].append(course)
    return by_patient


def _patients(gen: ClinicGenerator, by_patient: dict, stage: Stage) -> tuple[dict, dict]:
    """Each patient with their screening and consent, and the prescription of each of their
    courses; returns the prescriptions by (patient, course), and whether each patient's GP
    visit is confirmed."""
    with stage("Patients", len(by_patient)) as advance:
        return _patients_and_prescriptions(gen, by_patient, advance)


def _patients_and_prescriptions(gen: ClinicGenerator, by_patient, advance) -> tuple[dict, dict]:
    prescriptions, confirmed = {}, {}
    for done, (number, own) in enumerate(by_patient.items(), start=1):
        doctor = gen.doctors[own[0].sessions[0].home]
        first_seen = min(c.start for c in own) - timedelta(days=12)
        patient_id, confirmed[number] = gen.patient(number, first_seen, doctor)
        for course in own:
            prescriptions[number, course.index] = gen.prescription(patient_id, course, doctor)
        if done % 1000 == 0:
            advance(1000)
    advance(len(by_patient) % 1000)
    return prescriptions, confirmed


def _final_balances(connection, gen: ClinicGenerator, advance) -> None:
    totals = kept_totals(connection)
    rows = [{"b_id": batch_id, "b_ul": held[0], "b_sealed": held[1],
             **{f"t_{name}": value for name, value in totals[batch_id].items()}}
            for batch_id, held in gen.totals.items()]
    table = Batch.__table__
    statement = (update(table).where(table.c.id == bindparam("b_id"))
                 .values(balance_ul=bindparam("b_ul"), sealed_containers=bindparam("b_sealed"),
                         **{name: bindparam(f"t_{name}") for name in KEPT}))
    for start in range(0, len(rows), FINAL_CHUNK):
        connection.execute(statement, rows[start:start + FINAL_CHUNK])
        advance(len(rows[start:start + FINAL_CHUNK]))
    for part in gen.parts.values():  # each kept in its location's drug cupboard
        gen.w.add("batch_stocks", {
            "id": gen.w.new_id("batch_stocks"), "batch_id": part.id,
            "location_id": part.location, "balance_ul": part.balance_ul,
            "storage_area_id": gen.by_location[part.location].area_id,
            "sealed_containers": part.sealed})
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
