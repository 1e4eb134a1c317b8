"""The contact centre's integrations, as plugins (a real and a demo implementation each)."""

from __future__ import annotations

from core.registry import PluginRegistry

from .whatsapp import CloudApi, DemoWhatsApp

WHATSAPP = PluginRegistry("WhatsApp connection", settings=("CONTACT_WHATSAPP_BACKEND",))


def register_plugins() -> None:
    WHATSAPP.register(CloudApi())
    WHATSAPP.register(DemoWhatsApp())


def whatsapp():
    return WHATSAPP.chosen()
