"""Home and procedure pages keep what is the same for everyone in the cache, per language;
a publication shows at once, and nobody is shown what the cache was filled for."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.services import catalog as catalog_services
from tests.engine.conftest import TYPE_CODE

pytestmark = pytest.mark.django_db

PROCEDURE = f"/tramites/{TYPE_CODE}/"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def publish_edited(version, **changes):
    draft = catalog_services.create_draft_from(version)
    definition = dict(draft.definition)
    for key, spanish in changes.items():
        definition[key] = dict(definition[key], es=spanish)
    catalog_services.publish_version(catalog_services.update_draft(draft, definition) or draft)


def test_a_published_change_shows_at_once_on_the_procedure_page_and_the_home(client, version):
    assert "Habilitación de prueba" in page(client, "/")
    before = page(client, PROCEDURE)
    publish_edited(
        version, name="Habilitación comercial nueva", result="Un certificado con código QR nuevo"
    )
    after = page(client, PROCEDURE)
    assert "Un certificado con código QR nuevo" in after and after != before
    home = page(client, "/")
    assert "Habilitación comercial nueva" in home and "Habilitación de prueba" not in home


def test_each_language_gets_its_own_procedure_page_and_home(client, version):
    assert "Qué necesitás" in page(client, PROCEDURE)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = page(client, PROCEDURE)
    assert "What you need" in english and "Test licence" in page(client, "/")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    again = page(client, PROCEDURE)
    assert "Qué necesitás" in again and "What you need" not in again


def test_nobody_is_shown_who_filled_the_cache(client, version, applicant, other_resident):
    applicant.full_name, other_resident.full_name = "Anahí Pereyra", "Berta Gómez"
    applicant.save(), other_resident.save()
    client.force_login(applicant)
    assert "Hola, Anahí." in page(client, "/")
    logged_in = page(client, PROCEDURE)
    assert "Iniciar este trámite" in logged_in and "Ingresá para iniciar" not in logged_in
    client.force_login(other_resident)
    theirs = page(client, "/")
    assert "Hola, Berta." in theirs and "Anahí" not in theirs
    client.logout()
    anonymous = page(client, PROCEDURE)
    assert "Ingresá para iniciar este trámite" in anonymous
    assert "Iniciar este trámite" not in anonymous and "Cerrar sesión" not in anonymous
    home = page(client, "/")
    assert "Anahí" not in home and "Berta" not in home and "Cerrar sesión" not in home


def test_a_cached_home_does_not_count_a_year_of_cases(client, version):
    page(client, "/")
    with CaptureQueriesContext(connection) as captured:
        page(client, "/")
    counted = [q["sql"] for q in captured if "procedures_case" in q["sql"]]
    assert counted == [], counted
