"""Refunds to residents by bank transfer: payments' ``RefundTransfers``, filled here.

A cash payment (Pago Fácil, Rapipago, the cash desk, a transfer received) has no provider
to refund it through; treasury enters the resident's account and this makes a payment
order for it, which goes through the same batches, two approvals and bank file
(pain.001) as supplier payments. The resident reads its state on the order's page.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import audit
from payments import hooks
from payments.models import Refund

from .models import PaymentOrder


class BankRefunds(hooks.RefundTransfers):
    def request(self, refund: Refund, account: hooks.TransferAccount, *, actor: Any) -> str:
        from .services import _next_reference

        order = PaymentOrder.objects.create(
            reference=_next_reference(PaymentOrder, "OP-"),
            refund=refund,
            cbu=account.cbu,
            holder_name=account.holder_name,
            holder_cuit=account.holder_cuit,
            currency="ARS",
            amount=refund.amount,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="payment_order.refund_created",
            obj=order,
            after={
                "refund": refund.idempotency_key,
                "amount": str(refund.amount),
                "cbu": account.cbu,
                "holder": account.holder_name,
            },
        )
        return order.reference

    def status(self, refund: Refund) -> str:
        order = PaymentOrder.objects.filter(refund=refund).first()
        if order is None:
            return ""
        if order.status == PaymentOrder.Status.PAID and order.paid_on:
            return _("transferred on %(day)s") % {"day": date_format(order.paid_on, "d/m/Y")}
        return str(order.get_status_display()).lower()


def register() -> None:
    hooks.REFUND_TRANSFERS.register("bank", BankRefunds())
