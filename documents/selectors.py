"""Reading signed documents: a case's output, look-ups by code and by file, who may download."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from procedures import selectors as procedure_selectors
from procedures.models import Case

from .models import SignedDocument, normalize_code

OUTPUT_KINDS = ("certificate", "resolution", "acknowledgement")
Status = SignedDocument.Status


def case_output(case: Case) -> SignedDocument | None:
    """The document the case produced as its output, once signed (issued or since revoked)."""
    return (
        SignedDocument.objects.filter(
            case=case, kind__in=OUTPUT_KINDS, status__in=[Status.ISSUED, Status.REVOKED]
        )
        .order_by("-created_at", "-id")
        .first()
    )


def documents_of_case(case: Case) -> QuerySet[SignedDocument]:
    return SignedDocument.objects.filter(case=case).order_by("created_at", "id")


def by_code(text: str) -> SignedDocument | None:
    code = normalize_code(text)
    if not code:
        return None
    return (
        SignedDocument.objects.select_related("case__version", "superseded_by")
        .filter(code=code)
        .first()
    )


def by_sha256(digest: str) -> SignedDocument | None:
    """The document this exact file is (as issued, or after its long-term extension)."""
    return (
        SignedDocument.objects.select_related("case__version", "superseded_by")
        .filter(Q(sha256=digest) | Q(issued_sha256=digest))
        .exclude(status=Status.PENDING)
        .first()
    )


def can_download(user: User, document: SignedDocument) -> bool:
    """The case's applicant, and staff whose departments act on the case."""
    if not user.is_authenticated or not document.has_file:
        return False
    case = document.case
    return case.applicant_id == user.pk or procedure_selectors.can_view_case(user, case)
