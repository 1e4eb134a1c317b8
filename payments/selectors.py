"""Reads: the orders of a subject, what a person owes, treasury's lists."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet

from . import hooks
from .models import Payment, PaymentOrder


def orders_for(subject: models.Model) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.filter(
        subject_type=hooks.subject_type(subject), subject_id=str(subject.pk)
    ).prefetch_related("payments")


def open_order_for(subject: models.Model) -> PaymentOrder | None:
    return orders_for(subject).filter(status__in=PaymentOrder.OPEN_STATUSES).first()


def orders_of(user: Any) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.filter(payer=user).exclude(status=PaymentOrder.Status.CANCELLED)


def may_view(user: Any, order: PaymentOrder) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_perm("payments.manage_payments"):
        return True
    return hooks.hooks_for(order).may_view(user, hooks.subject_of(order), order)


def order_for_payer(user: Any, reference: str) -> PaymentOrder | None:
    order = PaymentOrder.objects.filter(external_reference=reference).first()
    return order if order is not None and may_view(user, order) else None


def duplicate_payments() -> QuerySet[Payment]:
    return Payment.objects.filter(is_duplicate=True).select_related("order")
