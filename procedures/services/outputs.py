"""The signed documents of a case: what they state, and what the case hears back about them.

Certificates, acknowledgements and payment receipts are sealed by the
municipality on the signing queue (``documents.services.request_document``);
a resolution is signed by the approving official, with their PIN, when they
approve (``sign_resolution``, called by ``review.decide``). The documents app
knows nothing of cases: this module gives it each document's content (the
case's details in Spanish, rendered by ``templates/procedures/pdf/``) and,
through ``CaseDocuments``, writes the case's timeline and audit trail when a
document is issued, fails or is revoked, and decides who may download it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from django.utils import formats, timezone, translation

from accounts.models import User
from core import audit
from documents import hooks
from documents import services as documents
from documents.hooks import DocumentContent, SubjectHooks
from documents.models import SignedDocument

from ..catalog.definitions import _display
from ..models import Case, CaseEvent
from .catalog import definition_of

log = logging.getLogger(__name__)

# Kinds a case's definition can name as its output; payment receipts are documents too.
OUTPUT_KINDS = ("certificate", "resolution", "acknowledgement")
PAYMENT_RECEIPT = "payment_receipt"
# The receipt of filing is an acknowledgement too, told apart from an output by its key.
FILING_RECEIPT_KEY = "presentacion"
FILING_RECEIPT_TITLE = "Constancia de presentación"
KIND_TITLES = {
    "certificate": "Certificado",
    "resolution": "Resolución",
    "acknowledgement": "Constancia de recepción",
    PAYMENT_RECEIPT: "Comprobante de pago",
}
# What case_content states about the case; anything else in a document's facts came from its
# caller (the payment of a receipt) and is kept when the document is re-issued.
CASE_FACT_KEYS = frozenset(
    {
        "reference",
        "procedure",
        "applicant_name",
        "applicant_document",
        "submitted_on",
        "issued_on",
        "kind_title",
        "title",
        "body",
    }
)


def _long_date(value) -> str:
    return formats.date_format(value, "j \\d\\e F \\d\\e Y")


def case_content(case: Case, kind: str, extra: dict[str, Any] | None = None) -> DocumentContent:
    """The case's details as a document of ``kind`` states them, in Spanish."""
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
            "kind_title": KIND_TITLES[kind],
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
    return DocumentContent(
        title=facts["title"],
        template=f"procedures/pdf/{kind}.html",
        subject_label=f"Expediente {case.reference} ({definition.name.es})",
        facts=facts,
    )


def filing_receipt_content(case: Case) -> DocumentContent:
    """What the receipt of filing states: who filed what, when, with every answer and the
    name and SHA-256 of every file as they were received."""
    definition = definition_of(case.version)
    answers = []
    for spec in definition.fields:
        shown = spec.show_if is None or spec.show_if.matches(case.answers.get(spec.show_if.field))
        value = case.answers.get(spec.name)
        if shown and spec.kind != "file" and value not in (None, "", []):
            answers.append([spec.label.es, _display(spec, value)])
    labels = {d.name: d.label.es for d in definition.documents} | {
        f.name: f.label.es for f in definition.fields if f.kind == "file"
    }
    files = [
        [labels.get(d.slot, d.slot), d.original_name, d.sha256]
        for d in case.documents.filter(replaced=False).order_by("slot")
    ]
    content = case_content(
        case,
        "acknowledgement",
        {
            "title": FILING_RECEIPT_TITLE,
            "kind_title": FILING_RECEIPT_TITLE,
            "body": "Se deja constancia de la presentación de la solicitud, con estos datos y "
            "archivos.",
            "answers": answers,
            "files": files,
        },
    )
    return replace(content, template="procedures/pdf/filing_receipt.html")


def request_filing_receipt(*, case: Case, actor: User | None) -> SignedDocument:
    """The sealed receipt of filing, requested the first time the resident wants it."""
    return documents.request_document(
        subject=case,
        kind="acknowledgement",
        key=FILING_RECEIPT_KEY,
        content=filing_receipt_content(case),
        actor=actor,
    )


def filing_receipt(case: Case) -> SignedDocument | None:
    return documents.current_document(case, "acknowledgement", FILING_RECEIPT_KEY)


