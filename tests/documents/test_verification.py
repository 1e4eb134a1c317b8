"""The public verification page, the verify_document command and who may download documents."""

from __future__ import annotations

import os
from io import BytesIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.core.management import call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from core.errors import ActionRefused
from core.models import AuditEvent
from documents import services
from documents.models import SignedDocument
from tests.conftest import force_login_password_only
from tests.engine.conftest import make_employee, make_resident

from .cases import (
    approve_steps,
    case_of,
    documents_of,
    run_pending_work,
    submitted_case,
    sync_versions,
)
from .support import SignedSet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()  # the page counts requests per address; tests share 127.0.0.1
    yield
    cache.clear()


@pytest.fixture
def certificate(tmp_path, tsa_configured, django_capture_on_commit_callbacks) -> SignedDocument:
    versions = sync_versions(tmp_path / "catalog")
    officials = {
        "mesa-de-entradas": make_employee("mesa@example.com", "mesa-de-entradas"),
        "rentas": make_employee("rentas@example.com", "rentas"),
    }
    applicant = make_resident("vecina@example.com", "30111222")
    case = approve_steps(submitted_case(versions["certificate"], applicant), officials)
    with django_capture_on_commit_callbacks(execute=True):
        run_pending_work(case)
    return documents_of(case).get()


def upload(client, data: bytes, name: str = "documento.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/verificar/", {"file": SimpleUploadedFile(name, data, content_type="application/pdf")}
    )


def page_text(response) -> str:
    return response.content.decode()


