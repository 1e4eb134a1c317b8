"""Files kept on the correction page: replaced per slot, audited, gone with a withdrawal."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from core.models import AuditEvent
from procedures.catalog import load_catalog
from procedures.models import Case, PendingCorrectionFile, ProcedureVersion
from procedures.services import cases, review
from procedures.services.catalog import sync_catalog
from tests.documents.cases import open_task
from tests.engine.conftest import make_catalog_dir, make_employee, make_resident, pdf_file
from tests.engine.test_versions import submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_in_correction(tmp_path) -> Case:
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    version = ProcedureVersion.objects.get(
        procedure_type__code="habilitacion-de-prueba", status="published"
    )
    case = submitted_case(version, make_resident("vecina@example.com", "30111222"))
    official = make_employee("mesa@example.com", "mesa-de-entradas")
    task = open_task(case)
    review.claim(task_id=task.pk, user=official)
    return review.decide(
        task_id=task.pk,
        user=official,
        decision="correction",
        message="El DNI no se lee.",
        correction_fields=["dni"],
    )


def checked(name: str):
    upload = pdf_file(name)
    upload.sniffed_type = "application/pdf"
    return upload


def test_a_second_file_for_a_slot_replaces_the_kept_one(
    case_in_correction, django_capture_on_commit_callbacks
) -> None:
    case, resident = case_in_correction, case_in_correction.applicant
    cases.keep_correction_files(case=case, uploads={"dni": checked("uno.pdf")}, actor=resident)
    first = PendingCorrectionFile.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        cases.keep_correction_files(case=case, uploads={"dni": checked("dos.pdf")}, actor=resident)
    assert list(PendingCorrectionFile.objects.values_list("original_name", flat=True)) == [
        "dos.pdf"
    ]
    assert not default_storage.exists(first)
    assert AuditEvent.objects.filter(action="case.correction_files_kept").count() == 2


def test_withdrawing_drops_the_kept_files(
    case_in_correction, django_capture_on_commit_callbacks
) -> None:
    case, resident = case_in_correction, case_in_correction.applicant
    cases.keep_correction_files(case=case, uploads={"dni": checked("uno.pdf")}, actor=resident)
    stored = PendingCorrectionFile.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        cases.withdraw(case=case, actor=resident)
    assert not PendingCorrectionFile.objects.exists()
    assert not default_storage.exists(stored)
