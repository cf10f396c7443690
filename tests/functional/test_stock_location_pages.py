"""Stock pages per location (D7): the overview, receipt form, stocktake sheet and the chair
show the current location's stock; a batch's page shows its part at every location the user
can see and the group total."""

import re
from html import unescape

import pytest

from compliance.clock import local_today
from compliance.models.location import FIRST_LOCATION_ID
from tests.factories import make_product, ready_patient, receive_batch
from tests.location_helpers import area_named, second_location, split_batch, user_at
from tests.reports.test_report_exports import counted_statements
from tests.stock_helpers import ledger_state
from tests.treatment_helpers import open_session

MAIN = FIRST_LOCATION_ID


@pytest.fixture
def place(users):
    """Riverside beside the main clinic; SPLIT held at both (10 and 6 ampoules), MAINONLY at
    the main clinic and THEREONLY at Riverside."""
    riverside = second_location()
    product = make_product()
    main_manager, other_manager = user_at("manager", MAIN), user_at("manager", riverside.id)
    split = split_batch(product, main_manager, other_manager, 10, 6)
    receive_batch(main_manager, product, batch_number="MAINONLY")
    receive_batch(other_manager, product, batch_number="THEREONLY", containers=3)
    return dict(users, riverside=riverside, product=product, split=split,
                main_manager=main_manager, other_manager=other_manager)


def work_at(client, location_id: int) -> None:
    """Choose the current location as the header's picker does."""
    with client.session_transaction() as session:
        session["location_id"] = location_id


def cells(body: str, batch_number: str) -> list[str]:
    """The text of each cell of the table row that names `batch_number`."""
    row = re.search(rf"<tr>(?:(?!</tr>).)*>{batch_number}</a>.*?</tr>", body, re.S).group(0)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_overview_shows_the_current_locations_parts(client, login, place):
    login(place["manager"])
    work_at(client, place["riverside"].id)
    body = client.get("/stock/").get_data(as_text=True)
    assert "<h1>Stock at Riverside</h1>" in body
    assert "THEREONLY" in body and "MAINONLY" not in body
    # Sealed here, on hand here (ml), storage area.
    assert cells(body, "SPLIT")[4:7] == ["6", "12", "Cupboard"]
    work_at(client, MAIN)
    body = client.get("/stock/").get_data(as_text=True)
    assert "MAINONLY" in body and "THEREONLY" not in body
    assert cells(body, "SPLIT")[4:7] == ["10", "20", "Drug cupboard"]


def test_the_overview_sorts_and_filters_by_the_locations_part(client, login, place):
    login(place["other_manager"])
    body = client.get("/stock/", query_string={"sort": "sealed", "direction": "desc"}) \
        .get_data(as_text=True)
    assert body.index("SPLIT") < body.index("THEREONLY")
    body = client.get("/stock/", query_string={"state": "exhausted"}).get_data(as_text=True)
    assert "No batches held here match." in body


def test_a_batch_page_shows_each_visible_part_and_the_group_total(client, login, place):
    login(place["manager"])
    work_at(client, place["riverside"].id)
    body = client.get(f"/stock/batches/{place['split'].id}").get_data(as_text=True)
    parts = re.search(r'<table class="data" id="parts-table">.*?</table>', body, re.S).group(0)
    assert "Main clinic" in parts and "Riverside" in parts and "Group total" in parts
    assert re.search(r"On hand at Riverside</dt><dd[^>]*><strong>12 ml</strong> \(6 sealed", body)
    assert re.search(r"Group total.*?<td class=\"num\">16</td><td class=\"num\">32</td>", parts,
                     re.S)


def test_a_user_at_one_location_sees_only_its_part_and_ledger(client, login, place):
    login(place["other_manager"])
    body = client.get(f"/stock/batches/{place['split'].id}").get_data(as_text=True)
    parts = re.search(r'<table class="data" id="parts-table">.*?</table>', body, re.S).group(0)
    assert "Riverside" in parts and "Main clinic" not in parts and "Group total" in parts
    ledger = re.search(r'<table class="data" id="ledger-table">.*?</table>', body, re.S).group(0)
    assert "DEL-SPLIT" in ledger and ledger.count("<td>Riverside</td>") == 1
    assert "Main clinic" not in ledger


def test_an_entry_at_a_location_the_user_cannot_see_is_not_found(client, login, place):
    from compliance.services import stock_queries

    [main_receipt, _other] = stock_queries.ledger(place["split"].id)
    login(place["other_manager"])
    response = client.post(f"/stock/entries/{main_receipt.id}/reverse",
                           data={"rev-reason": "Not ours"})
    assert response.status_code == 404


def test_the_receipt_form_offers_the_current_locations_storage_areas(client, login, place):
    login(place["other_manager"])
    body = client.get("/stock/receive").get_data(as_text=True)
    areas = re.search(r'<select[^>]*id="storage_area_id".*?</select>', body, re.S).group(0)
    assert "Cupboard" in areas and "Fridge" in areas and "Drug cupboard" not in areas
    assert "Received into stock at <strong>Riverside</strong>" in body


