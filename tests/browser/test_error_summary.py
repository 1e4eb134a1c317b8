"""Every link of an error summary leads to its field and focuses it, radio groups included."""

import pytest
from playwright.sync_api import expect

from procedures.catalog import CATALOG_DIR, load_catalog
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import make_catalog_dir, make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOOD = CATALOG_DIR / "types" / "asistencia-alimentaria.yaml"


def test_each_error_link_focuses_its_field(live_server, browser, tmp_path, assert_accessible):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog", FOOD)))
    make_resident("vecina@example.com", "30111222")
    page = browser.new_context().new_page()
    log_in(page, live_server.url, "vecina@example.com")
    page.goto(f"{live_server.url}/tramites/asistencia-alimentaria/")
    page.get_by_role("button", name="Iniciar este trámite").click()
    page.get_by_role("button", name="Guardar y seguir").click()

    links = page.locator(".error-summary a")
    expect(links.first).to_be_visible()
    assert_accessible(page)
    names = []
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href")
        assert target not in ("#", "") and target.startswith("#"), target
        link.click()
        focused = page.evaluate("document.activeElement.id")
        assert f"#{focused}" == target
        names.append(page.evaluate("document.activeElement.name"))
    assert {"dieta", "modalidad"} <= set(names)  # a checkbox group and a radio group
