"""Recall contact attempts are audited, and refused for batches that are not recalled."""

import pytest

from compliance.errors import StockRefusal
from compliance.services import stock
from compliance.services.reports.trace import log_contact
from tests.audit_helpers import changes, events
from tests.factories import make_product, make_session, ready_patient, receive_batch
from tests.treatment_helpers import days_ago, treatment_state


def test_contact_attempts_are_audited_and_only_for_recalled_batches(users):
    manager = users["manager"]
    product = make_product()
    batch = receive_batch(manager, product)
    patient, prescription = ready_patient(users, product)
    make_session(prescription, users["nurse"], days_ago(3), [(batch, 1_000)])
    before = treatment_state()
    with pytest.raises(StockRefusal, match="only for a recalled batch"):
        log_contact(manager, batch.id, patient.id, "phone", "No answer")
    assert treatment_state() == before
    stock.change_state(manager, batch.id, "recall", "Supplier recall R-77")
    contact = log_contact(manager, batch.id, patient.id, "phone", "Spoke to patient; no "
                          "symptoms; booked a check")
    created = events(table_name="recall_contacts", action="create")[-1]
    assert created.actor_id == manager.id and created.record_id == str(contact.id)
    assert changes(created)["method"] == [None, "phone"]
