from __future__ import annotations

from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

from procedures.catalog import load_catalog
from procedures.services.catalog import sync_catalog
from tests.engine.conftest import CATALOG, FIXTURES, make_catalog_dir

TOKEN = "token-de-prueba-de-twilio"
MENU_TYPES = ("certificado-libre-deuda", "habilitacion-comercial", "licencia-de-conducir")


@pytest.fixture(autouse=True)
def twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN


@pytest.fixture
def menu_catalog(db, tmp_path):
    files = [CATALOG / "types" / f"{code}.yaml" for code in MENU_TYPES]
    sync_catalog(
        load_catalog(make_catalog_dir(tmp_path / "catalog", *files, *FIXTURES.glob("*.yaml")))
    )


def call_data(sid: str = "CA0001", **extra: str) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": "AC0001",
        "From": "+5491155550000",
        "To": "+541147",
        "CallStatus": "in-progress",
        **extra,
    }


def signed_post(client, path: str, data: dict[str, str], *, token: str = TOKEN):
    signature = RequestValidator(token).compute_signature(f"http://testserver{path}", data)
    return client.post(path, data, HTTP_X_TWILIO_SIGNATURE=signature)


def twiml(response) -> ElementTree.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    assert root.tag == "Response"
    return root


def spoken(root: ElementTree.Element) -> str:
    return " ".join(say.text or "" for say in root.iter("Say"))
