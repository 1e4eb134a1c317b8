"""How a higher app hears about its signed documents and decides who may have them.

Documents belong to a subject of another app (a case, a payment order). That
app registers a ``SubjectHooks`` for its model from its ``AppConfig.ready``;
this app calls it, never imports it:

    class CaseDocuments(SubjectHooks):
        def issued(self, subject, document, *, actor): ...   # timeline, audit
        def may_download(self, user, subject, document): return subject.applicant_id == user.pk

    hooks.register(Case, CaseDocuments())

Every hook runs inside the transaction that changed the document, so what
the subject's app writes commits or rolls back with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from core.registry import Registry

from .models import SignedDocument


@dataclass(frozen=True)
class DocumentContent:
    """What a document says, given by its subject's app when it asks for it."""

    title: str
    """The heading, e.g. "Certificado de habilitación comercial"."""
    template: str
    """A template extending ``documents/pdf/base.html``; it gets ``facts``."""
    subject_label: str
    """How the document names its subject (footer, PDF title, signature reason)."""
    facts: dict[str, Any] = field(default_factory=dict)
    """What it states, as JSON values; fixed when requested, so a re-run signs the same text.
    Keys ending in ``_on`` hold ISO dates and are printed dd/mm/yyyy."""


class SubjectHooks:
    """The defaults: nobody downloads, nothing is told. Override what the subject needs."""

    def issued(self, subject: Any, document: SignedDocument, *, actor: Any) -> None:
        """The document was signed and stored."""

    def failed(self, subject: Any, document: SignedDocument, *, error: str) -> None:
        """Signing failed (it is retried); ``document.attempts`` counts the failures."""

    def revoked(self, subject: Any, document: SignedDocument, *, actor: Any, reason: str) -> None:
        """The document was revoked, or superseded by a new one (``document.status`` says)."""

    def may_download(self, user: Any, subject: Any, document: SignedDocument) -> bool:
        """Whether ``user`` may download the file (anyone may verify it by its code)."""
        return False

    def download_name(self, subject: Any, document: SignedDocument) -> str:
        return f"{document.display_code}.pdf"

    def fresh_content(self, subject: Any, document: SignedDocument) -> DocumentContent | None:
        """The content as of today, to re-issue ``document`` (or to sign one carried over
        without content); None when the subject's app cannot re-issue it."""
        return None


SUBJECTS: Registry[SubjectHooks] = Registry("document subject")
_DEFAULT = SubjectHooks()


def register(model: type[models.Model], hooks: SubjectHooks) -> None:
    SUBJECTS.register(model._meta.label_lower, hooks)


def subject_type(subject: models.Model) -> str:
    return subject._meta.label_lower


def hooks_for(document: SignedDocument) -> SubjectHooks:
    return SUBJECTS.find(document.subject_type) or _DEFAULT


def subject_of(document: SignedDocument) -> Any:
    """The subject's row, or None if its model or the row is gone."""
    try:
        model = apps.get_model(document.subject_type)
    except (LookupError, ValueError):
        return None
    return model._default_manager.filter(pk=document.subject_id).first()
