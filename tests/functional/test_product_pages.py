"""Products are sclerosants (D2): the active ingredient is chosen from the list kept as data,
and anything else is refused beside its field with nothing written."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models import Product
from compliance.services import products, stock_queries
from tests.audit_helpers import events
from tests.factories import make_product

REFUSAL = ("Choose the active ingredient from the sclerosants: sodium tetradecyl sulphate, "
           "polidocanol.")


def product_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Product))


def details(ingredient: str, **changes) -> products.ProductDetails:
    values = dict(name="Polidocanol 0.5% 2 ml ampoule", active_ingredient=ingredient,
                  strength_percent=Decimal("0.5"), container_type="ampoule",
                  container_volume_ul=2_000, single_use=True, gtin=None,
                  max_volume_per_session_ul=6_000)
    values.update(changes)
    return products.ProductDetails(**values)


def form(ingredient: str, **changes) -> dict:
    data = {"name": "Polidocanol 0.5% 2 ml ampoule", "active_ingredient": ingredient,
            "strength_percent": "0.5", "container_type": "ampoule", "container_volume_ml": "2",
            "max_volume_per_session_ml": "6", "single_use": "y", "active": "y"}
    data.update(changes)
    return data


def test_the_sclerosants_are_seeded_as_data(app):
    assert [(s.name, s.short_name) for s in stock_queries.sclerosants()] == [
        ("sodium tetradecyl sulphate", "STS"), ("polidocanol", "polidocanol")]


@pytest.mark.parametrize("ingredient", [
    "lidocaine", "", "Sodium Tetradecyl Sulphate", "x" * 100_000, "<script>", "polidocanol\x00",
])
def test_a_product_that_is_not_a_sclerosant_is_refused(users, ingredient):
    before = product_count()
    with pytest.raises(InvalidInput) as refusal:
        products.create_product(users["manager"], details(ingredient))
    assert (refusal.value.message, refusal.value.field) == (REFUSAL, "active_ingredient")
    assert product_count() == before


def test_a_product_cannot_be_changed_into_a_non_sclerosant(users):
    product = make_product()
    with pytest.raises(InvalidInput, match="Choose the active ingredient"):
        products.update_product(users["manager"], product.id, details(
            "ethanolamine oleate", name=product.name), "Supplier changed the formulation")
    db.session.expire_all()
    assert product.active_ingredient == "sodium tetradecyl sulphate"


def test_the_database_itself_refuses_a_non_sclerosant(app):
    with pytest.raises(IntegrityError):
        make_product(name="Lidocaine 1%", active_ingredient="lidocaine")
    db.session.rollback()


def test_a_polidocanol_product_is_created_and_labels_its_doses(users):
    product = products.create_product(users["manager"], details("polidocanol"))
    assert product.dose_label == "polidocanol mg"
    assert events(table_name="products", action="create")[-1].actor_id == users["manager"].id
    assert make_product().dose_label == "STS mg"


def ingredient_options(body: str) -> list[str]:
    import re

    select_html = re.search(r'<select[^>]*id="active_ingredient".*?</select>', body, re.S)
    return re.findall(r'value="([^"]*)"', select_html.group(0))


def test_the_product_form_offers_the_sclerosants_only(client, users, login):
    login(users["manager"])
    body = client.get("/stock/products/new").get_data(as_text=True)
    assert ingredient_options(body) == ["", "sodium tetradecyl sulphate", "polidocanol"]
    product = make_product()
    body = client.get(f"/stock/products/{product.id}").get_data(as_text=True)
    assert '<option selected value="sodium tetradecyl sulphate">' in body


@pytest.mark.parametrize("ingredient", ["lidocaine", "", "x" * 5_000, "' OR 1=1 --"])
def test_the_product_form_refuses_another_ingredient_beside_the_field(client, users, login,
                                                                      ingredient):
    login(users["manager"])
    before = product_count()
    response = client.post("/stock/products/new", data=form(ingredient, name="Keep Me 0.5%"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert REFUSAL in body and 'value="Keep Me 0.5%"' in body
    assert product_count() == before


def test_the_product_form_without_an_ingredient_field_is_refused(client, users, login):
    login(users["manager"])
    data = form("")
    del data["active_ingredient"]
    response = client.post("/stock/products/new", data=data)
    assert response.status_code == 200 and REFUSAL in response.get_data(as_text=True)


def test_a_polidocanol_product_is_added_from_the_form(client, users, login):
    login(users["manager"])
    response = client.post("/stock/products/new", data=form("polidocanol"),
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Product Polidocanol 0.5% 2 ml ampoule added." in body
    assert "<td>polidocanol</td>" in body
