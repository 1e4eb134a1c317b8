"""Orders, payments and refunds: every change in one transaction with its audit record.

Only a payment confirmed by the provider's API (``confirm_notification``), a
settlement file or an employee's record credits an order; the resident's return
from the checkout page never does. An order's row is locked before its payments
are written, so two notifications of the same payment at once yield one payment.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, outbox
from core.errors import ActionRefused
from core.identifiers import InvalidIdentifier, normalize_cbu, normalize_cuit
from core.models import AuditEvent
from core.money import format_money

from . import hooks
from .models import (
    ZERO,
    CombinedCheckout,
    CombinedItem,
    Credit,
    Notification,
    OrderEvent,
    Payment,
    PaymentOrder,
    Refund,
)
from .providers import CheckoutItem, ProviderPayment, UnknownPayment, Urls, online_provider

log = logging.getLogger(__name__)

CONFIRM = "payments.confirm_notification"
ONLINE_CHANNELS = (Payment.Channel.MERCADOPAGO, Payment.Channel.DEMO)


def _event(order: PaymentOrder, kind: str, message: str = "") -> None:
    OrderEvent.objects.create(order=order, kind=kind, message=message[:300])


def create_order(
    *,
    subject: models.Model,
    payer: Any,
    amount: Decimal,
    concept: str,
    due_date: date | None = None,
    actor: Any = None,
) -> PaymentOrder:
    """What ``payer`` owes for ``subject``; call it inside the subject's transaction."""
    if amount <= ZERO:
        raise ValueError("an order is for a positive amount")
    with transaction.atomic():
        order = PaymentOrder.objects.create(
            subject_type=hooks.subject_type(subject),
            subject_id=str(subject.pk),
            payer=payer,
            amount=amount,
            concept=concept[:200],
            due_date=due_date
            or timezone.localdate() + timedelta(days=settings.PAYMENTS_ORDER_DAYS),
        )
        _event(order, "created", format_money(amount))
        audit.record(
            actor=actor,
            action="payments.order_created",
            obj=order,
            after={"amount": str(amount), "concept": order.concept, "subject": order.subject_type},
        )
        _use_credits(order)
    return order


def _use_credits(order: PaymentOrder) -> None:
    """The payer's credits pay what they can of a new order (oldest first)."""
    credits = Credit.objects.select_for_update().filter(payer=order.payer, remaining__gt=ZERO)
    for credit in credits:
        order.refresh_from_db()
        if order.balance <= ZERO:
            return
        used = min(credit.remaining, order.balance)
        credit.remaining -= used
        credit.save(update_fields=["remaining"])
        record_provider_payment(
            channel=Payment.Channel.CREDIT,
            fetched=ProviderPayment(
                id=f"credit-{credit.pk}-order-{order.pk}",
                status=Payment.Status.APPROVED,
                external_reference=order.external_reference,
                amount=used,
                paid_at=timezone.now(),
                details={"credit": credit.pk},
            ),
        )


def cancel_order(*, order: PaymentOrder, actor: Any, reason: str) -> PaymentOrder:
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != PaymentOrder.Status.PENDING:
            raise ActionRefused(_("Only an order with nothing paid can be cancelled."))
        before = PaymentOrder.STATES.move(order, PaymentOrder.Status.CANCELLED)
        order.save(update_fields=["status"])
        _event(order, "cancelled", reason)
        audit.record(
            actor=actor,
            action="payments.order_cancelled",
            obj=order,
            before={"status": before},
            after={"status": order.status, "reason": reason},
        )
    return order


def start_checkout(*, order: PaymentOrder, urls: Urls, provider_key: str | None = None) -> str:
    """The address of the provider's checkout for what is still owed (one per order and
    balance: a double click reuses it)."""
    provider = online_provider(provider_key)
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if not order.is_open:
            raise ActionRefused(_("This order has nothing left to pay."))
        checkout_key = f"{provider.key}:{order.balance}"
        if order.checkout_url and order.checkout_id.startswith(checkout_key + ":"):
            return order.checkout_url
        checkout = provider.create_checkout(
            order.external_reference,
            [CheckoutItem(order.external_reference, order.concept, order.balance)],
            urls,
        )
        order.checkout_id = f"{checkout_key}:{checkout.id}"[:100]
        order.checkout_url = checkout.url
        order.save(update_fields=["checkout_id", "checkout_url"])
        _event(order, "checkout", provider.label)
    return order.checkout_url


