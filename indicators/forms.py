from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ArgentineDecimalField
from core.offices import directory
from procedures.models import Case

# A range longer than this would be a slow page and an unreadable chart.
MAX_RANGE_DAYS = 3 * 366


class DashboardFilterForm(forms.Form):
    desde = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    hasta = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    por = forms.ChoiceField(
        label=_("Per"),
        choices=[("month", _("month")), ("week", _("week"))],
        required=False,
    )
    departamento = forms.ChoiceField(label=_("Department"), required=False)
    tramite = forms.ChoiceField(label=_("Procedure"), required=False)
    canal = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", pgettext_lazy("channels", "All"))] + list(Case.Channel.choices),
    )
    oficina = forms.ChoiceField(
        label=_("Office"),
        required=False,
        help_text=_("Only cases filed at a counter have an office."),
    )

    def __init__(self, *args, departments, procedures, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["departamento"].choices = departments
        self.fields["tramite"].choices = [("", pgettext_lazy("procedures", "All"))] + procedures
        self.fields["oficina"].choices = [("", pgettext_lazy("offices", "All"))] + [
            (office.code, str(office.name))
            for office in directory().offices
            if office.assisted_filing
        ]

    def clean(self):
        data = super().clean()
        last = data.get("hasta") or self.today
        first = data.get("desde") or (last.replace(day=1) - timedelta(days=335)).replace(day=1)
        if first > last:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (last - first).days > MAX_RANGE_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        data["desde"], data["hasta"] = first, last
        data["por"] = data.get("por") or "month"
        if data.get("oficina") and data.get("canal") not in ("", None, Case.Channel.COUNTER):
            raise forms.ValidationError(
                _("Only cases filed at a counter have an office: choose that channel or no office.")
            )
        return data


class CostForm(forms.Form):
    mes = forms.CharField(
        label=_("Month"),
        help_text=_("As YYYY-MM, for example 2026-03."),
        max_length=7,
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "off"}),
    )
    canal = forms.ChoiceField(label=_("Channel"), choices=Case.Channel.choices)
    monto = ArgentineDecimalField(
        label=_("Cost (ARS)"),
        help_text=_("What the channel cost that month, for example 1.250.000,50."),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        error_messages={
            "invalid": _("Write an amount in pesos, for example 1.250.000,50."),
            "min_value": _("A cost cannot be negative."),
            "max_decimal_places": _("Write an amount in pesos with at most two decimals."),
            "max_digits": _("Write an amount in pesos with at most two decimals."),
            "max_whole_digits": _("Write an amount in pesos with at most two decimals."),
        },
    )

    def clean_mes(self) -> date:
        text = self.cleaned_data["mes"].strip()
        try:
            year, month = (int(part) for part in text.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM.")) from None


class SatisfactionForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with this service?"),
        choices=[
            (5, _("5 — Very satisfied")),
            (4, _("4 — Satisfied")),
            (3, _("3 — Neither satisfied nor dissatisfied")),
            (2, _("2 — Dissatisfied")),
            (1, _("1 — Very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea({"rows": 3}),
    )
