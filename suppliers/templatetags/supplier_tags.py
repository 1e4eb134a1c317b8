from decimal import Decimal

from django import template

from core.templatetags.portal import ars

register = template.Library()


@register.filter
def money(amount, currency: str = "ARS") -> str:
    """Amounts the Argentine way in any currency: $ 1.234,50 or EUR 1.234,50."""
    if amount in (None, ""):
        return "—"
    text = ars(amount)
    return text if currency in ("ARS", "", None) else f"{currency} {text[2:]}"


@register.filter
def quantity(value) -> str:
    """A quantity without trailing zeros: 20, 2.5."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")
