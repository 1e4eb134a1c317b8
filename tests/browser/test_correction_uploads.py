"""Answering a correction request: a file that passed is kept when another is refused, shown
as already attached (with a way to remove it), and sent with the corrections."""

import pytest
from playwright.sync_api import expect

from procedures.catalog import load_catalog
from procedures.models import Case, CaseDocument, PendingCorrectionFile, ProcedureVersion
from procedures.services import review
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.documents.cases import open_task
from tests.engine.conftest import PDF_BYTES, make_catalog_dir, make_employee, make_resident
from tests.engine.test_versions import submitted_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def text_posing_as_pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": b"just some notes\n"}


@pytest.fixture
def case_in_correction(tmp_path) -> Case:
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    version = ProcedureVersion.objects.get(
        procedure_type__code="habilitacion-de-prueba", status="published"
    )
    applicant = make_resident("vecina@example.com", "30111222")
    case = submitted_case(version, applicant)
    official = make_employee("mesa@example.com", "mesa-de-entradas")
    task = open_task(case)
    review.claim(task_id=task.pk, user=official)
    return review.decide(
        task_id=task.pk,
        user=official,
        decision="correction",
        message="El DNI no se lee y falta el plano del local.",
        correction_fields=["dni", "plano"],
    )


def test_a_valid_file_is_kept_when_another_is_refused(
    live_server, browser, case_in_correction, assert_accessible
) -> None:
    case = case_in_correction
    page = browser.new_context(locale="es-AR").new_page()
    log_in(page, live_server.url, "vecina@example.com")
    page.goto(f"{live_server.url}/mis-tramites/{case.reference}/corregir/")
    page.get_by_label("DNI del titular").set_input_files(pdf("dni-legible.pdf"))
    page.get_by_label("Plano del local").set_input_files(text_posing_as_pdf("plano.pdf"))
    page.get_by_label("Mensaje para quien revisa (opcional)").fill("Escaneé el DNI de nuevo.")
    page.get_by_role("button", name="Enviar las correcciones").click()

    # The refused file is named with the reason; the accepted one is kept and shown as such.
    expect(page.locator(".error-summary")).to_contain_text("Plano del local")
    kept = page.locator("#kept-files")
    expect(kept).to_contain_text("DNI del titular: dni-legible.pdf")
    expect(page.get_by_label("Mensaje para quien revisa (opcional)")).to_have_value(
        "Escaneé el DNI de nuevo."
    )
    assert_accessible(page)
    # Not yet part of the case: the reviewer sees nothing until the corrections are sent.
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION
    assert not CaseDocument.objects.filter(original_name="dni-legible.pdf").exists()

    # Only the refused file is chosen again.
    page.get_by_label("Plano del local").set_input_files(pdf("plano.pdf"))
    page.get_by_role("button", name="Enviar las correcciones").click()
    expect(page.locator(".messages")).to_contain_text("Correcciones enviadas")
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    current = {d.slot: d.original_name for d in case.documents.filter(replaced=False)}
    assert current == {"dni": "dni-legible.pdf", "plano": "plano.pdf"}
    assert case.answers["plano"] == "plano.pdf"
    assert not PendingCorrectionFile.objects.exists()
    # The kept file is the file the resident chose: same bytes, still downloadable.
    with case.documents.get(slot="dni", replaced=False).file.open("rb") as handle:
        assert handle.read() == PDF_BYTES


def test_a_kept_file_can_be_removed(
    live_server, browser, case_in_correction, assert_accessible
) -> None:
    case = case_in_correction
    page = browser.new_context(locale="es-AR").new_page()
    log_in(page, live_server.url, "vecina@example.com")
    page.goto(f"{live_server.url}/mis-tramites/{case.reference}/corregir/")
    page.get_by_label("DNI del titular").set_input_files(pdf("dni-equivocado.pdf"))
    page.get_by_label("Plano del local").set_input_files(text_posing_as_pdf("plano.pdf"))
    page.get_by_role("button", name="Enviar las correcciones").click()
    expect(page.locator("#kept-files")).to_contain_text("dni-equivocado.pdf")

    page.get_by_role("button", name="Quitar dni-equivocado.pdf").click()
    expect(page.locator(".messages")).to_contain_text("Quitamos el archivo.")
    expect(page.locator("#kept-files")).to_have_count(0)
    assert_accessible(page)
    assert not PendingCorrectionFile.objects.exists()

    # With nothing kept, the document is asked for again.
    page.get_by_label("Plano del local").set_input_files(pdf("plano.pdf"))
    page.get_by_role("button", name="Enviar las correcciones").click()
    expect(page.locator(".error-summary")).to_contain_text("DNI del titular")
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION
