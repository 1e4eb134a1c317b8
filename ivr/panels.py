"""What the phone menu adds to other apps' pages."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from .selectors import phone_figures

DAYS = 30


def contact_figures(request: HttpRequest) -> dict:
    """The phone beside the written channels on the contact centre's figures page."""
    today = timezone.localdate()
    return {"phone": phone_figures(today - timedelta(days=DAYS - 1), today), "days": DAYS}
