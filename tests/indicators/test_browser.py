"""A department head reads the indicators; anyone reads the transparency page: real browser,
no JavaScript needed, and axe finds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from indicators.models import CaseDay
from indicators.services import aggregates
from procedures.catalog import load_catalog
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import make_catalog_dir, make_employee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_and_transparency_pages(live_server, browser, tmp_path, assert_accessible):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    head = make_employee("jefa@example.com", "rentas")
    head.user_permissions.add(Permission.objects.get(codename="view_department_indicators"))
    today = timezone.localdate()
    for offset in range(0, 90, 3):
        CaseDay.objects.create(
            day=today - timedelta(days=offset),
            procedure="habilitacion-de-prueba",
            department="rentas",
            channel="online",
            received=6,
            resolved=5,
            resolved_on_time=4,
            resolved_late=1,
            resolution_histogram={"3": 1, "5": 1, "8": 1, "9": 1, "12": 1},
            drafts_started=8,
            drafts_submitted=6,
            satisfaction_answers=5,
            satisfaction_total=21,
            satisfied=4,
            open_0_30=7,
            open_31_60=2,
            open_over_60=1,
            overdue=2,
        )
    aggregates.roll_up_months(today - timedelta(days=offset) for offset in range(0, 90, 3))
    base = live_server.url

    manager = browser.new_context(locale="es-AR").new_page()
    log_in(manager, base, "jefa@example.com", with_totp=True)
    manager.goto(f"{base}/gestion/")
    manager.get_by_role("link", name="Indicadores").click()
    expect(manager.locator("h1")).to_have_text("Indicadores")
    expect(
        manager.get_by_role("img", name="Trámites resueltos en plazo y fuera de plazo")
    ).to_be_visible()
    backlog = manager.get_by_role("table", name="Trámites abiertos por antigüedad, por área")
    expect(backlog).to_contain_text("Dirección de Rentas")
    expect(manager.get_by_role("heading", name="Centro de atención")).to_be_visible()
    expect(manager.locator("main")).to_contain_text("Todavía no hay datos.")
    assert_accessible(manager)
    manager.locator("#id_por").select_option("week")
    manager.get_by_role("button", name="Mostrar").click()
    expect(manager.get_by_role("table", name="Trámites por período")).to_be_visible()
    # Only counter cases have an office: the online figures above are not those of an office.
    manager.get_by_label("Oficina").select_option("cav-norte")
    manager.get_by_role("button", name="Mostrar").click()
    expect(manager.get_by_label("Oficina")).to_have_value("cav-norte")
    expect(manager.locator("main")).to_contain_text(
        "Solo los trámites iniciados en un mostrador tienen oficina."
    )
    assert_accessible(manager)
    manager.get_by_label("Oficina").select_option("")
    manager.locator("#id_desde").fill("2026-06-01")
    manager.locator("#id_hasta").fill("2026-05-01")
    manager.get_by_role("button", name="Mostrar").click()
    expect(manager.get_by_role("alert")).to_contain_text("posterior a la de fin")
    assert_accessible(manager)

    public = browser.new_context(locale="es-AR").new_page()
    public.goto(base)
    public.get_by_role("link", name="Transparencia: cuánto tardan nuestros trámites").click()
    expect(public.locator("h1")).to_have_text("Cuánto tardan nuestros trámites")
    expect(
        public.get_by_role("img", name="Porcentaje de trámites resueltos en plazo por mes")
    ).to_be_visible()
    expect(public.locator("main")).to_contain_text("Habilitación de prueba")
    assert_accessible(public)
    public.get_by_role("link", name="qué significa cada columna").click()
    expect(public.locator("h1")).to_have_text("Datos abiertos: cifras de los trámites")
    assert_accessible(public)
