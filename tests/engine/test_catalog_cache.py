"""The catalog's list is cached for everyone, yet a publication shows at once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.models import ProcedureVersion
from procedures.services import catalog as catalog_services

pytestmark = pytest.mark.django_db


def catalog_page(client, path: str = "/tramites/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def renamed_draft(version: ProcedureVersion, name: str) -> ProcedureVersion:
    draft = catalog_services.create_draft_from(version)
    definition = dict(draft.definition)
    definition["name"] = dict(definition["name"], es=name)
    return catalog_services.update_draft(draft, definition) or draft


def test_a_published_version_shows_at_once_and_a_retired_one_goes(client, version):
    assert "Habilitación de prueba" in catalog_page(client)
    catalog_services.publish_version(renamed_draft(version, "Habilitación comercial nueva"))
    page = catalog_page(client)
    assert "Habilitación comercial nueva" in page
    assert "Habilitación de prueba" not in page

    published = ProcedureVersion.objects.get(
        procedure_type=version.procedure_type, status=ProcedureVersion.Status.PUBLISHED
    )
    catalog_services.retire_version(published)
    assert "Habilitación comercial nueva" not in catalog_page(client)


def test_each_language_gets_its_own_catalog(client, version):
    assert "Habilitación de prueba" in catalog_page(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = catalog_page(client)
    assert "Test licence" in page
    assert "Habilitación de prueba" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert "Habilitación de prueba" in catalog_page(client)


def test_searches_are_cached_apart(client, version):
    assert "Habilitación de prueba" in catalog_page(client, "/tramites/?q=habilitacion")
    page = catalog_page(client, "/tramites/?q=poda")
    assert "Habilitación de prueba" not in page
    assert 'value="poda"' in page


def test_nobody_is_shown_what_the_cache_was_filled_for(client, version, desk_clerk):
    client.force_login(desk_clerk)
    assert "Log out" not in catalog_page(client)  # Spanish first
    assert "Cerrar sesión" in catalog_page(client)
    client.logout()
    page = catalog_page(client)
    assert "Habilitación de prueba" in page
    assert "Cerrar sesión" not in page
    assert "/gestion/" not in page


def test_a_cached_catalog_reads_one_row_of_the_catalog(client, version, applicant):
    client.force_login(applicant)  # past the anonymous whole-page cache (core.pagecache)
    catalog_page(client)
    with CaptureQueriesContext(connection) as captured:
        catalog_page(client)
    catalog_queries = [q["sql"] for q in captured if "procedures_" in q["sql"]]
    assert len(catalog_queries) == 1, catalog_queries  # the stamp


def test_a_category_renamed_shows_at_once(client, version, applicant):
    category = version.procedure_type.category
    assert category.name in catalog_page(client)
    client.force_login(applicant)
    assert category.name in catalog_page(client)
    category.names = dict(category.names, es="Comercio renombrado")
    category.save()
    assert "Comercio renombrado" in catalog_page(client)
    client.logout()
    assert "Comercio renombrado" in catalog_page(client)
