"""Cases whose outputs are each kind of document, walked through review by real services."""

from __future__ import annotations

import contextlib
from pathlib import Path

from viewflow.workflow.models import Task

from accounts.models import User
from core import outbox
from core.models import OutboxItem
from documents import selectors
from documents.models import SignedDocument
from procedures.catalog import load_catalog
from procedures.models import Case, ProcedureVersion
from procedures.services import review
from procedures.services.catalog import sync_catalog
from tests.engine.conftest import FIXTURES, make_catalog_dir
from tests.engine.test_versions import submitted_case

# The engine's test type (a certificate), copied as a resolution and an acknowledgement.
VARIANTS = {
    "certificate": ("habilitacion-de-prueba", "Habilitación de prueba", None),
    "resolution": (
        "resolucion-de-prueba",
        "Resolución de prueba",
        "Resolución de habilitación de prueba",
    ),
    "acknowledgement": (
        "constancia-de-prueba",
        "Constancia de prueba",
        "Constancia de recepción de prueba",
    ),
}


def catalog_dir(directory: Path) -> Path:
    make_catalog_dir(directory)
    source = (FIXTURES / "habilitacion-de-prueba.yaml").read_text()
    for kind, (code, name, title) in VARIANTS.items():
        if title is None:
            continue
        text = (
            source.replace("code: habilitacion-de-prueba", f"code: {code}")
            .replace("es: Habilitación de prueba", f"es: {name}")
            .replace("kind: certificate", f"kind: {kind}")
            .replace("es: Certificado de habilitación de prueba", f"es: {title}")
        )
        (directory / "types" / f"{code}.yaml").write_text(text)
    return directory


def sync_versions(directory: Path) -> dict[str, ProcedureVersion]:
    sync_catalog(load_catalog(catalog_dir(directory)))
    return {
        kind: ProcedureVersion.objects.get(procedure_type__code=code, status="published")
        for kind, (code, _name, _title) in VARIANTS.items()
    }


def open_task(case: Case) -> Task:
    return Task.objects.get(process_id=case.process_id, status="NEW", flow_task_type="HUMAN")


def approve_steps(case: Case, officials: dict[str, User], *, steps: int | None = None) -> Case:
    """Approve ``steps`` review steps (all but a resolution's last one by default)."""
    definition = case.version.steps
    count = steps if steps is not None else len(definition)
    for step in definition[case.current_step : case.current_step + count]:
        task = open_task(case)
        official = officials[step["department"]]
        review.claim(task_id=task.pk, user=official)
        case = review.decide(task_id=task.pk, user=official, decision="approve")
    return case


def run_pending_work(case: Case) -> None:
    """Run what the case left in the outbox, as a worker would (failures are recorded)."""
    items = OutboxItem.objects.filter(
        subject_type="procedures.case", subject_id=str(case.pk), done_at__isnull=True
    )
    for pk in items.values_list("pk", flat=True):
        # A failure is recorded on the item, as a worker would leave it.
        with contextlib.suppress(Exception):
            outbox.run(pk)


def documents_of(case: Case):
    return selectors.documents_of(case)


def case_of(document: SignedDocument) -> Case:
    return Case.objects.get(pk=document.subject_id)


__all__ = [
    "approve_steps",
    "case_of",
    "documents_of",
    "open_task",
    "run_pending_work",
    "submitted_case",
    "sync_versions",
]
