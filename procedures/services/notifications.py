"""E-mails to the applicant about their case, in Spanish first."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ..models import Case

SUBJECTS = {
    "submitted": "Recibimos tu trámite {reference}",
    "assisted": "Iniciamos un trámite a tu nombre: {reference}",
    "correction": "Tu trámite {reference} necesita una corrección",
    "approved": "Tu trámite {reference} fue aprobado",
    "rejected": "Tu trámite {reference} fue rechazado",
    "withdrawn": "Desististe del trámite {reference}",
}


def notify_applicant(case: Case, *, event: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        if event == "submitted" and case.filed_by_id != case.applicant_id:
            event = "assisted"
        context = {
            "case": case,
            "procedure_name": case.version.name_es,
            "case_url": settings.SITE_URL
            + reverse("procedures:case_detail", args=[case.reference]),
            "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
        }
        body = render_to_string(f"procedures/email/{event}.txt", context)
        send_mail(
            SUBJECTS[event].format(reference=case.reference),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [case.applicant.email],
        )
