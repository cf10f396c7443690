"""Products (D2): strengths of sclerosant in their containers."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models.stock import CONTAINER_TYPES, Batch, Product
from compliance.services import ensure_can, reread, stock_queries
from compliance.services.audit import give_reason
from compliance.services.unit_of_work import unit_of_work


@dataclass
class ProductDetails:
    name: str
    active_ingredient: str
    strength_percent: Decimal
    container_type: str
    container_volume_ul: int
    single_use: bool
    gtin: str | None
    max_volume_per_session_ul: int
    active: bool = True
    reorder_level_containers: int | None = None


def ml_to_ul(value: Decimal | None, field: str) -> int:
    """Exact microlitres from a volume in ml, refusing fractions of a microlitre."""
    if value is None:
        raise InvalidInput("Enter a volume.", field=field)
    microlitres = Decimal(value) * 1000
    if microlitres != microlitres.to_integral_value():
        raise InvalidInput("Volumes are recorded to the nearest 0.001 ml.", field=field)
    return int(microlitres)


def gtin_is_valid(gtin: str) -> bool:
    """GS1 mod-10 check digit of an 8-14 digit GTIN."""
    if not gtin.isdigit() or not 8 <= len(gtin) <= 14:
        return False
    digits = [int(d) for d in gtin.zfill(14)]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:-1]))
    return (10 - total % 10) % 10 == digits[-1]


def _check_sclerosant(details: ProductDetails) -> None:
    """A product holds one of the sclerosants kept as data (D2)."""
    known = [sclerosant.name for sclerosant in stock_queries.sclerosants()]
    if details.active_ingredient not in known:
        raise InvalidInput(f"Choose the active ingredient from the sclerosants: "
                           f"{', '.join(known)}.", field="active_ingredient")


def _check(details: ProductDetails, product: Product | None) -> None:
    _check_sclerosant(details)
    if details.container_type not in CONTAINER_TYPES:
        raise InvalidInput("Choose ampoule or vial.", field="container_type")
    if details.gtin:
        details.gtin = details.gtin.strip().zfill(14)
        if not gtin_is_valid(details.gtin):
            raise InvalidInput("The GTIN's check digit is wrong.", field="gtin")
    for field, value in (("name", details.name), ("gtin", details.gtin)):
        clash = value and db.session.scalar(select(Product).where(getattr(Product, field) == value))
        if clash and clash is not product:
            raise InvalidInput(f"Another product already has this {field}.", field=field)
    _check_quantities(details)


def _check_quantities(details: ProductDetails) -> None:
    if details.max_volume_per_session_ul <= 0:
        raise InvalidInput("Enter a maximum above zero.", field="max_volume_per_session_ml")
    if (details.reorder_level_containers or 0) < 0:
        raise InvalidInput("Enter a reorder level of zero or more.",
                           field="reorder_level_containers")


@unit_of_work("create a product")
def create_product(actor, details: ProductDetails) -> Product:
    ensure_can(actor, "manage_stock")
    _check(details, None)
    product = Product(**vars(details))
    db.session.add(product)
    return product


@unit_of_work("change a product")
def update_product(actor, product_id: int, details: ProductDetails, reason: str) -> Product:
    """Change a product; its container size is fixed once batches of it exist."""
    ensure_can(actor, "manage_stock")
    if not (reason or "").strip():
        raise InvalidInput("Give a reason for the change.", field="reason")
    product = reread(Product, product_id, "No such product.")
    _check(details, product)
    has_batches = db.session.scalar(select(Batch.id).where(Batch.product_id == product.id)
                                    .limit(1))
    if has_batches and details.container_volume_ul != product.container_volume_ul:
        raise InvalidInput("Batches of this product exist: its container volume cannot change.",
                           field="container_volume_ml")
    give_reason(reason)
    for name, value in vars(details).items():
        setattr(product, name, value)
    return product
