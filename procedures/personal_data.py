"""What a resident filed, for the download of their personal data (``accounts.personal_data``)."""

from __future__ import annotations

from accounts.models import User
from accounts.personal_data import Exported
from core.files import safe_filename

from .models import Case


def cases_of(user: User) -> Exported:
    cases, files = [], []
    for case in Case.objects.filter(applicant=user).select_related("version").order_by("pk"):
        documents = []
        for document in case.documents.order_by("pk"):
            name = f"{case.reference or f'borrador-{case.pk}'}/{document.pk}-{safe_filename(document.original_name)}"
            documents.append(
                {
                    "slot": document.slot,
                    "file": name,
                    "name": document.original_name,
                    "sha256": document.sha256,
                    "replaced": document.replaced,
                }
            )
            files.append((name, lambda d=document: d.file.open("rb")))
        cases.append(
            {
                "reference": case.reference,
                "procedure": case.version.name_es,
                "status": case.status,
                "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
                "answers": case.answers,
                "documents": documents,
                "history": [
                    {"at": e.at.isoformat(), "kind": e.kind, "message": e.message}
                    for e in case.events.filter(public=True)
                ],
            }
        )
    return cases, files
