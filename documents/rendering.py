"""What a document says (its facts, fixed when requested) and how it is rendered to PDF/A.

Documents are legal texts in Spanish whatever the reader's language; each
kind has its template under ``templates/documents/pdf/``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from procedures.models import Case
from procedures.services.catalog import definition_of

from .models import SignedDocument
from .signing.pdf import qr_png_data_uri, render_pdf

KIND_TITLES = {
    SignedDocument.Kind.CERTIFICATE: "Certificado",
    SignedDocument.Kind.RESOLUTION: "Resolución",
    SignedDocument.Kind.ACKNOWLEDGEMENT: "Constancia de recepción",
    SignedDocument.Kind.PAYMENT_RECEIPT: "Comprobante de pago",
}
SEAL_ROLE = "Sello institucional"
# What case_facts states about the case; anything else in a document's facts came from its caller.
CASE_FACT_KEYS = frozenset(
    {
        "reference",
        "procedure",
        "applicant_name",
        "applicant_document",
        "submitted_on",
        "issued_on",
        "title",
        "body",
    }
)


def _long_date(value) -> str:
    return formats.date_format(value, "j \\d\\e F \\d\\e Y")


def case_facts(case: Case, kind: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The case's details as the document states them, in Spanish."""
    definition = definition_of(case.version)
    applicant = case.applicant
    today = timezone.localdate()
    with translation.override("es"):
        document_id = (
            f"{applicant.get_document_type_display()} {applicant.document_number}"
            if applicant.document_number
            else ""
        )
        facts: dict[str, Any] = {
            "reference": case.reference,
            "procedure": definition.name.es,
            "applicant_name": applicant.full_name or applicant.email,
            "applicant_document": document_id,
            "submitted_on": timezone.localdate(case.submitted_at).isoformat()
            if case.submitted_at
            else "",
            "issued_on": today.isoformat(),
            "title": KIND_TITLES[kind],
            "body": "",
        }
        spec = definition.output
        if kind == spec.kind:
            facts["title"] = spec.title.es if spec.title else definition.name.es
            facts["body"] = definition.render_output(
                case.answers,
                {
                    "applicant_name": facts["applicant_name"],
                    "applicant_id": applicant.document_number or "—",
                    "case_number": case.reference,
                    "issued_on": _long_date(today),
                },
            )
    facts.update(extra or {})
    return facts


def verification_path(code: str) -> str:
    return reverse("documents:verify_code", args=[code])


def verification_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + verification_path(code)


def _allowed_roots() -> list[Path]:
    roots = [Path(d) for d in settings.STATICFILES_DIRS]
    media = Path(settings.MEDIA_ROOT)
    return [*roots, media] if media.is_dir() else roots


def _shown(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts keep dates as ISO strings (``*_on``); documents print them dd/mm/yyyy."""
    return {
        key: dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        if key.endswith("_on") and isinstance(value, str) and value
        else value
        for key, value in facts.items()
    }


def render_html(document: SignedDocument) -> str:
    url = verification_url(document.code)
    with translation.override("es"):
        return render_to_string(
            f"documents/pdf/{document.kind}.html",
            {
                "document": document,
                "facts": _shown(document.facts),
                "kind_title": KIND_TITLES[document.kind],
                "municipality": settings.MUNICIPALITY_NAME,
                "code": document.display_code,
                "verification_url": url,
                "verification_site": settings.SITE_URL.rstrip("/") + reverse("documents:verify"),
                "qr": qr_png_data_uri(url),
            },
        )


def render_document(document: SignedDocument) -> bytes:
    """The unsigned PDF/A of ``document``."""
    return render_pdf(
        render_html(document),
        base_url=Path(settings.STATICFILES_DIRS[0]).as_uri() + "/",
        allowed_roots=_allowed_roots(),
        title=f"{document.title} — {document.facts.get('reference', '')}",
        lang="es-AR",
        author=settings.MUNICIPALITY_NAME,
    )
