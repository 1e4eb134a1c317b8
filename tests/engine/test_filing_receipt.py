"""A sealed receipt of filing (reference, date, what was filed), linked from the
confirmation page and the case."""

import io

import pytest
from pypdf import PdfReader

from procedures.services import outputs
from tests.documents.cases import run_pending_work
from tests.engine.test_resident_filing import file_case

pytestmark = pytest.mark.django_db

LINK = "Descargá la constancia de presentación"


def test_the_receipt_of_filing_states_what_was_filed(
    client, version, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(client)
    url = f"/mis-tramites/{case.reference}/constancia-de-presentacion/"
    for page in (f"/mis-tramites/{case.reference}/enviado/", f"/mis-tramites/{case.reference}/"):
        html = client.get(page).content.decode()
        assert f'href="{url}">{LINK}' in html

    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url)
    if first.status_code == 200:  # sealing after the commit: the page says to come back
        assert "recargá esta página en un minuto" in first.content.decode()
        run_pending_work(case)
    receipt = outputs.filing_receipt(case)
    assert receipt.has_file
    response = client.get(url)
    assert response.status_code == 302
    download = client.get(response["Location"])
    assert download.status_code == 200
    assert f"{case.reference}-constancia-de-presentacion.pdf" in download["Content-Disposition"]
    pdf = b"".join(download.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Constancia de presentación" in text and case.reference in text
    assert "Kiosco" in text  # an answer
    dni = case.documents.get(slot="dni")
    assert dni.original_name in text and dni.sha256[:16] in text.replace("\n", "")
    assert not case.events.filter(kind="output_ready").exists()  # not the case's output
    # Asking again gives the same receipt, not a new one.
    client.get(url)
    assert outputs.filing_receipt(case).pk == receipt.pk


def test_only_the_applicant_gets_the_receipt(client, version, applicant, desk_clerk):
    client.force_login(applicant)
    case = file_case(client)
    client.force_login(desk_clerk)
    assert (
        client.get(f"/mis-tramites/{case.reference}/constancia-de-presentacion/").status_code == 404
    )