def start_combined_checkout(
    *, payer: Any, orders: list[PaymentOrder], urls: Urls, provider_key: str | None = None
) -> CombinedCheckout:
    """One checkout for what is still owed on several of ``payer``'s open orders: one item per
    order, one reference for them all. The same orders with the same balances again (a double
    click) reuse it."""
    if not orders:
        raise ActionRefused(_("Choose at least one order to pay."))
    provider = online_provider(provider_key)
    with transaction.atomic():
        # Locked in id order, as the confirmation locks them: no deadlock between the two.
        locked = list(
            PaymentOrder.objects.select_for_update()
            .filter(pk__in=[order.pk for order in orders])
            .order_by("pk")
        )
        if len(locked) != len({order.pk for order in orders}) or any(
            order.payer_id != payer.pk for order in locked
        ):
            raise ActionRefused(_("One of the orders chosen is not yours to pay."))
        if any(not order.is_open for order in locked):
            raise ActionRefused(_("One of the orders chosen has nothing left to pay."))
        locked.sort(key=lambda order: (order.due_date, order.pk))
        key = hashlib.sha256(
            ";".join([provider.key, *(f"{o.pk}={o.balance}" for o in locked)]).encode()
        ).hexdigest()
        combined = (
            CombinedCheckout.objects.filter(payer=payer, checkout_key=key)
            .exclude(checkout_url="")
            .first()
        )
        if combined is not None:
            return combined
        combined = CombinedCheckout.objects.create(payer=payer, checkout_key=key)
        CombinedItem.objects.bulk_create(
            CombinedItem(checkout=combined, order=order, amount=order.balance, position=position)
            for position, order in enumerate(locked)
        )
        checkout = provider.create_checkout(
            combined.external_reference,
            [CheckoutItem(o.external_reference, o.concept, o.balance) for o in locked],
            urls,
        )
        combined.checkout_id = f"{provider.key}:{checkout.id}"[:100]
        combined.checkout_url = checkout.url
        combined.save(update_fields=["checkout_id", "checkout_url"])
        for order in locked:
            _event(order, "checkout", f"{provider.label} {combined.external_reference}")
        audit.record(
            actor=payer,
            action="payments.combined_checkout",
            obj=combined,
            after={
                "provider": provider.key,
                "orders": {o.external_reference: str(o.balance) for o in locked},
            },
        )
    return combined


# --- Notifications --------------------------------------------------------------------


def receive_notification(
    *, provider_key: str, resource_id: str, request_id: str, topic: str
) -> Notification | None:
    """Keep a verified notification and confirm it after commit; a replay changes nothing.
    Returns the new notification, or None for a replay."""
    try:
        # Inserted straight away (no look-up first): the unique constraint tells a replay,
        # in fewer round trips than the provider waits for.
        with transaction.atomic():
            notification = Notification.objects.create(
                provider=provider_key,
                resource_id=resource_id[:100],
                request_id=request_id[:100],
                topic=topic[:40],
            )
            outbox.enqueue(CONFIRM, {"notification_id": notification.pk})
    except IntegrityError:  # the same notification again, or twice at once
        return None
    return notification


