"""Catalog changes: syncing the reviewed YAML files into versions, drafts, publishing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.services import ensure_department
from core import audit

from ..catalog import (
    Catalog,
    CatalogError,
    CatalogInvalid,
    ProcedureDefinition,
    parse_procedure,
)
from ..models import Case, Category, ProcedureType, ProcedureVersion

DEPARTMENT_PERMISSION_PREFIX = "procedures.act_for_"


def department_permission(department_code: str, *, qualified: bool = False) -> str:
    """The permission that lets staff act on the review steps of a department."""
    qualified_name = DEPARTMENT_PERMISSION_PREFIX + department_code.replace("-", "_")
    return qualified_name if qualified else qualified_name.partition(".")[2]


def department_of_permission(permission: str) -> str | None:
    """The department a qualified permission of ``department_permission`` names, if any."""
    if not permission.startswith(DEPARTMENT_PERMISSION_PREFIX):
        return None
    return permission[len(DEPARTMENT_PERMISSION_PREFIX) :].replace("_", "-")


def searchable(text: str) -> str:
    """Lower case without accents, so "tramite" finds "trámite"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_parsed_definitions: dict[tuple[int, str], ProcedureDefinition] = {}


def definition_of(version: ProcedureVersion) -> ProcedureDefinition:
    """The typed definition of a version, parsed once per process.

    Keyed by content hash too: a draft edited in the admin gets a new hash.
    """
    key = (version.pk, version.content_hash)
    parsed = _parsed_definitions.get(key)
    if parsed is None:
        parsed = _parsed_definitions[key] = parse_procedure(version.definition)
    return parsed


def _version_fields(definition: ProcedureDefinition) -> dict:
    fee = definition.fee
    words = [
        definition.name.es,
        definition.name.en or "",
        definition.name.it or "",
        definition.summary.es,
        *definition.keywords,
    ]
    return {
        "definition": definition.to_dict(),
        "content_hash": definition.content_hash(),
        "name_es": definition.name.es,
        "name_en": definition.name.en or definition.name.es,
        "name_it": definition.name.it or definition.name.es,
        "search_text": searchable(" ".join(words)),
        "fee_kind": fee.kind,
        "fee_amount": fee.amount if fee.kind == "fixed" else fee.base,
        "deadline_business_days": definition.deadline_business_days,
    }


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def _ensure_permission(department_code: str, name: str) -> Permission:
    content_type = ContentType.objects.get_for_model(Case)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=department_permission(department_code),
        defaults={"name": f"Act on review steps of {name}"[:255]},
    )
    return permission


def publish_version(version: ProcedureVersion, *, actor=None) -> ProcedureVersion:
    """Make a draft the version new cases are filed under. Running cases keep theirs."""
    with transaction.atomic():
        ProcedureType.objects.select_for_update().get(pk=version.procedure_type_id)
        version = ProcedureVersion.objects.get(pk=version.pk)
        if version.status != ProcedureVersion.Status.DRAFT:
            raise ValueError("Only a draft can be published.")
        parse_procedure(version.definition)  # a draft edited in the admin must still be valid
        now = timezone.now()
        previous = ProcedureVersion.objects.filter(
            procedure_type_id=version.procedure_type_id,
            status=ProcedureVersion.Status.PUBLISHED,
        ).first()
        if previous:
            previous.status = ProcedureVersion.Status.RETIRED
            previous.valid_until = now
            previous.save(update_fields=["status", "valid_until"])
        version.status = ProcedureVersion.Status.PUBLISHED
        version.valid_from = now
        version.save(update_fields=["status", "valid_from"])
        audit.record(
            actor=actor,
            action="procedure_version.published",
            obj=version,
            before={"published": previous.number if previous else None},
            after={"published": version.number, "content_hash": version.content_hash},
        )
    return version


def create_draft_from(version: ProcedureVersion, *, actor=None) -> ProcedureVersion:
    """Start editing a type: a new draft copying the given version."""
    with transaction.atomic():
        procedure_type = ProcedureType.objects.select_for_update().get(pk=version.procedure_type_id)
        existing = procedure_type.versions.filter(status=ProcedureVersion.Status.DRAFT).first()
        if existing:
            return existing
        number = (
            procedure_type.versions.order_by("-number").values_list("number", flat=True).first()
            or 0
        ) + 1
        draft = ProcedureVersion.objects.create(
            procedure_type=procedure_type,
            number=number,
            status=ProcedureVersion.Status.DRAFT,
            **_version_fields(parse_procedure(version.definition)),
        )
        audit.record(
            actor=actor,
            action="procedure_version.draft_created",
            obj=draft,
            after={"from_version": version.number},
        )
    return draft


