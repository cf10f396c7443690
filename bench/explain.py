"""Where a slow page spends its time: each SQL statement it sends, with its time, and on
PostgreSQL the plan of the slowest ones (EXPLAIN ANALYZE, BUFFERS).

`python -m bench.explain --size national [--person "Gen Group Manager"] [--page reconciliation]`
opens the bench's pages (bench/pages.py) as the bench does, warms each once, then loads it once
more with every statement timed. Read-only: EXPLAIN ANALYZE runs only the page's SELECTs.
"""

import argparse
import os
import time
from contextlib import contextmanager

from sqlalchemy import event

from bench import pages
from bench.common import app_for
from bench.run import database_url
from compliance.extensions import db

# How many of a page's slowest statements are shown (EXPLAIN_SHOWN in the environment).
SHOWN = int(os.environ.get("EXPLAIN_SHOWN", "3"))


@contextmanager
def timed_statements(engine):
    """(milliseconds, statement, parameters) of each statement sent while inside."""
    seen, started = [], {}

    def before(_conn, cursor, statement, parameters, *_args):
        started[id(cursor)] = time.perf_counter()

    def after(_conn, cursor, statement, parameters, *_args):
        took = (time.perf_counter() - started.pop(id(cursor), time.perf_counter())) * 1000
        seen.append((took, statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def _plan(statement: str, parameters) -> str:
    if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
        return "(not a SELECT: not explained)"
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET jit = off")
        rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
        return "\n".join(row[0] for row in rows)


def _report(label: str, total_ms: float, seen: list, explain: bool) -> None:
    print(f"\n=== {label}: {total_ms:.1f} ms, {len(seen)} statements, "
          f"{sum(took for took, *_ in seen):.1f} ms in SQL")
    for took, statement, parameters in sorted(seen, key=lambda row: -row[0])[:SHOWN]:
        shown = " ".join(statement.split())[:600]
        print(f"--- {took:.1f} ms: {shown}\n    {str(parameters)[:300]}")
        if explain:
            print(_plan(statement, parameters))


def profile(app, person: str | None, page: str | None, explain: bool) -> None:
    with app.app_context():
        sets = pages.page_sets()
        for name, email, urls in sets:
            if person and person != name:
                continue
            client = pages.signed_in(app, email)
            for label, url in urls.items():
                if page and page not in label:
                    continue
                client.get(url)
                with timed_statements(db.engine) as seen:
                    started = time.perf_counter()
                    response = client.get(url)
                    response.get_data()
                    total = (time.perf_counter() - started) * 1000
                _report(f"{name}: {label} ({url}) HTTP {response.status_code}", total, seen,
                        explain and db.engine.dialect.name == "postgresql")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--size", default="national")
    parser.add_argument("--person")
    parser.add_argument("--page")
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()
    profile(app_for(database_url(args.db, args.size)), args.person, args.page,
            not args.no_explain)


if __name__ == "__main__":
    main()
