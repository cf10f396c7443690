"""Asking for the rows of many keys at once (compliance.database): the same rows whatever
the number of keys, on SQLite (IN lists of at most IN_SLICE values) and on PostgreSQL (one
array parameter)."""

from sqlalchemy import select

from compliance.database import IN_SLICE, one_of, rows_where_in
from compliance.extensions import db
from compliance.models import Product
from tests.factories import make_product
from tests.statements import counted_statements


def test_rows_of_more_keys_than_one_in_list_holds_come_back_once_each(app):
    products = [make_product(strength=str(n), name=f"Product {n}") for n in (1, 2, 3)]
    ids = sorted({p.id for p in products} | set(range(10_000, 10_000 + 2 * IN_SLICE + 7)))
    with counted_statements() as seen:
        found = list(rows_where_in(select(Product.id, Product.name), Product.id, ids))
    assert sorted(found) == sorted((p.id, p.name) for p in products)
    # After the BEGIN: one array parameter on PostgreSQL, three IN lists on SQLite.
    assert len(seen) == (2 if db.engine.dialect.name == "postgresql" else 4), seen.listing()
    names = [p.name for p in products[:2]] + ["No such product", "O'Brien's; --"]
    assert sorted(db.session.scalars(select(Product.id).where(one_of(Product.name, names)))) \
        == sorted(p.id for p in products[:2])


def test_no_keys_ask_for_no_rows(app):
    make_product()
    assert list(rows_where_in(select(Product.id), Product.id, [])) == []
    assert list(db.session.scalars(select(Product.id).where(one_of(Product.id, [])))) == []


def test_a_key_longer_than_its_column_matches_nothing(app):
    """Never cut to the column's length, where it would match the key it begins with."""
    name = "P" * Product.name.type.length
    product = make_product(name=name)
    assert list(rows_where_in(select(Product.id), Product.id, [product.id])) == [(product.id,)]
    assert list(rows_where_in(select(Product.id), Product.name, [name + "Q"])) == []
    assert list(rows_where_in(select(Product.id), Product.name, [name])) == [(product.id,)]