def update_draft(draft: ProcedureVersion, data: dict, *, actor=None) -> ProcedureVersion:
    """Replace a draft's definition; raises CatalogInvalid with every problem found."""
    where = f"{draft.procedure_type.code} v{draft.number}"
    definition = parse_procedure(data, file=where)
    if definition.code != draft.procedure_type.code:
        raise CatalogInvalid([CatalogError(where, "code", "a draft cannot change its type's code")])
    with transaction.atomic():
        draft = ProcedureVersion.objects.select_for_update().get(pk=draft.pk)
        if draft.status != ProcedureVersion.Status.DRAFT:
            raise ValueError("Only drafts can be edited.")
        before = {"content_hash": draft.content_hash}
        for name, value in _version_fields(definition).items():
            setattr(draft, name, value)
        draft.save()
        audit.record(
            actor=actor,
            action="procedure_version.draft_updated",
            obj=draft,
            before=before,
            after={"content_hash": draft.content_hash},
        )
    return draft


def _sync_procedure(
    definition: ProcedureDefinition, categories: dict[str, Category], report: SyncReport
) -> None:
    fields = _version_fields(definition)
    with transaction.atomic():
        procedure_type, _ = ProcedureType.objects.select_for_update().get_or_create(
            code=definition.code,
            defaults={"audience": definition.audience, "category": categories[definition.category]},
        )
        procedure_type.audience = definition.audience
        procedure_type.category = categories[definition.category]
        procedure_type.save(update_fields=["audience", "category"])
        published = procedure_type.versions.filter(status=ProcedureVersion.Status.PUBLISHED).first()
        if published and published.content_hash == fields["content_hash"]:
            report.unchanged.append(definition.code)
            return
        draft = procedure_type.versions.filter(status=ProcedureVersion.Status.DRAFT).first()
        if draft is None:
            number = (
                procedure_type.versions.order_by("-number").values_list("number", flat=True).first()
                or 0
            ) + 1
            draft = ProcedureVersion.objects.create(
                procedure_type=procedure_type, number=number, **fields
            )
            audit.record(
                actor=None,
                action="procedure_version.draft_created",
                obj=draft,
                after={"source": "catalog files", "content_hash": draft.content_hash},
            )
            report.created.append(definition.code)
        else:
            # The files are the reviewed source: they replace an unpublished draft.
            for name, value in fields.items():
                setattr(draft, name, value)
            draft.save()
        publish_version(draft)
        report.published.append(definition.code)


def sync_catalog(catalog: Catalog) -> SyncReport:
    """Bring the database to the catalog files; running it again changes nothing."""
    report = SyncReport()
    with transaction.atomic():
        categories = {}
        for position, category in enumerate(catalog.categories.values()):
            categories[category.code], _ = Category.objects.update_or_create(
                code=category.code,
                defaults={"names": category.name.to_dict(), "position": position},
            )
        for department in catalog.departments.values():
            permission = _ensure_permission(department.code, department.name.es)
            ensure_department(
                code=department.code, name=department.name.es, permissions=[permission]
            )
        from .fees import grant_treasury_permission  # fees reads definitions from here

        grant_treasury_permission()
    for definition in catalog.procedures.values():
        _sync_procedure(definition, categories, report)
    gone = ProcedureVersion.objects.filter(status=ProcedureVersion.Status.PUBLISHED).exclude(
        procedure_type__code__in=list(catalog.procedures)
    )
    for version in gone.select_related("procedure_type"):
        retire_version(version)
        report.retired.append(version.procedure_type.code)
    return report


def retire_version(version: ProcedureVersion, *, actor=None) -> None:
    """No new cases under this version; the ones filed under it go on."""
    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != ProcedureVersion.Status.PUBLISHED:
            return
        version.status = ProcedureVersion.Status.RETIRED
        version.valid_until = timezone.now()
        version.save(update_fields=["status", "valid_until"])
        audit.record(
            actor=actor,
            action="procedure_version.retired",
            obj=version,
            before={"status": "published"},
            after={"status": "retired"},
        )
