"""Transfers and draws at once (D7): 20 threads sending, receiving, cancelling and injecting
at both ends of a batch split across two locations never take a location below zero, a
transfer is received (or cancelled) once, and every batch's parts plus what is in transit
equal its ledger apart from transit entries. SQLite serialises writers from BEGIN IMMEDIATE;
on PostgreSQL the batch's and the transfer's row locks do."""

from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.errors import InsufficientStock, TransferRefusal
from compliance.extensions import db
from compliance.models import LedgerEntry, Transfer, User
from compliance.models.transfer import TRANSFER_IN
from compliance.rules.transfers import CANCELLED, IN_TRANSIT, RECEIVED
from compliance.services import stock_months, stock_queries, transfer_queries, transfers, treatment
from tests.concurrency import at_once
from tests.factories import make_product, make_session, make_user, ready_patient, receive_batch
from tests.transfer_helpers import (
    MAIN,
    area,
    assert_parts_and_transit_add_up,
    parts,
    second_location,
    send,
    user_at,
)

THREADS = 20


def _split_batch():
    """A batch of 10 at the main clinic, 4 of them sent to and received at Harbour Street,
    and three more single containers in transit there; an open session at each end."""
    harbour = second_location()
    people = {"main": user_at("manager", MAIN), "harbour": user_at("manager", harbour.id),
              "main_nurse": user_at("nurse", MAIN), "harbour_nurse": user_at("nurse", harbour.id)}
    product = make_product(max_volume_per_session_ul=50_000)
    batch = receive_batch(people["main"], product, containers=10)
    first = send(people["main"], batch, harbour, 4)
    fridge = area(harbour, "Fridge")
    transfers.receive(people["harbour"], first.id, transfers.Arrival(4, fridge.id))
    waiting = [send(people["main"], batch, harbour, 1) for _ in range(3)]
    doctor = {"doctor": make_user("doctor")}
    sessions = {}
    for end, location_id in (("main", MAIN), ("harbour", harbour.id)):
        _patient, prescription = ready_patient(doctor, product, max_ul=50_000)
        sessions[end] = make_session(prescription, people[f"{end}_nurse"], local_today(),
                                     signed=False, location_id=location_id).id
    ids = {name: user.id for name, user in people.items()}
    return ids, harbour, batch, [t.id for t in waiting], sessions, fridge.id


def _actions(ids, harbour_id, batch_id, waiting, sessions, fridge_id):
    def acting(name, label, act):
        def action(ready):
            user = db.session.get(User, ids[name])
            ready()
            try:
                act(user)
            except (InsufficientStock, TransferRefusal):
                return f"{label} refused"
            return f"{label} done"
        return action

    def draw(end):
        return acting(f"{end}_nurse", f"draw {end}", lambda nurse: treatment.record_injection(
            nurse, sessions[end], treatment.NewInjection(batch_id, 2_000, "left calf", 2)))

    def sending(end, to_id):
        return acting(end, f"send {end}", lambda manager: transfers.send(
            manager, transfers.Sending(batch_id, to_id, 1, "Evening out stock")))

    def receiving(transfer_id):
        return acting("harbour", "receive", lambda manager: transfers.receive(
            manager, transfer_id, transfers.Arrival(1, fridge_id)))

    once, twice, raced = waiting
    return ([draw("main")] * 4 + [draw("harbour")] * 4 + [sending("main", harbour_id)] * 4
            + [sending("harbour", MAIN)] * 3 + [receiving(once)] + [receiving(twice)] * 2
            + [receiving(raced), acting("main", "cancel", lambda manager: transfers.cancel(
                manager, raced, "Sent by mistake"))])


def test_twenty_threads_transferring_and_drawing_never_take_a_location_below_zero(app):
    ids, harbour, batch, waiting, sessions, fridge_id = _split_batch()
    actions = _actions(ids, harbour.id, batch.id, waiting, sessions, fridge_id)
    assert len(actions) == THREADS
    outcomes = at_once(app, actions)
    assert all(outcome.endswith((" done", " refused")) for outcome in outcomes), outcomes
    db.session.expire_all()
    once, twice, raced = (db.session.get(Transfer, transfer_id) for transfer_id in waiting)
    assert once.status == RECEIVED and twice.status == RECEIVED
    assert raced.status in (RECEIVED, CANCELLED)
    for transfer in (twice, raced):  # one receipt, or one cancellation, whatever the race
        arrivals = db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.entry_type == TRANSFER_IN, LedgerEntry.reason.like(
                f"Transfer {transfer.id} %")))
        assert arrivals == 1
    assert min(min(part) for part in parts(batch.id).values()) >= 0
    assert_parts_and_transit_add_up(batch.id)
    assert stock_queries.balance_mismatches() == []
    assert transfer_queries.transit_mismatches() == []
    assert stock_months.mismatches() == []
    done = {label: outcomes.count(f"{label} done") for label in (
        "draw main", "draw harbour", "send main", "send harbour", "receive", "cancel")}
    assert done["receive"] + done["cancel"] == 3  # once, twice (of two tries) and the race
    assert db.session.scalar(select(func.count()).select_from(Transfer).where(
        Transfer.status == IN_TRANSIT)) == done["send main"] + done["send harbour"]
    # Every container accounted for at each end: 3 left at the main clinic, 4 at Harbour
    # Street, and those of the three transfers waiting, wherever they ended.
    returned, arrived = raced.status == CANCELLED, 2 + (raced.status == RECEIVED)
    assert parts(batch.id)[MAIN][1] == 3 + returned - done["draw main"] - done["send main"]
    assert parts(batch.id)[harbour.id][1] == (4 + arrived - done["draw harbour"]
                                             - done["send harbour"])
