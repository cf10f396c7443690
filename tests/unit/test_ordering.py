"""The suite's order: whole modules, slowest first (tests/ordering.py)."""

from types import SimpleNamespace

from tests import ordering


def items(*nodeids):
    return [SimpleNamespace(nodeid=nodeid) for nodeid in nodeids]


def test_slowest_module_first_each_module_whole_and_in_its_own_order():
    collected = items("tests/a.py::one", "tests/a.py::two", "tests/b.py::one",
                      "tests/c.py::one", "tests/b.py::two", "tests/c.py::T::two")
    ordering.slowest_first(collected, {"tests/a.py": 1.0, "tests/b.py": 9.5,
                                       "tests/c.py": 3.0})
    assert [item.nodeid for item in collected] == [
        "tests/b.py::one", "tests/b.py::two", "tests/c.py::one", "tests/c.py::T::two",
        "tests/a.py::one", "tests/a.py::two"]


def test_a_module_not_yet_timed_goes_first_and_no_timings_keep_the_collected_order():
    collected = items("tests/a.py::one", "tests/new.py::one", "tests/b.py::one")
    ordering.slowest_first(collected, {"tests/a.py": 0.5, "tests/b.py": 2.0})
    assert [item.nodeid for item in collected] == [
        "tests/new.py::one", "tests/b.py::one", "tests/a.py::one"]
    ordering.slowest_first(collected, {})
    assert [item.nodeid for item in collected] == [
        "tests/new.py::one", "tests/b.py::one", "tests/a.py::one"]


def test_the_database_timed_follows_the_url():
    server, embedded = ordering.DATABASES[1], ordering.DATABASES[0]
    assert ordering.database_of(f"{server}://postgres@127.0.0.1:5432/test_gw0") == server
    assert ordering.database_of("") == embedded


def test_every_timed_module_is_a_test_file_of_the_suite():
    """Timings of modules since renamed or removed are dropped when the file is written
    again (scripts/test_timings.py); a stale name would order nothing."""
    root = ordering.TIMINGS.parent.parent
    for database in ordering.DATABASES:
        for module in ordering.recorded_seconds(database):
            assert (root / module).is_file(), module
