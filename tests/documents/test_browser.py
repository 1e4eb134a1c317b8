"""An official approves a resolution with their token's PIN, the resident downloads it, and an
anonymous visitor verifies it on the public page: all through the real pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from documents.models import OfficialSigningKey
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import make_employee, make_resident

from .cases import approve_steps, documents_of, submitted_case, sync_versions
from .support import SOFTHSM_MODULE, Token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approve_with_pin_download_and_verify(
    live_server, browser, tmp_path, settings, softhsm_tokens, tsa_configured, assert_accessible
):
    token: Token = softhsm_tokens["firma-27111222"]
    settings.SIGNING_OFFICIAL_BACKEND = "pkcs11"
    settings.SIGNING_PKCS11_MODULE = SOFTHSM_MODULE
    versions = sync_versions(tmp_path / "catalog")
    applicant = make_resident("vecina@example.com", "30111222")
    official = make_employee("agente@example.com", "rentas")
    official.full_name = token.full_name
    official.save()
    OfficialSigningKey.objects.create(
        user=official,
        role="Directora de Rentas",
        token_label=token.label,
        key_label=token.key_label,
    )
    desk = make_employee("mesa@example.com", "mesa-de-entradas")
    case = approve_steps(
        submitted_case(versions["resolution"], applicant), {"mesa-de-entradas": desk}, steps=1
    )
    base = live_server.url

    staff = browser.new_context(locale="es-AR").new_page()
    log_in(staff, base, "agente@example.com", with_totp=True)
    staff.goto(f"{base}/gestion/cola/")
    staff.get_by_role("link", name=case.reference).click()
    staff.get_by_role("button", name="Tomar esta tarea").click()
    staff.get_by_label("Aprobar este paso").check()
    staff.get_by_label("Tu PIN de firma").fill("000000")
    staff.get_by_role("button", name="Registrar la decisión").click()
    expect(staff.locator(".error-summary")).to_contain_text("El PIN no es correcto")
    assert_accessible(staff)
    staff.get_by_label("Aprobar este paso").check()
    staff.get_by_label("Tu PIN de firma").fill(token.pin)
    staff.get_by_role("button", name="Registrar la decisión").click()
    expect(staff.locator(".messages")).to_contain_text("Paso aprobado")

    document = documents_of(case).get()
    resident = browser.new_context(locale="es-AR", accept_downloads=True).new_page()
    log_in(resident, base, "vecina@example.com")
    resident.goto(f"{base}/mis-tramites/{case.reference}/")
    expect(resident.locator("main")).to_contain_text(document.display_code)
    with resident.expect_download() as download_info:
        resident.get_by_role("link", name="Descargar el documento (PDF)").click()
    pdf = Path(download_info.value.path())
    assert pdf.read_bytes()[:5] == b"%PDF-"

    visitor = browser.new_context(locale="es-AR").new_page()
    visitor.goto(f"{base}/verificar/")
    assert_accessible(visitor)
    visitor.locator("#id_file").set_input_files(str(pdf))
    visitor.get_by_role("button", name="Verificar el archivo").click()
    result = visitor.locator("main")
    expect(result).to_contain_text(
        "Auténtico: este archivo es el documento que firmó la municipalidad"
    )
    expect(result).to_contain_text(token.full_name)
    expect(result).to_contain_text(case.reference)
    assert_accessible(visitor)

    visitor.get_by_role("link", name="Verificar otro documento").click()
    visitor.locator("#id_code").fill(document.display_code)
    visitor.get_by_role("button", name="Verificar el código").click()
    expect(visitor.locator("main")).to_contain_text("La municipalidad emitió este documento")
    assert_accessible(visitor)
