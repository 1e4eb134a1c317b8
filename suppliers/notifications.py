"""E-mails of the supplier portal."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import SupplierInvitation


def send_invitation(invitation: SupplierInvitation) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("suppliers:invitation", args=[invitation.token])
    with translation.override("es"):
        body = render_to_string(
            "suppliers/email/invitation.txt",
            {
                "invitation": invitation,
                "link": link,
                "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
            },
        )
        subject = f"{settings.MUNICIPALITY_NAME}: invitación al portal de proveedores"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
