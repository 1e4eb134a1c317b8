"""The document a case produces when its last step is approved (unsigned PDF/A)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from core import audit
from documents.signing.pdf import render_pdf
from documents.signing.sign import sha256_hex

from ..models import Case, CaseEvent, CaseOutput
from .catalog import definition_of

OUTPUT_KIND_LABELS = {
    "certificate": "Certificado",
    "resolution": "Resolución",
    "acknowledgement": "Constancia de recepción",
}


def _system_values(case: Case) -> dict[str, str]:
    applicant = case.applicant
    return {
        "applicant_name": applicant.full_name or applicant.email,
        "applicant_id": applicant.document_number or "—",
        "case_number": case.reference,
        "issued_on": formats.date_format(timezone.localdate(), "j \\d\\e F \\d\\e Y"),
    }


def render_output_pdf(case: Case) -> bytes:
    definition = definition_of(case.version)
    spec = definition.output
    with translation.override("es"):
        html = render_to_string(
            "procedures/output.html",
            {
                "case": case,
                "definition": definition,
                "title": spec.title.es if spec.title else definition.name.es,
                "body": definition.render_output(case.answers, _system_values(case)),
                "issued_on": timezone.localdate(),
                "kind_label": OUTPUT_KIND_LABELS.get(spec.kind, ""),
                "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
            },
        )
    return render_pdf(
        html,
        base_url=settings.BASE_DIR.as_uri() + "/",
        allowed_roots=[],
        title=f"{spec.title.es if spec.title else definition.name.es} — {case.reference}",
        lang="es-AR",
        author=settings.MUNICIPALITY_NAME,
    )


def produce_output(case: Case) -> CaseOutput:
    """Idempotent: a case has at most one output, produced once."""
    existing = CaseOutput.objects.filter(case=case).first()
    if existing:
        return existing
    pdf = render_output_pdf(case)
    kind = definition_of(case.version).output.kind
    with transaction.atomic():
        output = CaseOutput(
            case=case, kind=kind, token=secrets.token_hex(16), sha256=sha256_hex(pdf)
        )
        output.file.save(f"{output.token}.pdf", ContentFile(pdf), save=False)
        output.save()
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OUTPUT_READY)
        audit.record(
            actor=None,
            action="case.output_produced",
            obj=case,
            after={"kind": kind, "sha256": output.sha256},
        )
    return output
