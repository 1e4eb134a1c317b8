"""A condition on an answer given on an earlier page: with and without JavaScript, the
fields it opens can be filled, and a page it closes entirely is skipped."""

import pytest
from playwright.sync_api import expect

from procedures.catalog import CATALOG_DIR, load_catalog
from procedures.models import Case
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import make_catalog_dir, make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEBIT = CATALOG_DIR / "types" / "adhesion-debito-automatico.yaml"


@pytest.fixture
def debit_catalog(tmp_path):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog", DEBIT)))
    make_resident("vecina@example.com", "30111222")


def first_page(page, base, operation: str):
    page.goto(f"{base}/tramites/adhesion-debito-automatico/")
    page.get_by_role("button", name="Iniciar este trámite").click()
    page.get_by_label("Tasa de Servicios a la Propiedad").check()
    page.get_by_label("Número de partida, cuenta comercial o dominio").fill("12-345")
    page.get_by_label(operation).check()
    page.get_by_role("button", name="Guardar y seguir").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_fields_opened_on_an_earlier_page_can_be_filled(
    live_server, browser, debit_catalog, javascript, assert_accessible
):
    page = browser.new_context(java_script_enabled=javascript).new_page()
    log_in(page, live_server.url, "vecina@example.com")
    first_page(page, live_server.url, "Adherir")

    expect(page.locator("h1")).to_have_text("Cuenta bancaria")
    for label in ("Banco", "CBU", "CUIT o CUIL del titular de la cuenta bancaria"):
        expect(page.get_by_label(label)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Solo si")
    if javascript:
        assert_accessible(page)
    page.get_by_label("Banco").fill("Banco de la Nación")
    page.get_by_label("CBU").fill("0110599520000001234567")
    page.get_by_label("CUIT o CUIL del titular de la cuenta bancaria").fill("20-12345678-6")
    page.get_by_role("button", name="Guardar y seguir").click()

    expect(page.locator("h1")).to_have_text("Revisá tus respuestas antes de enviar")
    expect(page.locator("main")).to_contain_text("Banco de la Nación")
    page.get_by_role("button", name="Enviar la solicitud").click()
    expect(page.locator("h1")).to_have_text("Solicitud enviada")
    assert Case.objects.get().answers["banco"] == "Banco de la Nación"


def test_a_page_closed_by_an_earlier_answer_is_skipped(live_server, browser, debit_catalog):
    page = browser.new_context().new_page()
    log_in(page, live_server.url, "vecina@example.com")
    first_page(page, live_server.url, "Dar de baja")

    expect(page.locator("h1")).to_have_text("Revisá tus respuestas antes de enviar")
    expect(page.locator("main")).not_to_contain_text("Banco")
    page.get_by_role("link", name="Cambiar").first.click()
    expect(page.locator("h1")).to_have_text("Cuenta tributaria")
    page.get_by_label("Adherir").check()
    page.get_by_role("button", name="Guardar y seguir").click()
    expect(page.locator("h1")).to_have_text("Cuenta bancaria")
    expect(page.get_by_role("link", name="Volver al paso anterior")).to_be_visible()