def confirm_notification(*, notification_id: int) -> None:
    """Outbox handler: fetch the payment the notification names, record it. Raising (the
    provider is down) leaves the item to be retried."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.confirmed_at is not None:
        return
    provider = online_provider(notification.provider)
    try:
        fetched = provider.fetch_payment(notification.resource_id)
    except UnknownPayment:
        log.warning("%s does not know payment %s", provider.key, notification.resource_id)
    else:
        record_provider_payment(channel=provider.channel, fetched=fetched)
    Notification.objects.filter(pk=notification.pk).update(confirmed_at=timezone.now())


# --- Payments -------------------------------------------------------------------------


def record_provider_payment(
    *, channel: str, fetched: ProviderPayment, actor: Any = None
) -> Payment | None:
    """Upsert the payment by the provider's id and settle its order (or, for a combined
    checkout's reference, split it onto its orders: the first share is returned); None if
    nothing carries its external reference."""
    with transaction.atomic():
        order = (
            PaymentOrder.objects.select_for_update()
            .filter(external_reference=fetched.external_reference)
            .first()
        )
        if order is not None:
            return _upsert(order, channel, fetched, actor)
        combined = (
            CombinedCheckout.objects.select_for_update()
            .filter(external_reference=fetched.external_reference)
            .first()
        )
        if combined is not None:
            shares = _record_combined(combined, channel, fetched, actor)
            return shares[0] if shares else None
        log.warning("payment %s %s names no order", channel, fetched.id)
        return None


def split_amount(amount: Decimal, owed: list[Decimal]) -> list[Decimal]:
    """``amount`` onto orders owing ``owed``, in order: each gets what it owed while the money
    lasts (so a short payment leaves the last ones partly paid or unpaid), the last gets any
    excess (so it is seen as overpaid)."""
    shares, left = [], amount
    for owes in owed:
        share = min(owes, left) if left > ZERO else ZERO
        shares.append(share)
        left -= share
    if owed and left > ZERO:
        shares[-1] += left
    return shares


def _split_fee(fee: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """The provider's fee in proportion to the shares, to the cent; the rounding on the last."""
    total = sum(shares, ZERO)
    if total <= ZERO or fee == ZERO:
        return [ZERO for _share in shares]
    fees = [(fee * share / total).quantize(Decimal("0.01")) for share in shares]
    fees[-1] += fee - sum(fees, ZERO)
    return fees


def _record_combined(
    combined: CombinedCheckout, channel: str, fetched: ProviderPayment, actor: Any
) -> list[Payment]:
    """One share of the payment per order of ``combined`` (locked; the checkout row, locked
    by the caller, makes two confirmations of the same payment wait for each other)."""
    items = list(combined.items.all())
    orders = PaymentOrder.objects.select_for_update().in_bulk(
        sorted(item.order_id for item in items)
    )
    shares = split_amount(fetched.amount, [item.amount for item in items])
    fees = _split_fee(fetched.fee, shares)
    recorded = []
    for item, share, fee in zip(items, shares, fees, strict=True):
        order = orders[item.order_id]
        part_id = f"{fetched.id}/{order.external_reference}"[:100]
        exists = Payment.objects.filter(channel=channel, provider_payment_id=part_id).exists()
        if share == ZERO and not exists:
            continue  # the money did not reach this order
        part = ProviderPayment(
            id=part_id,
            status=fetched.status,
            external_reference=order.external_reference,
            amount=share,
            fee=fee,
            paid_at=fetched.paid_at,
            details={**fetched.details, "combined": combined.external_reference},
        )
        recorded.append(_upsert(order, channel, part, actor, combined=combined))
    if fetched.amount != combined.total:
        log.warning(
            "combined payment %s %s: %s paid for %s owed",
            channel,
            fetched.id,
            fetched.amount,
            combined.total,
        )
    return recorded


