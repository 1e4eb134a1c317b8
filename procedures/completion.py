"""Proof that every procedure type can be completed, whatever the resident chooses.

For every combination of the answers that conditions (``show_if``) depend on, the
form is walked page by page as a resident sees it: a field whose condition is
evaluated in the browser (``data-show-if``, see ``static/js/show-if.js``) is filled
only when that script would show it, every other field of the page is filled, and
the server must accept the page. A required field the page hides, a page that can
never be passed or a fee that cannot be computed is reported with the combination
that leads to it. ``catalog check`` runs this over the whole catalog.
"""

from __future__ import annotations

import itertools
import unicodedata
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from .catalog import CatalogError, FieldSpec, ProcedureDefinition
from .forms import SectionForm, section_applies

TYPED = {
    "text": "Texto",
    "textarea": "Descripción",
    "email": "vecina@example.com",
    "phone": "0351 555-1234",
    "dni": "30111222",
    "cuit": "20-12345678-6",
    "address": "Av. San Martín 1234",
}


def _typed_value(spec: FieldSpec) -> Any:
    if spec.kind in TYPED:
        return TYPED[spec.kind][: spec.max_length or 200]
    if spec.kind in ("number", "money"):
        low = spec.min_value if spec.min_value is not None else 1
        return str(max(low, 1) if spec.max_value is None or spec.max_value >= 1 else low)
    if spec.kind == "date":
        return timezone.localdate().isoformat()
    if spec.kind in ("choice", "yesno"):
        return spec.choice_values[0]
    if spec.kind == "multichoice":
        return [spec.choice_values[0]]
    raise ValueError(spec.kind)


def condition_combinations(definition: ProcedureDefinition) -> list[dict[str, Any]]:
    """Every combination of values of the fields some condition depends on."""
    controllers = list(dict.fromkeys(f.show_if.field for f in definition.fields if f.show_if))
    options = []
    for name in controllers:
        spec = definition.field(name)
        values = spec.choice_values
        options.append([[v] for v in values] if spec.kind == "multichoice" else list(values))
    return [dict(zip(controllers, chosen, strict=True)) for chosen in itertools.product(*options)]


def _shown_by_script(form: SectionForm, name: str, page: dict[str, Any]) -> bool:
    """What show-if.js does: hide a field whose controlling answer on the page does not match."""
    attrs = form.fields[name].widget.attrs
    controller = attrs.get("data-show-if")
    if controller is None:
        return True
    chosen = page.get(controller)
    chosen = chosen if isinstance(chosen, list) else [chosen]
    return any(v in attrs["data-show-values"].split("|") for v in chosen)


def _as_post(data: dict[str, Any]) -> QueryDict:
    post = QueryDict(mutable=True)
    for key, value in data.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    return post


def completion_problems(definition: ProcedureDefinition, file: str) -> list[CatalogError]:
    problems = []
    for combination in condition_combinations(definition):
        answers: dict[str, Any] = {}
        described = ", ".join(f"{k}={v}" for k, v in combination.items()) or "no conditions"
        for index, section in enumerate(definition.sections):
            if not section_applies(section, answers):
                continue
            # Files are stored apart from the page; their presence is what clean() checks.
            known = answers | {f.name: "archivo.pdf" for f in section.fields if f.kind == "file"}
            shown = SectionForm(definition=definition, section=section, known_answers=known)
            page = {}
            for spec in shown.specs:
                if spec.kind != "file":
                    page[spec.name] = combination.get(spec.name, _typed_value(spec))
            page = {k: v for k, v in page.items() if _shown_by_script(shown, k, page)}
            form = SectionForm(
                _as_post(page), {}, definition=definition, section=section, known_answers=known
            )
            if not form.is_valid():
                errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
                problems.append(
                    CatalogError(
                        file,
                        f"sections[{index}]",
                        f"cannot be completed with {described}: {errors}",
                    )
                )
                break
            answers.update(form.answers())
        else:
            try:
                definition.fee.compute(answers)
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(
                    CatalogError(file, "fee", f"cannot be computed with {described}: {exc}")
                )
    return problems


def _normalized(text: str) -> str:
    return (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip(" .")
    )


def wording_problems(definition: ProcedureDefinition, file: str) -> list[CatalogError]:
    """Texts the pages rely on: the first step is the resident's own (the confirmation
    page lists the steps after it); requirements do not repeat the documents."""
    problems = repeated_requirements(definition, file)
    if not definition.steps[0].es.startswith("Completá"):
        problems.append(
            CatalogError(
                file,
                "steps[0]",
                "the first step is what the resident does («Completá el formulario…»): "
                "the confirmation page lists the steps after it",
            )
        )
    return problems


def repeated_requirements(definition: ProcedureDefinition, file: str) -> list[CatalogError]:
    """A requirement that only names a document: the page lists the documents already."""
    documents = {_normalized(d.label.es): d.name for d in definition.documents}
    return [
        CatalogError(
            file,
            f"requirements[{index}]",
            f"repeats the document '{documents[_normalized(item.es)]}', which the page "
            "lists already: say what the requirement adds, or remove it",
        )
        for index, item in enumerate(definition.requirements)
        if _normalized(item.es) in documents
    ]
