"""Demo data for `make run`: a realistic small clinic, never for production."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from functools import partial

from compliance import demo_locations, demo_timeline
from compliance.clock import local_today
from compliance.demo_patients import MANAGER, patient_steps
from compliance.demo_reviews import review_steps
from compliance.demo_sessions import DOCTOR, NURSE, session_steps
from compliance.demo_temperatures import temperature_steps
from compliance.demo_timeline import Step
from compliance.demo_transfers import transfer_steps
from compliance.services import (
    accounts,
    audit_replay,
    audit_verify,
    goods_in,
    products,
    stock,
    stocktakes,
    user_locations,
)
from compliance.services.accounts import Profile
from compliance.services.passwords import verify_password


@dataclass(frozen=True)
class DemoUser:
    profile: Profile
    password: str
    locations: tuple[str, ...] = ()  # by name; none for a group-wide account


MARYLEBONE, RICHMOND, ST_ALBANS = (demo.details.name for demo in demo_locations.DEMO_LOCATIONS)
# The group manager comes first: she sets up the locations the others are assigned to.
DEMO_USERS = (
    DemoUser(Profile("manager@demo.clinic", "Maria Lopez", {"manager"}, all_locations=True),
             "Stock-Ledger-Demo-2026"),
    DemoUser(Profile("dr.patel@demo.clinic", "Dr Anita Patel", {"prescriber", "manager"},
                     "doctor", "GMC", "7123456"), "Sclero-Doctor-Demo-2026",
             (MARYLEBONE, RICHMOND)),
    DemoUser(Profile("nurse.jones@demo.clinic", "Rhiannon Jones", {"prescriber"},
                     "nurse", "NMC", "12A3456E"), "Sclero-Nurse-Demo-2026", (MARYLEBONE,)),
    DemoUser(Profile("inspector@demo.clinic", "Tom Whitfield", {"inspector"},
                     all_locations=True), "Audit-Inspector-Demo-2026"),
    DemoUser(Profile("owen.price@demo.clinic", "Owen Price", {"manager"}),
             "Stock-Manager-Demo-2026", (ST_ALBANS,)),
    DemoUser(Profile("grace.okafor@demo.clinic", "Grace Okafor", {"prescriber"},
                     "nurse", "NMC", "09C4821F"), "Sclero-Nurse2-Demo-2026", (ST_ALBANS,)),
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

DELIVERED_DAYS_AGO = 150
# Delivered while the clinic was closed and booked in three days later: one of the demo's two
# deliberate late entries (the other is a follow-up, in demo_sessions).
BOOKED_IN_LATE = ("STS1-2377", 147)


# An inspector's access names an end date (D7): the demo's lasts a year from its creation.
INSPECTOR_ACCESS_DAYS = 365


def _users(demos) -> dict[str, object]:
    made = {}
    for demo in demos:
        profile = Profile(**vars(demo.profile))
        if demo.locations:
            profile.location_ids = user_locations.ids_named(demo.locations)
        if "inspector" in profile.roles:
            profile.access_expires_on = local_today() + timedelta(days=INSPECTOR_ACCESS_DAYS)
        made[demo.profile.email] = accounts.create_user(None, profile, demo.password, demo=True)
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


def _receive(made: dict, today: date, key: str, number: str, days: int,
             containers: int) -> None:
    entry = goods_in.receive(made["users"][MANAGER], goods_in.Receipt(
        product_id=made["products"][key].id, batch_number=number,
        expires_on=today + timedelta(days=days), supplier="Medi Supplies Ltd",
        delivery_reference=f"INV-{number[-4:]}", containers=containers,
        received_on=today - timedelta(days=DELIVERED_DAYS_AGO)))
    made["batches"][number] = entry.batch


def _waste(made: dict, by: str, number: str, reason: str, witness) -> None:
    """A broken ampoule, witnessed like every sealed container disposed of."""
    stock.record_waste(made["users"][by], made["batches"][number].id, stock.Waste(
        1, 0, "breakage", reason, witness.profile.email, witness.password))


def _stocktake(made: dict) -> None:
    batches = made["batches"].items()
    stocktakes.record_stocktake(made["users"][MANAGER], [
        stocktakes.Count(batch.id, batch.sealed_containers - (1 if number == "STS3-2402" else 0),
                         "One ampoule missing; searched the treatment room"
                         if number == "STS3-2402" else None)
        for number, batch in batches if batch.sealed_containers],
        "Monthly count", stocktakes.Countersignature(DOCTOR, DEMO_USERS[1].password))


def _stock_steps(made: dict, today: date) -> list[Step]:
    late, booked_days_ago = BOOKED_IN_LATE
    steps = [Step(DELIVERED_DAYS_AGO if number != late else booked_days_ago, time(10),
                  partial(_receive, made, today, key, number, days, containers))
             for key, number, days, containers in DEMO_BATCHES]
    return steps + [
        Step(DELIVERED_DAYS_AGO, time(10, 30), lambda: _waste(
            made, MANAGER, "STS1-2410", "Ampoule cracked when opening the box", DEMO_USERS[1])),
        Step(booked_days_ago, time(10, 15), lambda: stock.change_state(
            made["users"][MANAGER], made["batches"][late].id, "quarantine",
            "Fridge temperature log gap on delivery day; awaiting supplier advice")),
        # A prescriber records what breaks at the chair.
        Step(70, time(10, 40), lambda: _waste(
            made, NURSE, "STS05-2455", "Ampoule slipped from the tray at the chair",
            DEMO_USERS[0])),
        Step(30, time(17), lambda: _stocktake(made))]


def _setup_steps(made: dict) -> list[Step]:
    return [Step(160, time(7, 30), lambda: made.update(users=_users(DEMO_USERS[:1]))),
            Step(160, time(7, 45), lambda: demo_locations.set_up(made, made["users"][MANAGER])),
            Step(160, time(8), lambda: made["users"].update(_users(DEMO_USERS[1:]))),
            Step(160, time(8, 30), lambda: made.update(
                products=_products(made["users"][MANAGER])))]


def load() -> None:
    """Create the demo clinic, each record on the day it happened; the caller has checked the
    database is empty."""
    today = local_today()
    made = {"batches": {}, "patients": {}, "prescriptions": {}, "sessions": {}}
    demo_timeline.run(_setup_steps(made) + _stock_steps(made, today)
                      + demo_locations.delivery_steps(made)
                      + patient_steps(made, today) + session_steps(made, today)
                      + review_steps(made) + temperature_steps(made, today)
                      + transfer_steps(made), today)
    # As the nightly `flask audit verify` and `replay` would have done: the dashboard shows
    # their outcomes.
    audit_verify.verify_and_record()
    audit_replay.replay_and_record(processes=1)


def working_credentials() -> list[tuple[str, str, str]]:
    """(email, password, roles) of demo users whose demo password still works."""
    rows = []
    for demo in DEMO_USERS:
        user = accounts.find_by_email(demo.profile.email)
        if user and user.is_active and verify_password(user.password_hash, demo.password):
            rows.append((user.email, demo.password, ", ".join(sorted(user.roles))))
    return rows
