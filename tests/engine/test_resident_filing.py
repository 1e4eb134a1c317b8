import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent, OutboxItem
from procedures.models import Case
from tests.engine.conftest import PNG_BYTES, TYPE_CODE, make_resident, pdf_file

pytestmark = pytest.mark.django_db

GOOD_SECTION_0 = {
    "nombre_fantasia": "Kiosco <b>Don Pepe</b>",
    "superficie": "20",
    "tiene_cartel": "no",
}
GOOD_SECTION_1 = {"cuit_titular": "20-12345678-6"}


def start(client) -> Case:
    response = client.post(f"/tramites/{TYPE_CODE}/iniciar/")
    assert response.status_code == 302, response
    return Case.objects.latest("pk")


def fill_until_review(client, case: Case) -> None:
    base = f"/mis-tramites/borradores/{case.pk}"
    assert client.post(f"{base}/seccion/0/", GOOD_SECTION_0).status_code == 302
    assert client.post(f"{base}/seccion/1/", GOOD_SECTION_1).status_code == 302
    response = client.post(f"{base}/documentos/", {"dni": pdf_file("dni.pdf")})
    assert response.status_code == 302
    assert response["Location"] == f"{base}/revisar/"


def file_case(client) -> Case:
    case = start(client)
    fill_until_review(client, case)
    response = client.post(f"/mis-tramites/borradores/{case.pk}/revisar/")
    assert response.status_code == 302
    case.refresh_from_db()
    return case


def test_catalog_search_ignores_accents_and_filters_by_category(client, version):
    html = client.get("/tramites/?q=habilitacion").content.decode()
    assert "Habilitación de prueba" in html
    assert "1 trámite encontrado" in html
    assert "Habilitación de prueba" not in client.get("/tramites/?q=cementerio").content.decode()
    assert "Habilitación de prueba" in client.get("/tramites/?categoria=comercio").content.decode()
    assert "Habilitación de prueba" not in client.get("/tramites/?categoria=salud").content.decode()
    # Internal procedures are not in the residents' catalog.
    assert "Pedido interno de prueba" not in client.get("/tramites/").content.decode()


def test_detail_page_answers_what_how_much_and_how_long(client, version):
    html = client.get(f"/tramites/{TYPE_CODE}/").content.decode()
    for text in (
        "Qué es",
        "Quién puede",
        "Qué necesitás",
        "Cuánto cuesta",
        "10 días hábiles",
        "Un certificado",
        "DNI del titular",
        "Rentas aprueba",
    ):
        assert text in html, text


def test_starting_needs_an_account_and_complete_details(client, version, applicant):
    response = client.post(f"/tramites/{TYPE_CODE}/iniciar/")
    assert response.status_code == 302 and "/cuenta/login/" in response["Location"]
    applicant.address = ""
    applicant.save()
    client.force_login(applicant)
    response = client.post(f"/tramites/{TYPE_CODE}/iniciar/")
    assert response["Location"].startswith("/cuenta/perfil/")
    assert not Case.objects.exists()


