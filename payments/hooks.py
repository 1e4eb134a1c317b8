"""How a higher app hears about the orders of its subjects, and who may see them.

An order pays a subject of another app (a case, a rate bill). That app registers
a ``SubjectHooks`` for its model from its ``AppConfig.ready``; this app calls it,
never imports it:

    class CaseFees(SubjectHooks):
        def paid(self, subject, order, payment): ...        # move the case on, receipt
        def overpaid(self, subject, order, payment, excess): ...  # open an adjustment

    hooks.register(Case, CaseFees())

Every hook runs inside the transaction that recorded the payment, so what the
subject's app writes commits or rolls back with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

from core.registry import Registry

from .models import Payment, PaymentOrder, Refund


class SubjectHooks:
    """The defaults: nothing is told; the payer sees their own orders."""

    def paid(self, subject: Any, order: PaymentOrder, payment: Payment) -> None:
        """The order is paid in full (``payment`` completed it)."""

    def overpaid(
        self, subject: Any, order: PaymentOrder, payment: Payment, excess: Decimal
    ) -> None:
        """``payment`` came on an order already paid, or paid more than it owed."""

    def refunded(
        self, subject: Any, order: PaymentOrder, payment: Payment, amount: Decimal
    ) -> None:
        """Part or all of ``payment`` was given back."""

    def may_view(self, user: Any, subject: Any, order: PaymentOrder) -> bool:
        return order.payer_id == user.pk

    def label(self, subject: Any, order: PaymentOrder) -> str:
        """How "what I owe" names the subject; the concept by default."""
        return order.concept

    def url(self, subject: Any, order: PaymentOrder) -> str:
        """Where the payer reads about the subject; "" for nowhere."""
        return ""


SUBJECTS: Registry[SubjectHooks] = Registry("payment subject")
_DEFAULT = SubjectHooks()


def register(model: type[models.Model], hooks: SubjectHooks) -> None:
    SUBJECTS.register(model._meta.label_lower, hooks)


def subject_type(subject: models.Model) -> str:
    return subject._meta.label_lower


def hooks_for(order: PaymentOrder) -> SubjectHooks:
    return SUBJECTS.find(order.subject_type) or _DEFAULT


def subject_of(order: PaymentOrder) -> Any:
    try:
        model = apps.get_model(order.subject_type)
    except (LookupError, ValueError):
        return None
    return model._default_manager.filter(pk=order.subject_id).first()


@dataclass(frozen=True)
class IssuedSlip:
    """A cash payment slip as its issuer keeps it."""

    ready: bool
    url: str
    status: str


class SlipIssuer:
    """Renders and seals payment slips; registered by an app that knows the documents app
    (payments does not: a sibling). Without one, slips are not offered."""

    def request(self, order: PaymentOrder, *, facts: dict[str, Any], key: str, actor: Any) -> None:
        raise NotImplementedError

    def find(self, order: PaymentOrder, *, key: str) -> IssuedSlip | None:
        raise NotImplementedError


SLIP_ISSUERS: Registry[SlipIssuer] = Registry("payment slip issuer")


@dataclass(frozen=True)
class TransferAccount:
    """The account a refund is transferred to, as the employee entered it (validated)."""

    cbu: str
    holder_name: str
    holder_cuit: str


class RefundTransfers:
    """Gives money back by bank transfer where there is no provider to refund through (cash
    networks, the cash desk, a transfer received): registered as "bank" by the app that
    pays by bank file (payables; payments does not know it: a higher layer). Without one,
    such payments are refunded only as credit."""

    def request(self, refund: Refund, account: TransferAccount, *, actor: Any) -> str:
        """Order the transfer of ``refund.amount`` to ``account`` (inside the refund's
        transaction); the transfer's reference."""
        raise NotImplementedError

    def status(self, refund: Refund) -> str:
        """How the transfer stands, for the payer and treasury ("" when unknown)."""
        raise NotImplementedError


REFUND_TRANSFERS: Registry[RefundTransfers] = Registry("refund by transfer")


def refund_transfers() -> RefundTransfers | None:
    return REFUND_TRANSFERS.find("bank")
