"""The logged-in user is read from the shared cache (accounts.user_cache): once from the
database, then not, and a change of the user counts on the next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User

# Committed for real: the cache is filled only outside a transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    settings.ACCOUNTS_PERMISSION_CACHE = True


def user_queries(client, path: str = "/mis-tramites/") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    return status, sum('FROM "accounts_user"' in q["sql"] for q in captured.captured_queries)


def test_the_user_is_read_once_then_from_the_cache(client, resident):
    client.force_login(resident)
    assert user_queries(client) == (200, 1)
    assert user_queries(client) == (200, 0)


def test_a_deactivated_user_or_a_new_password_logs_the_session_out_at_once(client, resident):
    client.force_login(resident)
    user_queries(client)
    resident.set_password("otra-clave-larga-2026")
    resident.save()
    assert client.get("/mis-tramites/").status_code == 302  # the session's hash no longer fits
    client.force_login(resident)
    assert user_queries(client) == (200, 1)
    User.objects.filter(pk=resident.pk).update(is_active=False)  # no signal: read again below
    resident.refresh_from_db()
    resident.save()
    assert client.get("/mis-tramites/").status_code == 302


def test_a_name_changed_shows_on_the_next_page(client, resident):
    resident.full_name = "Ana Pérez"
    resident.save()
    client.force_login(resident)
    assert "Hola, Ana." in client.get("/").content.decode()
    resident.full_name = "Berta Gómez"
    resident.save()
    assert "Hola, Berta." in client.get("/").content.decode()
