"""The slowest test modules first.

With `--dist loadfile` a worker takes a whole module at a time, in the order collected (the
Makefile turns off xdist's own order, by number of tests). A long module taken last runs alone
while the other workers wait; taken first, the short ones fill in around it. The seconds are
a run's, per database (scripts/test_timings.py writes them); a module not yet timed goes first,
as it may be a long one.
"""

import json
import math
from pathlib import Path

TIMINGS = Path(__file__).with_name("module_seconds.json")
DATABASES = ("sqlite", "postgresql")


def database_of(url: str) -> str:
    embedded, server = DATABASES
    return server if url.startswith(server) else embedded


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def recorded_seconds(database: str) -> dict[str, float]:
    """Each module's seconds in the last timed run on `database`."""
    return json.loads(TIMINGS.read_text()).get(database, {}) if TIMINGS.exists() else {}


def slowest_first(items: list, seconds: dict[str, float]) -> None:
    """Order `items` in place: whole modules, slowest first; within a module, as collected
    (the sort is stable)."""
    items.sort(key=lambda item: -seconds.get(module_of(item.nodeid), math.inf))
