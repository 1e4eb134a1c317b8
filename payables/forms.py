from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suppliers.forms import DateInput

from .models import PaymentOrder


class BatchForm(forms.Form):
    orders = forms.ModelMultipleChoiceField(
        label=_("Payment orders"),
        queryset=PaymentOrder.objects.filter(status=PaymentOrder.Status.OPEN),
        widget=forms.CheckboxSelectMultiple,
    )
    execution_date = forms.DateField(
        label=_("Payment date"), widget=DateInput(), initial=timezone.localdate
    )


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class NotPaidForm(forms.Form):
    reason = forms.CharField(
        label=_("How do you know the bank did not pay it?"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StatementForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement or status report"),
        help_text=_(
            "A CSV with columns date, reference and amount (UTF-8), an ISO 20022 bank "
            "statement (camt.053 or camt.054 XML) or the bank's payment status report "
            "(pain.002 XML); up to 2 MB."
        ),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return uploaded.read()
