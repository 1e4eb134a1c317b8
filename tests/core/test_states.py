"""Status fields are state machines: every status has its row, and the rules people rely on hold."""

from __future__ import annotations

import pytest

from core.errors import ActionRefused
from core.states import StateMachine
from documents.models import SignedDocument
from payables.models import PaymentBatch, PaymentOrder
from procedures.models import Case
from suppliers.models import BankAccount, Invoice, PurchaseOrder, Supplier

MODELS = [
    Case,
    Invoice,
    PaymentBatch,
    PaymentOrder,
    Supplier,
    PurchaseOrder,
    BankAccount,
    SignedDocument,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_status_of_the_field_has_a_row_and_nothing_else(model):
    assert model.STATES.states == set(model.Status.values)


@pytest.mark.parametrize(
    ("model", "final"),
    [
        (Case, {"approved", "rejected", "withdrawn"}),
        (Invoice, {"paid", "withdrawn"}),
        (PaymentBatch, {"paid", "cancelled"}),
        (PaymentOrder, {"paid", "cancelled"}),
        (PurchaseOrder, {"cancelled"}),
        (BankAccount, {"rejected", "replaced"}),
        (SignedDocument, {"revoked", "superseded"}),
        (Supplier, set()),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_what_is_done_stays_done(model, final):
    assert {state for state in model.STATES.states if model.STATES.is_final(state)} == final


@pytest.mark.parametrize(
    ("model", "source", "target", "allowed"),
    [
        (Case, "draft", "submitted", True),
        (Case, "draft", "approved", False),  # only through review
        (Case, "correction", "approved", False),  # the applicant answers first
        (Invoice, "on_hold", "in_payment", False),  # approved first
        (Invoice, "in_payment", "approved", True),  # its payment order was cancelled
        (Invoice, "paid", "in_payment", False),
        (PaymentBatch, "draft", "exported", False),  # two approvals first
        (PaymentBatch, "exported", "cancelled", True),
        (PaymentOrder, "in_batch", "open", True),  # its batch was cancelled
        (BankAccount, "pending", "replaced", False),
        (SignedDocument, "pending", "revoked", False),  # only what was issued
    ],
)
def test_the_rules_people_rely_on(model, source, target, allowed):
    assert model.STATES.allows(source, target) is allowed


class _Thing:
    def __init__(self, status: str) -> None:
        self.status = status

    def get_status_display(self) -> str:
        return {"open": "Abierto", "closed": "Cerrado"}[self.status]


def test_a_move_changes_the_field_or_refuses_and_changes_nothing():
    machine = StateMachine({"open": {"closed"}, "closed": set()})
    thing = _Thing("open")
    assert machine.move(thing, "closed") == "open" and thing.status == "closed"
    with pytest.raises(ActionRefused, match="Ya está cerrado"):
        machine.move(thing, "open", refusal="Ya está cerrado.")
    assert thing.status == "closed"
    with pytest.raises(ActionRefused, match="Cerrado"):
        machine.move(thing, "open")
    assert machine.sources("closed") == ["open"]


def test_a_table_naming_a_state_without_a_row_is_a_mistake():
    with pytest.raises(ValueError, match="archived"):
        StateMachine({"open": {"archived"}})
