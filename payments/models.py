"""Payment orders (what is owed, for a subject of any app) and the payments against them.

An order names its subject by model label and primary key, as signed documents do:
this app knows nothing of cases or rate bills. The subject's app hears what happens
to its orders through ``payments.hooks``.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.states import StateMachine

ZERO = Decimal("0.00")


def new_external_reference() -> str:
    """What the provider and the settlement files carry back: random, not guessable."""
    return "OP-" + secrets.token_hex(10).upper()


class PaymentOrder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending payment")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", pgettext_lazy("payment order", "Cancelled")
        REFUNDED = "refunded", _("Refunded")

    STATES = StateMachine(
        {
            Status.PENDING: {Status.PARTLY_PAID, Status.PAID, Status.CANCELLED},
            Status.PARTLY_PAID: {Status.PAID, Status.PENDING, Status.REFUNDED},
            Status.PAID: {Status.PARTLY_PAID, Status.PENDING, Status.REFUNDED},
            Status.CANCELLED: set(),
            Status.REFUNDED: set(),
        }
    )
    OPEN_STATUSES = (Status.PENDING, Status.PARTLY_PAID)

    external_reference = models.CharField(
        _("external reference"), max_length=40, unique=True, default=new_external_reference
    )
    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.CharField(_("subject id"), max_length=64)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payment_orders",
        verbose_name=_("payer"),
    )
    concept = models.CharField(_("concept"), max_length=200)
    amount = models.DecimalField(_("amount (ARS)"), max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(
        _("paid (ARS)"), max_digits=12, decimal_places=2, default=ZERO
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    checkout_id = models.CharField(_("provider checkout id"), max_length=100, blank=True)
    checkout_url = models.URLField(_("checkout address"), max_length=500, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("payment order", "created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        permissions = [("manage_payments", _("Can record and reconcile payments"))]

    def __str__(self) -> str:
        return self.external_reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def balance(self) -> Decimal:
        return self.amount - self.amount_paid


def new_combined_reference() -> str:
    """A combined checkout's reference: random like an order's, told apart by its prefix."""
    return "PC-" + secrets.token_hex(10).upper()


class CombinedCheckout(models.Model):
    """Several open orders of one payer paid in one checkout, under one reference.

    The provider knows only this reference; the payment it confirms is split onto the
    orders in ``items`` order, each up to what it owed when the checkout was made.
    """

    external_reference = models.CharField(
        _("external reference"), max_length=40, unique=True, default=new_combined_reference
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="combined_checkouts",
        verbose_name=_("payer"),
    )
    # The provider and the orders' balances it was made for: the same again reuses it.
    checkout_key = models.CharField(max_length=64, db_index=True)
    checkout_id = models.CharField(_("provider checkout id"), max_length=100, blank=True)
    checkout_url = models.URLField(_("checkout address"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("combined checkout")
        verbose_name_plural = _("combined checkouts")

    def __str__(self) -> str:
        return self.external_reference

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items.all()), ZERO)


class CombinedItem(models.Model):
    checkout = models.ForeignKey(CombinedCheckout, on_delete=models.CASCADE, related_name="items")
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (ARS)"), max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["checkout", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checkout", "order"], name="combined_order_once")
        ]

    def __str__(self) -> str:
        return f"{self.checkout_id}:{self.order_id}"


class Payment(models.Model):
    """Money received (or on its way) for an order through one channel, once per provider id."""

    class Channel(models.TextChoices):
        MERCADOPAGO = "mercadopago", _("Mercado Pago")
        DEMO = "demo", _("Demo checkout")
        CASH_NETWORK = "cash_network", _("Cash network (Pago Fácil, Rapipago)")
        TRANSFER = "transfer", _("Bank transfer")
        CASH_DESK = "cash_desk", _("Municipal cash desk")
        CREDIT = "credit", _("Credit from an earlier payment")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", pgettext_lazy("payment", "Approved")
        REJECTED = "rejected", pgettext_lazy("payment", "Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    # A notification never moves a payment back: an "approved" fetched before a late
    # "pending" stays approved.
    RANK = {
        Status.PENDING: 0,
        Status.APPROVED: 1,
        Status.REJECTED: 1,
        Status.CANCELLED: 1,
        Status.REFUNDED: 2,
    }

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    channel = models.CharField(
        pgettext_lazy("payment", "channel"), max_length=20, choices=Channel.choices
    )
    provider_payment_id = models.CharField(_("provider's payment id"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    amount = models.DecimalField(_("amount (ARS)"), max_digits=12, decimal_places=2)
    fee = models.DecimalField(
        _("provider fee (ARS)"), max_digits=12, decimal_places=2, default=ZERO
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    is_duplicate = models.BooleanField(_("duplicate or excess"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    details = models.JSONField(_("provider details"), default=dict, blank=True)
    # A share of one provider payment for several orders: ``provider_payment_id`` is then
    # "<the provider's id>/<the order's reference>", unique like any other.
    combined = models.ForeignKey(
        CombinedCheckout,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("paid together with other orders"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_payment_id"], name="payment_once_per_provider_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.provider_payment_id}"

    @property
    def net(self) -> Decimal:
        return self.amount - self.fee

    @property
    def refundable_by_provider(self) -> bool:
        return self.channel in (self.Channel.MERCADOPAGO, self.Channel.DEMO)

    @property
    def provider_id(self) -> str:
        """The id the provider knows (for a refund): a combined share's is its payment's."""
        if self.combined_id:
            return self.provider_payment_id.split("/", 1)[0]
        return self.provider_payment_id


class Refund(models.Model):
    """Money given back for a payment, once per idempotency key: through its provider, by
    bank transfer to the payer's account (no provider to refund through), or kept as a
    credit."""

    class Method(models.TextChoices):
        PROVIDER = "provider", _("Through the payment provider")
        TRANSFER = "transfer", _("By bank transfer")
        CREDIT = "credit", _("As a credit for the next orders")

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    amount = models.DecimalField(_("amount (ARS)"), max_digits=12, decimal_places=2)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    method = models.CharField(
        _("how"), max_length=10, choices=Method.choices, default=Method.PROVIDER
    )
    provider_refund_id = models.CharField(_("provider's refund id"), max_length=100, blank=True)
    # For a refund by transfer: the transfer order's reference and where it goes.
    transfer_reference = models.CharField(_("transfer order"), max_length=40, blank=True)
    transfer_cbu = models.CharField(_("CBU"), max_length=22, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(pgettext_lazy("refund", "created"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return self.idempotency_key


class Credit(models.Model):
    """Money a payer overpaid, kept for their next orders instead of being refunded."""

    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payment_credits"
    )
    source = models.OneToOneField(Refund, on_delete=models.PROTECT, related_name="credit")
    amount = models.DecimalField(_("amount (ARS)"), max_digits=12, decimal_places=2)
    remaining = models.DecimalField(_("still to use (ARS)"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("credit")
        verbose_name_plural = _("credits")

    def __str__(self) -> str:
        return f"{self.payer_id}: {self.remaining}"


class OrderEvent(models.Model):
    """The history of an order, as its payer and treasury read it."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=30)
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.message}"


