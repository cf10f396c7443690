"""Builders of test records with sensible defaults."""

from itertools import count

from compliance.extensions import db
from compliance.models import User
from compliance.services.passwords import hash_password

PASSWORD = "Correct-Horse-Battery-9"
_sequence = count(1)

ROLE_PROFILES = {
    "doctor": dict(roles={"prescriber"}, profession="doctor", register="GMC",
                   registration_number="7000001"),
    "nurse": dict(roles={"prescriber"}, profession="nurse", register="NMC",
                  registration_number="12A3456E"),
    "manager": dict(roles={"manager"}),
    "inspector": dict(roles={"inspector"}),
}


def make_user(kind: str = "manager", **fields) -> User:
    """A committed user of one of ROLE_PROFILES' kinds, with PASSWORD."""
    n = next(_sequence)
    values = dict(email=f"{kind}{n}@test.clinic", full_name=f"{kind.title()} {n}",
                  password_hash=hash_password(PASSWORD), **ROLE_PROFILES[kind])
    values.update(fields)
    roles = values.pop("roles")
    user = User(**values)
    user.roles = roles
    db.session.add(user)
    db.session.commit()
    return user


def make_product(strength: str = "1", **fields):
    """A committed STS product in 2 ml single-use ampoules."""
    from decimal import Decimal

    from compliance.models.stock import Product

    values = dict(name=f"STS {strength}% 2 ml ampoule", active_ingredient="sodium tetradecyl "
                  "sulphate", strength_percent=Decimal(strength), container_type="ampoule",
                  container_volume_ul=2000, single_use=True, max_volume_per_session_ul=10_000)
    values.update(fields)
    product = Product(**values)
    db.session.add(product)
    db.session.commit()
    return product


def receive_batch(manager, product, containers: int = 10, batch_number: str = "B1",
                  expires_in_days: int = 365):
    """A batch received through the service, so its ledger and balance are real."""
    from datetime import timedelta

    from compliance.clock import local_today
    from compliance.services import stock

    entry = stock.receive(manager, stock.Receipt(
        product_id=product.id, batch_number=batch_number,
        expires_on=local_today() + timedelta(days=expires_in_days), supplier="Medi Supplies",
        delivery_reference=f"DEL-{batch_number}", containers=containers))
    return entry.batch