def test_the_code_printed_on_the_document_leads_to_its_record(client, certificate):
    form = client.get("/verificar/")
    assert form.status_code == 200 and "Código de verificación" in page_text(form)
    typed = certificate.display_code.lower().replace("-", " ")  # as a person might type it
    response = client.post("/verificar/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/verificar/{certificate.code}/"
    page = page_text(client.get(response["Location"]))
    assert "La municipalidad emitió este documento, y está vigente." in page
    for fact in (
        case_of(certificate).reference,
        "Habilitación de prueba",
        "sello de la municipalidad",
        "hora certificada por la autoridad de sellado de tiempo",
        certificate.display_code,
    ):
        assert fact in page
    assert "Vecina 30111222" not in page  # the applicant's name is on the document, not here
    download = client.get(f"/verificar/{certificate.code}/documento.pdf")
    assert b"".join(download.streaming_content) == services.read_file(certificate)


def test_unknown_and_malformed_codes(client, db):
    response = client.get("/verificar/ABCD-EFGH-JKMN/")
    assert response.status_code == 404
    assert "Ningún documento tiene este código." in page_text(response)
    assert client.get("/verificar/ABCDEFGHJKMN/documento.pdf").status_code == 404
    response = client.post("/verificar/", {"code": "12345"})
    assert response.status_code == 400
    assert "Eso no es un código de verificación" in page_text(response)


def _incremental_edit(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    stroke = generic.StreamObject(stream_data=b"0 0 m 300 300 l S")
    writer.add_stream_to_page(0, writer.add_object(stroke))
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def test_uploaded_files_are_validated_and_tampering_is_reported(
    client, certificate, signed: SignedSet, rendered: bytes
):
    genuine = services.read_file(certificate)
    page = page_text(upload(client, genuine))
    assert "Auténtico: este archivo es el documento que firmó la municipalidad" in page
    assert "PAdES B-LTA" in page and case_of(certificate).reference in page

    flipped = bytearray(genuine)
    offset = genuine.index(b"/Author")  # inside the signed revision
    flipped[offset + 2] ^= 0x01
    not_authentic = "No auténtico: no confíes en este archivo."
    cases = {
        "one byte flipped": (bytes(flipped), "El archivo fue modificado después de firmado."),
        "an incremental edit": (
            _incremental_edit(genuine),
            "Se agregó o cambió contenido en el archivo después de firmado.",
        ),
        "an unsigned PDF": (rendered, "El archivo no tiene firma digital."),
        "a file this portal did not issue": (signed.b_t, "este portal no emitió este archivo"),
    }
    for name, (data, reason) in cases.items():
        page = page_text(upload(client, data))
        assert not_authentic in page and reason in page, name

    response = upload(client, os.urandom(2048), "documento.pdf")
    assert response.status_code == 400  # not a PDF at all: the form says so


def test_a_revoked_document_says_so_everywhere(client, certificate, capsys):
    staff = make_employee("jefa@example.com", "rentas")
    services.revoke(document_id=certificate.pk, actor=staff, reason="Emitido por error.")
    event = AuditEvent.objects.get(action="document.revoked")
    assert (event.actor, event.after["reason"]) == (staff, "Emitido por error.")
    with pytest.raises(ActionRefused):
        services.revoke(document_id=certificate.pk, actor=staff, reason="Otra vez.")

    page = page_text(client.get(f"/verificar/{certificate.code}/"))
    assert "Revocado: la municipalidad emitió este documento, pero ya no es válido." in page
    assert "Emitido por error." in page
    page = page_text(upload(client, services.read_file(certificate)))
    assert "Revocado" in page and "Emitido por error." in page

    client.force_login(case_of(certificate).applicant)
    page = page_text(client.get(f"/mis-tramites/{case_of(certificate).reference}/"))
    assert "La municipalidad revocó este documento: Emitido por error." in page


def test_a_reissued_document_points_to_its_replacement(
    client, certificate, django_capture_on_commit_callbacks
):
    staff = make_employee("jefa@example.com", "rentas")
    with django_capture_on_commit_callbacks(execute=True):
        new = services.reissue(document_id=certificate.pk, actor=staff, reason="Cambió el rubro.")
    new.refresh_from_db()
    certificate.refresh_from_db()
    assert (certificate.status, certificate.superseded_by) == ("superseded", new)
    assert new.status == "issued" and new.code != certificate.code
    assert case_of(certificate).output == new
    page = page_text(client.get(f"/verificar/{certificate.code}/"))
    assert "Reemplazado: la municipalidad emitió este documento" in page
    assert f"/verificar/{new.code}/" in page and "Cambió el rubro." in page


def test_verify_document_command(certificate, tmp_path, capsys):
    genuine = tmp_path / "genuino.pdf"
    genuine.write_bytes(services.read_file(certificate))
    call_command("verify_document", str(genuine))
    out = capsys.readouterr().out
    assert "AUTÉNTICO y vigente" in out
    assert case_of(certificate).reference in out and certificate.display_code in out
    assert "Municipalidad Demo - Sello" in out and "PAdES B-LTA" in out

    tampered = tmp_path / "adulterado.pdf"
    data = bytearray(genuine.read_bytes())
    data[data.index(b"/Author") + 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    with pytest.raises(SystemExit) as exit_status:
        call_command("verify_document", str(tampered))
    assert exit_status.value.code == 1
    assert "NO AUTÉNTICO" in capsys.readouterr().out

    services.revoke(
        document_id=certificate.pk,
        actor=case_of(certificate).applicant,
        reason="Emitido por error.",
    )
    with pytest.raises(SystemExit) as exit_status:
        call_command("verify_document", str(genuine))
    assert exit_status.value.code == 2
    assert "REVOCADO" in capsys.readouterr().out


def test_only_the_applicant_and_staff_of_the_case_download_it(client, certificate):
    url = f"/documentos/{certificate.code}/descargar/"
    assert client.get(url).status_code == 302  # log in first
    client.force_login(make_resident("otra@example.com", "30999888"))
    assert client.get(url).status_code == 404
    client.force_login(make_employee("otra-area@example.com", "intendencia"))
    assert client.get(url).status_code == 404
    for user in (case_of(certificate).applicant, make_employee("jefa@example.com", "rentas")):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == services.read_file(certificate)


def test_too_many_look_ups_are_refused_for_a_while(client, db):
    statuses = [client.get("/verificar/ABCD-EFGH-JKMN/").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


def test_staff_download_needs_a_session_that_passed_the_second_factor(client, certificate):
    url = f"/documentos/{certificate.code}/descargar/"
    staff = make_employee("jefa@example.com", "rentas")
    force_login_password_only(client, staff)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/2fa/reauthenticate/")

    Authenticator.objects.filter(user=staff).delete()
    force_login_password_only(client, staff)
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, "/cuenta/2fa/totp/activate/")
