"""Deleting a draft asks first, from the review page and from the list of drafts."""

import pytest
from playwright.sync_api import expect

from procedures.catalog import CATALOG_DIR, load_catalog
from procedures.models import Case, ProcedureVersion
from procedures.services import cases
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import make_catalog_dir, make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEBIT = CATALOG_DIR / "types" / "adhesion-debito-automatico.yaml"


def test_a_draft_is_deleted_only_after_confirming(
    live_server, browser, tmp_path, assert_accessible
):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog", DEBIT)))
    resident = make_resident("vecina@example.com", "30111222")
    version = ProcedureVersion.objects.get(status="published")
    first = cases.start_draft(version=version, applicant=resident, filed_by=resident)
    cases.start_draft(version=version, applicant=resident, filed_by=resident)
    page = browser.new_context().new_page()
    log_in(page, live_server.url, "vecina@example.com")

    page.goto(f"{live_server.url}/mis-tramites/borradores/{first.pk}/revisar/")
    page.get_by_role("link", name="Eliminar este borrador").click()
    expect(page.locator("h1")).to_have_text("¿Eliminar este borrador?")
    assert_accessible(page)
    page.get_by_role("link", name="No, conservarlo").click()
    expect(page.locator("h1")).to_have_text("Revisá tus respuestas antes de enviar")
    assert Case.objects.count() == 2

    page.goto(f"{live_server.url}/mis-tramites/")
    expect(page.get_by_role("heading", name="Trámites presentados")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Eliminar Adhesión al débito automático").first.click()
    page.get_by_role("button", name="Sí, eliminar el borrador").click()
    expect(page.locator(".messages")).to_contain_text("Borrador eliminado")
    assert Case.objects.count() == 1

    # The confirmation page of a draft already deleted (a second tab) says so.
    gone = first.pk if not Case.objects.filter(pk=first.pk).exists() else first.pk + 1
    page.goto(f"{live_server.url}/mis-tramites/borradores/{gone}/eliminar/")
    expect(page.locator(".messages")).to_contain_text("Ese borrador ya no existe")