def _upsert(
    order: PaymentOrder,
    channel: str,
    fetched: ProviderPayment,
    actor: Any,
    *,
    combined: CombinedCheckout | None = None,
) -> Payment:
    """The payment of ``order`` (locked) by the provider's id, created or moved forward."""
    payment = (
        Payment.objects.select_for_update()
        .filter(channel=channel, provider_payment_id=fetched.id)
        .first()
    )
    if payment is None:
        payment = Payment.objects.create(
            order=order,
            channel=channel,
            provider_payment_id=fetched.id,
            status=fetched.status,
            amount=fetched.amount,
            fee=fetched.fee,
            paid_at=fetched.paid_at,
            details=fetched.details,
            combined=combined,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        before = None
    else:
        if Payment.RANK[fetched.status] <= Payment.RANK[payment.status]:
            return payment  # a replay, or an older state arriving late
        before = payment.status
        payment.status = fetched.status
        payment.fee = fetched.fee
        payment.paid_at = fetched.paid_at or payment.paid_at
        payment.details = fetched.details
        payment.save()
    audit.record(
        actor=actor,
        action="payments.payment_recorded",
        obj=payment,
        before={"status": before} if before else None,
        after={
            "order": order.external_reference,
            "status": payment.status,
            "amount": str(payment.amount),
            "channel": channel,
        },
    )
    _settle(order, payment)
    return payment


def record_manual_payment(
    *,
    order: PaymentOrder,
    channel: str,
    amount: Decimal,
    paid_on: date,
    evidence: str,
    actor: Any,
) -> Payment:
    """A bank transfer or a cash desk payment, recorded by treasury with its evidence."""
    if channel not in (Payment.Channel.TRANSFER, Payment.Channel.CASH_DESK):
        raise ActionRefused(_("Only transfers and cash desk payments are recorded by hand."))
    if amount <= ZERO:
        raise ActionRefused(_("The amount must be more than zero."))
    evidence = evidence.strip()
    if not evidence:
        raise ActionRefused(_("Say what proves the payment (transfer number, receipt)."))
    fetched = ProviderPayment(
        id=f"{order.external_reference}:{evidence}"[:100],
        status=Payment.Status.APPROVED,
        external_reference=order.external_reference,
        amount=amount,
        paid_at=timezone.make_aware(datetime.combine(paid_on, datetime.min.time())),
        details={"evidence": evidence},
    )
    with transaction.atomic():
        if Payment.objects.filter(channel=channel, provider_payment_id=fetched.id).exists():
            raise ActionRefused(_("This payment was already recorded."))
        payment = record_provider_payment(channel=channel, fetched=fetched, actor=actor)
        payment.evidence = evidence[:300]
        payment.save(update_fields=["evidence"])
    return payment


def _credited(order: PaymentOrder) -> Decimal:
    approved = (
        order.payments.filter(status=Payment.Status.APPROVED).aggregate(total=Sum("amount"))[
            "total"
        ]
        or ZERO
    )
    refunded = (
        Refund.objects.filter(
            payment__order=order, payment__status=Payment.Status.APPROVED
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return approved - refunded


_SILENT = hooks.SubjectHooks()


def _save_orders(orders: list[PaymentOrder]) -> None:
    """The settled orders' amount paid, status and date paid: one UPDATE per 5,000 on
    PostgreSQL (``bulk_update``'s CASE grows with the batch: quadratic)."""
    if len(orders) == 1:
        orders[0].save(update_fields=["amount_paid", "status", "paid_at"])
        return
    if connection.vendor != "postgresql":
        PaymentOrder.objects.bulk_update(orders, ["amount_paid", "status", "paid_at"], 1000)
        return
    table = PaymentOrder._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(orders), 5000):
            batch = orders[start : start + 5000]
            cursor.execute(
                f"UPDATE {table} AS o SET amount_paid = v.amount_paid, status = v.status, "  # noqa: S608 - our table name
                "paid_at = v.paid_at FROM (VALUES "
                + ", ".join(
                    ["(%s::bigint, %s::numeric, %s::varchar, %s::timestamptz)"] * len(batch)
                )
                + ") AS v (id, amount_paid, status, paid_at) WHERE o.id = v.id",
                [
                    value
                    for order in batch
                    for value in (order.pk, order.amount_paid, order.status, order.paid_at)
                ],
            )


@dataclass
class _Settling:
    """What settling orders writes and tells, collected so that a settlement file of many
    lines writes it in a few statements; one payment at a time flushes at once."""

    events: list[OrderEvent] = field(default_factory=list)
    audits: list[AuditEvent] = field(default_factory=list)
    orders: dict[int, PaymentOrder] = field(default_factory=dict)
    duplicates: list[Payment] = field(default_factory=list)
    tell: list[Callable[[], None]] = field(default_factory=list)

    def flush(self) -> None:
        OrderEvent.objects.bulk_create(self.events, batch_size=2000)
        audit.record_many(self.audits)
        _save_orders(list(self.orders.values()))
        Payment.objects.bulk_update(self.duplicates, ["is_duplicate"], batch_size=1000)
        for tell in self.tell:
            tell()
        self.events, self.audits, self.orders, self.duplicates, self.tell = [], [], {}, [], []


def _settle(
    order: PaymentOrder,
    payment: Payment,
    *,
    credited: Decimal | None = None,
    settling: _Settling | None = None,
) -> None:
    """Recompute what the order received (``credited`` when the caller knows it); tell its
    subject when it became paid or overpaid. With ``settling``, the writes and the telling
    wait for its ``flush``."""
    now = settling is None
    settling = settling or _Settling()
    was_paid = order.amount_paid >= order.amount
    order.amount_paid = _credited(order) if credited is None else credited
    if order.amount_paid >= order.amount:
        target = PaymentOrder.Status.PAID
    elif order.amount_paid > ZERO:
        target = PaymentOrder.Status.PARTLY_PAID
    elif order.status in (PaymentOrder.Status.PAID, PaymentOrder.Status.PARTLY_PAID):
        target = PaymentOrder.Status.REFUNDED
    else:
        target = order.status
    before = order.status
    if target != before:
        PaymentOrder.STATES.move(order, target)
        if target == PaymentOrder.Status.PAID:
            order.paid_at = payment.paid_at or timezone.now()
        settling.events.append(
            OrderEvent(order=order, kind=target, message=format_money(order.amount_paid))
        )
        settling.audits.append(
            audit.event(
                actor=None,
                action="payments.order_" + target,
                obj=order,
                before={"status": before},
                after={"status": target, "amount_paid": str(order.amount_paid)},
            )
        )
    settling.orders[order.pk] = order
    if payment.status == Payment.Status.APPROVED:
        # A subject without hooks of its own is told nothing: not even read.
        subject_hooks = hooks.SUBJECTS.find(order.subject_type) or _SILENT
        told = subject_hooks is not _SILENT
        if told and target == PaymentOrder.Status.PAID and not was_paid:
            settling.tell.append(
                lambda: subject_hooks.paid(hooks.subject_of(order), order, payment)
            )
        excess = min(order.amount_paid - order.amount, payment.amount)
        if excess > ZERO and not payment.is_duplicate:
            payment.is_duplicate = True
            settling.duplicates.append(payment)
            settling.events.append(
                OrderEvent(order=order, kind="overpaid", message=format_money(excess))
            )
            if told:
                settling.tell.append(
                    lambda: subject_hooks.overpaid(hooks.subject_of(order), order, payment, excess)
                )
    if now:
        settling.flush()


def record_new_payments(
    *, channel: str, fetched: list[ProviderPayment], actor: Any = None
) -> list[Payment | None]:
    """Approved payments never recorded before (a settlement file's lines, the caller having
    left out the provider ids already known: the unique constraint refuses any other), each
    recorded and settled as ``record_provider_payment`` would, in a few statements per
    thousand. None for a payment whose reference names no order."""
    if any(item.status != Payment.Status.APPROVED for item in fetched):
        raise ValueError("only approved payments are recorded in bulk")
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        references = sorted({item.external_reference for item in fetched})
        orders: dict[str, PaymentOrder] = {}
        for start in range(0, len(references), 5000):
            # Locked in id order, as everywhere else.
            for order in (
                PaymentOrder.objects.select_for_update()
                .filter(external_reference__in=references[start : start + 5000])
                .order_by("pk")
            ):
                orders[order.external_reference] = order
        payments = [
            Payment(
                order=orders[item.external_reference],
                channel=channel,
                provider_payment_id=item.id,
                status=item.status,
                amount=item.amount,
                fee=item.fee,
                paid_at=item.paid_at,
                details=item.details,
                recorded_by=recorded_by,
            )
            if item.external_reference in orders
            else None
            for item in fetched
        ]
        created = Payment.objects.bulk_create([p for p in payments if p], batch_size=2000)
        settling = _Settling()
        for payment in created:
            order = payment.order
            settling.audits.append(
                audit.event(
                    actor=actor,
                    action="payments.payment_recorded",
                    obj=payment,
                    after={
                        "order": order.external_reference,
                        "status": payment.status,
                        "amount": str(payment.amount),
                        "channel": channel,
                    },
                )
            )
            _settle(order, payment, credited=order.amount_paid + payment.amount, settling=settling)
        settling.flush()
    return payments


def _transfer_account(account: hooks.TransferAccount | None) -> hooks.TransferAccount:
    """The account as entered, validated; ActionRefused saying what is wrong."""
    if account is None:
        raise ActionRefused(
            _("This payment has no provider to refund through: enter the account to transfer to.")
        )
    holder = account.holder_name.strip()
    if not holder:
        raise ActionRefused(_("Write the name of the account holder."))
    try:
        cbu = normalize_cbu(account.cbu)
        cuit = normalize_cuit(account.holder_cuit)
    except InvalidIdentifier as exc:
        raise ActionRefused(str(exc)) from None
    return hooks.TransferAccount(cbu=cbu, holder_name=holder[:200], holder_cuit=cuit)


def refund_payment(
    *,
    payment: Payment,
    amount: Decimal,
    reason: str,
    actor: Any,
    as_credit: bool = False,
    transfer_to: hooks.TransferAccount | None = None,
) -> Refund:
    """Give back part or all of a payment: through its provider (a stable idempotency key:
    a retry after a failure is the same refund at the provider); for a payment with no
    provider to refund through (cash, a transfer received), by a bank transfer to
    ``transfer_to``, ordered through the registered ``RefundTransfers``; or, ``as_credit``,
    kept as a credit the payer's next orders use."""
    if as_credit:
        method = Refund.Method.CREDIT
    elif payment.refundable_by_provider:
        method = Refund.Method.PROVIDER
    else:
        method = Refund.Method.TRANSFER
        transfers = hooks.refund_transfers()
        if transfers is None:
            raise ActionRefused(
                _("Refunds by bank transfer cannot be made here: keep it as a credit.")
            )
        transfer_to = _transfer_account(transfer_to)
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        refunded = payment.refunds.aggregate(total=Sum("amount"))["total"] or ZERO
        if payment.status != Payment.Status.APPROVED:
            raise ActionRefused(_("Only an approved payment can be refunded."))
        if amount <= ZERO or refunded + amount > payment.amount:
            raise ActionRefused(
                _("At most %(amount)s of this payment can still be refunded.")
                % {"amount": format_money(payment.amount - refunded)}
            )
        key = f"refund-{payment.pk}-{payment.refunds.count() + 1}"
        provider_refund_id = ""
        if method == Refund.Method.PROVIDER:
            provider = online_provider(payment.channel)
            provider_refund_id = provider.refund(payment.provider_id, amount, idempotency_key=key)
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            idempotency_key=key,
            method=method,
            provider_refund_id=provider_refund_id,
            reason=reason[:300],
            done_by=actor,
        )
        after = {"amount": str(amount), "reason": reason, "key": key, "method": method}
        if method == Refund.Method.CREDIT:
            Credit.objects.create(payer=order.payer, source=refund, amount=amount, remaining=amount)
        elif method == Refund.Method.TRANSFER:
            refund.transfer_reference = transfers.request(refund, transfer_to, actor=actor)[:40]
            refund.transfer_cbu = transfer_to.cbu
            refund.save(update_fields=["transfer_reference", "transfer_cbu"])
            after |= {"transfer": refund.transfer_reference, "cbu": transfer_to.cbu}
        audit.record(
            actor=actor,
            action="payments.credited" if as_credit else "payments.refunded",
            obj=payment,
            after=after,
        )
        _event(order, "credit" if as_credit else "refund", format_money(amount))
        _settle(order, payment)
        hooks.hooks_for(order).refunded(hooks.subject_of(order), order, payment, amount)
    return refund


def refund_state(refund: Refund) -> str:
    """How a refund stands, as its payer reads it."""
    if refund.method != Refund.Method.TRANSFER:
        return ""
    transfers = hooks.refund_transfers()
    return transfers.status(refund) if transfers is not None else ""


def register_handlers() -> None:
    outbox.register(CONFIRM, confirm_notification)
