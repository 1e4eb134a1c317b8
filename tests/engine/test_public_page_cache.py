"""Anonymous visitors get the public pages whole from the cache (core.pagecache): without a
query, with the security headers of any page, and never a page from before a change."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import pagecache
from notices import services as notices
from procedures.models import ProcedureVersion
from procedures.services import catalog as catalog_services
from tests.engine.conftest import TYPE_CODE, make_employee
from tests.notices.conftest import publish

pytestmark = pytest.mark.django_db

PROCEDURE = f"/tramites/{TYPE_CODE}/"


@pytest.fixture
def pages(version) -> list[str]:
    category = version.procedure_type.category.code
    return ["/", "/tramites/", f"/tramites/?q=habilitacion&categoria={category}", PROCEDURE]


@pytest.fixture
def officer(version):
    return make_employee("aguas@example.com", "mesa-de-entradas")


def get(client, path: str, status: int = 200):
    response = client.get(path)
    assert response.status_code == status, path
    return response


def text(client, path: str) -> str:
    return get(client, path).content.decode()


def renamed(version: ProcedureVersion, es: str, en: str) -> None:
    draft = catalog_services.create_draft_from(version)
    definition = dict(draft.definition)
    definition["name"] = dict(definition["name"], es=es, en=en)
    catalog_services.publish_version(catalog_services.update_draft(draft, definition) or draft)


def test_a_cached_page_costs_no_query(client, pages):
    for path in pages:
        get(client, path)
        with CaptureQueriesContext(connection) as captured:
            get(client, path)
        assert len(captured) == 0, (path, [q["sql"] for q in captured])


def test_a_publication_and_a_retirement_show_at_once_on_every_page_in_every_language(
    client, version, pages
):
    languages = {"es": "Habilitación de prueba", "en": "Test licence"}
    for language, name in languages.items():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert all(name in text(client, path) for path in pages), language

    renamed(version, es="Habilitación comercial nueva", en="New business licence")
    for language, name in {
        "es": "Habilitación comercial nueva",
        "en": "New business licence",
    }.items():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for path in pages:
            page = text(client, path)
            assert name in page and languages[language] not in page, (language, path)

    published = ProcedureVersion.objects.get(
        procedure_type=version.procedure_type, status=ProcedureVersion.Status.PUBLISHED
    )
    catalog_services.retire_version(published)
    for language in languages:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        get(client, PROCEDURE, status=404)
        for path in pages[:3]:
            assert "New business licence" not in text(client, path), (language, path)
            assert "Habilitación comercial nueva" not in text(client, path), (language, path)


def test_a_notice_shows_and_goes_at_once(client, officer, pages):
    home, procedure = pages[0], pages[3]
    for path in (home, procedure):
        text(client, path)  # cached without the notice
    notice = publish(officer, service="portal", title="Portal en mantenimiento")
    assert notice.title in text(client, home) and notice.title in text(client, procedure)
    notices.close(notice=notice, actor=officer)
    assert notice.title not in text(client, home) and notice.title not in text(client, procedure)


def test_a_notice_that_ends_on_its_own_leaves_the_cached_pages_when_it_ends(client, officer):
    ends_at = timezone.now() + timedelta(seconds=3)
    notice = publish(officer, service="portal", title="Portal en mantenimiento", ends_at=ends_at)
    assert notice.title in text(client, "/") and notice.title in text(client, PROCEDURE)
    assert pagecache._seconds_to_keep() <= 3
    time.sleep(max(0, (ends_at - timezone.now()).total_seconds()) + 0.2)
    assert notice.title not in text(client, "/") and notice.title not in text(client, PROCEDURE)


def test_a_generation_is_started_again_after_the_commit(
    client, version, django_capture_on_commit_callbacks
):
    text(client, "/")
    with django_capture_on_commit_callbacks() as callbacks:
        renamed(version, es="Habilitación comercial nueva", en="New business licence")
    before = pagecache.generation()
    # A page another process rendered before the commit, under the generation of now...
    cache.set(pagecache._key_for("es", "testserver/"), (before, b"stale", {}), 60)
    for callback in callbacks:
        callback()
    # ...is not served after it.
    assert pagecache.generation() != before
    assert "Habilitación comercial nueva" in text(client, "/")


def test_a_lost_generation_is_a_new_one(client, pages):
    for path in pages:
        get(client, path)
    cache.delete(pagecache.GENERATION_KEY)
    with CaptureQueriesContext(connection) as captured:
        get(client, "/tramites/")
    assert len(captured) > 0  # rendered again, not an older page


def test_residents_and_visitors_with_a_session_never_get_the_anonymous_page(
    client, pages, applicant, other_resident
):
    applicant.full_name, other_resident.full_name = "Anahí Pereyra", "Berta Gómez"
    applicant.save(), other_resident.save()
    for path in pages:
        assert "Crear cuenta" in text(client, path)  # cached, anonymous

    client.force_login(applicant)
    assert "Hola, Anahí." in text(client, "/")
    for path in pages:
        page = text(client, path)
        assert "Cerrar sesión" in page and "Berta" not in page, path
    assert "Iniciar este trámite" in text(client, PROCEDURE)

    client.force_login(other_resident)
    for path in pages:
        page = text(client, path)
        assert "Anahí" not in page and "Cerrar sesión" in page, path
    assert "Hola, Berta." in text(client, "/")

    client.logout()
    for path in pages:
        page = text(client, path)
        assert "Anahí" not in page and "Berta" not in page and "Cerrar sesión" not in page


def test_any_other_cookie_than_language_and_csrf_goes_to_the_view(client, pages):
    for path in pages:
        get(client, path)
    for cookie in (settings.SESSION_COOKIE_NAME, "messages"):
        other = Client()
        other.cookies[cookie] = "anything"
        with CaptureQueriesContext(connection) as captured:
            get(other, "/tramites/")
        assert len(captured) > 0, cookie
    with_csrf = Client()
    with_csrf.cookies[settings.CSRF_COOKIE_NAME] = "x" * 32
    with CaptureQueriesContext(connection) as captured:
        get(with_csrf, "/tramites/")
    assert len(captured) == 0


def test_a_cached_page_has_the_headers_of_any_page_and_nothing_of_a_visitor(client, pages):
    security = (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Content-Type",
        "Content-Language",
        "Vary",
    )
    for path in pages:
        first = get(client, path)
        cached = get(client, path)
        assert not first.cookies and not cached.cookies, path
        for header in security:
            assert cached.headers.get(header) == first.headers.get(header), (path, header)
        assert cached["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in cached["Content-Security-Policy"]
        assert "Cookie" in cached["Vary"] and cached["Content-Language"] == "es"
        assert b"csrfmiddlewaretoken" not in cached.content
        assert b"nonce" not in cached.content
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    get(client, "/")
    assert get(client, "/")["Content-Language"] == "it"


def test_the_language_switch_needs_no_token_but_refuses_another_site(version):
    client = Client(enforce_csrf_checks=True)
    assert text(client, PROCEDURE)  # the page carries no token and set no CSRF cookie
    switched = client.post(
        "/i18n/setlang/", {"language": "en", "next": PROCEDURE}, HTTP_ORIGIN="http://testserver"
    )
    assert switched.status_code == 302 and switched["Location"] == PROCEDURE
    assert "What you need" in text(client, PROCEDURE)
    refused = client.post(
        "/i18n/setlang/", {"language": "it", "next": "/"}, HTTP_ORIGIN="https://evil.example"
    )
    assert refused.status_code == 403
    assert "What you need" in text(client, PROCEDURE)


def test_a_new_generation_does_not_count_a_year_of_cases_again(client, officer):
    text(client, "/")
    notice = publish(officer, service="portal", title="Portal en mantenimiento")
    with CaptureQueriesContext(connection) as captured:
        assert notice.title in text(client, "/")
    counted = [q["sql"] for q in captured if "procedures_case" in q["sql"]]
    assert counted == [], counted


@pytest.mark.parametrize("mark", ["", "csrf", "nonce", "cookie", "error"])
def test_a_response_that_holds_something_of_its_visitor_is_never_stored(rf, mark):
    rendered = []

    @pagecache.public_page
    def view(request):
        rendered.append(request)
        response = HttpResponse("page", status=500 if mark == "error" else 200)
        if mark == "csrf":
            get_token(request)  # a form's token: the visitor's own
        elif mark == "nonce":
            request._csp_nonce = "visitors-own"  # as django-csp sets it when a page uses one
        elif mark == "cookie":
            response.set_cookie("seen", "1")
        return response

    for _ in range(2):
        request = rf.get(f"/tramites/?mark={mark}")
        request.user = AnonymousUser()
        view(request)
    assert len(rendered) == (1 if mark == "" else 2)
