"""Sessions are read from the cache and written through to the database (cached_db): ending
one ends it everywhere, and losing the cache (a Redis restart) logs nobody out."""

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db

MINE = "/mis-tramites/"


def same_session(client) -> Client:
    """Another browser presenting the same session cookie (one copied before it ended)."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def test_a_session_is_read_from_the_cache(client, resident):
    log_in(client, resident.email)
    assert client.get(MINE).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(MINE).status_code == 200
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"]]


def test_losing_the_cache_logs_nobody_out(client, resident):
    log_in(client, resident.email)
    cache.clear()
    assert client.get(MINE).status_code == 200


def test_a_staff_session_keeps_its_second_factor_when_the_cache_is_lost(client, employee):
    Authenticator.objects.create(
        user=employee, type=Authenticator.Type.TOTP, data={"secret": "A" * 32}
    )
    client.force_login(employee)
    assert client.get("/gestion/").status_code == 200
    cache.clear()
    assert client.get("/gestion/").status_code == 200


def test_logging_out_ends_the_session_in_the_cache_too(client, resident):
    log_in(client, resident.email)
    copied = same_session(client)
    assert copied.get(MINE).status_code == 200  # now cached
    client.post("/cuenta/logout/")
    response = copied.get(MINE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_changing_the_password_ends_the_other_sessions(client, resident):
    log_in(client, resident.email)
    elsewhere = Client()
    log_in(elsewhere, resident.email)
    assert elsewhere.get(MINE).status_code == 200  # now cached
    response = client.post(
        "/cuenta/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "another-horse-battery-43",
            "password2": "another-horse-battery-43",
        },
    )
    assert response.status_code == 302
    assert client.get(MINE).status_code == 200  # this one stays (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE)
    assert elsewhere.get(MINE).status_code == 302
