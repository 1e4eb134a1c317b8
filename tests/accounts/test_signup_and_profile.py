import re

import pytest
from django.core import mail

from accounts.models import User
from core.identifiers import make_cuit
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "una-clave-bien-larga-7"


def _confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/cuenta/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_requires_email_verification_then_profile_rejects_bad_cuit(client):
    response = client.post(
        "/cuenta/signup/",
        {"email": "nueva@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = _confirmation_link(mail.outbox[0])

    # Unverified: logging in only re-sends to the "verify your e-mail" page.
    client.logout()
    response = client.post(
        "/cuenta/login/", {"login": "nueva@example.com", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"] or "verification" in response["Location"]
    assert "_auth_user_id" not in client.session

    page = client.get(link)
    assert page.status_code == 200
    assert client.post(link).status_code == 302

    response = client.post(
        "/cuenta/login/", {"login": "nueva@example.com", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session

    bad = {
        "full_name": "Nueva Vecina",
        "document_type": "cuit",
        "document_number": "20-12345678-0",
        "address": "Calle Falsa 123",
        "city": "Villa Demo",
    }
    response = client.post("/cuenta/perfil/", bad)
    assert response.status_code == 200
    assert "dígito verificador del CUIT" in response.content.decode()
    user = User.objects.get(email="nueva@example.com")
    assert user.document_number == ""
    assert not AuditEvent.objects.filter(action="profile.updated").exists()

    good = {**bad, "document_number": make_cuit("20", "12345678")}
    response = client.post("/cuenta/perfil/", good, follow=True)
    assert (
        "Tus datos se guardaron" in response.content.decode()
        or "guardaron" in response.content.decode()
    )
    user.refresh_from_db()
    assert user.document_number == "20123456786"
    event = AuditEvent.objects.get(action="profile.updated")
    assert event.actor == user
    assert event.after["document_number"] == "20123456786"
    assert event.before["document_number"] == ""


def test_document_already_used_by_another_account_is_rejected(client, resident):
    cuit = make_cuit("20", "22333444")
    User.objects.create_user(
        email="otro@example.com", password="x" * 12, document_type="cuit", document_number=cuit
    )
    client.force_login(resident)
    response = client.post(
        "/cuenta/perfil/",
        {
            "full_name": "Juan",
            "document_type": "cuit",
            "document_number": cuit,
            "address": "Calle 1",
            "city": "Villa",
        },
    )
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.document_number == ""


def test_password_reset_sends_a_link(client, resident):
    response = client.post("/cuenta/password/reset/", {"email": resident.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/cuenta/password/reset/key/" in mail.outbox[0].body


def test_repeated_failed_logins_are_rate_limited(client, resident):
    for _attempt in range(10):
        response = client.post(
            "/cuenta/login/", {"login": resident.email, "password": "incorrecta-1"}
        )
    assert response.status_code in (200, 429)
    assert "Demasiados intentos" in response.content.decode() or response.status_code == 429
    # Even the right password is refused while the limit lasts.
    response = client.post(
        "/cuenta/login/", {"login": resident.email, "password": "correct-horse-battery-42"}
    )
    assert "_auth_user_id" not in client.session
