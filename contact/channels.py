"""The contact centre's integrations, as plugins (a real and a demo implementation each)."""

from __future__ import annotations

from django.conf import settings

from accounts.phone import PHONE_CODE_SENDERS, CodeNotSent
from core.registry import PluginRegistry

from .whatsapp import CloudApi, DemoWhatsApp, WhatsAppError

WHATSAPP = PluginRegistry("WhatsApp connection", settings=("CONTACT_WHATSAPP_BACKEND",))


class WhatsAppPhoneCode:
    """Residents' phone codes through our WhatsApp connection: an approved authentication
    template, which Meta delivers to any WhatsApp number (no 24-hour window applies)."""

    key = "whatsapp"
    label = "WhatsApp (authentication template)"
    demo = False

    def problems(self) -> list[str]:
        if not settings.WHATSAPP_VERIFICATION_TEMPLATE:
            return ["WHATSAPP_VERIFICATION_TEMPLATE is not set."]
        return []

    def send_code(self, *, phone: str, code: str) -> None:
        try:
            whatsapp().send_verification_code(to=phone, code=code)
        except WhatsAppError as exc:
            if exc.permanent:
                raise CodeNotSent(str(exc)) from exc
            raise


def register_plugins() -> None:
    WHATSAPP.register(CloudApi())
    WHATSAPP.register(DemoWhatsApp())
    PHONE_CODE_SENDERS.register(WhatsAppPhoneCode())


def whatsapp():
    return WHATSAPP.chosen()
