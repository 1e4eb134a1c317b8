from django import template

from core.money import format_money

from ..figures import DAYS_OVERFLOW
from ..figures import percent as percent_text

register = template.Library()

FILLS = {
    "on-time": "#1b6e3a",
    "late": "#a35200",
    "very-late": "#a4161a",
    "band-1": "#2f5d8a",
    "band-2": "#a35200",
    "band-3": "#a4161a",
}


@register.filter
def percent(value):
    return percent_text(value)


@register.filter
def days(value):
    if value is None:
        return "—"
    if value >= DAYS_OVERFLOW:
        # The last bucket of the histograms counts every longer time together.
        return f"≥ {DAYS_OVERFLOW}"
    return f"{value:.1f}".replace(".", ",")


@register.filter
def average(value):
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


@register.filter
def fill(css):
    return FILLS.get(css, "#444")


@register.filter
def pesos(value):
    return "—" if value is None else format_money(value)


@register.filter
def blank(value):
    """A suppressed or missing public figure."""
    return "—" if value is None else value


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def index(sequence, position):
    return sequence[position]
