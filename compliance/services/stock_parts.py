"""Reading stock per location (D7): the parts of batches held at each location, the storage
areas stock is received into, and what is running low where."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import joinedload

from compliance.extensions import db
from compliance.models.location import BatchStock, Location, StorageArea
from compliance.models.stock import AVAILABLE, Batch, Product
from compliance.rules.injection import expired_through


def storage_areas_at(location_id: int) -> list[StorageArea]:
    """The storage areas in use at a location, by name: where a receipt may go."""
    return list(db.session.scalars(
        select(StorageArea).where(StorageArea.location_id == location_id,
                                  StorageArea.active.is_(True)).order_by(StorageArea.name)))


def held_at(location_id: int, batch_ids) -> dict[int, BatchStock]:
    """The parts of these batches held at a location, by batch id (none where stock never
    came there)."""
    ids = sorted(set(batch_ids))
    if not ids:
        return {}
    return {part.batch_id: part for part in db.session.scalars(
        select(BatchStock).where(BatchStock.location_id == location_id,
                                 BatchStock.batch_id.in_(ids)))}


def parts_of(batch_id: int, location_ids: frozenset[int] | None = None) -> list[BatchStock]:
    """A batch's parts, by location name: at `location_ids` only when given."""
    query = (select(BatchStock).join(BatchStock.location)
             .where(BatchStock.batch_id == batch_id)
             .options(joinedload(BatchStock.location), joinedload(BatchStock.storage_area)))
    if location_ids is not None:
        query = query.where(BatchStock.location_id.in_(location_ids))
    return list(db.session.scalars(query.order_by(Location.name)))


@dataclass(frozen=True)
class LowStock:
    """A product at or below its reorder level at a location (None: held at none yet)."""

    product: Product
    location: Location | None
    sealed: int


def _held_per_location(on: date):
    """Per location and product: sealed containers in usable batches (available, not expired
    on `on`), for every product a location has held, even if it holds none of it now."""
    usable = (Batch.state == AVAILABLE) & (Batch.expires_on > expired_through(on))
    return (select(BatchStock.location_id, Batch.product_id,
                   func.sum(case((usable, BatchStock.sealed_containers), else_=0))
                   .label("sealed"))
            .join(Batch, Batch.id == BatchStock.batch_id)
            .group_by(BatchStock.location_id, Batch.product_id).subquery())


def low_stock(on: date) -> list[LowStock]:
    """Watched products at or below their reorder level at each active location that holds
    them (a location that never kept a product does not reorder it), then those no location
    has held yet."""
    held = _held_per_location(on)
    watched = Product.active.is_(True) & Product.reorder_level_containers.is_not(None)
    rows = db.session.execute(
        select(Product, Location, held.c.sealed).join(held, held.c.product_id == Product.id)
        .join(Location, Location.id == held.c.location_id)
        .where(watched, Location.active.is_(True),
               held.c.sealed <= Product.reorder_level_containers)
        .order_by(Product.name, Location.name))
    never = db.session.scalars(select(Product).where(watched, ~exists().where(
        Batch.product_id == Product.id, BatchStock.batch_id == Batch.id)).order_by(Product.name))
    return ([LowStock(product, location, int(sealed)) for product, location, sealed in rows]
            + [LowStock(product, None, 0) for product in never])
