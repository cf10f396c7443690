"""Storage temperature pages (D7): a reading typed in, an area's chart and readings, a data
logger's file previewed with its bad lines and imported on confirmation, and the exceptions
report's excursion with the quarantine of the batches stored there."""

import io
import re
from html import unescape
from urllib.parse import urlsplit

import pytest

from compliance.clock import to_local
from compliance.extensions import db
from compliance.models import Batch
from compliance.services.reports import exceptions
from compliance.services.reports.common import Filters
from compliance.services.reports.temperature_exceptions import OUT_OF_RANGE
from tests.factories import make_user, receive_batch
from tests.temperature_helpers import (
    CUPBOARD,
    at_text,
    local_at,
    logger_csv,
    minutes_ago,
    read,
    reading_count,
    second_location,
)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_a_nurse_records_a_reading_and_sees_it_on_the_areas_page(client, login, users):
    login(users["nurse"])
    form = text(client.get("/temperatures/record"))
    assert "Drug cupboard" in form and 'name="taken_at"' in form
    taken = to_local(minutes_ago(5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/temperatures/record", data={
        "storage_area_id": CUPBOARD, "temperature_c": "26.5", "taken_at": taken})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Reading of 26.5 °C recorded for Main clinic: Drug cupboard." in page
    assert "outside the range of 15.0 to 25.0 °C" in page
    assert "<svg" in page and "<figcaption>Main clinic: Drug cupboard: readings from" in page
    assert "1 readings, lowest 26.5 °C, highest 26.5 °C; 1 out of range" in page


@pytest.mark.parametrize("temperature, taken, says", [
    ("abc", None, "Not a valid decimal value"),
    ("85", None, "85.0 °C is outside what a storage area can read"),
    ("20", "2040-01-01T09:00", "A reading cannot be taken in the future"),
    ("20", "0001-01-01T09:00", "Enter a date from"),
    ("20", "yesterday", "Not a valid datetime value"),
])
def test_a_refused_reading_keeps_the_input_says_why_and_writes_nothing(client, login, users,
                                                                        temperature, taken,
                                                                        says):
    login(users["nurse"])
    taken = taken or to_local(minutes_ago(5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/temperatures/record", data={
        "storage_area_id": CUPBOARD, "temperature_c": temperature, "taken_at": taken})
    page = text(response)
    assert response.status_code == 200 and says in page
    assert f'value="{temperature}"' in page and reading_count() == 0


def test_an_area_elsewhere_is_not_found_and_not_offered(client, login, users):
    nurse = make_user("nurse", all_locations=False)
    fridge = second_location(nurse)
    login(nurse)
    assert client.get(f"/temperatures/areas/{CUPBOARD}").status_code == 404
    assert client.get(f"/temperatures/areas/{fridge.id}").status_code == 200
    form = text(client.get("/temperatures/record"))
    assert "Fridge" in form and "Drug cupboard" not in form
    response = client.post("/temperatures/record", data={
        "storage_area_id": CUPBOARD, "temperature_c": "20",
        "taken_at": to_local(minutes_ago(5)).strftime("%Y-%m-%dT%H:%M")})
    assert "Not a valid choice" in text(response) and reading_count() == 0


