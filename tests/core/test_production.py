"""Pages, static files and a login through gunicorn with the production settings, after
`collectstatic` with the manifest storage: what a DEBUG run or STATIC_MANIFEST=0 never sees."""

from __future__ import annotations

import os
import re
from http.cookies import SimpleCookie

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import make_password

from tests.conftest import database_url_for_processes
from tests.engine.conftest import make_resident

from .production import HOST, PROXY_HEADERS, production_env, start_gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise RuntimeError("REQUIRE_SERVICES=1 but the suite is not on PostgreSQL")
    pytestmark.append(pytest.mark.skip(reason="gunicorn needs a database it can share"))


@pytest.fixture
def gunicorn(collected_static, tmp_path):
    env = production_env(
        STATIC_ROOT=str(collected_static), DATABASE_URL=database_url_for_processes()
    )
    # The services of this run (its Redis database, its S3 bucket), which /healthz checks.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "AWS_STORAGE_BUCKET_NAME"):
        if name in os.environ:
            env[name] = os.environ[name]
    # One worker here: its own memory serves, and redis.internal does not exist.
    env["CACHE_URL"] = os.environ.get("CACHE_URL", "locmemcache://")
    process, base_url = start_gunicorn(env, tmp_path / "gunicorn.log")
    yield base_url
    process.terminate()
    process.wait(timeout=20)


class Browser:
    """Speaks to gunicorn as the TLS proxy forwards a browser: cookies are Secure, so they are
    kept here and sent by hand on the plain-HTTP hop."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {**PROXY_HEADERS, **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method,
            self.base_url + path,
            headers=headers,
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                if not morsel.value:  # deleted
                    self.cookies.pop(name, None)
                    continue
                assert morsel["secure"] and morsel["samesite"] == "Lax", header
                self.cookies[name] = morsel.value
        return response


def test_pages_static_files_and_login_through_gunicorn(gunicorn):
    resident = make_resident("vecina@example.com", "30111222")
    # Stored as production stores passwords (the tests' own hasher is a fast one).
    resident.password = make_password("una-clave-larga-123", hasher="pbkdf2_sha256")
    resident.save(update_fields=["password"])
    browser = Browser(gunicorn)

    for path in ("/", "/tramites/", "/cuenta/login/", "/verificar/"):
        response = browser.request("GET", path)
        assert response.status_code == 200, (path, response.text[:500])

    home = browser.request("GET", "/").text
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', home).group(1)
    response = browser.request("GET", stylesheet)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert "immutable" in response.headers["Cache-Control"]

    health = browser.request("GET", "/healthz")
    assert health.status_code == 200, health.text
    assert health.json()["checks"]["static"] == "ok"

    plain = requests.get(
        gunicorn + "/tramites/", headers={"Host": HOST}, allow_redirects=False, timeout=30
    )
    assert (plain.status_code, plain.headers["Location"]) == (301, f"https://{HOST}/tramites/")

    form = browser.request("GET", "/cuenta/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = browser.request(
        "POST",
        "/cuenta/login/",
        data={
            "login": "vecina@example.com",
            "password": "una-clave-larga-123",
            "csrfmiddlewaretoken": token,
        },
        headers={"Referer": f"https://{HOST}/cuenta/login/", "Origin": f"https://{HOST}"},
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert "Hola, Vecina" in browser.request("GET", "/").text
