"""Reads: the orders of a subject, what a person owes, treasury's lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet

from . import hooks
from .models import CombinedCheckout, Payment, PaymentOrder


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


def open_orders_of(user: Any, references: list[str]) -> list[PaymentOrder]:
    """Those of ``references`` that are ``user``'s own open orders."""
    return list(
        PaymentOrder.objects.filter(
            payer=user,
            external_reference__in=references[:100],
            status__in=PaymentOrder.OPEN_STATUSES,
        )
    )


def combined_for_payer(user: Any, reference: str) -> CombinedCheckout | None:
    combined = CombinedCheckout.objects.filter(external_reference=reference).first()
    if combined is None or not user.is_authenticated:
        return None
    if combined.payer_id == user.pk or user.has_perm("payments.manage_payments"):
        return combined
    return None


def duplicate_payments() -> QuerySet[Payment]:
    return Payment.objects.filter(is_duplicate=True).select_related("order")


def staff_orders(*, status: str = "", search: str = "") -> QuerySet[PaymentOrder]:
    from django.db.models import Q
    from django.utils import timezone

    orders = PaymentOrder.objects.select_related("payer")
    if status == "overdue":
        orders = orders.filter(
            status__in=PaymentOrder.OPEN_STATUSES, due_date__lt=timezone.localdate()
        )
    elif status:
        orders = orders.filter(status=status)
    if search:
        orders = orders.filter(
            Q(external_reference__icontains=search)
            | Q(concept__icontains=search)
            | Q(payer__email__icontains=search)
            | Q(payer__document_number=search)
        )
    return orders


@dataclass(frozen=True)
class ChannelDay:
    channel: str
    label: str
    count: int
    gross: Decimal
    fees: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.fees


def reconciliation(day: date) -> list[ChannelDay]:
    """Per channel, the approved payments of ``day`` (Buenos Aires time): count, gross,
    the providers' fees and net."""
    return channel_totals(day, day)


def channel_totals(first: date, last: date) -> list[ChannelDay]:
    """Per channel, the approved (or later refunded) payments made from ``first`` to ``last``
    (Buenos Aires dates, both included): one grouped query over the paid date range."""
    from django.db.models import Count, Sum
    from django.utils import timezone

    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    rows = (
        Payment.objects.filter(
            status__in=(Payment.Status.APPROVED, Payment.Status.REFUNDED),
            paid_at__gte=start,
            paid_at__lt=end,
        )
        .values("channel")
        .annotate(count=Count("id"), gross=Sum("amount"), fees=Sum("fee"))
        .order_by("channel")
    )
    labels = dict(Payment.Channel.choices)
    return [
        ChannelDay(
            channel=row["channel"],
            label=str(labels.get(row["channel"], row["channel"])),
            count=row["count"],
            gross=row["gross"] or Decimal("0.00"),
            fees=row["fees"] or Decimal("0.00"),
        )
        for row in rows
    ]


def differences(day: date) -> dict[str, Any]:
    """What does not add up on ``day``: settlement lines not applied, payments that do not
    match what their order owed (partly paid, duplicates)."""
    from .models import SettlementRow

    return {
        "unmatched": SettlementRow.objects.filter(file__file_date=day)
        .exclude(outcome=SettlementRow.Outcome.APPLIED)
        .select_related("file"),
        "duplicates": duplicate_payments().filter(paid_at__date=day),
        "partly_paid": PaymentOrder.objects.filter(
            status=PaymentOrder.Status.PARTLY_PAID, payments__paid_at__date=day
        ).distinct(),
    }
