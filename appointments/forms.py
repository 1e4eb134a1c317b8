from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.calendar import LOCAL_TIMEZONE

from .models import Desk, Service


def _dni(value: str) -> str:
    digits = value.replace(".", "").replace(" ", "").strip()
    if not digits.isdigit() or not 6 <= len(digits) <= 9:
        raise forms.ValidationError(_("Enter the DNI number, digits only (e.g. 30123456)."))
    return digits


class VisitorForm(forms.Form):
    starts_at = forms.CharField(widget=forms.HiddenInput)
    dni = forms.CharField(label=_("DNI"), max_length=12)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("We send the confirmation and the reminder here.")
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)

    def clean_dni(self) -> str:
        return _dni(self.cleaned_data["dni"])

    def clean_starts_at(self) -> datetime:
        moment = parse_start(self.cleaned_data["starts_at"])
        if moment is None:
            raise forms.ValidationError(_("Choose a time from the list."))
        return moment


def parse_start(text: str | None) -> datetime | None:
    """A slot's start as sent by the time list (ISO 8601; local time when it has no offset)."""
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TIMEZONE)


def priority_label(categories: str) -> str:
    """The priority box's label: the office's categories (local law) or the default ones."""
    if categories:
        return _("I need priority (%(categories)s)") % {"categories": categories}
    return _("I need priority (pregnant, over 65, disability or reduced mobility)")


class CheckInForm(forms.Form):
    code_or_dni = forms.CharField(label=_("Booking code or DNI"), max_length=20)
    priority = forms.BooleanField(required=False)

    def __init__(self, *args, priority_categories: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].label = priority_label(priority_categories)


class WalkInForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("What do you come for?"), queryset=Service.objects.none(), empty_label=None
    )
    priority = forms.BooleanField(required=False)

    def __init__(self, *args, office_code: str, priority_categories: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].label = priority_label(priority_categories)
        self.fields["service"].queryset = Service.objects.filter(
            active=True, desks__office_code=office_code, desks__active=True
        ).distinct()
        self.fields["service"].widget = forms.RadioSelect()
        self.fields["service"].widget.choices = self.fields["service"].choices


class BlockForm(forms.Form):
    desk = forms.ModelChoiceField(
        label=_("Desk"),
        queryset=Desk.objects.none(),
        required=False,
        empty_label=_("Every desk of the office"),
    )
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=pgettext_lazy("time of day", "From"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=pgettext_lazy("time of day", "Until"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, office_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = Desk.objects.filter(office_code=office_code, active=True)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise forms.ValidationError(_("The end must be after the start."))
        return data

    def period(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return (
            datetime.combine(data["day"], data["start"], LOCAL_TIMEZONE),
            datetime.combine(data["day"], data["end"], LOCAL_TIMEZONE),
        )


class TransferForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Send to"), queryset=Service.objects.none())

    def __init__(self, *args, office_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(
            active=True, desks__office_code=office_code, desks__active=True
        ).distinct()
