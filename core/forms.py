"""Form fields shared by every app."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .money import UnreadableNumber, format_decimal_places, parse_amount


class ArgentineDecimalInput(forms.TextInput):
    """Shows a stored number the way the site writes it ("185.000,50"); what a person
    typed is shown back as typed."""

    def __init__(self, *, places: int | None, attrs=None):
        self.places = places
        super().__init__(attrs)

    def format_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format_decimal_places(value, self.places)
        return super().format_value(value)


class ArgentineDecimalField(forms.DecimalField):
    """A number written as Argentines do ("185.000,50", "90.000", "2,5") or as machines
    do ("1234.50"): see ``core.money.parse_amount``."""

    default_error_messages = {
        "invalid": _(
            "Write a number, for example 1.234,50 (dots for thousands, comma for decimals)."
        ),
    }

    def __init__(self, **kwargs):
        places = kwargs.get("decimal_places")
        inputmode = "decimal" if places else "numeric"
        kwargs.setdefault(
            "widget", ArgentineDecimalInput(places=places, attrs={"inputmode": inputmode})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return Decimal(value)
        try:
            return parse_amount(str(value).strip().removeprefix("$"))
        except UnreadableNumber:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget):
        # No HTML min/max/step: the browser would refuse "1.234,50" before we read it.
        return forms.Field.widget_attrs(self, widget)