class Notification(models.Model):
    """A provider's notification, kept until the payment it names is confirmed from the API.

    The same notification delivered again (same provider, resource and request id) is
    the same row: a replay changes nothing.
    """

    provider = models.CharField(pgettext_lazy("payment provider", "provider"), max_length=20)
    resource_id = models.CharField(_("resource id"), max_length=100)
    request_id = models.CharField(_("request id"), max_length=100)
    topic = models.CharField(_("topic"), max_length=40, blank=True)
    received_at = models.DateTimeField(
        pgettext_lazy("provider notification", "received"), auto_now_add=True
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "resource_id", "request_id"], name="notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.resource_id}"


class DemoCharge(models.Model):
    """A payment made on the demo checkout page (``make run``), as the demo provider's API."""

    order_reference = models.CharField(max_length=40)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10)
    refunded = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo {self.pk}"


class SettlementFile(models.Model):
    """A collection network's settlement file, imported once (by its SHA-256)."""

    class Network(models.TextChoices):
        PAGOFACIL = "pagofacil", _("Pago Fácil")
        RAPIPAGO = "rapipago", _("Rapipago")

    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    file_date = models.DateField(_("settlement date"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    applied = models.PositiveIntegerField(_("applied"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("settlement file")
        verbose_name_plural = _("settlement files")

    def __str__(self) -> str:
        return self.name


class SettlementRow(models.Model):
    """One line of a settlement file and what became of it."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ALREADY = "already", _("Already applied")
        UNKNOWN = "unknown", _("Unknown reference")
        MALFORMED = "malformed", _("Malformed")

    file = models.ForeignKey(SettlementFile, on_delete=models.CASCADE, related_name="lines")
    line = models.PositiveIntegerField(_("line"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)
    barcode = models.CharField(_("barcode"), max_length=60, blank=True)
    amount = models.DecimalField(
        _("amount (ARS)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["file", "line"]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.line}"
