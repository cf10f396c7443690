"""The leg map on the session page, the patient's record and the session's PDF: each region
shows its count and volume; at the chair it chooses the site, and without script the site
select works alone."""

import re

import pytest

from compliance.services import treatment
from tests.audit_helpers import events
from tests.factories import PASSWORD
from tests.reports.reading import pdf_text
from tests.treatment_helpers import days_ago, inject, injection_form, open_session


@pytest.fixture
def treated(clinic):
    """A signed session (1 ml in the left calf) and, 4 weeks later, an open one: two
    injections in the left calf (0.5 + 0.25 ml), one reversed in the right shin."""
    nurse = clinic["nurse"]
    first = open_session(nurse, clinic["patient"], clinic["prescription"], days_ago(28))
    inject(nurse, first, clinic["batch"], 1_000, site="left calf")
    treatment.sign_session(nurse, first.id, PASSWORD)
    second = open_session(nurse, clinic["patient"], clinic["prescription"], days_ago(0),
                          areas=("left calf", "right shin"))
    inject(nurse, second, clinic["batch"], 500, site="left calf")
    inject(nurse, second, clinic["batch"], 250, site="left calf")
    wrong = inject(nurse, second, clinic["batch"], 700, site="right shin")
    treatment.reverse_injection(nurse, wrong.id, "Wrong site")
    return dict(clinic, first=first, second=second)


def region(body: str, site: str) -> str:
    """The aria-label of the map's region for `site`."""
    match = re.search(rf'data-site="{re.escape(site)}" aria-label="([^"]*)"', body)
    assert match, f"no region for {site}"
    return match.group(1)


def test_the_session_page_shows_each_regions_count_and_volume(client, login, treated):
    login(treated["nurse"])
    body = client.get(f"/treatment/sessions/{treated['second'].id}").get_data(as_text=True)
    assert region(body, "left calf") == "Left calf: 2 injections, 0.75 ml"
    assert region(body, "right shin") == "Right shin: no injections"  # reversed
    assert body.count('class="leg-region"') + body.count('class="leg-region used"') == 12
    assert 'data-choose-for="inj-site"' in body and "js/leg-map.js" in body
    # The map sits next to the injection form, whose site select still stands alone.
    assert body.index('id="where-injected"') < body.index('name="inj-site"')
    assert re.search(r'<th scope="row">Left calf</th><td class="num">2</td>'
                     r'<td class="num">0.75</td>', body)


def test_a_reader_sees_the_map_but_it_chooses_nothing(client, login, treated):
    login(treated["inspector"])
    body = client.get(f"/treatment/sessions/{treated['first'].id}").get_data(as_text=True)
    assert region(body, "left calf") == "Left calf: 1 injection, 1 ml"
    assert "data-choose-for" not in body and "js/leg-map.js" not in body


def test_without_script_the_site_select_records_the_injection(client, login, treated):
    login(treated["nurse"])
    session = treated["second"]
    response = client.post(f"/treatment/sessions/{session.id}/injections",
                           data=injection_form(treated["other"], ml="0.4", site="right knee"),
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Injection recorded." in body
    assert region(body, "right knee") == "Right knee: 1 injection, 0.4 ml"


def test_the_patients_record_shows_every_session_on_one_map(client, login, treated):
    login(treated["doctor"])
    body = client.get(f"/patients/{treated['patient'].id}").get_data(as_text=True)
    assert 'id="patient-leg-map"' in body and "data-choose-for" not in body
    assert region(body, "left calf") == "Left calf: 3 injections, 1.75 ml"
    assert re.search(r'<th scope="row">Total</th><td class="num">3</td>'
                     r'<td class="num">1.75</td>', body)


def test_a_patient_without_injections_has_no_map(client, login, clinic):
    login(clinic["doctor"])
    body = client.get(f"/patients/{clinic['patient'].id}").get_data(as_text=True)
    assert "No injections recorded yet." in body and "leg-region" not in body


def test_the_session_pdf_shows_the_map_and_is_an_audited_export(client, login, treated):
    login(treated["inspector"])
    session = treated["second"]
    text = pdf_text(client, f"/treatment/sessions/{session.id}.pdf")
    assert "Where it was injected" in text
    assert re.search(r"Left calf\s*2\s*0\.75", text)  # the map's table
    assert re.search(r"Total\s*2\s*0\.75", text)
    assert "Front" in text and "Back" in text and "Right leg" in text and "Left leg" in text
    assert "Reversed: Wrong site" in text
    assert events(action="export")[-1].detail == f"Treatment session {session.id} PDF"


def test_the_session_page_links_to_its_pdf(client, login, treated):
    login(treated["nurse"])
    session = treated["first"]
    body = client.get(f"/treatment/sessions/{session.id}").get_data(as_text=True)
    assert f'href="/treatment/sessions/{session.id}.pdf"' in body
