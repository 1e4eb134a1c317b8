"""Municipal rate bills (property rate instalments, vehicle tax...) imported by treasury.

Each bill is owed by a taxpayer named by DNI or CUIT; the resident whose identity matches
sees it and pays it through a payment order (``payments``) whose subject is the bill.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RateBill(models.Model):
    class Kind(models.TextChoices):
        PROPERTY = "inmueble", _("Property rate (general services)")
        VEHICLE = "automotor", _("Vehicle tax")
        COMMERCE = "comercio", _("Commerce and industry rate")

    kind = models.CharField(_("rate"), max_length=12, choices=Kind.choices)
    account = models.CharField(
        _("account"), max_length=30, help_text=_("Property, domain or account number.")
    )
    period = models.CharField(
        _("period"), max_length=20, help_text=_("E.g. 2026-11 or instalment 11/2026.")
    )
    taxpayer_id = models.CharField(_("taxpayer DNI or CUIT"), max_length=11, db_index=True)
    taxpayer_name = models.CharField(_("taxpayer"), max_length=200)
    amount = models.DecimalField(_("amount (ARS)"), max_digits=12, decimal_places=2)
    due_date = models.DateField(_("due date"))
    imported_at = models.DateTimeField(pgettext_lazy("rate bill", "imported"), auto_now_add=True)

    class Meta:
        ordering = ["due_date", "kind", "account"]
        verbose_name = _("rate bill")
        verbose_name_plural = _("rate bills")
        constraints = [
            models.UniqueConstraint(fields=["kind", "account", "period"], name="rate_bill_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.account} {self.period}"
