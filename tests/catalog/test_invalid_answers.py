"""For every field kind, a wrong answer is refused by the server with a message for that field."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procedures.forms import SectionForm
from tests.catalog.answers import section_data
from tests.catalog.test_every_procedure import CATALOG, as_post

WRONG = {
    "text": ("x" * 10_001, "como máximo"),
    "textarea": ("x" * 10_001, "como máximo"),
    "number": ("doce", "Escribí un número"),
    "money": ("12,345.678", "Escribí un número"),
    "date": ("31/02/2026", "Escribí una fecha válida"),
    "choice": ("no-existe", "Elegí una opción válida"),
    "multichoice": (["no-existe"], "Elegí una opción válida"),
    "yesno": ("quizas", "Elegí una opción válida"),
    "email": ("no-es-un-correo", "dirección de correo electrónico válida"),
    "phone": ("llamame", "Escribí un teléfono"),
    "dni": ("123", "El DNI tiene 7 u 8 dígitos"),
    "cuit": ("20-12345678-0", "dígito verificador del CUIT"),
    "address": ("", "Este campo es obligatorio"),
    "file": (SimpleUploadedFile("plano.pdf", b"GIF89a not really a pdf"), "no un archivo"),
}


def first_field_of_kind(kind: str):
    for definition in CATALOG.procedures.values():
        for section in definition.sections:
            for spec in section.fields:
                if (
                    spec.kind == kind
                    and spec.show_if is None
                    and (kind != "address" or spec.required)
                ):
                    return definition, section, spec
    raise LookupError(kind)


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_a_wrong_answer_is_refused_with_a_reason(kind, settings):
    settings.LANGUAGE_CODE = "es"
    definition, section, spec = first_field_of_kind(kind)
    data, files = section_data(definition, section, {})
    wrong, message = WRONG[kind]
    if kind == "file":
        files[spec.name] = wrong
    else:
        data[spec.name] = wrong
    form = SectionForm(
        as_post(data), files, definition=definition, section=section, known_answers={}
    )
    assert not form.is_valid()
    errors = " ".join(form.errors.get(spec.name, []))
    assert message in errors, (definition.code, spec.name, form.errors.as_json())
    assert set(form.errors) == {spec.name}, form.errors.as_json()


def test_numbers_outside_their_bounds_are_refused():
    definition, section, spec = next(
        (d, s, f)
        for d in CATALOG.procedures.values()
        for s in d.sections
        for f in s.fields
        if f.kind == "number" and f.max_value is not None and f.show_if is None
    )
    data, files = section_data(definition, section, {})
    data[spec.name] = str(spec.max_value + 1)
    form = SectionForm(
        as_post(data), files, definition=definition, section=section, known_answers={}
    )
    assert not form.is_valid()
    assert "menor o igual" in " ".join(form.errors[spec.name])
