"""The dashboard sources of the other parts of the portal, one module each (see ``sources``)."""

from __future__ import annotations

from django.apps import apps

from .. import sources


def register_installed() -> None:
    """Register the source of each part whose app is installed; the rest stay placeholders."""
    from . import appointments, contact, ivr, payments

    for part in (contact, ivr, appointments, payments):
        if apps.is_installed(part.APP):
            sources.register(part.SOURCE)
