"""The audit report's count and pages, read from one pass over the matching events' keys, are
those of listing every matching event in order and cutting it into pages."""

import pytest
from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services.reports import audit_trail, common
from compliance.services.reports.common import Filters, Listing
from tests.location_helpers import two_locations

PAGE = 7


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(common, "PAGE_SIZE", PAGE)
    monkeypatch.setattr(audit_trail, "PAGE_SIZE", PAGE)


def _every_seq(filters: Filters, descending: bool) -> list[int]:
    listing = Listing("seq", descending, page=None)
    return [row.seq for row in db.session.execute(audit_trail.filtered(filters, listing))]


def test_each_page_and_the_count_are_those_of_the_whole_listing(app, users, small_pages):
    data = two_locations(users)
    today = local_today()
    scopes = [(None, True), (frozenset({1}), True), (data["there"], True),
              (data["there"], False)]
    for ids, wide in scopes:
        filters = Filters(date_from=today, date_to=today, location_ids=ids, group_wide=wide)
        for descending in (True, False):
            every = _every_seq(filters, descending)
            assert len(every) > PAGE, (ids, wide)
            for page in range(1, len(every) // PAGE + 3):
                result = audit_trail.report(filters, Listing("seq", descending, page))
                assert result.count == len(every)
                assert [row.seq for row in result.rows] == every[(page - 1) * PAGE:page * PAGE]


def test_a_day_without_events_has_none_and_counts_none(app, users, small_pages):
    two_locations(users)
    first = db.session.scalar(select(func.min(AuditEvent.occurred_at)))
    before = first.date().replace(year=first.year - 1)
    result = audit_trail.report(Filters(date_from=before, date_to=before),
                                Listing("seq", True, 1))
    assert (result.count, result.rows) == (0, [])
