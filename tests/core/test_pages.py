import pytest
from django.conf import settings
from django.test import override_settings


@pytest.mark.django_db
def test_home_is_spanish_by_default_even_for_english_browsers(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in html
    assert "Saltar al contenido principal" in html
    assert 'href="#main"' in html and 'id="main"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Do your municipal paperwork online"), ("it", "Fai le pratiche comunali online")],
)
def test_language_switcher_changes_the_language(client, language, heading):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html


@pytest.mark.django_db
def test_missing_page_has_the_portal_layout_in_spanish(client):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.content.decode()


@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_server_error_page_is_plain_and_spanish(client):
    from core.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Tuvimos un problema" in response.content.decode()


def test_static_assets_are_vendored_not_from_a_cdn():
    template = (settings.BASE_DIR / "templates" / "base.html").read_text()
    assert "http://" not in template and "https://" not in template


@pytest.mark.django_db
def test_healthz_reports_each_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"
    expected_broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert body["checks"]["broker"] == expected_broker


@pytest.mark.django_db
def test_healthz_says_503_when_the_broker_is_unreachable(client, monkeypatch):
    from core import health

    def broker_down():
        raise ConnectionRefusedError

    monkeypatch.setitem(health.CHECKS, "broker", broker_down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error: ConnectionRefusedError"


@pytest.mark.django_db
def test_healthz_says_503_when_static_files_are_not_collected(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["static"] == "error: FileNotFoundError"


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Content-Security-Policy" in client.get("/cuenta/login/").headers


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", ["Ayuda y contacto", "Lunes a viernes: 08:00 a 14:00", "Preguntas frecuentes"]),
        ("en", ["Help and contact", "Monday to Friday: 08:00 to 14:00", "Town hall — front desk"]),
        ("it", ["Aiuto e contatti", "Da lunedì a venerdì: 08:00-14:00", "Domande frequenti"]),
    ],
)
def test_help_page_lists_every_office_from_the_directory(client, language, expected):
    from core.offices import directory

    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get("/ayuda/").content.decode()
    for text in expected:
        assert text in html
    for office in directory().offices:
        assert office.address in html and f'id="{office.code}"' in html
    assert 'href="/ayuda/"' in client.get("/").content.decode()  # footer and home panel
