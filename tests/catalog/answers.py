"""Valid form data generated from a procedure definition, as a person would type it."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from procedures.catalog import DocumentSpec, FieldSpec, ProcedureDefinition, Section
from tests.engine.conftest import PDF_BYTES, PNG_BYTES

TYPED = {
    "email": "vecina@example.com",
    "phone": "0351 555-1234",
    "dni": "30111222",
    "cuit": "20-12345678-6",
    "address": "Av. San Martín 1234",
    "textarea": "Descripción de prueba con detalle suficiente.",
}


def upload_for(accept: tuple[str, ...], name: str) -> SimpleUploadedFile:
    if "application/pdf" in accept:
        return SimpleUploadedFile(f"{name}.pdf", PDF_BYTES)
    return SimpleUploadedFile(f"{name}.png", PNG_BYTES)


def typed_value(spec: FieldSpec) -> object:
    kind = spec.kind
    if kind in TYPED:
        return TYPED[kind]
    if kind == "text":
        return "Texto de prueba"[: spec.max_length or 200]
    if kind in ("number", "money"):
        low = spec.min_value if spec.min_value is not None else Decimal(1)
        value = max(low, Decimal(1)) if spec.max_value is None or spec.max_value >= 1 else low
        return str(value)
    if kind == "date":
        return timezone.localdate().isoformat()
    if kind == "choice":
        return spec.choices[0].value
    if kind == "multichoice":
        return [spec.choices[0].value]
    if kind == "yesno":
        return "yes"  # "yes" opens the fields that depend on it, so they are exercised too
    raise ValueError(kind)


def section_data(
    definition: ProcedureDefinition, section: Section, known: dict
) -> tuple[dict, dict]:
    data, files = {}, {}
    answers = dict(known)
    for spec in section.fields:
        if spec.show_if and not spec.show_if.matches(answers.get(spec.show_if.field)):
            continue
        if spec.kind == "file":
            files[spec.name] = upload_for(spec.accept or ("application/pdf",), spec.name)
            continue
        data[spec.name] = answers[spec.name] = typed_value(spec)
    return data, files


def document_files(documents: tuple[DocumentSpec, ...]) -> dict:
    return {d.name: upload_for(d.accept, d.name) for d in documents}
