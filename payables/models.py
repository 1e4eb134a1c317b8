"""Paying approved supplier invoices: payment orders grouped into batches, a bank file.

A payment order pays one supplier, in one currency, into the bank account that was
active when it was prepared, for one or more approved invoices (credit notes net off).
A batch needs the approval of two different employees before its file is produced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.states import StateMachine
from suppliers.models import BankAccount, Invoice, Supplier


class PaymentBatch(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting approvals")
        APPROVED = "approved", _("Approved")
        EXPORTED = "exported", _("Bank file produced")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    STATES = StateMachine(
        {
            Status.DRAFT: {Status.APPROVED, Status.CANCELLED},
            Status.APPROVED: {Status.EXPORTED, Status.CANCELLED},
            Status.EXPORTED: {Status.PAID, Status.CANCELLED},
            Status.PAID: set(),
            Status.CANCELLED: set(),
        }
    )
    REQUIRED_APPROVALS = 2

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    currency = models.CharField(_("currency"), max_length=3)
    execution_date = models.DateField(_("payment date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    exporter = models.CharField(_("file format"), max_length=40, blank=True)
    file = models.FileField(
        _("bank file"), upload_to="payables/batches/", blank=True, max_length=200
    )
    file_name = models.CharField(_("file name"), max_length=100, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    exported_at = models.DateTimeField(_("file produced"), null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("confirmed paid"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")

    def __str__(self) -> str:
        return self.reference


class BatchApproval(models.Model):
    batch = models.ForeignKey(
        PaymentBatch, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("batch")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("batch approval")
        verbose_name_plural = _("batch approvals")
        constraints = [
            models.UniqueConstraint(fields=["batch", "user"], name="one_approval_per_employee")
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.user}"


class PaymentOrder(models.Model):
    """What one bank transfer pays: a supplier's invoices, or a resident's refund (a duplicate
    cash payment given back, ``refund``; no supplier, the account entered by treasury)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a batch")
        IN_BATCH = "in_batch", _("In a batch")
        UNCONFIRMED = "unconfirmed", _("Sent to the bank, outcome unknown")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    # Once a bank file carried the order, only the bank's answer (or two employees
    # recording that it did not pay) makes it payable again: otherwise it could be paid twice.
    STATES = StateMachine(
        {
            Status.OPEN: {Status.IN_BATCH, Status.CANCELLED},
            Status.IN_BATCH: {Status.OPEN, Status.PAID, Status.UNCONFIRMED},
            Status.UNCONFIRMED: {Status.OPEN, Status.PAID},
            Status.PAID: set(),
            Status.CANCELLED: set(),
        }
    )

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="payment_orders",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
    )
    bank_account = models.ForeignKey(
        BankAccount,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bank account"),
        null=True,
        blank=True,
    )
    refund = models.OneToOneField(
        "payments.Refund",
        on_delete=models.PROTECT,
        related_name="transfer_order",
        verbose_name=_("refund to a resident"),
        null=True,
        blank=True,
    )
    # Copied from the account when the order is prepared: the file pays what was approved.
    cbu = models.CharField(_("CBU"), max_length=22)
    holder_name = models.CharField(_("account holder"), max_length=200)
    # The holder's CUIT/CUIL for a refund (a supplier's is the supplier's).
    holder_cuit = models.CharField(_("holder's CUIT/CUIL"), max_length=11, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    gross_amount = models.DecimalField(
        _("gross amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("net amount paid"), max_digits=16, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    batch = models.ForeignKey(
        PaymentBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("batch"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_note = models.CharField(_("how the payment was confirmed"), max_length=200, blank=True)
    end_to_end_id = models.CharField(
        _("end-to-end id of the last transfer"), max_length=35, blank=True
    )
    not_paid_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    not_paid_reason = models.TextField(_("why the bank did not pay it"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supplier__isnull=False, refund__isnull=True)
                | models.Q(supplier__isnull=True, refund__isnull=False),
                name="pays_a_supplier_or_a_refund",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def payee_cuit(self) -> str:
        return self.supplier.cuit if self.supplier_id else self.holder_cuit

    @property
    def payee_name(self) -> str:
        if self.supplier_id:
            return self.supplier.legal_name
        return _("Refund to %(holder)s") % {"holder": self.holder_name}


class PaymentOrderItem(models.Model):
    order = models.ForeignKey(
        PaymentOrder, on_delete=models.CASCADE, related_name="items", verbose_name=_("order")
    )
    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, related_name="payment_item", verbose_name=_("invoice")
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("paid invoice")
        verbose_name_plural = _("paid invoices")

    def __str__(self) -> str:
        return f"{self.order} {self.invoice}"


class BankTransfer(models.Model):
    """One time a bank file asked the bank to pay an order. Its end-to-end id is unique
    for ever: a bank that sees an id twice may pay twice or refuse the second."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected by the bank")
        NOT_PAID = "not_paid", _("Not paid (recorded by two employees)")

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("order")
    )
    batch = models.ForeignKey(
        PaymentBatch, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("batch")
    )
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SENT
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("bank transfer")
        verbose_name_plural = _("bank transfers")

    def __str__(self) -> str:
        return self.end_to_end_id


class Withholding(models.Model):
    """A tax withheld from a payment order (or, with amount zero, a base that counts for
    the month's accumulation). Those with an amount get a certificate number."""

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.CASCADE, related_name="withholdings", verbose_name=_("order")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    tax = models.CharField(_("tax"), max_length=12)
    regime = models.CharField(_("regime"), max_length=12)
    description = models.CharField(_("description"), max_length=200)
    month = models.DateField(_("month"))
    base = models.DecimalField(_("base"), max_digits=16, decimal_places=2)
    taxable = models.DecimalField(_("taxable amount"), max_digits=16, decimal_places=2)
    rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3)
    amount = models.DecimalField(_("amount withheld"), max_digits=16, decimal_places=2)
    certificate_number = models.CharField(_("certificate"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("withholding")
        verbose_name_plural = _("withholdings")
        indexes = [models.Index(fields=["supplier", "tax", "regime", "month"])]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~models.Q(certificate_number=""),
                name="unique_withholding_certificate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tax} {self.regime} {self.amount}"


class ProvincialRate(models.Model):
    """A supplier's gross-income withholding rate from the province's list (padrón)."""

    cuit = models.CharField(_("CUIT"), max_length=11)
    rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    group = models.CharField(_("group"), max_length=4, blank=True)
    published = models.DateField(_("published"))

    class Meta:
        ordering = ["cuit", "-valid_from"]
        verbose_name = _("gross-income rate")
        verbose_name_plural = _("gross-income rates")
        indexes = [models.Index(fields=["cuit", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.cuit} {self.rate}"
