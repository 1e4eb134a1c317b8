"""Rate limits behind the TLS proxy count per visitor: the address comes from the trusted
proxies' X-Forwarded-For entries, never from what a client writes there itself."""

import pytest
from django.test import RequestFactory

from core.clientip import client_ip
from tests.conftest import PASSWORD

PROXY = "10.0.0.2"


def address(settings, proxies: int, remote: str, forwarded: str | None = None) -> str:
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))


def test_no_trusted_proxy_ignores_the_header(settings):
    assert address(settings, 0, "198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_one_proxy_takes_the_address_it_appended(settings):
    assert address(settings, 1, PROXY, "198.51.100.7") == "198.51.100.7"
    # What the client wrote itself stays on the left, and is ignored.
    assert address(settings, 1, PROXY, "203.0.113.1, 198.51.100.7") == "198.51.100.7"


def test_two_proxies_take_the_address_the_outer_one_saw(settings):
    assert address(settings, 2, PROXY, "203.0.113.1, 198.51.100.7, 10.0.0.1") == "198.51.100.7"


def test_a_request_that_skipped_the_proxies_or_sends_garbage_counts_as_its_peer(settings):
    assert address(settings, 1, "198.51.100.9") == "198.51.100.9"
    assert address(settings, 2, "198.51.100.9", "203.0.113.1") == "198.51.100.9"
    assert address(settings, 1, PROXY, "not-an-address") == PROXY


@pytest.mark.django_db
def test_verification_rate_limit_is_per_visitor_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def look_up(visitor: str, written_by_client: str = "") -> int:
        forwarded = f"{written_by_client}, {visitor}" if written_by_client else visitor
        response = client.get(
            "/verificar/ABCD-EFGH-JKMN/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
        )
        return response.status_code

    assert [look_up("198.51.100.1") for _ in range(30)] == [404] * 30
    assert look_up("198.51.100.1") == 429
    assert look_up("198.51.100.1", written_by_client="203.0.113.99") == 429  # no way around it
    assert look_up("198.51.100.2") == 404  # another visitor behind the same proxy


@pytest.mark.django_db
def test_login_rate_limit_is_per_visitor_behind_the_proxy(client, settings, resident):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for number in range(12):  # many accounts, so only the per-address limit is reached
        client.post(
            "/cuenta/login/",
            {"login": f"nadie{number}@example.com", "password": "incorrecta-123"},
            **attacker,
        )
    response = client.post(
        "/cuenta/login/", {"login": "otro@example.com", "password": "incorrecta-123"}, **attacker
    )
    assert "Demasiados intentos" in response.content.decode()

    neighbour = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.10"}
    response = client.post(
        "/cuenta/login/", {"login": resident.email, "password": PASSWORD}, **neighbour
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
