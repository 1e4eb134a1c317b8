from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from accounts.models import User
from tests.conftest import PASSWORD, force_login_password_only, log_in

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
    """Go through allauth's real pages right after logging in: no password again, a code."""
    page = client.get("/cuenta/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/cuenta/2fa/totp/activate/", {"code": _current_code(secret)})
    assert response.status_code == 302
    return secret


# Committed for real: allauth announces the new authenticator once its transaction commits.
@pytest.mark.django_db(transaction=True)
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
    assert response["Location"] == "/gestion/"  # the inbox, not the residents' home
    assert client.get("/gestion/").status_code == 200


def test_the_password_is_asked_again_only_once_the_login_is_old(client, employee):
    log_in(client, employee.email)
    assert client.get("/cuenta/2fa/totp/activate/").status_code == 200
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= 301  # allauth's re-authentication window is 300 seconds
    session.save()
    response = client.get("/cuenta/2fa/totp/activate/")
    assert response.status_code == 302 and "/cuenta/reauthenticate/" in response["Location"]
    response = client.post(response["Location"], {"password": PASSWORD})
    assert client.get("/cuenta/2fa/totp/activate/").status_code == 200


def test_residents_land_on_their_home_after_login(client, resident):
    assert log_in(client, resident.email)["Location"] == "/"


# --- The second factor is checked per session, wherever the session was opened -----------


def _with_totp(user) -> str:
    secret = "B" * 32
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": secret})
    return secret


def test_admin_login_is_the_portals_login(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_a_password_posted_to_the_admin_login_opens_no_session(client, employee):
    _with_totp(employee)
    response = client.post(
        "/admin/login/", {"username": employee.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/cuenta/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/gestion/").status_code == 302
    assert client.get("/admin/").status_code == 302


STAFF_ONLY = [
    "/gestion/",
    "/gestion/cola/",
    "/gestion/proveedores/",
    "/gestion/proveedores/pagos/",
    "/admin/",
    "/admin/accounts/user/",
    "/admin/mfa/authenticator/",
]


@pytest.mark.parametrize("url", STAFF_ONLY)
def test_a_staff_session_without_the_second_factor_opens_nothing(client, employee, url):
    employee.is_superuser = True
    employee.save()
    _with_totp(employee)
    force_login_password_only(client, employee)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/cuenta/2fa/reauthenticate/?next={quote(url, safe='')}"


def test_a_staff_post_without_the_second_factor_changes_nothing(client, employee):
    employee.is_superuser = True
    employee.save()
    _with_totp(employee)
    force_login_password_only(client, employee)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "intruso@example.com",
            "password1": "x-" + PASSWORD,
            "password2": "x-" + PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/2fa/reauthenticate/?next=%2F"
    assert not User.objects.filter(email="intruso@example.com").exists()


def test_typing_the_code_again_opens_the_staff_pages(client, employee):
    secret = _with_totp(employee)
    force_login_password_only(client, employee)
    response = client.get("/gestion/cola/")
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": _current_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/gestion/cola/"
    assert client.get("/gestion/cola/").status_code == 200


def test_a_wrong_code_keeps_the_staff_pages_closed(client, employee):
    _with_totp(employee)
    force_login_password_only(client, employee)
    response = client.post("/cuenta/2fa/reauthenticate/?next=/gestion/", {"code": "000000"})
    assert response.status_code == 200  # the form again, with its error
    assert client.get("/gestion/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_staff_without_an_authenticator_can_only_set_one_up(client, employee):
    log_in(client, employee.email)
    for url in ("/", "/mis-tramites/", "/tramites/", "/cuenta/email/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/cuenta/2fa/totp/activate/"
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    _activate_totp(client)
    assert client.get("/").status_code == 200


def test_residents_need_no_second_factor(client, resident):
    log_in(client, resident.email)
    assert client.get("/mis-tramites/").status_code == 200


def test_one_login_with_one_limit_for_the_admin_too(client, employee):
    _with_totp(employee)
    wrong = {"username": employee.email, "password": "incorrecta-123", "next": "/admin/"}
    for _attempt in range(25):
        client.post("/admin/login/", wrong)
    client.post("/admin/login/", {**wrong, "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    for _attempt in range(25):
        client.post("/cuenta/login/", {"login": employee.email, "password": "incorrecta-123"})
    response = client.post("/cuenta/login/", {"login": employee.email, "password": PASSWORD})
    assert response.status_code == 429 or "Demasiados intentos" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/cuenta/2fa/authenticate/").status_code != 200  # no code asked either
