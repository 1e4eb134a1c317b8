import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "una-clave-bien-larga-7"


def test_resident_signs_up_verifies_email_and_logs_in(
    live_server, page, assert_accessible, settings
):
    settings.SITE_URL = live_server.url  # the e-mail links to the public address
    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.get_by_role("link", name="Crear una cuenta").click()

    assert_accessible(page)
    page.fill("input[name=email]", "nueva.vecina@example.com")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_contain_text("Verificá tu dirección")
    assert_accessible(page)

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/cuenta/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()

    page.goto(live_server.url + "/cuenta/login/")
    assert_accessible(page)
    page.fill("input[name=login]", "nueva.vecina@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main")).to_contain_text("Hola, nueva.vecina@example.com")
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    assert_accessible(page)


def test_pages_work_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="es-AR")
    page = context.new_page()
    page.goto(live_server.url + "/cuenta/login/")
    page.fill("input[name=login]", "nadie@example.com")
    page.fill("input[name=password]", "incorrecta-123")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("no son correctos")
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    context.close()
