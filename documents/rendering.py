"""How a document is rendered to PDF/A: its subject's template, with the facts fixed when it
was requested, inside ``documents/pdf/base.html`` (header, signature, verification code).

Documents are legal texts in Spanish whatever the reader's language.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import SignedDocument
from .signing.pdf import qr_png_data_uri, render_pdf

SEAL_ROLE = "Sello institucional"


def verification_path(code: str) -> str:
    return reverse("documents:verify_code", args=[code])


def verification_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + verification_path(code)


def _allowed_roots() -> list[Path]:
    roots = [Path(d) for d in settings.STATICFILES_DIRS]
    media = Path(settings.MEDIA_ROOT)
    return [*roots, media] if media.is_dir() else roots


def _shown(value: Any, key: str = "") -> Any:
    """Facts keep dates as ISO strings (``*_on``); documents print them dd/mm/yyyy."""
    if isinstance(value, dict):
        return {k: _shown(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    if key.endswith("_on") and isinstance(value, str) and value:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    return value


def render_html(document: SignedDocument) -> str:
    url = verification_url(document.code)
    with translation.override("es"):
        return render_to_string(
            document.template,
            {
                "document": document,
                "facts": _shown(document.facts),
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
        title=f"{document.title} — {document.subject_label}",
        lang="es-AR",
        author=settings.MUNICIPALITY_NAME,
    )