def test_resident_files_a_case_and_gets_a_reference_and_a_receipt(
    client, version, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    case = start(client)
    base = f"/mis-tramites/borradores/{case.pk}"

    # Server-side validation: required fields, bounds, and the conditional field.
    response = client.post(f"{base}/seccion/0/", {"superficie": "0", "tiene_cartel": "yes"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Este campo es obligatorio" in html
    # nombre_fantasia, and medidas_cartel now that there is a sign: each in the summary and inline.
    assert html.count("Este campo es obligatorio") == 4
    assert 'href="#id_nombre_fantasia"' in html and 'href="#id_medidas_cartel"' in html
    assert "mayor o igual a 1" in html

    fill_until_review(client, case)
    review = client.get(f"{base}/revisar/").content.decode()
    assert "Revisá tus respuestas antes de enviar" in review
    assert "$\u00a02.000,00" in review  # 1000 + 50 × 20 m²
    assert "Kiosco &lt;b&gt;Don Pepe&lt;/b&gt;" in review  # markup is shown, never interpreted
    assert f"{base}/seccion/0/" in review  # change links

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/revisar/")
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert re.fullmatch(r"EXP-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", case.reference)
    assert response["Location"] == f"/mis-tramites/{case.reference}/enviado/"
    confirmation = client.get(response["Location"]).content.decode()
    assert case.reference in confirmation and "Qué sigue" in confirmation
    # What follows the filing, not the filing the resident just finished.
    assert "Completá el formulario" not in confirmation
    assert "Mesa de Entradas revisa la presentación" in confirmation
    assert case.due_date.strftime("%Y") in confirmation

    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert case.reference in mail.outbox[0].subject
    assert case.due_date.strftime("%-d/%m/%Y") in mail.outbox[0].body
    assert not OutboxItem.objects.filter(done_at__isnull=True).exists()

    assert AuditEvent.objects.filter(action="case.submitted", object_id=str(case.pk)).exists()
    page = client.get("/mis-tramites/").content.decode()
    assert case.reference in page and "En revisión" in page


def test_double_submit_creates_one_case(
    client, version, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    case = start(client)
    fill_until_review(client, case)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/mis-tramites/borradores/{case.pk}/revisar/")
        second = client.post(f"/mis-tramites/borradores/{case.pk}/revisar/", follow=True)
    assert first.status_code == 302
    assert "ya fue enviada" in second.content.decode()
    assert Case.objects.exclude(status=Case.Status.DRAFT).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("dni.pdf", PNG_BYTES), "no un archivo PDF"),
        (SimpleUploadedFile("dni.pdf", b"MZ\x90\x00 not a pdf"), "no un archivo PDF"),
        (SimpleUploadedFile("dni.pdf", b"%PDF-1.4\n" + b"0" * 1_100_000), "el límite es de 1 MB"),
        (SimpleUploadedFile("dni.pdf", b""), "está vacío"),
    ],
    ids=["png-named-pdf", "executable", "oversize", "empty"],
)
def test_bad_uploads_are_refused_with_a_reason_and_change_nothing(
    client, version, applicant, upload, message
):
    client.force_login(applicant)
    case = start(client)
    base = f"/mis-tramites/borradores/{case.pk}"
    client.post(f"{base}/seccion/0/", GOOD_SECTION_0)
    response = client.post(f"{base}/seccion/1/", {**GOOD_SECTION_1, "plano": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not case.documents.exists()


def test_another_resident_cannot_see_or_touch_a_case(client, version, applicant, other_resident):
    client.force_login(applicant)
    case = file_case(client)
    draft = start(client)
    client.force_login(other_resident)
    assert client.get(f"/mis-tramites/{case.reference}/").status_code == 404
    assert (
        client.post(f"/mis-tramites/{case.reference}/desistir/", {"confirm": "1"}).status_code
        == 404
    )
    document = case.documents.get()
    assert (
        client.get(f"/mis-tramites/{case.reference}/documentos/{document.token}/").status_code
        == 404
    )
    assert (
        client.post(f"/mis-tramites/borradores/{draft.pk}/seccion/0/", GOOD_SECTION_0).status_code
        == 404
    )
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED


def test_resident_withdraws_and_the_workflow_stops(client, version, applicant):
    client.force_login(applicant)
    case = file_case(client)
    response = client.post(f"/mis-tramites/{case.reference}/desistir/", follow=True)
    assert "Marcá la casilla" in response.content.decode()
    client.post(f"/mis-tramites/{case.reference}/desistir/", {"confirm": "1"})
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert case.process.status == "CANCELED"
    assert not case.process.task_set.exclude(status__in=["DONE", "CANCELED"]).exists()


def test_drafts_are_listed_and_can_be_resumed(client, version, applicant):
    client.force_login(applicant)
    case = start(client)
    response = client.post(
        f"/mis-tramites/borradores/{case.pk}/seccion/0/", {**GOOD_SECTION_0, "later": "1"}
    )
    assert response["Location"] == "/mis-tramites/"
    page = client.get("/mis-tramites/").content.decode()
    assert f"/mis-tramites/borradores/{case.pk}/seccion/1/" in page
    form = client.get(f"/mis-tramites/borradores/{case.pk}/seccion/0/").content.decode()
    assert 'value="20"' in form  # saved answers come back


def test_documents_of_a_save_that_fails_are_not_left_in_storage(client, version, monkeypatch):
    from django.core.files.storage import default_storage
    from django.db import DatabaseError

    from procedures.services import cases

    applicant = make_resident("vecina@example.com", "30111222")
    case = cases.start_draft(version=version, applicant=applicant, filed_by=applicant)
    upload = pdf_file("dni.pdf")
    upload.sniffed_type = "application/pdf"

    def broken(**kwargs):
        raise DatabaseError("the audit trail could not be written")

    monkeypatch.setattr(cases.audit, "record", broken)
    with pytest.raises(DatabaseError):
        cases.save_documents(case=case, uploads={"dni": upload}, actor=applicant)
    assert not case.documents.exists()
    try:
        left = default_storage.listdir(f"cases/{case.pk}")[1]
    except FileNotFoundError:  # local files: no folder was made
        left = []
    assert left == []


def test_a_reference_drawn_twice_is_drawn_again(client, version, monkeypatch):
    from procedures.services import cases

    client.force_login(make_resident("vecina@example.com", "30111222"))
    first = file_case(client)
    draws = iter([first.reference, first.reference, "EXP-2026-ABCD-EFGH"])
    monkeypatch.setattr(cases, "new_reference", lambda: next(draws))
    second = file_case(client)
    assert second.reference == "EXP-2026-ABCD-EFGH"
    assert Case.objects.filter(status=Case.Status.SUBMITTED).count() == 2


def test_a_pdf_that_runs_javascript_is_refused(client, version, applicant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.core.test_pdfs import JAVASCRIPT, pdf_with_open_action

    client.force_login(applicant)
    case = start(client)
    base = f"/mis-tramites/borradores/{case.pk}"
    client.post(f"{base}/seccion/0/", GOOD_SECTION_0)
    client.post(f"{base}/seccion/1/", GOOD_SECTION_1)
    scripted = SimpleUploadedFile(
        "dni.pdf", pdf_with_open_action(JAVASCRIPT), content_type="application/pdf"
    )
    response = client.post(f"{base}/documentos/", {"dni": scripted})
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert (
        "“dni.pdf” tiene JavaScript o acciones que se ejecutan al abrirlo (JS, JavaScript)" in page
    )
    assert not case.documents.exists()
