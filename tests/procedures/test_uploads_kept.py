"""One refused file does not drop the others sent with it; the refusal says why plainly."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procedures.catalog import CATALOG_DIR, load_catalog
from procedures.models import Case, ProcedureVersion
from procedures.services import cases
from procedures.services.catalog import sync_catalog
from tests.engine.conftest import PDF_BYTES, make_catalog_dir, make_resident

pytestmark = pytest.mark.django_db

FOOD = CATALOG_DIR / "types" / "asistencia-alimentaria.yaml"


@pytest.fixture
def draft(tmp_path):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog", FOOD)))
    resident = make_resident("vecina@example.com", "30111222")
    version = ProcedureVersion.objects.get(status="published")
    case = cases.start_draft(version=version, applicant=resident, filed_by=resident)
    answers = {
        "domicilio": "Calle 1",
        "integrantes": "3",
        "menores": "1",
        "ingresos": "1000",
        "dieta": ["ninguna"],
        "modalidad": "ambos",
        "centro": "",
    }
    return cases.save_section(
        case=case, section_index=0, answers=answers, uploads={}, actor=resident
    )


def test_the_valid_file_is_kept_when_another_is_refused(client, draft):
    client.force_login(draft.applicant)
    response = client.post(
        f"/mis-tramites/borradores/{draft.pk}/documentos/",
        {
            "dni_integrantes": SimpleUploadedFile("dni.pdf", PDF_BYTES),
            "certificado_medico": SimpleUploadedFile("certificado.pdf", b"texto plano\n" * 30),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "“certificado.pdf” parece un archivo de texto, no un archivo PDF, JPG o PNG" in page
    assert "su contenido es" not in page
    assert "Ya adjuntado: elegí un archivo solo si querés reemplazarlo." in page
    kept = Case.objects.get(pk=draft.pk).documents.filter(replaced=False)
    assert [d.original_name for d in kept] == ["dni.pdf"]

    # The page no longer asks for the file that was kept.
    response = client.post(f"/mis-tramites/borradores/{draft.pk}/documentos/", {})
    assert response.status_code == 302
