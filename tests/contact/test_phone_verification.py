"""Residents confirm their phone with a one-time code sent there by WhatsApp (an authentication
template through the fake Graph API); only a confirmed number identifies a WhatsApp sender.
Also: e-mail contacts only join a verified address, and agents link by a sane DNI match."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import phone
from accounts.models import PhoneVerification, User
from contact import services
from contact.forms import ContactLinkForm
from contact.models import Contact, Conversation
from core.models import AuditEvent
from tests.engine.conftest import make_resident

from .conftest import RESIDENT_WA, committed, post_webhook, wa_message

pytestmark = pytest.mark.django_db

CODE_URL = "/cuenta/perfil/telefono/codigo/"
CONFIRM_URL = "/cuenta/perfil/telefono/confirmar/"


@pytest.fixture
def sender(settings, graph):
    settings.ACCOUNTS_PHONE_CODE_SENDER = "whatsapp"
    settings.WHATSAPP_VERIFICATION_TEMPLATE = "codigo_verificacion"
    return graph


@pytest.fixture
def unverified(db) -> User:
    user = make_resident("vecina@example.com", "30111222")
    user.phone = "011 5555-0001"
    user.save(update_fields=["phone"])
    return user


def ask_code(client) -> str:
    with committed():
        page = client.post(CODE_URL, follow=True).content.decode()
    return page


def sent_code(graph) -> str:
    template = graph.sent()[-1]["template"]
    return template["components"][0]["parameters"][0]["text"]


def test_the_code_goes_by_whatsapp_template_and_confirms_the_number(
    client, sender, team, unverified
):
    client.force_login(unverified)
    page = ask_code(client)
    assert "Te enviamos un código por WhatsApp" in page
    [message] = sender.sent()
    code = sent_code(sender)
    assert message["to"] == RESIDENT_WA and message["type"] == "template"
    assert message["template"]["name"] == "codigo_verificacion"
    assert message["template"]["components"][1] == {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": code}],
    }
    assert len(code) == 6 and code.isdigit()
    assert code not in PhoneVerification.objects.get().code_hash

    wrong = "000000" if code != "000000" else "111111"
    page = client.post(CONFIRM_URL, {"code": wrong}, follow=True).content.decode()
    assert "El código no es correcto" in page
    page = client.post(CONFIRM_URL, {"code": code}, follow=True).content.decode()
    assert "Tu número de teléfono quedó confirmado" in page
    unverified.refresh_from_db()
    assert unverified.verified_phone == RESIDENT_WA and phone.is_verified(unverified)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"phone.code_sent", "phone.code_wrong", "phone.verified"} <= actions

    post_webhook(client, wa_message("wamid.V1", "Hola"))
    assert Conversation.objects.get().contact.user == unverified


def test_a_number_only_typed_in_a_profile_stays_an_unknown_contact_until_linked(
    client, graph, team, unverified, agent
):
    post_webhook(client, wa_message("wamid.U1", "Soy la vecina"))
    conversation = Conversation.objects.get()
    assert conversation.contact.user is None
    services.link_contact(contact=conversation.contact, resident=unverified, actor=agent)
    assert Contact.objects.get().user == unverified


def test_confirming_later_links_the_unknown_contact_on_the_next_message(
    client, graph, team, unverified
):
    post_webhook(client, wa_message("wamid.L1", "Hola"))
    assert Contact.objects.get().user is None
    User.objects.filter(pk=unverified.pk).update(verified_phone=RESIDENT_WA)
    post_webhook(client, wa_message("wamid.L2", "Soy yo"))
    assert Contact.objects.get().user == unverified


def test_two_residents_confirming_the_same_number_match_neither(client, graph, team, unverified):
    other = make_resident("hermana@example.com", "30999888")
    User.objects.filter(pk__in=[unverified.pk, other.pk]).update(verified_phone=RESIDENT_WA)
    post_webhook(client, wa_message("wamid.S1", "Hola"))
    assert Contact.objects.get().user is None


def test_an_expired_code_is_refused(client, sender, unverified):
    client.force_login(unverified)
    ask_code(client)
    code = sent_code(sender)
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.post(CONFIRM_URL, {"code": code}, follow=True).content.decode()
    assert "El código venció" in page
    unverified.refresh_from_db()
    assert unverified.verified_phone == ""


def test_five_wrong_codes_use_up_the_code(client, sender, unverified):
    client.force_login(unverified)
    ask_code(client)
    code = sent_code(sender)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(phone.MAX_WRONG_CODES):
        client.post(CONFIRM_URL, {"code": wrong})
    page = client.post(CONFIRM_URL, {"code": code}, follow=True).content.decode()
    assert "Demasiados códigos incorrectos" in page
    unverified.refresh_from_db()
    assert unverified.verified_phone == ""


def test_asking_for_codes_is_rate_limited_and_nothing_more_is_sent(client, sender, unverified):
    client.force_login(unverified)
    for _ in range(phone.CODES_PER_HOUR):
        ask_code(client)
    page = ask_code(client)
    assert "Se pidieron demasiados códigos" in page
    assert len(sender.sent()) == phone.CODES_PER_HOUR


def test_a_number_that_is_not_a_mobile_with_area_code_is_refused(client, sender, unverified):
    User.objects.filter(pk=unverified.pk).update(phone="4555-0001")
    client.force_login(unverified)
    page = ask_code(client)
    assert "sin 0 ni 15" in page and sender.sent() == []


def test_whatsapp_refusing_the_number_expires_the_code_with_the_reason(client, sender, unverified):
    sender.failures.append(400)
    client.force_login(unverified)
    ask_code(client)
    verification = PhoneVerification.objects.get()
    assert verification.send_error and verification.expires_at <= timezone.now()
    page = client.get("/cuenta/perfil/").content.decode()
    assert "WhatsApp no pudo entregar el código" in page
    assert "Confirmar mi número" not in page


def test_changing_the_phone_drops_the_confirmation(client, unverified):
    User.objects.filter(pk=unverified.pk).update(verified_phone=RESIDENT_WA)
    client.force_login(unverified)
    client.post(
        "/cuenta/perfil/",
        {
            "full_name": unverified.full_name,
            "document_type": unverified.document_type,
            "document_number": unverified.document_number,
            "phone": "11 4444-0002",
            "address": unverified.address,
            "city": unverified.city,
        },
    )
    unverified.refresh_from_db()
    assert unverified.phone == "11 4444-0002" and unverified.verified_phone == ""
    event = AuditEvent.objects.filter(action="profile.updated").latest("pk")
    assert event.before["verified_phone"] == RESIDENT_WA


def test_the_demo_sender_writes_the_code_to_the_log(client, settings, unverified, caplog):
    settings.ACCOUNTS_PHONE_CODE_SENDER = "demo"
    client.force_login(unverified)
    ask_code(client)
    assert "demo phone verification code for +5491155550001" in caplog.text
    assert phone.PHONE_CODE_SENDERS.get("demo").demo
    assert not phone.PHONE_CODE_SENDERS.get("whatsapp").demo


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("+54 9 11 5555-0001", "5491155550001"),
        ("011 5555-0001", "5491155550001"),
        ("(0351) 555-0001", "5493515550001"),
        ("0054 9 11 5555 0001", "5491155550001"),
        ("4555-0001", None),
        ("", None),
    ],
)
def test_numbers_as_residents_type_them(typed, number):
    assert phone.whatsapp_number(typed) == number


def test_the_contact_forms_email_contact_joins_only_a_verified_address(db, team):
    from allauth.account.models import EmailAddress

    services.contact_form(name="X", email="vecina@example.com", subject="Hola", text="Hola")
    user = make_resident("vecina@example.com", "30111222")
    EmailAddress.objects.filter(user=user).update(verified=False)
    assert services.user_contact(user).email == ""  # a new contact, not the form's
    EmailAddress.objects.filter(user=user).update(verified=True)
    other = make_resident("otra@example.com", "30999888")
    services.contact_form(name="Y", email="otra@example.com", subject="Hola", text="Hola")
    assert services.user_contact(other).email == "otra@example.com"


@pytest.mark.parametrize(
    ("typed", "valid"),
    [("30.111.222", True), ("27-30111222-2", None), ("vecina@example.com", True), ("111", False)],
)
def test_agents_link_by_the_exact_dni_not_a_fragment(db, typed, valid):
    user = make_resident("vecina@example.com", "30111222")
    make_resident("otro@example.com", "11122233")
    if valid is None:  # the CUIT exactly as stored
        typed = user.document_number
        valid = True
    form = ContactLinkForm({"resident": typed})
    assert form.is_valid() is valid, form.errors
    if valid:
        assert form.cleaned_data["resident"] == user
