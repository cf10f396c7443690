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


def _acting(user_id: int, label: str, act):
    """A thread's action: `act` as the user, "<label> done" or "<label> refused"."""
    def action(ready):
        user = db.session.get(User, user_id)
        ready()
        try:
            act(user)
        except (InsufficientStock, TransferRefusal):
            return f"{label} refused"
        return f"{label} done"
    return action


def _actions(ids, harbour_id, batch_id, waiting, sessions, fridge_id):
    def draw(end):
        return _acting(ids[f"{end}_nurse"], f"draw {end}", lambda nurse: (
            treatment.record_injection(nurse, sessions[end], treatment.NewInjection(
                batch_id, 2_000, "left calf", 2))))

    def sending(end, to_id):
        return _acting(ids[end], f"send {end}", lambda manager: transfers.send(
            manager, transfers.Sending(batch_id, to_id, 1, "Evening out stock")))

    def receiving(transfer_id):
        return _acting(ids["harbour"], "receive", lambda manager: transfers.receive(
            manager, transfer_id, transfers.Arrival(1, fridge_id)))

    once, twice, raced = waiting
    cancel = _acting(ids["main"], "cancel", lambda manager: transfers.cancel(
        manager, raced, "Sent by mistake"))
    return ([draw("main")] * 4 + [draw("harbour")] * 4 + [sending("main", harbour_id)] * 4
            + [sending("harbour", MAIN)] * 3 + [receiving(once)] + [receiving(twice)] * 2
            + [receiving(raced), cancel])


def _assert_each_waiting_transfer_acted_on_once(waiting) -> str:
    """The one receipt of `once`, one of two tries of `twice`, and the receipt or the
    cancellation of `raced`, whichever came first; the status `raced` ended in."""
    once, twice, raced = (db.session.get(Transfer, transfer_id) for transfer_id in waiting)
    assert (once.status, twice.status) == (RECEIVED, RECEIVED)
    assert raced.status in (RECEIVED, CANCELLED)
    for transfer in (twice, raced):
        arrivals = db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.entry_type == TRANSFER_IN, LedgerEntry.reason.like(
                f"Transfer {transfer.id} %")))
        assert arrivals == 1
    return raced.status


def _assert_every_container_accounted_for(batch_id, harbour_id, done, raced: str) -> None:
    """3 sealed left at the main clinic and 4 at Harbour Street before the threads, the
    three transfers waiting wherever they ended, less what each end drew and sent."""
    assert db.session.scalar(select(func.count()).select_from(Transfer).where(
        Transfer.status == IN_TRANSIT)) == done["send main"] + done["send harbour"]
    returned, arrived = raced == CANCELLED, 2 + (raced == RECEIVED)
    held = parts(batch_id)
    assert held[MAIN][1] == 3 + returned - done["draw main"] - done["send main"]
    assert held[harbour_id][1] == 4 + arrived - done["draw harbour"] - done["send harbour"]


def test_twenty_threads_transferring_and_drawing_never_take_a_location_below_zero(app):
    ids, harbour, batch, waiting, sessions, fridge_id = _split_batch()
    actions = _actions(ids, harbour.id, batch.id, waiting, sessions, fridge_id)
    assert len(actions) == THREADS
    outcomes = at_once(app, actions)
    assert all(outcome.endswith((" done", " refused")) for outcome in outcomes), outcomes
    db.session.expire_all()
    raced = _assert_each_waiting_transfer_acted_on_once(waiting)
    assert_parts_and_transit_add_up(batch.id)  # no part below zero among them
    assert stock_queries.balance_mismatches() == []
    assert transfer_queries.transit_mismatches() == []
    assert stock_months.mismatches() == []
    done = {label: outcomes.count(f"{label} done") for label in (
        "draw main", "draw harbour", "send main", "send harbour", "receive", "cancel")}
    assert done["receive"] + done["cancel"] == 3
    _assert_every_container_accounted_for(batch.id, harbour.id, done, raced)
