"""Demo data for `make run`: a realistic small clinic, never for production."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from compliance.clock import local_today
from compliance.demo_patients import load_patients
from compliance.demo_sessions import load_sessions
from compliance.services import accounts, audit_verify, goods_in, products, stock, stocktakes
from compliance.services.accounts import Profile
from compliance.services.passwords import verify_password


@dataclass(frozen=True)
class DemoUser:
    profile: Profile
    password: str


DEMO_USERS = (
    DemoUser(Profile("manager@demo.clinic", "Maria Lopez", {"manager"}),
             "Stock-Ledger-Demo-2026"),
    DemoUser(Profile("dr.patel@demo.clinic", "Dr Anita Patel", {"prescriber", "manager"},
                     "doctor", "GMC", "7123456"), "Sclero-Doctor-Demo-2026"),
    DemoUser(Profile("nurse.jones@demo.clinic", "Rhiannon Jones", {"prescriber"},
                     "nurse", "NMC", "12A3456E"), "Sclero-Nurse-Demo-2026"),
    DemoUser(Profile("inspector@demo.clinic", "Tom Whitfield", {"inspector"}),
             "Audit-Inspector-Demo-2026"),
)
# (key, name, active ingredient, strength, GTIN, maximum per session): 2 ml single-use
# ampoules of STS, and one of polidocanol, whose doses are labelled with its own name.
# GTINs carry valid check digits.
DEMO_PRODUCTS = (
    ("0.2", "STS 0.2%", "sodium tetradecyl sulphate", "0.2", "05060012345013", 10_000),
    ("0.5", "STS 0.5%", "sodium tetradecyl sulphate", "0.5", "05060012345020", 10_000),
    ("1", "STS 1%", "sodium tetradecyl sulphate", "1", "05060012345037", 8_000),
    ("3", "STS 3%", "sodium tetradecyl sulphate", "3", "05060012345044", 4_000),
    ("pol1", "Polidocanol 1%", "polidocanol", "1", "05060012345051", 6_000),
)
# (product key, batch number, days to expiry, containers received)
DEMO_BATCHES = (("0.2", "STS02-2401", 420, 20), ("0.5", "STS05-2398", 25, 10),
                ("0.5", "STS05-2455", 380, 20), ("1", "STS1-2410", 300, 20),
                ("1", "STS1-2377", 200, 5), ("3", "STS3-2402", 500, 10),
                ("pol1", "POL1-2420", 450, 10))


def _users() -> dict[str, object]:
    made = {}
    for demo in DEMO_USERS:
        made[demo.profile.email] = accounts.create_user(None, Profile(**vars(demo.profile)),
                                                        demo.password)
    return made


def _products(manager) -> dict[str, object]:
    made = {}
    for key, name, ingredient, strength, gtin, max_ul in DEMO_PRODUCTS:
        made[key] = products.create_product(manager, products.ProductDetails(
            name=f"{name} 2 ml ampoule", active_ingredient=ingredient,
            strength_percent=Decimal(strength), container_type="ampoule",
            container_volume_ul=2_000, single_use=True, gtin=gtin,
            max_volume_per_session_ul=max_ul))
    return made


def _breakages(manager, doctor, nurse, batches: dict) -> None:
    """Broken ampoules, each witnessed like every sealed container disposed of."""
    stock.record_waste(manager, batches["STS1-2410"].id, stock.Waste(
        1, 0, "breakage", "Ampoule cracked when opening the box", doctor.email,
        DEMO_USERS[1].password))
    # A prescriber records what breaks at the chair.
    stock.record_waste(nurse, batches["STS05-2455"].id, stock.Waste(
        1, 0, "breakage", "Ampoule slipped from the tray at the chair", manager.email,
        DEMO_USERS[0].password))


def _stock(made, made_products) -> None:
    manager, doctor = made["manager@demo.clinic"], made["dr.patel@demo.clinic"]
    nurse, today = made["nurse.jones@demo.clinic"], local_today()
    batches = {}
    for key, number, days, containers in DEMO_BATCHES:
        entry = goods_in.receive(manager, goods_in.Receipt(
            product_id=made_products[key].id, batch_number=number,
            expires_on=today + timedelta(days=days), supplier="Medi Supplies Ltd",
            delivery_reference=f"INV-{number[-4:]}", containers=containers,
            received_on=today - timedelta(days=150)))
        batches[number] = entry.batch
    _breakages(manager, doctor, nurse, batches)
    stock.change_state(manager, batches["STS1-2377"].id, "quarantine",
                       "Fridge temperature log gap on delivery day; awaiting supplier advice")
    stocktakes.record_stocktake(manager, [
        stocktakes.Count(batch.id, batch.sealed_containers - (1 if number == "STS3-2402" else 0),
                         "One ampoule missing; searched the treatment room"
                         if number == "STS3-2402" else None)
        for number, batch in batches.items() if batch.sealed_containers],
        "Monthly count", stocktakes.Countersignature(doctor.email, DEMO_USERS[1].password))


def load() -> None:
    """Create the demo clinic; the caller has checked the database is empty."""
    made = _users()
    made_products = _products(made["manager@demo.clinic"])
    _stock(made, made_products)
    treated = load_patients(made, made_products)
    load_sessions(made, treated)
    # As a nightly `flask audit verify` would have done: the dashboard shows its outcome.
    audit_verify.verify_and_record()


def working_credentials() -> list[tuple[str, str, str]]:
    """(email, password, roles) of demo users whose demo password still works."""
    rows = []
    for demo in DEMO_USERS:
        user = accounts.find_by_email(demo.profile.email)
        if user and user.is_active and verify_password(user.password_hash, demo.password):
            rows.append((user.email, demo.password, ", ".join(sorted(user.roles))))
    return rows
