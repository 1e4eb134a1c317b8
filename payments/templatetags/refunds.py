"""``{% refund_state refund %}``: how a refund by bank transfer stands (its transfer order's
state, from the app that pays it), for the payer's and treasury's pages."""

from __future__ import annotations

from django import template

from ..services import refund_state as state_of

register = template.Library()


@register.simple_tag
def refund_state(refund) -> str:
    return state_of(refund)
