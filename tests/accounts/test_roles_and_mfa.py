import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db

STAFF_URLS = ["/gestion/", "/admin/", "/admin/accounts/user/"]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_resident_cannot_reach_admin_or_employee_pages(client, resident, url):
    log_in(client, resident.email)
    response = client.get(url)
    assert response.status_code == 403
    assert "No podés abrir esta página" in response.content.decode()


@pytest.mark.parametrize("url", STAFF_URLS)
def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def _current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _activate_totp(client) -> str:
    """Go through allauth's real pages: confirm the password, then type a code."""
    page = client.get("/cuenta/2fa/totp/activate/")
    assert page.status_code == 302 and "/cuenta/reauthenticate/" in page["Location"]
    page = client.post(page["Location"], {"password": PASSWORD}, follow=True)
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/cuenta/2fa/totp/activate/", {"code": _current_code(secret)})
    assert response.status_code == 302
    return secret


def test_employee_must_set_up_totp_before_opening_a_queue(client, employee):
    log_in(client, employee.email)
    response = client.get("/gestion/")
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/2fa/totp/activate/"

    _activate_totp(client)
    assert Authenticator.objects.filter(user=employee, type=Authenticator.Type.TOTP).exists()

    response = client.get("/gestion/")
    assert response.status_code == 200
    assert "Dirección de Rentas" in response.content.decode()


def test_employee_with_totp_must_enter_a_code_at_login(client, employee):
    log_in(client, employee.email)
    secret = _activate_totp(client)
    client.logout()

    response = log_in(client, employee.email)
    assert response["Location"] == "/cuenta/2fa/authenticate/"
    assert client.get("/gestion/").status_code == 302  # not logged in until the code is given
    response = client.post("/cuenta/2fa/authenticate/", {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.get("/gestion/").status_code == 200
