"""The daily notice's preview page, and the reorder level it reads on the product form."""

import pytest
from markupsafe import escape

from compliance.extensions import db
from compliance.models import Product
from compliance.services import notices


def test_the_preview_shows_the_mail_word_for_word(client, clinic, login):
    clinic["product"].reorder_level_containers = 100
    db.session.commit()
    login(clinic["manager"])
    page = client.get("/notices/preview").get_data(as_text=True)
    notice = notices.daily()
    assert f'<dd id="notice-subject">{escape(notice.subject)}</dd>' in page
    assert f'<dd id="notice-recipients">{clinic["manager"].email}</dd>' in page
    assert f'<pre id="notice-body">{escape(notice.body)}</pre>' in page
    assert "reorder level 100" in page


def test_a_manager_sets_a_products_reorder_level_on_its_form(client, clinic, login):
    product = clinic["product"]
    login(clinic["manager"])
    form = client.get(f"/stock/products/{product.id}").get_data(as_text=True)
    assert 'name="reorder_level_containers"' in form
    data = {"name": product.name, "active_ingredient": product.active_ingredient,
            "strength_percent": "1", "container_type": "ampoule", "container_volume_ml": "2",
            "max_volume_per_session_ml": "10", "single_use": "y", "active": "y",
            "reorder_level_containers": "12", "reason": "reorder when a box is left"}
    response = client.post(f"/stock/products/{product.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, product.id).reorder_level_containers == 12
    data["reorder_level_containers"] = "-1"
    refused = client.post(f"/stock/products/{product.id}", data=data)
    assert refused.status_code == 200
    assert "Number must be between 0 and 100000." in refused.get_data(as_text=True)


@pytest.mark.parametrize("role, shown", [("manager", True), ("nurse", False),
                                         ("inspector", False)])
def test_a_managers_home_page_leads_to_the_notice_and_no_one_elses_does(client, users, login,
                                                                        role, shown):
    login(users[role])
    home = client.get("/").get_data(as_text=True)
    assert ('href="/notices/preview"' in home) is shown
