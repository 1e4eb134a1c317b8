"""The resident confirms their phone with the code WhatsApp brought; an agent answers their
WhatsApp message with a canned reply and a file, files a case on the resident's behalf from it
and resolves it; the resident later reads the answer and downloads the file on "Mis consultas"
and rates it. Real pages, chromium, the fake Graph API behind the portal."""

from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import expect

from contact.models import CannedReply, Conversation
from contact.whatsapp import sign
from procedures.catalog import load_catalog
from procedures.models import Case
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import PDF_BYTES, make_catalog_dir, make_resident

from .conftest import APP_SECRET, WEBHOOK, agent_of, wa_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_answers_files_a_case_and_the_resident_rates(
    live_server, browser, tmp_path, graph, team, assert_accessible, settings
):
    settings.ACCOUNTS_PHONE_CODE_SENDER = "whatsapp"
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    resident = make_resident("vecina@example.com", "30111222")
    resident.phone = "011 5555-0001"
    resident.save(update_fields=["phone"])
    agent_of(team, "agente@example.com")
    CannedReply.objects.create(
        title="Habilitaciones", body="Hola, te ayudamos a iniciar la habilitación por acá."
    )
    dni = tmp_path / "dni.pdf"
    dni.write_bytes(PDF_BYTES)
    base = live_server.url

    page = browser.new_context(locale="es-AR").new_page()
    log_in(page, base, "vecina@example.com")
    page.goto(f"{base}/cuenta/perfil/")
    page.get_by_role("button", name="Enviar un código a 011 5555-0001").click()
    expect(page.locator(".messages")).to_contain_text("Te enviamos un código por WhatsApp")
    code = graph.sent()[-1]["template"]["components"][0]["parameters"][0]["text"]
    page.get_by_label("Código recibido por WhatsApp").fill(code)
    assert_accessible(page)
    page.get_by_role("button", name="Confirmar mi número").click()
    expect(page.locator(".messages")).to_contain_text("Tu número de teléfono quedó confirmado")

    body = json.dumps(wa_message("wamid.BROWSER", "Hola, quiero habilitar mi kiosco")).encode()
    answer = requests.post(
        f"{base}{WEBHOOK}",
        data=body,
        timeout=30,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)},
    )
    assert answer.status_code == 200

    staff = browser.new_context(locale="es-AR").new_page()
    log_in(staff, base, "agente@example.com", with_totp=True)
    staff.get_by_role("link", name="Bandejas de trabajo").click()
    staff.get_by_role("link", name="Centro de atención").click()
    assert_accessible(staff)
    staff.get_by_role("link", name="quiero habilitar mi kiosco").click()
    staff.get_by_role("button", name="Tomar esta conversación").click()
    expect(staff.locator(".messages")).to_contain_text("La conversación es tuya.")
    staff.get_by_label("Respuesta predefinida").select_option(label="Habilitaciones")
    staff.get_by_label("Adjuntar un archivo").set_input_files(str(dni))
    assert_accessible(staff)
    staff.get_by_role("button", name="Enviar respuesta").click()
    expect(staff.locator(".messages")).to_contain_text("Respuesta en cola para enviarse.")
    expect(staff.locator(".conversation-messages")).to_contain_text("Enviado")
    sent = graph.sent()[-1]
    assert sent["type"] == "document" and sent["document"]["filename"] == "dni.pdf"
    assert sent["document"]["caption"].startswith("Hola, te ayudamos")

    staff.get_by_role("combobox", name="Trámite o reclamo").select_option(
        label="Habilitación de prueba"
    )
    staff.get_by_role("button", name="Iniciar el trámite").click()
    staff.get_by_label("Nombre de fantasía").fill("Kiosco Don Pepe")
    staff.get_by_label("Superficie en m²").fill("20")
    staff.get_by_label("No", exact=True).check()
    staff.get_by_role("button", name="Guardar y seguir").click()
    staff.get_by_label("CUIT del titular").fill("20-12345678-6")
    staff.get_by_role("button", name="Guardar y seguir").click()
    staff.get_by_label("DNI del titular").set_input_files(str(dni))
    staff.get_by_role("button", name="Guardar y seguir").click()
    staff.get_by_role("button", name="Enviar la solicitud").click()
    expect(staff.locator(".messages")).to_contain_text("iniciado; avisamos al solicitante")
    case = Case.objects.get()
    assert case.channel == Case.Channel.WHATSAPP and case.applicant == resident

    conversation = Conversation.objects.get()
    staff.goto(f"{base}/gestion/contacto/{conversation.pk}/")
    expect(staff.locator("main")).to_contain_text(case.reference)
    staff.get_by_role("button", name="Marcar como resuelta").click()
    expect(staff.locator(".messages")).to_contain_text("Conversación resuelta")
    assert "del 1 (mal) al 5 (muy bien)" in graph.sent()[-1]["text"]["body"]

    page.get_by_role("link", name="Mis consultas").click()
    assert_accessible(page)
    page.get_by_role("link", name="Hola, quiero habilitar mi kiosco").click()
    expect(page.locator("main")).to_contain_text("te ayudamos a iniciar la habilitación")
    with page.expect_download() as download:
        page.get_by_role("link", name="dni.pdf").click()
    assert download.value.suggested_filename == "dni.pdf"
    page.get_by_label("5 — Muy satisfecho/a").check()
    page.get_by_label("Comentario (opcional)").fill("Muy rápido")
    assert_accessible(page)
    page.get_by_role("button", name="Enviar calificación").click()
    expect(page.locator("h1")).to_have_text("Gracias")
    conversation.refresh_from_db()
    assert conversation.csat_score == 5 and conversation.csat_comment == "Muy rápido"


def test_a_resident_writes_from_mis_consultas(live_server, browser, team, assert_accessible):
    make_resident("vecina@example.com", "30111222")
    page = browser.new_context(locale="es-AR").new_page()
    log_in(page, live_server.url, "vecina@example.com")
    page.get_by_role("link", name="Mis consultas").click()
    expect(page.locator("main")).to_contain_text("Todavía no tenés consultas.")
    page.get_by_label("Asunto").fill("Poda del árbol")
    page.get_by_label("Tu mensaje").fill("¿Cuándo podan el árbol de mi vereda?")
    assert_accessible(page)
    page.get_by_role("button", name="Enviar").click()
    expect(page.locator(".messages")).to_contain_text("Mensaje enviado")
    expect(page.locator("h1")).to_have_text("Poda del árbol")
    assert_accessible(page)
