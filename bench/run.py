"""Run the benchmarks: `python -m bench.run [--db sqlite|postgres|both] [--size SIZE]`,
SIZE full, small or national (PostgreSQL only).

Each data set is generated once (`flask demo generate` sizes) and reused by later runs.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from sqlalchemy import func, select

from bench import backup, pages, replay, replica, requests, verify, writes
from bench.common import app_for
from compliance.extensions import db
from compliance.generator.plan import SCALES, Sizes
from compliance.generator.run import generate
from compliance.models import User

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
# Small is one year of the same clinic group: a month holds as many sessions as at full size,
# so comparing the two shows what the size of the tables alone costs a one-month report.
# National is `flask demo generate --scale national`, on PostgreSQL only (issue 17).
SIZES = {"full": Sizes(100_000, 350_000, 1_000_000, 20_000),
         "small": Sizes(10_000, 35_000, 100_000, 2_000, years=1),
         "national": SCALES["national"]}
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def database_url(kind: str, size: str) -> str:
    if kind == "sqlite":
        DATA.mkdir(exist_ok=True)
        return f"sqlite:///{DATA / f'bench-{size}.db'}"
    name = f"bench_{size}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres",
                         autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f"CREATE DATABASE {name}")
    return POSTGRES.format(name=name)


def ensure_data(app, size: str) -> dict:
    with app.app_context():
        upgrade()
        if db.session.scalar(select(func.count()).select_from(User)):
            return {"generated": "reused"}
        started = time.monotonic()
        counts = generate(SIZES[size])
        return {"generated_seconds": round(time.monotonic() - started), **counts,
                **settled(app)}


def settled(app) -> dict:
    """On PostgreSQL, VACUUM after the load, as autovacuum would soon after it: until then
    every first read of a row just copied in writes its page again (hint bits), and no page
    is marked all-visible, so an index-only scan still reads the table. Pages are measured
    on a database in the state a running one is in, not in the minutes after a bulk load."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return {}
    started = time.monotonic()
    with app.app_context(), db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM (ANALYZE)")
    return {"vacuum_seconds": round(time.monotonic() - started)}


def in_own_process(url: str, part: str = "exports") -> dict:
    """bench/<part>.py's measure() in a process of its own, so its peak memory is its own."""
    code = (f"import json, sys; from bench.common import app_for; from bench import {part}; "
            f"print(json.dumps({part}.measure(app_for(sys.argv[1]))))")
    output = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True,
                            cwd=HERE.parent, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _attempt(name: str, measure, results: dict) -> None:
    """Run one measurement; a failure is reported with the others rather than ending the run."""
    try:
        results[name] = measure()
    except Exception as error:  # noqa: BLE001 - reported, not hidden
        results[name] = {"error": repr(error)[:500]}
    print(json.dumps({name: results[name]}, indent=2), flush=True)


def run(kind: str, size: str, only: set[str]) -> dict:
    url = database_url(kind, size)
    app = app_for(url)
    results = {"database": kind, "size": size, "data": ensure_data(app, size)}
    print(json.dumps(results["data"]), flush=True)
    steps = [("pages", lambda: pages.measure(app)),
             ("export", lambda: in_own_process(url)),
             ("pdf", lambda: in_own_process(url, "pdf")),
             ("verify", lambda: verify.measure(app)),
             ("replay", lambda: replay.measure(app)),
             ("backup", lambda: backup.measure(app)),
             ("requests", lambda: requests.measure(app_for(url))),
             # last: they add patients and sessions to the data set
             ("writes", lambda: writes.measure(app, url)),
             ("replica", lambda: replica.measure(app, url))]
    for name, measure in steps:
        if name in only:
            _attempt(name, measure, results)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--only",
                        default="pages,export,pdf,verify,replay,backup,requests,writes,"
                                "replica")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if args.size == "national":
        kinds = [kind for kind in kinds if kind == "postgres"]  # SQLite stays at group scale
    for kind in kinds:
        results = run(kind, args.size, set(args.only.split(",")))
        DATA.mkdir(exist_ok=True)
        (DATA / f"results-{kind}-{args.size}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
