"""Reading signed documents: those of a subject, look-ups by code and by file."""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from . import hooks
from .models import SignedDocument, normalize_code

Status = SignedDocument.Status


def documents_of(subject: Model) -> QuerySet[SignedDocument]:
    """Every document about ``subject``, oldest first."""
    return SignedDocument.objects.filter(
        subject_type=hooks.subject_type(subject), subject_id=str(subject.pk)
    ).order_by("created_at", "id")


def by_code(text: str) -> SignedDocument | None:
    code = normalize_code(text)
    if not code:
        return None
    return SignedDocument.objects.select_related("superseded_by").filter(code=code).first()


def by_sha256(digest: str) -> SignedDocument | None:
    """The document this exact file is (as issued, or after its long-term extension)."""
    return (
        SignedDocument.objects.select_related("superseded_by")
        .filter(Q(sha256=digest) | Q(issued_sha256=digest))
        .exclude(status=Status.PENDING)
        .first()
    )


def can_download(user, document: SignedDocument) -> bool:
    """An issued file, to those its subject's app allows (``SubjectHooks.may_download``)."""
    if not user.is_authenticated or not document.has_file:
        return False
    subject = hooks.subject_of(document)
    return subject is not None and hooks.hooks_for(document).may_download(user, subject, document)


def download_name(document: SignedDocument) -> str:
    return hooks.hooks_for(document).download_name(hooks.subject_of(document), document)
