"""``{{ code|itf_barcode }}``: a slip's barcode as an SVG image (data URI), for its PDF."""

from __future__ import annotations

import base64

from django import template

from ..cash import barcode_svg

register = template.Library()


@register.filter
def itf_barcode(code: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(barcode_svg(code).encode()).decode()
