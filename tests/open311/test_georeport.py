"""Open311 GeoReport v2 at /open311/v2/: the spec's documents in JSON and XML, claims filed
as cases of the engine, and every bad input answered with the spec's error list."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from open311.models import ApiKey, ServiceRequest
from procedures.models import Case

from .conftest import LIGHTING_CLAIM

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
# The field lists of GeoReport v2 (open311.github.io/GeoReport/v2).
SERVICE_FIELDS = {
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
}  # fmt: skip
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {
    "variable", "code", "datatype", "required", "datatype_description", "order",
    "description", "values",
}  # fmt: skip
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
}  # fmt: skip
POST_FIELDS = {"service_request_id", "service_notice", "account_id"}


def xml(response) -> ElementTree.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own response


def post(client, data, fmt="json", **extra):
    return client.post(f"{BASE}/requests.{fmt}", data, **extra)


def claim(key: ApiKey, /, **changes):
    data = {**LIGHTING_CLAIM, "api_key": key.key, **changes}
    return {k: v for k, v in data.items() if v is not None}


def test_services_list_the_claim_types_in_json_and_xml(client, claim_catalog):
    services = client.get(f"{BASE}/services.json").json()
    assert [s["service_code"] for s in services] == [
        "denuncia-ruidos-molestos",
        "reclamo-alumbrado",
    ]  # not the other procedures
    for service in services:
        assert set(service) == SERVICE_FIELDS
        assert service["metadata"] is True and service["type"] == "realtime"
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [
        s["service_code"] for s in services
    ]
    assert {child.tag for child in root.find("service")} == SERVICE_FIELDS
    assert root.find("service").findtext("metadata") == "true"


def test_service_definition_lists_the_form_fields_as_attributes(client, claim_catalog):
    definition = client.get(f"{BASE}/services/reclamo-alumbrado.json").json()
    assert set(definition) == DEFINITION_FIELDS
    attributes = {a["code"]: a for a in definition["attributes"]}
    for attribute in attributes.values():
        assert set(attribute) == ATTRIBUTE_FIELDS
        assert attribute["datatype"] in DATATYPES
    # The location comes from lat/long or address_string; a photo from media_url.
    assert set(attributes) == {"problema", "numero_luminaria", "cantidad", "peligro"}
    assert attributes["problema"]["datatype"] == "singlevaluelist"
    assert {"key": "apagada", "name": "Apagada"} in attributes["problema"]["values"]
    assert attributes["cantidad"]["datatype"] == "number"
    assert attributes["numero_luminaria"] == {
        **attributes["numero_luminaria"],
        "datatype": "string",
        "required": False,
    }
    assert attributes["peligro"]["values"] == [
        {"key": "yes", "name": "Sí"},
        {"key": "no", "name": "No"},
    ]
    noise = client.get(f"{BASE}/services/denuncia-ruidos-molestos.json").json()
    days = next(a for a in noise["attributes"] if a["code"] == "dias")
    assert days["datatype"] == "multivaluelist" and len(days["values"]) == 7

    root = xml(client.get(f"{BASE}/services/reclamo-alumbrado.xml"))
    assert root.tag == "service_definition"
    first = root.find("attributes/attribute")
    assert {child.tag for child in first} == ATTRIBUTE_FIELDS
    problem = next(a for a in root.iter("attribute") if a.findtext("code") == "problema")
    assert problem.find("values/value/key").text == "apagada"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_a_404_error_list(client, claim_catalog, fmt):
    for path in ("services/no-existe", "services/habilitacion-de-prueba"):
        response = client.get(f"{BASE}/{path}.{fmt}")
        assert response.status_code == 404
        if fmt == "json":
            assert response.json() == [
                {"code": 404, "description": response.json()[0]["description"]}
            ]
        else:
            root = xml(response)
            assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_a_claim_becomes_a_case_and_the_reporter_is_told(
    client, api_key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, claim(api_key))
    assert response.status_code == 200
    [answer] = response.json()
    assert set(answer) == POST_FIELDS
    case = Case.objects.get(reference=answer["service_request_id"])
    assert case.channel == Case.Channel.OPEN311
    assert case.status == Case.Status.SUBMITTED and case.process is not None
    assert case.applicant.email == "reclamante@example.com"
    assert case.answers == {
        "problema": "apagada",
        "cantidad": "2",
        "peligro": "no",
        "ubicacion": "Av. de Mayo 500",
    }
    assert case.open311_request.media_url == "https://fotos.example/luminaria.jpg"
    assert [m.to for m in mail.outbox] == [["reclamante@example.com"]]
    assert case.reference in mail.outbox[0].subject

    detail = client.get(f"{BASE}/requests/{case.reference}.json")
    [entry] = detail.json()
    assert set(entry) == REQUEST_FIELDS
    assert entry["status"] == "open" and entry["service_code"] == "reclamo-alumbrado"
    assert entry["lat"] == -34.6037 and entry["address"] == "Av. de Mayo 500"
    body = detail.content.decode()
    for personal in ("reclamante@example.com", "Ana", "Pérez", "5555"):
        assert personal not in body


def test_a_claim_in_xml_with_a_multivalue_attribute(client, api_key):
    data = {
        "api_key": api_key.key,
        "service_code": "denuncia-ruidos-molestos",
        "address_string": "Calle 9 1200",
        "attribute[fuente]": "industria",
        "attribute[dias][]": ["lunes", "martes"],
        "attribute[horario]": "de 22 a 6",
        "attribute[acepta_medicion]": "yes",
    }
    response = post(client, data, fmt="xml")
    root = xml(response)
    assert root.tag == "service_requests"
    assert {child.tag for child in root.find("request")} == POST_FIELDS
    case = Case.objects.get(reference=root.findtext("request/service_request_id"))
    assert case.answers["dias"] == ["lunes", "martes"]
    # No reporter e-mail: the app's contact follows the claim.
    assert case.applicant.email == "dev@app.example"

    root = xml(client.get(f"{BASE}/requests/{case.reference}.xml"))
    assert {child.tag for child in root.find("request")} == REQUEST_FIELDS


BAD_CLAIMS = {
    "no api_key": (403, {"api_key": None}),
    "wrong api_key": (403, {"api_key": "otra-clave"}),
    "no service_code": (400, {"service_code": None}),
    "unknown service_code": (404, {"service_code": "reclamo-inexistente"}),
    "not a claim type": (404, {"service_code": "habilitacion-de-prueba"}),
    "attribute out of its list": (400, {"attribute[problema]": "explotada"}),
    "unknown attribute": (400, {"attribute[color]": "verde"}),
    "required attribute missing": (400, {"attribute[peligro]": None}),
    "number out of range": (400, {"attribute[cantidad]": "500"}),
    "lat/long outside the municipality": (400, {"lat": "-31.4201", "long": "-64.1888"}),
    "lat without long": (400, {"long": None}),
    "lat not a number": (400, {"lat": "sur"}),
    "no location": (400, {"lat": None, "long": None, "address_string": None}),
    "description too long": (400, {"description": "x" * 4001}),
    "bad e-mail": (400, {"email": "no-es-un-correo"}),
    "media_url not http": (400, {"media_url": "javascript:alert(1)"}),
}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("case_name", list(BAD_CLAIMS))
def test_bad_claims_get_the_spec_error_and_file_nothing(client, api_key, case_name, fmt):
    status, changes = BAD_CLAIMS[case_name]
    users = User.objects.count()
    response = post(client, claim(api_key, **changes), fmt=fmt)
    assert response.status_code == status, response.content
    if fmt == "json":
        [error] = response.json()
        assert set(error) == {"code", "description"} and error["code"] == status
        assert error["description"]
    else:
        root = xml(response)
        assert root.tag == "errors" and root.findtext("error/code") == str(status)
    assert not Case.objects.exists()
    assert not ServiceRequest.objects.exists()
    assert User.objects.count() == users


def test_a_revoked_key_is_refused(client, api_key):
    ApiKey.objects.filter(pk=api_key.pk).update(is_active=False)
    assert post(client, claim(api_key)).status_code == 403
    assert not Case.objects.exists()


def test_a_20_mb_description_is_refused_before_it_is_read(client, api_key):
    response = post(client, claim(api_key, description="x" * (20 * 1024 * 1024)))
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400
    assert not Case.objects.exists()


def test_each_key_is_rate_limited(client, api_key):
    ApiKey.objects.filter(pk=api_key.pk).update(requests_per_hour=2)
    assert [post(client, claim(api_key)).status_code for _ in range(3)] == [200, 200, 429]
    assert Case.objects.count() == 2
    other = ApiKey.objects.create(name="Otra app", contact_email="otra@app.example")
    assert post(client, claim(other)).status_code == 200


def test_request_filters_and_limits(client, api_key):
    first = post(client, claim(api_key)).json()[0]["service_request_id"]
    second = post(
        client,
        {
            "api_key": api_key.key,
            "service_code": "denuncia-ruidos-molestos",
            "address_string": "Calle 9 1200",
            "attribute[fuente]": "industria",
            "attribute[dias][]": "lunes",
            "attribute[horario]": "de noche",
            "attribute[acepta_medicion]": "no",
        },
    ).json()[0]["service_request_id"]
    Case.objects.filter(reference=second).update(status=Case.Status.REJECTED)

    def ids(**params):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return {entry["service_request_id"] for entry in response.json()}

    assert ids() == {first, second}
    assert ids(status="open") == {first}
    assert ids(status="closed") == {second}
    assert ids(service_code="reclamo-alumbrado") == {first}
    assert ids(service_request_id=f"{second},{first}", status="open") == {first, second}
    now = timezone.now()
    assert ids(start_date=(now - timedelta(days=1)).isoformat()) == {first, second}
    assert ids(end_date=(now - timedelta(days=1)).isoformat()) == set()
    closed = client.get(f"{BASE}/requests.json", {"status": "closed"}).json()[0]
    assert closed["status_notes"] == "Rechazado" and closed["expected_datetime"] is None

    for bad in (
        {"status": "pending"},
        {"start_date": "ayer"},
        {"start_date": (now - timedelta(days=120)).isoformat(), "end_date": now.isoformat()},
        {"start_date": now.isoformat(), "end_date": (now - timedelta(days=1)).isoformat()},
    ):
        response = client.get(f"{BASE}/requests.xml", bad)
        assert response.status_code == 400
        assert xml(response).findtext("error/code") == "400"
    assert client.get(f"{BASE}/requests/EXP-2026-0000-0000.json").status_code == 404


def test_listing_requests_costs_the_same_queries_for_more_claims(client, api_key):
    ApiKey.objects.filter(pk=api_key.pk).update(requests_per_hour=100)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/requests.json").status_code == 200
        return len(captured)

    post(client, claim(api_key))
    few = queries()
    for _ in range(5):
        post(client, claim(api_key))
    assert len(json.loads(client.get(f"{BASE}/requests.json").content)) == 6
    assert queries() == few


def test_staff_see_what_the_app_sent_on_the_case_page(client, api_key):
    from tests.engine.conftest import make_employee

    reference = post(client, claim(api_key)).json()[0]["service_request_id"]
    client.force_login(make_employee("cuadrilla@example.com", "alumbrado"))
    page = client.get(f"/gestion/expedientes/{reference}/").content.decode()
    assert "Enviado a través de App Vecinal (Open311)" in page
    assert "La luminaria de la esquina está apagada hace una semana." in page
    assert "https://fotos.example/luminaria.jpg" in page
