from __future__ import annotations

import pytest

from open311.models import ApiKey
from procedures.catalog import load_catalog
from procedures.services.catalog import sync_catalog
from tests.engine.conftest import CATALOG, FIXTURES, make_catalog_dir

CLAIM_TYPES = ("reclamo-alumbrado", "denuncia-ruidos-molestos")


@pytest.fixture
def claim_catalog(db, tmp_path):
    files = [CATALOG / "types" / f"{code}.yaml" for code in CLAIM_TYPES]
    sync_catalog(
        load_catalog(make_catalog_dir(tmp_path / "catalog", *files, *FIXTURES.glob("*.yaml")))
    )


@pytest.fixture
def api_key(claim_catalog) -> ApiKey:
    return ApiKey.objects.create(name="App Vecinal", contact_email="dev@app.example")


LIGHTING_CLAIM = {
    "service_code": "reclamo-alumbrado",
    "lat": "-34.6037",
    "long": "-58.3816",
    "address_string": "Av. de Mayo 500",
    "email": "reclamante@example.com",
    "first_name": "Ana",
    "last_name": "Pérez",
    "phone": "+54 11 5555-1234",
    "description": "La luminaria de la esquina está apagada hace una semana.",
    "media_url": "https://fotos.example/luminaria.jpg",
    "attribute[problema]": "apagada",
    "attribute[cantidad]": "2",
    "attribute[peligro]": "no",
}
