"""A report offers and checks its own filters only: it lists prescribers only when it filters
by prescriber (hundreds of accounts, for a national provider: issue 17), and a value in its
address for another report's filter is ignored, not refused without a field to show why."""

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


ANOTHER_REPORTS = f"prescriber={NOBODY}&product={NOBODY}&batch=ZZ9&patient=NOPE&review=maybe"


def test_every_report_ignores_the_filters_it_does_not_offer(client, login, dataset):
    login(dataset["manager"])
    for report, offered in (("audit", ()), ("activity", ("prescriber",)),
                            ("stock", ("product", "batch")),
                            ("exceptions", ("prescriber", "review"))):
        others = "&".join(part for part in ANOTHER_REPORTS.split("&")
                          if part.split("=")[0] not in offered)
        page = screen(client, f"/reports/{report}?{others}")
        assert "Not a valid choice" not in page and "No batch has" not in page
        assert "No patient has" not in page


def test_a_report_still_refuses_a_bad_value_for_a_filter_it_offers(client, login, dataset):
    login(dataset["manager"])
    for url, words in ((f"/reports/stock?product={NOBODY}", "Not a valid choice"),
                       ("/reports/stock?batch=ZZ9", "No batch has the number ZZ9."),
                       ("/reports/sessions?patient=NOPE", "No patient has the reference NOPE."),
                       ("/reports/exceptions?review=maybe", "Not a valid choice")):
        refused = client.get(url)
        assert refused.status_code == 400 and words in refused.get_data(as_text=True), url
