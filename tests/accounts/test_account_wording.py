"""Account pages and e-mails speak the portal's Spanish, name the municipality and link to
the public address (SITE_URL), whatever host the request came through."""

import subprocess

import pytest
from django.core import mail
from django.utils import translation

from core import wording
from tests.core.production import REPO

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "una-clave-bien-larga-7"


@pytest.fixture
def public_address(settings):
    settings.SITE_URL = "https://tramites.villademo.gob.ar"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver", "interno.local"]


def test_the_verification_email_names_the_municipality_and_links_to_the_public_address(
    client, public_address
):
    client.post(
        "/cuenta/signup/",
        {"email": "nueva@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_HOST="interno.local:8101",
    )
    [message] = mail.outbox
    assert "¡Hola! Te escribimos de Municipalidad de Villa Demo." in message.body
    assert "https://tramites.villademo.gob.ar/cuenta/confirm-email/" in message.body
    assert "interno.local" not in message.body
    assert "vete a" not in message.body and "entrá a" in message.body


def test_the_password_reset_email_links_to_the_public_address(client, resident, public_address):
    client.post("/cuenta/password/reset/", {"email": resident.email}, HTTP_HOST="interno.local")
    [message] = mail.outbox
    assert "https://tramites.villademo.gob.ar/cuenta/password/reset/key/" in message.body
    assert "interno.local" not in message.body
    assert "Hacé clic" in message.body


USTED = ("Introduzca", "Asegúrese", "Escoja", "usted", "Usted", " su ", "Su ", "vete a", "Escanee")


def test_library_messages_speak_voseo():
    with translation.override("es"):
        for message in wording.DJANGO_MESSAGES + wording.ACCOUNT_MESSAGES:
            text = translation.gettext(message)
            assert not any(word in text for word in USTED), (message, text)
        assert translation.gettext("Enter a number.") == "Escribí un número."
        for message in wording.DJANGO_PLURAL_MESSAGES + wording.ACCOUNT_PLURAL_MESSAGES:
            for number in (1, 2):
                words = message._kw  # the lazy proxy keeps what it was given
                text = translation.ngettext(words["singular"], words["plural"], number)
                assert not any(word in text for word in USTED), text


def test_login_and_signup_pages_speak_voseo(client):
    for url in ("/cuenta/login/", "/cuenta/signup/", "/cuenta/password/reset/"):
        page = client.get(url).content.decode()
        assert not any(word in page for word in USTED), url
    assert "¿Olvidaste tu contraseña?" in client.get("/cuenta/login/").content.decode()


def test_make_run_sets_the_public_address_and_the_tsa_port_from_port():
    dry_run = subprocess.run(
        ["make", "--dry-run", "run", "PORT=8123"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
    ).stdout
    assert "The portal: http://127.0.0.1:8123 " in dry_run
    assert "demo_tsa --port 8441" in dry_run
    assert "runserver 127.0.0.1:8123" in dry_run


def test_the_totp_qr_code_is_described_not_spelled_out(client, employee):
    from tests.conftest import log_in

    log_in(client, employee.email)
    page = client.get("/cuenta/2fa/totp/activate/")
    secret = page.context["form"].secret
    html = page.content.decode()
    assert f'alt="{secret}"' not in html
    assert 'alt="Código QR para escanear con tu aplicación de autenticación' in html
    assert "Escaneá este código QR" in html or "escaneá este código QR" in html
