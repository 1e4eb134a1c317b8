"""Two agents at the same instant, and Meta delivering the same message twice at once
(PostgreSQL, real connections)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from contact import services
from contact.models import Conversation, Message
from core.errors import ActionRefused
from tests.engine.test_concurrency import at_once

from .conftest import agent_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise RuntimeError("REQUIRE_SERVICES=1 but the suite is not on PostgreSQL")
    pytestmark.append(pytest.mark.skip(reason="row locks need PostgreSQL"))


def test_two_agents_claiming_at_once_one_wins_and_the_other_is_told(team):
    first = agent_of(team, "uno@example.com")
    second = agent_of(team, "dos@example.com")
    contact = services.email_contact("vecino@example.net")
    message = services.receive(services.Inbound(channel="email", contact=contact, text="Hola"))
    pk = message.conversation_id
    results = at_once(
        lambda: services.claim(conversation_id=pk, user=first),
        lambda: services.claim(conversation_id=pk, user=second),
    )
    won = [r for r in results if isinstance(r, Conversation)]
    refused = [r for r in results if isinstance(r, ActionRefused)]
    assert len(won) == 1 and len(refused) == 1, results
    assert "tomó esta conversación antes" in str(refused[0])
    assert Conversation.objects.get(pk=pk).assignee == won[0].assignee


def test_the_same_inbound_message_delivered_twice_at_once_is_stored_once(team):
    contact = services.whatsapp_contact("5491155550009", "Vecino")

    def deliver():
        return services.receive(
            services.Inbound(
                channel="whatsapp", contact=contact, text="Hola", external_id="wamid.TWICE"
            )
        )

    results = at_once(deliver, deliver)
    assert not any(isinstance(r, Exception) for r in results), results
    assert Message.objects.filter(external_id="wamid.TWICE").count() == 1
    assert Conversation.objects.count() == 1
