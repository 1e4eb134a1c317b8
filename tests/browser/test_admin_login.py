"""An employee's password typed at /admin/login/ opens nothing until the authenticator's code is
typed too: the admin logs in through the portal's one login, second factor included."""

import re

import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from tests.browser.test_procedure_flow import PASSWORD, totp_code
from tests.engine.conftest import make_employee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_login_asks_for_the_authenticator_code(live_server, browser, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a code typed as the 30-second period turns still counts
    account_services.ensure_department(code="rentas", name="Dirección de Rentas")
    administrator = make_employee("jefa@example.com", "rentas")
    administrator.is_superuser = True
    administrator.save()
    base = live_server.url
    context = browser.new_context(locale="es-AR")
    page = context.new_page()

    page.goto(f"{base}/admin/login/?next=/admin/accounts/user/")
    expect(page).to_have_url(re.compile(r"/cuenta/login/\?next=%2Fadmin%2Faccounts%2Fuser%2F$"))
    page.fill("input[name=login]", "jefa@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("input[name=code]")).to_be_visible()

    # The password alone: no work queue, no admin, no user list.
    for url in ("/gestion/", "/admin/", "/admin/accounts/user/"):
        response = context.request.get(base + url, max_redirects=0)
        assert response.status == 302, url
        assert "/login/" in response.headers["location"], url

    page.fill("input[name=code]", totp_code())
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page).to_have_url(f"{base}/admin/accounts/user/")
    expect(page.locator("#result_list")).to_contain_text("jefa@example.com")
    page.goto(f"{base}/gestion/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url == f"{base}/gestion/"
    context.close()