def test_the_areas_page_shows_a_period_and_corrections(client, login, users):
    nurse = users["nurse"]
    wrong = read(nurse, "52.0", local_at(3, 9))
    read(nurse, "20.0", local_at(40, 9))
    login(nurse)
    page = text(client.get(f"/temperatures/readings/{wrong.id}/correct"))
    assert 'value="52.0"' in page
    response = client.post(f"/temperatures/readings/{wrong.id}/correct", data={
        "temperature_c": "5.2", "taken_at": to_local(wrong.taken_at).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Typed 52.0 for 5.2"})
    assert response.status_code == 302
    page = text(client.get(f"/temperatures/areas/{CUPBOARD}"))
    assert "<s>52.0 °C</s>" in page and "Corrected to 5.2 °C" in page
    assert "A correction: Typed 52.0 for 5.2" in page and "20.0 °C" not in page
    older = local_at(41, 0).date().isoformat()
    assert "20.0 °C" in text(client.get(f"/temperatures/areas/{CUPBOARD}?date_from={older}"))
    bad = text(client.get(f"/temperatures/areas/{CUPBOARD}"
                          "?date_from=2026-05-01&date_to=2026-04-01"))
    assert "The end date must be on or after the start date." in bad


def upload(client, content: bytes, area=CUPBOARD, name="logger.csv"):
    return client.post("/temperatures/import", content_type="multipart/form-data", data={
        "storage_area_id": area, "file": (io.BytesIO(content), name)})


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def test_a_logger_file_is_previewed_with_its_bad_lines_and_imported_on_confirmation(client,
                                                                                     login,
                                                                                     users):
    login(users["manager"])
    good = [minutes_ago(60), minutes_ago(30)]
    content = logger_csv(f"{at_text(good[0])},19.5", "31/02/2026 09:00,19.0",
                         f"{at_text(good[1])},n/a", f"{at_text(minutes_ago(20))},26.0")
    response = upload(client, content)
    assert response.status_code == 302 and reading_count() == 0
    page = text(client.get(response.headers["Location"]))
    assert "<strong>2</strong> readings" in page and "1 out of range" in page
    assert re.search(r'<td class="num">3</td><td>Unreadable time "31/02/2026 09:00"', page)
    assert re.search(r'<td class="num">4</td><td>Not a number: "n/a"', page)
    confirm = urlsplit(response.headers["Location"]).path + "/confirm"
    response = client.post(confirm, data={"file_sha256": hidden(page, "file_sha256"),
                                          "digest": hidden(page, "digest")})
    assert response.status_code == 302 and reading_count() == 2
    assert "2 readings imported from logger.csv." in text(client.get(response.headers["Location"]))


def test_a_confirm_that_is_not_what_was_previewed_is_refused_and_writes_nothing(client, login,
                                                                               users):
    login(users["manager"])
    taken = minutes_ago(30)
    response = upload(client, logger_csv(f"{at_text(taken)},19.5"))
    preview = response.headers["Location"]
    page = text(client.get(preview))
    sha256, digest = hidden(page, "file_sha256"), hidden(page, "digest")
    response = client.post(urlsplit(preview).path + "/confirm", data={
        "file_sha256": "0" * 64, "digest": digest})
    assert "not the file that was previewed" in text(response) and reading_count() == 0
    read(users["nurse"], "19.4", taken)  # meanwhile, the same moment typed in by hand
    response = client.post(urlsplit(preview).path + "/confirm", data={
        "file_sha256": sha256, "digest": digest})
    page = text(response)
    assert response.status_code == 200 and "changed since the preview" in page
    assert "Nothing in this file can be imported." in page and reading_count() == 1


def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(client, login, users):
    login(users["manager"])
    response = upload(client, b"\x00\x01binary")
    assert response.status_code == 200 and "not a text file" in text(response)
    assert "must be" not in text(upload(client, b"x" * 1_000_001))
    assert "at most 1,000 kB" in text(upload(client, b"x" * 1_000_001))


def quarantine_links(client, clinic) -> list[str]:
    """The exceptions report's quarantine links for yesterday evening's excursion."""
    report = text(client.get("/reports/exceptions"))
    assert OUT_OF_RANGE in report
    assert "27.5 °C at 17:00 (range 15.0 to 25.0 °C); stored there now: batch A1, B2" in report
    return [unescape(link) for link in
            re.findall(r'href="(/temperatures/areas/1/quarantine\?[^"]+)"', report)]


def test_the_exceptions_report_offers_a_quarantine_of_each_batch_stored_there(client, login,
                                                                             clinic):
    read(clinic["nurse"], "27.5", local_at(1, 17))
    login(clinic["manager"])
    links = quarantine_links(client, clinic)
    assert [f"batch={batch.id}" in link for link, batch in zip(
        links, (clinic["batch"], clinic["other"]), strict=True)] == [True, True]
    page = text(client.get(links[0]))
    assert re.search(rf'<input checked[^>]*value="{clinic["batch"].id}"', page)
    assert not re.search(rf'<input checked[^>]*value="{clinic["other"].id}"', page)
    assert (f"Storage temperature out of range in Main clinic: Drug cupboard on "
            f"{local_at(1, 0):%d %b %Y}: 27.5 °C at 17:00 (range 15.0 to 25.0 °C)<") in page


def test_an_area_storing_many_batches_offers_one_link_to_tick_them(client, login, clinic):
    for number in ("C3", "D4", "E5", "F6"):
        receive_batch(clinic["manager"], clinic["product"], containers=1, batch_number=number)
    read(clinic["nurse"], "27.5", local_at(1, 17))
    login(clinic["manager"])
    report = text(client.get("/reports/exceptions"))
    assert "stored there now: batch A1, B2, C3, D4, E5, F6" in report
    assert "Quarantine batches stored here</a> (6 available)" in report
    [link] = [unescape(link) for link in
              re.findall(r'href="(/temperatures/areas/1/quarantine\?[^"]+)"', report)]
    assert "batch=" not in link
    page = text(client.get(link))
    assert page.count('name="batch_ids"') == 6 and not re.search(r"<input checked", page)
    assert "Storage temperature out of range in Main clinic: Drug cupboard on " in page


def test_the_quarantine_link_quarantines_the_batch_with_the_exception_as_reason(client, login,
                                                                               clinic):
    read(clinic["nurse"], "27.5", local_at(1, 17))
    login(clinic["manager"])
    link = quarantine_links(client, clinic)[0]
    reason = re.search(r'<textarea[^>]*name="reason"[^>]*>\s*([^<]*)<',
                       text(client.get(link))).group(1)
    batch = clinic["batch"]
    response = client.post(link, data={"batch_ids": [batch.id], "reason": reason})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/reports/exceptions"
    assert db.session.get(Batch, batch.id).state == "quarantined"
    assert db.session.get(Batch, clinic["other"].id).state == "available"
    [row] = [r for r in exceptions.listed(Filters()) if r.kind == OUT_OF_RANGE]
    assert [b.state for b in row.batches] == ["quarantined", "available"]
    assert len(quarantine_links(client, clinic)) == 1


def test_the_temperatures_page_shows_each_areas_latest_reading_and_its_status(client, login,
                                                                             users):
    read(users["nurse"], "19.0", local_at(1, 9))
    read(users["nurse"], "25.5", minutes_ago(5))
    login(users["inspector"])
    page = text(client.get("/temperatures/"))
    assert "25.5 °C" in page and '<span class="tag tag-bad">Out of range</span>' in page
    assert "Record a reading" not in page and "Import a data logger" not in page



@pytest.mark.parametrize("token", ["%00" + "a" * 42, "a" * 43, "x" * 500, "%E2%80%AE"])
def test_an_upload_token_that_names_no_upload_of_ones_own_is_not_found(client, login, users,
                                                                       token):
    login(users["manager"])
    assert client.get(f"/temperatures/imports/{token}").status_code == 404
    assert client.post(f"/temperatures/imports/{token}/confirm").status_code == 404
