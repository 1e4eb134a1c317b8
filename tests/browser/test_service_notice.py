"""An employee publishes a service notice; a visitor sees it on the home page and on the
affected procedure's page."""

import pytest
from playwright.sync_api import expect

from notices.models import Area
from procedures.catalog import load_catalog
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import TYPE_CODE, make_catalog_dir, make_employee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_a_notice_and_see_it_on_home_and_procedure_page(
    live_server, browser, tmp_path, assert_accessible
):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    make_employee("aguas@example.com", "mesa-de-entradas")
    Area.objects.create(code="centro", name="Centro")
    base = live_server.url

    staff = browser.new_context(locale="es-AR").new_page()
    log_in(staff, base, "aguas@example.com", with_totp=True)
    staff.goto(f"{base}/gestion/")
    staff.get_by_role("link", name="Avisos de servicio").first.click()
    assert_accessible(staff)
    staff.get_by_role("link", name="Publicar un aviso").click()
    assert_accessible(staff)
    staff.get_by_label("Servicio afectado").select_option("portal")
    staff.get_by_label("Título").fill("Mantenimiento del sistema de habilitaciones")
    staff.get_by_label("Qué pasa").fill("Actualizamos el sistema.")
    staff.get_by_label("Qué hacer (opcional)").fill("Iniciá tu trámite más tarde.")
    staff.get_by_label("Centro").check()
    staff.get_by_label("Trámites afectados (opcional)").select_option(label=TYPE_CODE)
    staff.get_by_label("Desde").fill("2026-01-01T08:00")
    staff.get_by_role("button", name="Publicar", exact=True).click()
    expect(staff.get_by_text("El aviso está publicado.")).to_be_visible()
    assert_accessible(staff)

    visitor = browser.new_context(locale="es-AR").new_page()
    visitor.goto(f"{base}/")
    notices = visitor.get_by_role("region", name="Avisos de servicio")
    expect(notices.get_by_text("Mantenimiento del sistema de habilitaciones")).to_be_visible()
    expect(notices.get_by_text("Iniciá tu trámite más tarde.")).to_be_visible()
    assert_accessible(visitor)
    visitor.goto(f"{base}/tramites/{TYPE_CODE}/")
    region = visitor.get_by_role("region", name="Avisos sobre este trámite")
    expect(region.get_by_text("Mantenimiento del sistema de habilitaciones")).to_be_visible()
    assert_accessible(visitor)
    region.get_by_role("link", name="Mantenimiento del sistema de habilitaciones").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Mantenimiento del sistema de habilitaciones"
    )
    assert_accessible(visitor)
