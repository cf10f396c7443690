"""A report lists prescribers to filter by only when it filters by prescriber: the others
neither read hundreds of accounts for a national provider nor refuse a prescriber named in
their address (issue 17)."""

import re

from tests.reports.reading import screen

NOBODY = 999_999


def test_a_report_filtering_by_prescriber_lists_them_and_refuses_one_not_listed(
        client, login, dataset):
    login(dataset["manager"])
    page = screen(client, "/reports/sessions")
    assert 'name="prescriber"' in page and "Any prescriber" in page
    listed = re.search(r'<select[^>]*name="prescriber".*?</select>', page, re.S).group(0)
    assert f'value="{dataset["doctor"].id}"' in listed and dataset["doctor"].full_name in listed
    assert f'value="{dataset["nurse"].id}"' in listed
    assert dataset["manager"].full_name not in listed
    refused = client.get(f"/reports/sessions?prescriber={NOBODY}")
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)


def test_a_report_without_that_filter_neither_lists_prescribers_nor_refuses_one(
        client, login, dataset):
    login(dataset["manager"])
    for url in ("/reports/stock", f"/reports/stock?prescriber={NOBODY}",
                f"/reports/stock?prescriber={dataset['doctor'].id}"):
        page = screen(client, url)
        assert 'name="prescriber"' not in page and "Any prescriber" not in page
        assert "Not a valid choice" not in page and "A1" in page
