"""The home page helps (most used procedures, topics, where to get help); the footer links
to the accessibility statement and to document verification."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from procedures.catalog import CATALOG_DIR, load_catalog
from procedures.selectors import most_used_versions
from procedures.services.catalog import sync_catalog
from tests.engine.conftest import make_catalog_dir, make_resident
from tests.engine.test_resident_filing import file_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPES = CATALOG_DIR / "types"


def test_home_footer_and_accessibility_statement(live_server, browser, tmp_path, assert_accessible):
    sync_catalog(
        load_catalog(make_catalog_dir(tmp_path / "catalog", *TYPES.glob("reclamo-*.yaml")))
    )
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Trámites más usados")).to_be_visible()
    expect(page.get_by_role("heading", name="Trámites por tema")).to_be_visible()
    help_panel = page.locator(".help-panel")
    expect(help_panel).to_contain_text("147")
    expect(help_panel).to_contain_text("Mesa de Entradas")
    assert_accessible(page)

    page.get_by_role("link", name="Verificar un documento firmado").click()
    expect(page).to_have_url(f"{live_server.url}/verificar/")
    page.get_by_role("link", name="Declaración de accesibilidad").click()
    expect(page.locator("h1")).to_have_text("Declaración de accesibilidad")
    expect(page.locator("main")).to_contain_text("WCAG) 2.2")
    expect(page.locator("main")).to_contain_text("atencion@villademo.gob.ar")
    expect(page.locator("main")).to_contain_text("PDF etiquetados")
    assert_accessible(page)

    # Help and contact: every office with its address, hours and phone, help in person, FAQ.
    page.get_by_role("link", name="Ayuda y contacto").click()
    expect(page.locator("h1")).to_have_text("Ayuda y contacto")
    town_hall = page.locator("#palacio-municipal")
    expect(town_hall).to_contain_text("Av. San Martín 1250")
    expect(town_hall).to_contain_text("Lunes a viernes: 08:00 a 14:00")
    expect(town_hall).to_contain_text("+54 11 4555-0100")
    expect(town_hall).to_contain_text("Acá el personal puede hacer el trámite con vos.")
    expect(page.get_by_role("heading", name="Ayuda en persona")).to_be_visible()
    expect(page.get_by_role("heading", name="Preguntas frecuentes")).to_be_visible()
    assert_accessible(page)


def test_the_most_used_procedures_come_first(tmp_path):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    resident = Client()
    resident.force_login(make_resident("vecina@example.com", "30111222"))
    file_case(resident)
    assert most_used_versions()[0].procedure_type.code == "habilitacion-de-prueba"
