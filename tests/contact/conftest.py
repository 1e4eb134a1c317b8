from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.test import Client, TestCase

from accounts.models import Department, User
from contact.models import Membership, SlaPolicy, Team
from contact.whatsapp import sign
from tests.browser.conftest import assert_accessible, axe  # noqa: F401 - fixtures
from tests.engine.conftest import catalog_dir, make_employee, make_resident, version  # noqa: F401 - fixtures

from . import fake_graph

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
WEBHOOK = "/contacto/webhooks/whatsapp/"
RESIDENT_WA = "5491155550001"


@pytest.fixture(scope="session")
def graph_server():
    state, server = fake_graph.start()
    yield state
    server.shutdown()


@pytest.fixture
def graph(graph_server, settings):
    graph_server.received.clear()
    graph_server.failures.clear()
    graph_server.window_closed.clear()
    graph_server.media.clear()
    graph_server.uploaded.clear()
    settings.CONTACT_WHATSAPP_BACKEND = "cloud-api"
    settings.WHATSAPP_API_URL = graph_server.url
    settings.WHATSAPP_PHONE_NUMBER_ID = fake_graph.PHONE_NUMBER_ID
    settings.WHATSAPP_ACCESS_TOKEN = fake_graph.TOKEN
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    return graph_server


@pytest.fixture
def team(db) -> Team:
    team = Team.objects.create(code="atencion", name="Atención general", channels=["whatsapp"])
    SlaPolicy.objects.create(
        team=team, first_response_minutes=60, next_response_minutes=120, resolution_minutes=960
    )
    return team


def employee(email: str) -> User:
    """An employee with two-factor authentication (the catalog's departments may be absent)."""
    if not Department.objects.filter(code="mesa-de-entradas").exists():
        from django.contrib.auth.models import Group

        Department.objects.create(
            code="mesa-de-entradas",
            name="Mesa de Entradas",
            group=Group.objects.get_or_create(name="Mesa de Entradas")[0],
        )
    return make_employee(email, "mesa-de-entradas")


def agent_of(team: Team, email: str, *, supervisor: bool = False) -> User:
    user = employee(email)
    Membership.objects.create(team=team, user=user, supervisor=supervisor)
    return user


@pytest.fixture
def agent(team) -> User:
    return agent_of(team, "agente@example.com")


@pytest.fixture
def other_agent(team) -> User:
    return agent_of(team, "agente2@example.com")


@pytest.fixture
def supervisor(team) -> User:
    return agent_of(team, "supervisora@example.com", supervisor=True)


@pytest.fixture
def resident(db) -> User:
    user = make_resident("vecina@example.com", "30111222")
    user.phone = "+54 9 11 5555-0001"
    user.verified_phone = "5491155550001"  # confirmed by a code (tests of it: phone verification)
    user.save(update_fields=["phone", "verified_phone"])
    return user


def staff_client(user: User) -> Client:
    client = Client()
    client.force_login(user)  # the suite's force_login also passes the second factor
    return client


def wa_message(
    wamid: str,
    text: str,
    *,
    sender: str = RESIDENT_WA,
    name: str = "Vecina",
    timestamp: int | None = None,
    **extra,
) -> dict:
    message = {
        "from": sender,
        "id": wamid,
        "timestamp": str(timestamp or int(datetime.now().timestamp())),
        "type": "text",
        "text": {"body": text},
    }
    message.update(extra)
    if "type" in extra and extra["type"] != "text":
        message.pop("text")
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA_ID",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "5491155550147",
                                "phone_number_id": fake_graph.PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


def wa_status(wamid: str, status: str, *, errors: list | None = None) -> dict:
    entry = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(datetime.now().timestamp())),
        "recipient_id": RESIDENT_WA,
    }
    if errors:
        entry["errors"] = errors
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA_ID",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": fake_graph.PHONE_NUMBER_ID},
                            "statuses": [entry],
                        },
                    }
                ],
            }
        ],
    }


def committed():
    """Run the work each change leaves for after its commit (tests run inside a transaction)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def post_webhook(client: Client, payload: dict, *, secret: str = APP_SECRET, signature=None):
    body = json.dumps(payload).encode()
    header = sign(body, secret) if signature is None else signature
    with committed():
        return client.post(
            WEBHOOK, data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=header
        )


@pytest.fixture
def whatsapp_conversation(client, graph, team, resident):
    """A resident's WhatsApp message, in the team's queue."""
    from contact.models import Conversation

    post_webhook(client, wa_message("wamid.START", "Hola, quiero habilitar mi kiosco"))
    return Conversation.objects.get()
