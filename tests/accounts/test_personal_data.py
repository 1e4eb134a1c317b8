"""Privacy under Ley 25.326: a notice linked at sign-up and in the footer, and a person's
own data to download (JSON and the files they uploaded)."""

import io
import json
import zipfile

import pytest
from django.test import Client

from core.models import AuditEvent
from procedures.catalog import load_catalog
from procedures.services.catalog import sync_catalog
from tests.engine.conftest import make_catalog_dir, make_resident
from tests.engine.test_resident_filing import file_case

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_is_linked_from_sign_up_and_the_footer(client):
    signup = client.get("/cuenta/signup/").content.decode()
    assert 'href="/cuenta/privacidad/"' in signup and "aviso de privacidad" in signup
    home = client.get("/").content.decode()
    assert 'href="/cuenta/privacidad/"' in home
    notice = client.get("/cuenta/privacidad/").content.decode()
    assert "25.326" in notice and "AAIP" in notice


def test_a_resident_downloads_their_data_with_their_files(tmp_path):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    resident = make_resident("vecina@example.com", "30111222")
    client = Client()
    client.force_login(resident)
    case = file_case(client)
    page = client.get("/cuenta/mis-datos/").content.decode()
    assert "Descargar mis datos" in page

    response = client.post("/cuenta/mis-datos/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("datos.json"))
    assert data["account"]["email"] == "vecina@example.com"
    [filed] = data["cases"]
    assert filed["reference"] == case.reference
    assert filed["answers"]["nombre_fantasia"] == case.answers["nombre_fantasia"]
    [document] = filed["documents"]
    stored = archive.read(f"archivos/{document['file']}")
    assert stored[:5] == b"%PDF-"
    assert AuditEvent.objects.filter(action="account.data_exported").count() == 1

    # Someone else's data is not in it.
    other = Client()
    other.force_login(make_resident("otra@example.com", "30111333"))
    archive = zipfile.ZipFile(io.BytesIO(other.post("/cuenta/mis-datos/").content))
    assert json.loads(archive.read("datos.json"))["cases"] == []
