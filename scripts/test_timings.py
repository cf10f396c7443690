"""Each test module's seconds, from a pytest JUnit XML report, into tests/module_seconds.json.

The suite runs one module per worker at a time (`--dist loadfile`); tests/ordering.py starts
the slowest modules first, so that no long module is left to run alone at the end. Run after
a change that makes a module much slower or faster:

    .venv/bin/python -m pytest -n auto --dist loadfile --junitxml=/tmp/sqlite.xml
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m pytest -n auto --dist loadfile \
        -m "not database_free" --junitxml=/tmp/pg.xml
    .venv/bin/python scripts/test_timings.py sqlite /tmp/sqlite.xml
    .venv/bin/python scripts/test_timings.py postgresql /tmp/pg.xml

A report of part of the suite updates the modules it ran; modules no longer in the suite are
dropped.
"""

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's own tests package
from tests.ordering import DATABASES, TIMINGS  # noqa: E402 - after the path it needs


def module_path(classname: str) -> str | None:
    """The test file a JUnit class name (`tests.unit.test_x` or `tests.unit.test_x.TestY`)
    belongs to, relative to the project, as pytest's node ids name it."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        candidate = Path(*parts[:end]).with_suffix(".py")
        if (ROOT / candidate).is_file():
            return candidate.as_posix()
    return None


def module_seconds(report: Path) -> dict[str, float]:
    seconds: dict[str, float] = defaultdict(float)
    for case in ET.parse(report).getroot().iter("testcase"):
        path = module_path(case.get("classname", ""))
        if path:
            seconds[path] += float(case.get("time", 0))
    return {path: round(total, 1) for path, total in sorted(seconds.items())}


def main(database: str, report: str) -> None:
    if database not in DATABASES:
        sys.exit(f"the database is one of {', '.join(DATABASES)}, not {database!r}")
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    merged = {**timings.get(database, {}), **module_seconds(Path(report))}
    timings[database] = {path: seconds for path, seconds in sorted(merged.items())
                         if (ROOT / path).is_file()}
    TIMINGS.write_text(json.dumps(timings, indent=1, sort_keys=True) + "\n")
    print(f"{len(timings[database])} modules, {sum(timings[database].values()):.0f} s")


if __name__ == "__main__":
    main(*sys.argv[1:])
