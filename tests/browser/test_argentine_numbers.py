"""Money and number fields take the site's own format and show it back."""

import pytest
from playwright.sync_api import expect

from procedures.catalog import CATALOG_DIR, load_catalog
from procedures.models import Case
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import make_catalog_dir, make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOOD = CATALOG_DIR / "types" / "asistencia-alimentaria.yaml"


def test_money_typed_as_argentines_write_it(live_server, browser, tmp_path, assert_accessible):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog", FOOD)))
    make_resident("vecina@example.com", "30111222")
    page = browser.new_context().new_page()
    log_in(page, live_server.url, "vecina@example.com")
    page.goto(f"{live_server.url}/tramites/asistencia-alimentaria/")
    page.get_by_role("button", name="Iniciar este trámite").click()

    page.get_by_label("Domicilio").fill("Calle 1 234")
    page.get_by_label("Cantidad de personas que viven en el hogar").fill("4")
    page.get_by_label("Menores de 18 años").fill("2")
    page.get_by_label("Ingresos mensuales del hogar").fill("12,3,4")
    page.get_by_label("Ninguna").check()
    page.get_by_label("Comedor comunitario").check()
    page.get_by_role("button", name="Guardar y seguir").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Escribí un número, por ejemplo 1.234,50"
    )
    assert_accessible(page)

    page.get_by_label("Ingresos mensuales del hogar").fill("90.000")
    page.get_by_role("button", name="Guardar y seguir").click()
    expect(page.locator(".error-summary")).to_have_count(0)
    case = Case.objects.get()
    assert case.answers["ingresos"] == "90000"

    draft = f"{live_server.url}/mis-tramites/borradores/{case.pk}"
    page.goto(f"{draft}/seccion/0/")
    expect(page.get_by_label("Ingresos mensuales del hogar")).to_have_value("90.000,00")
    page.get_by_label("Ingresos mensuales del hogar").fill("185.000,50")
    page.get_by_role("button", name="Guardar y seguir").click()
    page.goto(f"{draft}/revisar/")
    expect(page.locator("main")).to_contain_text("$ 185.000,50")
    expect(page.locator("main")).not_to_contain_text("185000.50")