def receipt_form(product, area_id, **changes) -> dict:
    from datetime import timedelta

    data = {"product_id": product.id, "batch_number": "LOT42",
            "expires_on": (local_today() + timedelta(days=400)).isoformat(),
            "supplier": "Keep Me Ltd", "delivery_reference": "INV-991", "containers": "4",
            "storage_area_id": str(area_id), "receive": "1"}
    data.update(changes)
    return data


def test_a_receipt_goes_into_the_area_chosen_at_the_current_location(client, login, place):
    fridge = area_named(place["riverside"].id, "Fridge")
    login(place["other_manager"])
    response = client.post("/stock/receive", data=receipt_form(place["product"], fridge.id),
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Received 4 containers of" in body and "at Riverside." in body
    assert re.search(r"On hand at Riverside</dt><dd[^>]*><strong>8 ml</strong>.*? in Fridge",
                     body)


OTHER_AREA, NO_AREA = ("Choose a storage area of this location.",
                       "Choose the storage area the containers are put in.")


@pytest.mark.parametrize("area, message", [
    ("1", OTHER_AREA), ("999", OTHER_AREA), ("abc", NO_AREA), ("", NO_AREA),
    ("2147483648", NO_AREA), ("1\x00", "Remove the control character U+0000"),
], ids=["another location's", "none such", "not a number", "empty", "too large", "a NUL"])
def test_a_receipt_into_no_area_of_the_current_location_is_refused_with_input_kept(
        client, login, place, area, message):
    login(place["other_manager"])
    before = ledger_state()
    response = client.post("/stock/receive", data=receipt_form(place["product"], area))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and message in body
    assert 'value="Keep Me Ltd"' in body
    assert ledger_state() == before


def test_the_stocktake_sheet_lists_the_current_locations_parts(client, login, place):
    login(place["manager"])
    work_at(client, place["riverside"].id)
    body = client.get("/stock/stocktake").get_data(as_text=True)
    assert "Stocktake sheet: Riverside" in body and "MAINONLY" not in body
    row = re.search(r"<tr class=\"\">(?:(?!</tr>).)*>SPLIT<.*?</tr>", body, re.S).group(0)
    assert '<td class="num">6</td>' in row and "<td>Cupboard</td>" in row


def test_a_stocktake_at_a_location_the_user_cannot_see_is_not_found(client, login, place):
    from compliance.services import stocktakes

    taken = stocktakes.record_stocktake(place["main_manager"],
                                        [stocktakes.Count(place["split"].id, 10)], None,
                                        stocktakes.Countersignature(None, None))
    login(place["other_manager"])
    assert client.get(f"/stock/stocktakes/{taken.id}").status_code == 404
    assert f"/stock/stocktakes/{taken.id}" not in client.get("/stock/stocktakes/").get_data(
        as_text=True)


def test_the_chair_offers_only_the_sessions_locations_batches(client, login, place):
    nurse = user_at("nurse", place["riverside"].id)
    patient, prescription = ready_patient(place, place["product"])
    session = open_session(nurse, patient, prescription, local_today())
    login(nurse)
    body = client.get(f"/treatment/sessions/{session.id}").get_data(as_text=True)
    batches = re.search(r'<select[^>]*id="inj-batch_id".*?</select>', body, re.S).group(0)
    assert "MAINONLY" not in batches
    assert "SPLIT: expires" in batches and "12 ml on hand here" in batches
    assert "THEREONLY" in batches


def test_the_overview_of_one_location_runs_the_same_statements_whatever_the_rows(client, login,
                                                                                 place):
    login(place["manager"])
    work_at(client, place["riverside"].id)
    with counted_statements() as seen:
        assert client.get("/stock/").status_code == 200
    before = len(seen)
    for n in range(5):
        # Numbers no random token on the page (its CSRF token) could hold by chance.
        receive_batch(place["other_manager"], place["product"], batch_number=f"RIVERSIDE-R{n}")
        receive_batch(place["main_manager"], place["product"], batch_number=f"MAINSITE-M{n}")
    with counted_statements() as seen:
        body = client.get("/stock/").get_data(as_text=True)
    assert len(seen) == before and "RIVERSIDE-R4" in body and "MAINSITE-M4" not in body


def test_a_batch_never_held_where_the_user_works_is_not_found(client, login, place):
    from compliance.services import stock_queries

    only_main = stock_queries.batch_numbered(place["product"].id, "MAINONLY")
    login(place["other_manager"])
    before = ledger_state()
    assert client.get(f"/stock/batches/{only_main.id}").status_code == 404
    assert client.post(f"/stock/batches/{only_main.id}/adjust",
                       data={"adj-containers": "1", "adj-reason": "x"}).status_code == 404
    assert client.get(f"/stock/batches/{place['split'].id}").status_code == 200
    assert ledger_state() == before
