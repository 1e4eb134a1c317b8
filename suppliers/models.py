"""Suppliers, their purchase orders, their invoices and how each invoice matched.

Quantities a purchase order line has received and has been invoiced are kept on the
line (``received_quantity``, ``invoiced_quantity``) and changed only under a row lock by
``suppliers.services``, so partial deliveries, partial invoices and credit notes add up.
``invoiced_quantity`` always equals the sum of ``InvoiceLine.applied_quantity`` on it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from accounts.models import Department

ZERO = Decimal("0")


class Supplier(models.Model):
    """A supplier organisation, identified by its CUIT."""

    class TaxCondition(models.TextChoices):
        REGISTERED = "ri", _("VAT registered (Responsable Inscripto)")
        MONOTRIBUTO = "monotributo", _("Monotributo")
        EXEMPT = "exento", _("VAT exempt")
        FOREIGN = "foreign", _("Foreign supplier")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    cuit = models.CharField(_("CUIT"), max_length=11, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200)
    tax_condition = models.CharField(
        _("tax condition"), max_length=12, choices=TaxCondition.choices
    )
    email = models.EmailField(_("e-mail for payment notices"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="SupplierMember",
        related_name="supplier_organisations",
        verbose_name=_("users"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        permissions = [
            ("purchasing", _("Can create purchase orders and record receptions")),
            ("accounts_payable", _("Can handle supplier invoices, bank accounts and payments")),
            ("approve_payment_batches", _("Can approve payment batches")),
        ]

    def __str__(self) -> str:
        return self.legal_name


class SupplierTaxId(models.Model):
    """Every identifier an invoice may name the supplier by: its CUIT, foreign VAT ids,
    tax numbers. Stored normalised (upper case, no spaces) so invoices match by equality."""

    class Scheme(models.TextChoices):
        CUIT = "cuit", _("CUIT")
        VAT = "vat", _("Foreign VAT id")
        OTHER = "other", _("Other tax number")

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="tax_ids", verbose_name=_("supplier")
    )
    scheme = models.CharField(_("kind"), max_length=8, choices=Scheme.choices)
    value = models.CharField(_("identifier"), max_length=40)

    class Meta:
        ordering = ["scheme", "value"]
        verbose_name = _("supplier tax id")
        verbose_name_plural = _("supplier tax ids")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="unique_supplier_tax_id")
        ]

    def __str__(self) -> str:
        return self.value


class SupplierMember(models.Model):
    """A user acting for a supplier; a user acts for at most one supplier."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("supplier")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="supplier_membership",
        verbose_name=_("user"),
    )
    is_admin = models.BooleanField(_("can invite users and change the bank account"), default=False)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        verbose_name = _("supplier user")
        verbose_name_plural = _("supplier users")

    def __str__(self) -> str:
        return f"{self.user} ({self.supplier})"


class SupplierInvitation(models.Model):
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("supplier")
    )
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("supplier invitation")
        verbose_name_plural = _("supplier invitations")

    def __str__(self) -> str:
        return self.email


def bank_document_path(instance: BankAccount, filename: str) -> str:
    return f"suppliers/{instance.supplier_id}/bank/{instance.token}"


class BankAccount(models.Model):
    """A bank account a supplier asked to be paid into. Only an approved (active) account
    receives payments; while a request is pending, the supplier's payments wait."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        REPLACED = "replaced", _("Replaced")

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="bank_accounts", verbose_name=_("supplier")
    )
    cbu = models.CharField(_("CBU"), max_length=22)
    holder_name = models.CharField(_("account holder"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    document = models.FileField(
        _("supporting document"), upload_to=bank_document_path, max_length=200
    )
    document_name = models.CharField(_("file name"), max_length=200)
    document_type = models.CharField(_("type"), max_length=100)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # Where the supplier's money goes: a change needs two employees, like a payment batch.
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_approved_at = models.DateTimeField(_("first approval"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier"], condition=models.Q(status="active"), name="one_active_account"
            ),
            models.UniqueConstraint(
                fields=["supplier"],
                condition=models.Q(status="pending"),
                name="one_pending_account_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cbu[:3]}…{self.cbu[-4:]}"

    @property
    def masked_cbu(self) -> str:
        return f"{'•' * 18}{self.cbu[-4:]}"


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

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
    afip_cae = models.CharField(_("CAE"), max_length=14, blank=True)
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
        from .texts import hold_explanation

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
