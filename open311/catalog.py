"""The catalog's claim types as Open311 services, and their form fields as attributes."""

from __future__ import annotations

from dataclasses import dataclass

from procedures.catalog import FieldSpec, ProcedureDefinition
from procedures.models import ProcedureVersion
from procedures.selectors import published_version_of, published_versions
from procedures.services.catalog import definition_of

CLAIM_PREFIXES = ("reclamo-", "denuncia-")
# Filled from the request's location, not asked as attributes.
LOCATION_KINDS = frozenset({"address"})
# Open311 carries no files (a photo comes as media_url).
SKIPPED_KINDS = frozenset({"file"})
DATATYPES = {
    "text": "string",
    "email": "string",
    "phone": "string",
    "dni": "string",
    "cuit": "string",
    "textarea": "text",
    "number": "number",
    "money": "number",
    "date": "datetime",
    "choice": "singlevaluelist",
    "yesno": "singlevaluelist",
    "multichoice": "multivaluelist",
}
YESNO_NAMES = {"yes": "Sí", "no": "No"}


@dataclass(frozen=True)
class Attribute:
    order: int
    spec: FieldSpec

    @property
    def code(self) -> str:
        return self.spec.name

    @property
    def datatype(self) -> str:
        return DATATYPES[self.spec.kind]

    @property
    def required(self) -> bool:
        # A field shown only after some answer cannot be required unconditionally.
        return self.spec.required and self.spec.show_if is None

    @property
    def values(self) -> list[tuple[str, str]]:
        if self.spec.kind == "yesno":
            return list(YESNO_NAMES.items())
        return [(choice.value, choice.label.es) for choice in self.spec.choices]


@dataclass(frozen=True)
class Service:
    version: ProcedureVersion
    definition: ProcedureDefinition

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def attributes(self) -> list[Attribute]:
        specs = [
            spec
            for spec in self.definition.fields
            if spec.kind not in LOCATION_KINDS | SKIPPED_KINDS
        ]
        return [Attribute(order=i, spec=spec) for i, spec in enumerate(specs, start=1)]

    @property
    def location_fields(self) -> list[FieldSpec]:
        return [spec for spec in self.definition.fields if spec.kind in LOCATION_KINDS]


def _offered(version: ProcedureVersion) -> Service | None:
    if not version.procedure_type.code.startswith(CLAIM_PREFIXES):
        return None
    definition = definition_of(version)
    if definition.audience != "resident":
        return None
    needs_files = any(
        spec.required and spec.kind in SKIPPED_KINDS for spec in definition.fields
    ) or any(document.required for document in definition.documents)
    return None if needs_files else Service(version=version, definition=definition)


def services() -> list[Service]:
    offered = (_offered(version) for version in published_versions(audience="resident"))
    return sorted((s for s in offered if s is not None), key=lambda s: s.code)


def service(code: str) -> Service | None:
    version = published_version_of(code)
    return _offered(version) if version is not None else None


def service_codes() -> list[str]:
    return [s.code for s in services()]
