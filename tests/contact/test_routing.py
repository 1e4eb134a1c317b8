"""Which team's queue a new conversation lands in, and round-robin among agents on duty."""

from __future__ import annotations

import pytest

from accounts.models import Department
from contact import services
from contact.models import Conversation, Membership, Team

from .conftest import agent_of

pytestmark = pytest.mark.django_db


def new(text: str, *, channel="email", email="vecino@example.net") -> Conversation:
    contact = services.email_contact(email)
    message = services.receive(services.Inbound(channel=channel, contact=contact, text=text))
    return message.conversation


def test_menu_option_then_keyword_then_channel(team):
    taxes = Team.objects.create(
        code="rentas", name="Rentas", keywords="tasa, impuesto, deuda", menu_option="2"
    )
    transit = Team.objects.create(
        code="transito", name="Tránsito", keywords="multa, licencia", channels=["web"]
    )
    assert new("2", email="a@example.net").team == taxes
    assert new("Tengo una multa de tránsito", email="b@example.net").team == transit
    assert new("Consulta por la tasa de ABL", email="c@example.net").team == taxes
    assert new("Hola", channel="web", email="d@example.net").team == transit
    assert new("Hola", channel="whatsapp", email="e@example.net").team == team


def test_the_residents_open_case_routes_to_its_department(team, version, resident):
    from procedures.models import Case
    from procedures.services import cases

    case = cases.start_draft(version=version, applicant=resident, filed_by=resident)
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.SUBMITTED, current_department="rentas"
    )
    taxes = Team.objects.create(
        code="rentas", name="Rentas", department=Department.objects.get(code="rentas")
    )
    assert new("Hola", email="vecina@example.com").team == taxes


def test_round_robin_among_agents_on_duty(team):
    team.auto_assign = True
    team.save()
    first = agent_of(team, "uno@example.com")
    second = agent_of(team, "dos@example.com")
    off = agent_of(team, "tres@example.com")
    Membership.objects.filter(user=off).update(on_duty=False)
    assignees = [new("Hola", email=f"v{i}@example.net").assignee for i in range(4)]
    assert assignees == [first, second, first, second]


def test_the_demo_setup_is_idempotent(db):
    from django.core.management import call_command

    from accounts.demo import load_demo_accounts
    from contact.models import CannedReply

    load_demo_accounts()
    call_command("setup_contact_demo")
    call_command("setup_contact_demo")
    assert Team.objects.count() == 3 and CannedReply.objects.count() == 3
    assert Conversation.objects.count() == 2
