"""Supplier organisations: who they are, the tax ids invoices may name them by, their users and
invitations, and the bank accounts payments go to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.states import StateMachine


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

    class RegisterCheck(models.TextChoices):
        PENDING = "pending", _("Waiting for AFIP's taxpayer register")
        UNAVAILABLE = "unavailable", _("AFIP's register did not answer: checked again later")
        ACTIVE = "active", _("Active in AFIP's register")
        MISMATCH = "mismatch", _("AFIP's register states another tax condition")
        INACTIVE = "inactive", _("Not active in AFIP's register")
        NOT_FOUND = "not_found", _("Not in AFIP's register")
        NOT_APPLICABLE = "n/a", _("Foreign: not in AFIP's register")

    STATES = StateMachine(
        {
            Status.PENDING: {Status.ACTIVE, Status.SUSPENDED},
            Status.ACTIVE: {Status.SUSPENDED},
            Status.SUSPENDED: {Status.ACTIVE},
        }
    )

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
    # AFIP's taxpayer register (constancia de inscripción), looked up at registration and
    # before payments (suppliers.services.afip_register).
    afip_register = models.CharField(
        _("AFIP register"),
        max_length=12,
        choices=RegisterCheck.choices,
        default=RegisterCheck.PENDING,
        db_index=True,
    )
    afip_register_checked_at = models.DateTimeField(
        _("looked up in AFIP's register"), null=True, blank=True
    )
    afip_register_message = models.CharField(
        _("AFIP register's answer"), max_length=500, blank=True
    )
    afip_tax_condition = models.CharField(
        _("tax condition in AFIP's register"),
        max_length=12,
        choices=TaxCondition.choices,
        blank=True,
    )

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

    STATES = StateMachine(
        {
            Status.PENDING: {Status.ACTIVE, Status.REJECTED},
            Status.ACTIVE: {Status.REPLACED},
            Status.REJECTED: set(),
            Status.REPLACED: set(),
        }
    )

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
