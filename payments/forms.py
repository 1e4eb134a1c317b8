from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ArgentineDecimalField

from .models import Payment, PaymentOrder


class DateInput(forms.DateInput):
    input_type = "date"


class ManualPaymentForm(forms.Form):
    channel = forms.ChoiceField(
        label=pgettext_lazy("payment", "Channel"),
        choices=[
            (Payment.Channel.TRANSFER, Payment.Channel.TRANSFER.label),
            (Payment.Channel.CASH_DESK, Payment.Channel.CASH_DESK.label),
        ],
    )
    amount = ArgentineDecimalField(
        label=_("Amount (ARS)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    paid_on = forms.DateField(
        label=pgettext_lazy("payment", "Paid on"), widget=DateInput(), initial=timezone.localdate
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=300,
        help_text=_("Transfer number or cash desk receipt number."),
    )


class RefundForm(forms.Form):
    amount = ArgentineDecimalField(
        label=_("Amount to refund (ARS)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    as_credit = forms.BooleanField(required=False)
    # For a payment with no provider to refund through: the account to transfer to
    # (checked by the service with the core identifiers).
    cbu = forms.CharField(label=_("CBU to transfer to"), max_length=30, required=False)
    holder_name = forms.CharField(label=_("Account holder"), max_length=200, required=False)
    holder_cuit = forms.CharField(label=_("Holder's CUIT/CUIL"), max_length=20, required=False)

    def refund_arguments(self) -> dict:
        from .hooks import TransferAccount

        data = self.cleaned_data
        arguments = {k: data[k] for k in ("amount", "reason", "as_credit")}
        if data["cbu"] or data["holder_name"] or data["holder_cuit"]:
            arguments["transfer_to"] = TransferAccount(
                cbu=data["cbu"], holder_name=data["holder_name"], holder_cuit=data["holder_cuit"]
            )
        return arguments


class OrderFilterForm(forms.Form):
    estado = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            *PaymentOrder.Status.choices,
            ("overdue", pgettext_lazy("payment order", "Overdue")),
        ],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class DayForm(forms.Form):
    dia = forms.DateField(label=_("Day"), widget=DateInput(), required=False)


class SettlementForm(forms.Form):
    file = forms.FileField(
        label=_("Settlement file"),
        help_text=_(
            "The collection network's daily file (fixed width, as documented); up to 20 MB."
        ),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return uploaded
