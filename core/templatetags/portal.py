from django import template

from core.money import format_money, format_number

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def ars(amount) -> str:
    """Pesos written the Argentine way: $ 1.234,50."""
    return format_money(amount)


@register.filter
def money(amount, currency: str = "ARS") -> str:
    """Any currency written the Argentine way: $ 1.234,50, EUR 1.234,50; "—" for none."""
    return format_money(amount, currency) if amount not in (None, "") else "—"


@register.filter
def quantity(value) -> str:
    """A quantity without trailing zeros: 20, 2,5."""
    return format_number(value)


@register.filter
def error_target(bound_field) -> str:
    """The id an error summary links to: the field itself, or the first option of a group
    of radio buttons or checkboxes (which have no single element to label)."""
    return bound_field.id_for_label or f"{bound_field.auto_id}_0"
