"""Separation of duties, on by default and configurable: who makes a batch does not approve
it; a new bank account needs two accounts payable approvers, neither the one who entered it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.errors import ActionRefused
from core.identifiers import make_cbu
from payables import services as payments
from payables.models import PaymentBatch
from suppliers.models import BankAccount
from suppliers.services import organisations

from . import factories

pytestmark = pytest.mark.django_db


def request_change(sup, user):
    return organisations.request_bank_account(
        supplier=sup,
        cbu=make_cbu("0720001", "0000000009999"),
        holder_name="Proveedora SA",
        bank_name="Banco Santander",
        document=organisations.BankDocument("cbu.pdf", factories.PDF_BYTES, "application/pdf"),
        actor=user,
    )


def test_only_accounts_payable_decides_and_two_of_them_by_default(
    buyer, clerk, second_approver
) -> None:
    sup, user = factories.supplier("71234567", name="Proveedora SA")
    account = request_change(sup, user)
    with pytest.raises(ActionRefused, match="Only accounts payable"):
        organisations.decide_bank_account(account=account, approve=True, note="", actor=buyer)
    with pytest.raises(ActionRefused, match="own request|Only accounts payable"):
        organisations.decide_bank_account(account=account, approve=True, note="", actor=user)
    organisations.decide_bank_account(account=account, approve=True, note="", actor=clerk)
    account.refresh_from_db()
    assert account.status == BankAccount.Status.PENDING
    organisations.decide_bank_account(account=account, approve=True, note="", actor=second_approver)
    account.refresh_from_db()
    assert account.status == BankAccount.Status.ACTIVE


def test_one_approval_is_enough_where_configured(clerk, settings) -> None:
    settings.SUPPLIERS_BANK_CHANGE_TWO_APPROVERS = False
    sup, user = factories.supplier("71234567", name="Proveedora SA")
    account = request_change(sup, user)
    organisations.decide_bank_account(account=account, approve=True, note="", actor=clerk)
    account.refresh_from_db()
    assert account.status == BankAccount.Status.ACTIVE


def test_the_batch_creator_approves_only_where_configured(clerk, second_approver, settings) -> None:

    creator = factories.employee(
        "jefe@example.com", "accounts_payable", "approve_payment_batches", code="jefe"
    )
    batch = PaymentBatch.objects.create(
        reference="LP-000009",
        currency="ARS",
        execution_date=timezone.localdate(),
        created_by=creator,
    )
    with pytest.raises(ActionRefused, match="two other employees must approve it"):
        payments.approve_batch(batch=batch, actor=creator)
    settings.PAYABLES_CREATOR_MAY_APPROVE = True
    payments.approve_batch(batch=batch, actor=creator)
    payments.approve_batch(batch=batch, actor=second_approver)
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.APPROVED
