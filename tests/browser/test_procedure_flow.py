"""A resident files with an upload, an employee asks for a correction, the resident fixes it,
the employee approves, and the resident downloads the result: all through the real pages."""

from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from playwright.sync_api import expect

from accounts.models import Department
from procedures.catalog import load_catalog
from procedures.services.catalog import sync_catalog
from tests.engine.conftest import PDF_BYTES, make_catalog_dir, make_employee, make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "una-clave-larga-123"
TOTP_SECRET = "A" * 32


def totp_code() -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(TOTP_SECRET, counters[len(counters) // 2]))


def log_in(page, base_url, email, with_totp=False):
    page.goto(f"{base_url}/cuenta/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    if with_totp:
        page.fill("input[name=code]", totp_code())
        page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()


def test_file_correct_approve_and_download(live_server, browser, tmp_path, assert_accessible):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    make_resident("vecina@example.com", "30111222")
    officer = make_employee("agente@example.com", "mesa-de-entradas")
    officer.groups.add(Department.objects.get(code="rentas").group)
    first_dni = tmp_path / "dni-borroso.pdf"
    first_dni.write_bytes(PDF_BYTES)
    second_dni = tmp_path / "dni-legible.pdf"
    second_dni.write_bytes(PDF_BYTES)
    base = live_server.url

    resident = browser.new_context(locale="es-AR", accept_downloads=True).new_page()
    log_in(resident, base, "vecina@example.com")
    resident.get_by_role("link", name="Trámites", exact=True).click()
    resident.fill("#q", "habilitacion")
    resident.get_by_role("button", name="Buscar").click()
    resident.get_by_role("link", name="Habilitación de prueba").click()
    assert_accessible(resident)
    resident.get_by_role("button", name="Iniciar este trámite").click()

    resident.get_by_label("Nombre de fantasía").fill("Kiosco Don Pepe")
    resident.get_by_label("Superficie en m²").fill("20")
    expect(resident.get_by_label("Medidas del cartel")).to_be_hidden()
    resident.get_by_label("Sí", exact=True).check()
    expect(resident.get_by_label("Medidas del cartel")).to_be_visible()
    resident.get_by_label("Medidas del cartel").fill("2 x 1 m")
    assert_accessible(resident)
    resident.get_by_role("button", name="Guardar y seguir").click()
    resident.get_by_label("CUIT del titular").fill("20-12345678-6")
    resident.get_by_role("button", name="Guardar y seguir").click()
    resident.get_by_label("DNI del titular").set_input_files(str(first_dni))
    assert_accessible(resident)
    resident.get_by_role("button", name="Guardar y seguir").click()
    expect(resident.locator("main")).to_contain_text("$ 2.000,00")
    assert_accessible(resident)
    resident.get_by_role("button", name="Enviar la solicitud").click()
    expect(resident.locator("h1")).to_have_text("Solicitud enviada")
    reference = resident.locator(".reference").inner_text()
    assert_accessible(resident)

    staff = browser.new_context(locale="es-AR").new_page()
    log_in(staff, base, "agente@example.com", with_totp=True)
    staff.get_by_role("link", name="Bandejas de trabajo").click()
    staff.get_by_role("link", name="Bandeja del área").click()
    assert_accessible(staff)
    staff.get_by_role("link", name=reference).click()
    staff.get_by_role("button", name="Tomar esta tarea").click()
    assert_accessible(staff)
    staff.get_by_label("Pedir una corrección al solicitante").check()
    staff.get_by_label("Mensaje para el solicitante").fill("El DNI está borroso: subilo de nuevo.")
    staff.get_by_label("DNI del titular").check()
    staff.get_by_role("button", name="Registrar la decisión").click()
    expect(staff.locator(".messages")).to_contain_text("Se pidió una corrección")

    resident.goto(f"{base}/mis-tramites/{reference}/")
    expect(resident.locator("main")).to_contain_text("El DNI está borroso")
    resident.get_by_role("link", name="Corregir y enviar").click()
    resident.get_by_label("DNI del titular").set_input_files(str(second_dni))
    resident.get_by_label("Mensaje para quien revisa (opcional)").fill(
        "Lo escaneé de nuevo con más luz."
    )
    assert_accessible(resident)
    resident.get_by_role("button", name="Enviar las correcciones").click()
    expect(resident.locator(".messages")).to_contain_text("Correcciones enviadas")

    for step in range(2):  # the desk's review, then the revenue office's approval
        staff.goto(f"{base}/gestion/cola/")
        staff.get_by_role("link", name=reference).click()
        if step == 0:  # the resident's message is in the history beside the decision
            expect(staff.locator(".task-case")).to_contain_text("Lo escaneé de nuevo con más luz.")
        staff.get_by_role("button", name="Tomar esta tarea").click()
        staff.get_by_label("Aprobar este paso").check()
        staff.get_by_role("button", name="Registrar la decisión").click()
        expect(staff.locator(".messages")).to_contain_text("Paso aprobado")

    resident.goto(f"{base}/mis-tramites/{reference}/")
    expect(resident.locator(".status")).to_have_text("Aprobado")
    with resident.expect_download() as download_info:
        resident.get_by_role("link", name="Descargar el documento (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"{reference}.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
