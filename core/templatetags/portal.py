from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def ars(amount) -> str:
    """Pesos written the Argentine way: $ 1.234,50."""
    if amount in (None, ""):
        return ""
    value = Decimal(amount).quantize(Decimal("0.01"))
    whole, cents = f"{value:,.2f}".split(".")
    return f"$ {whole.replace(',', '.')},{cents}"
