"""The session's routing: while it reads from the replica, reads go there and writes do not.
An empty in-memory SQLite database stands in for the replica: whatever is sent there finds no
table."""

import pytest
from sqlalchemy import create_engine, insert, select
from sqlalchemy.exc import OperationalError

from compliance.database import begin_write
from compliance.dbsession import read_from, reading_replica, stop_reading_replica
from compliance.extensions import db
from compliance.models import Product
from tests.factories import make_product


@pytest.fixture
def stand_in():
    engine = create_engine("sqlite://")
    yield engine
    stop_reading_replica(db.session)
    engine.dispose()


def test_reads_go_to_the_replica_and_every_kind_of_write_to_the_primary(app, stand_in):
    read_from(db.session, stand_in)
    assert db.session.get_bind(clause=select(Product)) is stand_in
    assert db.session.get_bind(mapper=Product) is stand_in
    for write in (insert(Product), select(Product).with_for_update()):
        assert db.session.get_bind(clause=write) is db.engine
    with pytest.raises(OperationalError, match="no such table"):
        db.session.scalars(select(Product)).all()


def test_a_flush_lands_on_the_primary_while_reads_go_to_the_replica(app, stand_in):
    read_from(db.session, stand_in)
    product = make_product("3")  # received through its service: flushed and committed
    stop_reading_replica(db.session)
    assert db.session.get(Product, product.id).name == product.name


def test_a_unit_of_work_reads_what_it_checks_from_the_primary(app, stand_in):
    make_product("1")
    read_from(db.session, stand_in)
    begin_write(db.session)
    assert not reading_replica(db.session)
    assert db.session.scalars(select(Product)).all()


def test_the_loaded_user_is_kept_as_the_primary_gave_it(app, users, stand_in):
    manager = users["manager"]
    name = manager.full_name
    read_from(db.session, stand_in)
    # Not expired: reading it again would ask the replica for the user.
    assert manager.full_name == name