def _announce_output(case: Case, document: SignedDocument, actor: User | None) -> None:
    """The case's timeline and audit trail say its output is ready."""
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OUTPUT_READY)
    audit.record(
        actor=actor,
        action="case.output_produced",
        obj=case,
        after={"kind": document.kind, "code": document.code, "sha256": document.sha256},
    )


def produce_output(case: Case) -> SignedDocument | None:
    """After approval (the outbox runs it once): the case's output document. Idempotent."""
    from .fees import output_waits_for_payment

    kind = definition_of(case.version).output.kind
    if kind == "none" or output_waits_for_payment(case):  # produced once paid (fees.CaseFees)
        return None
    if kind == "resolution":
        resolution = documents.current_document(case, kind)
        if resolution is not None and resolution.status == SignedDocument.Status.ISSUED:
            _announce_output(case, resolution, actor=None)
            return resolution
        # Approved before officials signed resolutions: the municipality seals it instead.
        log.warning("%s has no signed resolution: sealing it", case.reference)
    return documents.request_document(subject=case, kind=kind, content=case_content(case, kind))


def sign_resolution(*, case: Case, official: User, pin: str) -> SignedDocument:
    """The approving official signs the case's resolution (see ``review.decide``)."""
    return documents.sign_with_official(
        subject=case,
        kind="resolution",
        content=case_content(case, "resolution"),
        official=official,
        pin=pin,
    )


def request_payment_receipt(
    *,
    case: Case,
    payment_reference: str,
    amount_display: str,
    method: str,
    paid_on: str,
    concept: str = "",
    actor: User | None = None,
) -> SignedDocument:
    """The sealed receipt of one payment of ``case``, in the payment's transaction.
    ``paid_on`` is an ISO date; texts are in Spanish, as printed."""
    extra = {
        "payment_reference": payment_reference,
        "amount_display": amount_display,
        "method": method,
        "paid_on": paid_on,
        "concept": concept or f"Tasa del trámite {case.reference}",
    }
    return documents.request_document(
        subject=case,
        kind=PAYMENT_RECEIPT,
        key=payment_reference[:64],
        content=case_content(case, PAYMENT_RECEIPT, extra),
        actor=actor,
    )


class CaseDocuments(SubjectHooks):
    """What a case does when one of its documents changes, and who may download them."""

    def issued(self, subject: Case, document: SignedDocument, *, actor) -> None:
        # A resolution is signed while its case is still being approved: produce_output
        # announces it once the case is approved.
        output = document.kind in OUTPUT_KINDS and document.key != FILING_RECEIPT_KEY
        if output and subject.status == Case.Status.APPROVED:
            _announce_output(subject, document, actor)

    def failed(self, subject: Case, document: SignedDocument, *, error: str) -> None:
        if document.attempts == 1:  # once: retries go on, and the page shows the last error
            audit.record(
                actor=None,
                action="case.document_failed",
                obj=subject,
                after={"kind": document.kind, "code": document.code, "error": error[:300]},
            )

    def revoked(self, subject: Case, document: SignedDocument, *, actor, reason: str) -> None:
        audit.record(
            actor=actor,
            action=f"case.document_{document.status}",
            obj=subject,
            after={"kind": document.kind, "code": document.code, "reason": reason},
        )

    def may_download(self, user: User, subject: Case, document: SignedDocument) -> bool:
        from ..selectors import can_view_case

        return subject.applicant_id == user.pk or can_view_case(user, subject)

    def download_name(self, subject: Case, document: SignedDocument) -> str:
        if document.key == FILING_RECEIPT_KEY:
            return f"{subject.reference}-constancia-de-presentacion.pdf"
        return f"{subject.reference}-{document.kind}.pdf"

    def fresh_content(self, subject: Case, document: SignedDocument) -> DocumentContent:
        if document.key == FILING_RECEIPT_KEY:
            return filing_receipt_content(subject)
        kept = {k: v for k, v in document.facts.items() if k not in CASE_FACT_KEYS}
        return case_content(subject, document.kind, kept)


def register_hooks() -> None:
    hooks.register(Case, CaseDocuments())
