"""Suppliers' invoices, their lines, why they are held and their timeline; the tolerances
matching applies."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from core.states import StateMachine

from .organisations import Supplier
from .purchasing import ZERO, PurchaseOrder, PurchaseOrderLine


class MatchingTolerance(models.Model):
    """How far an invoice may differ from its purchase order before it is held.

    Percentages; 0 means no difference at all, empty means unlimited. The row without a
    supplier is the default; a supplier's own row overrides it.
    """

    supplier = models.OneToOneField(
        Supplier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tolerance",
        verbose_name=_("supplier (empty: default for all)"),
    )
    price_percent = models.DecimalField(
        _("unit price tolerance (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    quantity_percent = models.DecimalField(
        _("quantity tolerance (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    total_percent = models.DecimalField(
        _("invoice total tolerance (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("matching tolerance")
        verbose_name_plural = _("matching tolerances")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier"],
                condition=models.Q(supplier__isnull=True),
                name="one_default_tolerance",
            )
        ]

    def __str__(self) -> str:
        return str(self.supplier or _("Default"))


def invoice_file_path(instance: Invoice, filename: str) -> str:
    return f"suppliers/{instance.supplier_id}/invoices/{instance.token}-{filename[-4:].lstrip('.')}"


class Invoice(models.Model):
    class Format(models.TextChoices):
        UBL = "ubl", _("UBL 2.1")
        CII = "cii", _("UN/CEFACT CII")
        FACTURX = "facturx", _("Factur-X / ZUGFeRD")
        AFIP_QR = "afip-qr", _("Argentine electronic invoice (QR)")
        MANUAL = "manual", _("Entered by hand")

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        ON_HOLD = "on_hold", _("On hold")
        MATCHED = "matched", _("Matched, awaiting approval")
        RETURNED = "returned", _("Returned to the supplier")
        APPROVED = "approved", _("Approved for payment")
        IN_PAYMENT = "in_payment", _("In payment")
        PAID = "paid", _("Paid")
        WITHDRAWN = "withdrawn", _("Withdrawn by the supplier")

    # Matching moves held and matched invoices between each other as often as it runs.
    STATES = StateMachine(
        {
            Status.ON_HOLD: {Status.MATCHED, Status.APPROVED, Status.RETURNED},
            Status.MATCHED: {Status.ON_HOLD, Status.APPROVED, Status.RETURNED},
            Status.RETURNED: {Status.ON_HOLD, Status.WITHDRAWN},
            Status.APPROVED: {Status.IN_PAYMENT},
            Status.IN_PAYMENT: {Status.APPROVED, Status.PAID},
            Status.PAID: set(),
            Status.WITHDRAWN: set(),
        }
    )

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("supplier")
    )
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("purchase order"),
    )
    po_proposed_from = models.CharField(_("purchase order found by"), max_length=12, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    type_code = models.CharField(_("type code"), max_length=4, blank=True)
    number = models.CharField(_("number"), max_length=60)
    voucher_key = models.CharField(_("voucher identity"), max_length=120)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    seller_name = models.CharField(_("seller"), max_length=200, blank=True)
    seller_tax_ids = models.JSONField(_("seller ids"), default=list)
    buyer_name = models.CharField(_("buyer"), max_length=200, blank=True)
    buyer_tax_ids = models.JSONField(_("buyer ids"), default=list)
    po_reference = models.CharField(_("purchase order reference"), max_length=60, blank=True)
    net_total = models.DecimalField(
        _("net total"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    allowance_total = models.DecimalField(
        _("allowances"), max_digits=16, decimal_places=2, default=ZERO
    )
    charge_total = models.DecimalField(_("charges"), max_digits=16, decimal_places=2, default=ZERO)
    tax_exclusive_total = models.DecimalField(
        _("total without VAT"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    tax_total = models.DecimalField(
        _("VAT"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    tax_inclusive_total = models.DecimalField(_("total"), max_digits=16, decimal_places=2)
    prepaid_total = models.DecimalField(_("prepaid"), max_digits=16, decimal_places=2, default=ZERO)
    payable_total = models.DecimalField(_("amount due"), max_digits=16, decimal_places=2)

    class AfipCheck(models.TextChoices):
        NOT_NEEDED = "", _("Not an Argentine electronic invoice")
        PENDING = "pending", _("Waiting for AFIP")
        UNAVAILABLE = "unavailable", _("AFIP did not answer: checked again later")
        APPROVED = "approved", _("Confirmed by AFIP")
        OBSERVED = "observed", _("AFIP has observations")
        REJECTED = "rejected", _("Rejected by AFIP")

    afip_cae = models.CharField(_("CAE"), max_length=14, blank=True)
    afip_cae_kind = models.CharField(_("authorisation kind"), max_length=4, blank=True)
    afip_check = models.CharField(
        _("AFIP check"), max_length=12, choices=AfipCheck.choices, blank=True, db_index=True
    )
    afip_checked_at = models.DateTimeField(_("checked with AFIP"), null=True, blank=True)
    afip_message = models.CharField(_("AFIP's answer"), max_length=500, blank=True)
    afip_voucher_type = models.PositiveSmallIntegerField(_("voucher type"), null=True, blank=True)
    afip_point_of_sale = models.PositiveIntegerField(_("point of sale"), null=True, blank=True)
    afip_voucher_number = models.PositiveIntegerField(_("voucher number"), null=True, blank=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to=invoice_file_path, max_length=200)
    pdf_name = models.CharField(_("PDF file name"), max_length=200)
    source = models.FileField(
        _("structured file"), upload_to=invoice_file_path, max_length=200, blank=True
    )
    source_name = models.CharField(_("structured file name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, db_index=True)
    released = models.BooleanField(_("released despite holds"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    matched_at = models.DateTimeField(_("matched"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    process = models.OneToOneField(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplier_invoice",
        verbose_name=_("workflow process"),
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("supplier invoice")
        verbose_name_plural = _("supplier invoices")
        constraints = [
            # The hard duplicate check: one live voucher per supplier and identity.
            models.UniqueConstraint(
                fields=["supplier", "voucher_key"],
                condition=~models.Q(status="withdrawn"),
                name="unique_live_voucher",
            )
        ]
        indexes = [
            models.Index(fields=["supplier", "issue_date", "payable_total"]),
            models.Index(fields=["supplier", "status"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def sign(self) -> int:
        return -1 if self.kind == self.Kind.CREDIT_NOTE else 1

    @property
    def amount_due(self) -> Decimal:
        """What the municipality owes for this document (negative for a credit note)."""
        return self.payable_total * self.sign


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveIntegerField(_("position"))
    line_id = models.CharField(_("line"), max_length=40)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    unit_code = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price (net)"), max_digits=18, decimal_places=4)
    net_amount = models.DecimalField(_("net amount"), max_digits=16, decimal_places=2)
    tax_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    po_line_reference = models.CharField(_("order line reference"), max_length=40, blank=True)
    seller_item_id = models.CharField(_("item code"), max_length=60, blank=True)
    po_line = models.ForeignKey(
        PurchaseOrderLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_lines",
        verbose_name=_("purchase order line"),
    )
    applied_quantity = models.DecimalField(
        _("quantity counted on the order line"), max_digits=14, decimal_places=4, default=ZERO
    )

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return f"{self.line_id} {self.description}"


class InvoiceHold(models.Model):
    """Why an invoice may not be paid yet. Matching replaces the open holds each time it
    runs; a forced release keeps them, marked released, for the record."""

    class Code(models.TextChoices):
        NO_PO = "no_po", _("No purchase order")
        PO_CLOSED = "po_closed", _("Purchase order not open")
        CURRENCY = "currency", _("Currency differs from the order")
        NO_PO_LINE = "no_po_line", _("No purchase order line")
        QTY_ORDERED = "qty_ordered", _("Quantity over ordered")
        QTY_RECEIVED = "qty_received", _("Quantity over received")
        QTY_INVOICED = "qty_invoiced", _("Credit over invoiced")
        PRICE = "price", _("Price differs")
        TOTAL = "total", _("Total differs")
        VAT = "vat", _("VAT differs")
        DATE = "date", _("Implausibly old")
        AFIP = "afip", _("Not confirmed by AFIP")
        DUPLICATE = "duplicate", _("Possible duplicate")
        BANK_CHANGE = "bank_change", _("Bank account change pending")
        NO_BANK_ACCOUNT = "no_bank", _("No approved bank account")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="holds", verbose_name=_("invoice")
    )
    line = models.ForeignKey(
        InvoiceLine, on_delete=models.CASCADE, null=True, blank=True, related_name="holds"
    )
    code = models.CharField(_("hold"), max_length=14, choices=Code.choices)
    params = models.JSONField(_("details"), default=dict)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.TextField(_("reason for the release"), blank=True)

    class Meta:
        ordering = ["invoice", "id"]
        verbose_name = _("invoice hold")
        verbose_name_plural = _("invoice holds")

    def __str__(self) -> str:
        return self.get_code_display()

    @property
    def explanation(self) -> str:
        from ..texts import hold_explanation

        return hold_explanation(self.code, self.params)


class InvoiceEvent(models.Model):
    """The invoice's timeline; ``public`` events are shown to the supplier."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        MATCHED = "matched", _("Matched with the purchase order")
        HELD = "held", _("Put on hold")
        REMATCHED = "rematched", _("Checked again")
        RELEASED = "released", _("Released despite holds")
        RETURNED = "returned", _("Returned to the supplier")
        REPLIED = "replied", _("Supplier replied")
        WITHDRAWN = "withdrawn", _("Withdrawn by the supplier")
        APPROVED = "approved", _("Approved for payment")
        IN_PAYMENT = "in_payment", _("Included in a payment")
        PAID = "paid", _("Paid")
        NOTE = "note", _("Internal note")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="events", verbose_name=_("invoice")
    )
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    message = models.TextField(_("message"), blank=True)
    public = models.BooleanField(_("visible to the supplier"), default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("invoice event")
        verbose_name_plural = _("invoice events")

    def __str__(self) -> str:
        return self.get_kind_display()
