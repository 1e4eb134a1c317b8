"""Purchase orders, their lines and what was received against them.

Quantities a line has received and has been invoiced are kept on the line
(``received_quantity``, ``invoiced_quantity``) and changed only under a row lock by
``suppliers.services``, so partial deliveries, partial invoices and credit notes add up.
``invoiced_quantity`` always equals the sum of ``InvoiceLine.applied_quantity`` on it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from core.states import StateMachine

from .organisations import Supplier

ZERO = Decimal("0")


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    STATES = StateMachine(
        {
            Status.OPEN: {Status.CLOSED, Status.CANCELLED},
            Status.CLOSED: {Status.OPEN},
            Status.CANCELLED: set(),
        }
    )

    number = models.CharField(_("number"), max_length=40, unique=True)
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("supplier"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    currency = models.CharField(_("currency"), max_length=3, default="ARS")
    issue_date = models.DateField(_("issue date"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [models.Index(fields=["supplier", "status"])]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods (3-way: ordered, received, invoiced)")
        SERVICE = "service", _("Service (2-way: ordered, invoiced)")

    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    line_number = models.PositiveIntegerField(_("line"))
    item_code = models.CharField(_("item code"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=300)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.GOODS)
    quantity = models.DecimalField(_("quantity ordered"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20, default="C62")
    unit_price = models.DecimalField(_("unit price (net)"), max_digits=18, decimal_places=4)
    tax_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=ZERO)
    received_quantity = models.DecimalField(
        _("quantity received"), max_digits=14, decimal_places=4, default=ZERO
    )
    invoiced_quantity = models.DecimalField(
        _("quantity invoiced"), max_digits=14, decimal_places=4, default=ZERO
    )

    class Meta:
        ordering = ["order", "line_number"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="unique_po_line_number")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_number} {self.description}"

    @property
    def net_amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))

    @property
    def is_goods(self) -> bool:
        return self.kind == self.Kind.GOODS


class Reception(models.Model):
    """Goods or work received against a purchase order line ("recepción conforme")."""

    line = models.ForeignKey(
        PurchaseOrderLine,
        on_delete=models.PROTECT,
        related_name="receptions",
        verbose_name=_("line"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("reception")
        verbose_name_plural = _("receptions")

    def __str__(self) -> str:
        return f"{self.quantity} @ {self.received_on}"
