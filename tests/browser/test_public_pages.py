"""Public pages served whole from the cache (core.pagecache): the language switcher, which
carries no CSRF token for that, still switches them, without JavaScript too."""

import pytest
from playwright.sync_api import expect

from procedures.catalog import load_catalog
from procedures.services.catalog import sync_catalog
from tests.engine.conftest import make_catalog_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False])
def test_a_visitor_switches_the_language_of_cached_public_pages(
    live_server, browser, tmp_path, javascript
):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    context = browser.new_context(java_script_enabled=javascript, locale="es-AR")
    page = context.new_page()
    for _ in range(2):  # the second one from the cache
        page.goto(f"{live_server.url}/tramites/")
        expect(page.get_by_role("link", name="Habilitación de prueba")).to_be_visible()
    assert page.locator("input[name=csrfmiddlewaretoken]").count() == 0

    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page).to_have_url(f"{live_server.url}/tramites/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Test licence")).to_be_visible()

    page.get_by_role("link", name="Test licence").click()
    expect(page.get_by_role("heading", name="What you need")).to_be_visible()
    page.select_option("#language-select", "es")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Qué necesitás")).to_be_visible()
    context.close()
