"""The admin: signing warnings, revoking with a reason (audited), officials' keys (audited)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from core.models import AuditEvent
from documents.models import OfficialSigningKey, SignedDocument
from tests.engine.conftest import make_employee, make_resident

from .cases import submitted_case, sync_versions

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(tmp_path) -> SignedDocument:
    versions = sync_versions(tmp_path / "catalog")
    case = submitted_case(versions["certificate"], make_resident("vecina@example.com", "30111222"))
    # An issued document as the pipeline leaves it (signing itself is tested elsewhere).
    return SignedDocument.objects.create(
        subject_type="procedures.case",
        subject_id=str(case.pk),
        subject_label=f"Expediente {case.reference}",
        kind="certificate",
        template="procedures/pdf/certificate.html",
        code="ABCDEFGHJKMN",
        signer="seal",
        title="Certificado",
        status="issued",
        file="signed/x.pdf",
    )


def admin_user(email: str, *, revoke: bool):
    user = make_employee(email, "rentas")
    user.is_staff = True
    user.save()
    codenames = ["view_signeddocument", "change_signeddocument"]
    if revoke:
        codenames.append("revoke_signeddocument")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_changelist_warns_about_a_missing_tsa_and_the_demo_pki(client, document, settings):
    settings.SIGNING_TSA_URL = ""
    client.force_login(admin_user("jefa@example.com", revoke=True))
    page = client.get("/admin/documents/signeddocument/").content.decode()
    assert "No hay una autoridad de sellado de tiempo configurada" in page
    assert "PKI de demostración" in page
    assert document.display_code in page


def test_revoking_needs_the_permission_and_a_reason_and_is_audited(client, document):
    url = "/admin/documents/signeddocument/"
    selected = {"action": "revoke", "_selected_action": [document.pk]}

    client.force_login(admin_user("agente@example.com", revoke=False))
    assert 'value="revoke"' not in client.get(url).content.decode()

    chief = admin_user("jefa@example.com", revoke=True)
    client.force_login(chief)
    form = client.post(url, selected)
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert client.post(url, {**selected, "confirmed": "1", "reason": ""}).status_code == 200
    document.refresh_from_db()
    assert document.status == "issued"  # no reason, nothing revoked

    response = client.post(url, {**selected, "confirmed": "1", "reason": "Datos erróneos."})
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.status, document.status_reason, document.revoked_by) == (
        "revoked",
        "Datos erróneos.",
        chief,
    )
    event = AuditEvent.objects.get(action="document.revoked")
    assert event.actor == chief and event.after["reason"] == "Datos erróneos."


def test_registering_an_officials_key_is_audited(client, document):
    superuser = admin_user("admin@example.com", revoke=True)
    superuser.is_superuser = True
    superuser.save()
    official = make_employee("rentas@example.com", "rentas")
    client.force_login(superuser)
    response = client.post(
        "/admin/documents/officialsigningkey/add/",
        {
            "user": official.pk,
            "role": "Directora de Rentas",
            "token_label": "firma-rentas",
            "key_label": "firma",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    key = OfficialSigningKey.objects.get(user=official)
    event = AuditEvent.objects.get(action="signing_key.registered")
    assert (event.actor, event.object_id, event.after["token_label"]) == (
        superuser,
        str(key.pk),
        "firma-rentas",
    )
