"""Service levels in business hours, breach alerts, and the daily figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from contact import figures, services, sla
from contact.models import Conversation, DailyContactFigures, SlaPolicy
from core.calendar import LOCAL_TIMEZONE

from .conftest import committed, staff_client

pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TIMEZONE)


@pytest.fixture
def short_hours_team(team):
    team.hours = {"mon-fri": ["08:00-14:00"]}
    team.save()
    return team


def open_at(at: datetime, channel: str = "email", email: str = "vecino@example.net"):
    contact = services.email_contact(email)
    message = services.receive(
        services.Inbound(channel=channel, contact=contact, text="Hola", at=at)
    )
    return Conversation.objects.get(pk=message.conversation_id)


def test_due_times_count_only_the_teams_opening_hours(short_hours_team):
    # Wednesday 13:30: 30 minutes left that day, the other 30 on Thursday morning.
    conversation = open_at(local(2026, 11, 4, 13, 30))
    assert conversation.first_response_due == local(2026, 11, 5, 8, 30)
    # 960 business minutes = 16 h: 30 min Wed, 6 h Thu, 6 h Fri, and (Monday the 9th is a
    # national holiday) 3.5 h on Tuesday the 10th.
    assert conversation.resolution_due == local(2026, 11, 10, 11, 30)


def test_a_channel_policy_overrides_the_teams_default(short_hours_team):
    SlaPolicy.objects.create(
        team=short_hours_team,
        channel="whatsapp",
        first_response_minutes=15,
        next_response_minutes=30,
        resolution_minutes=240,
    )
    conversation = open_at(local(2026, 11, 4, 10, 0), channel="whatsapp")
    assert conversation.first_response_due == local(2026, 11, 4, 10, 15)


def test_the_clock_pauses_while_waiting_for_the_resident(short_hours_team):
    conversation = open_at(local(2026, 11, 4, 9, 0))
    resolution_due = conversation.resolution_due
    conversation.status = Conversation.Status.WAITING
    conversation.first_response_at = local(2026, 11, 4, 9, 10)
    conversation.waiting_since = local(2026, 11, 4, 13, 40)
    sla.resident_wrote(conversation, local(2026, 11, 5, 10, 0))
    # Waited 20 min on Wednesday and 2 h on Thursday: the resolution target moves 2 h 20 min.
    assert (
        sla.business_seconds(short_hours_team, resolution_due, conversation.resolution_due)
        == 140 * 60
    )
    assert conversation.next_response_due == local(2026, 11, 5, 12, 0)


def test_after_the_first_answer_the_next_response_is_what_is_due(short_hours_team, agent):
    conversation = open_at(local(2026, 11, 4, 9, 0))
    assert conversation.due == local(2026, 11, 4, 10, 0)
    services.reply(conversation_id=conversation.pk, user=agent, body="Hola")
    conversation.refresh_from_db()
    assert conversation.status == "waiting" and conversation.due is None
    contact = conversation.contact
    services.receive(
        services.Inbound(
            channel="email", contact=contact, text="Sigo sin saber", at=local(2026, 11, 5, 9, 0)
        )
    )
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert conversation.due == conversation.next_response_due == local(2026, 11, 5, 11, 0)


def test_queues_sort_by_breach_time_and_flag_what_is_about_to_breach(team, agent):
    now = timezone.now()
    late = open_at(now - timedelta(hours=3), email="a@example.net")
    Conversation.objects.filter(pk=late.pk).update(first_response_due=now + timedelta(minutes=5))
    later = open_at(now, email="b@example.net")
    Conversation.objects.filter(pk=later.pk).update(first_response_due=now + timedelta(days=2))
    page = staff_client(agent).get("/gestion/contacto/").content.decode()
    assert page.index(f"#{late.pk} ") < page.index(f"#{later.pk} ")
    assert page.count("Por vencer") == 1


def test_a_breach_alerts_the_team_supervisors_once(team, supervisor, agent):
    conversation = open_at(timezone.now() - timedelta(hours=2))
    Conversation.objects.filter(pk=conversation.pk).update(
        first_response_due=timezone.now() - timedelta(minutes=1)
    )
    with committed():
        assert services.alert_breaches() == 1
    with committed():
        assert services.alert_breaches() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["supervisora@example.com"]
    assert f"#{conversation.pk}" in mail.outbox[0].subject
    conversation.refresh_from_db()
    assert conversation.breached


def test_daily_figures_per_team_channel_and_day(short_hours_team):
    day = date(2026, 11, 4)
    answered_in = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]  # minutes, all within opening hours
    for i, minutes in enumerate(answered_in):
        conversation = open_at(local(2026, 11, 4, 8, 0), email=f"v{i}@example.net")
        conversation.first_response_at = conversation.created_at + timedelta(minutes=minutes)
        conversation.resolved_at = conversation.created_at + timedelta(hours=2)
        conversation.status = Conversation.Status.RESOLVED
        conversation.csat_score = 5 if i < 8 else 2
        conversation.save()
    rows = figures.compute_day(day)
    assert len(rows) == 1
    row = DailyContactFigures.objects.get(day=day, team=short_hours_team, channel="email")
    assert (row.conversations, row.resolved, row.messages_in) == (10, 10, 10)
    assert row.first_response_median_s == 55 * 60 and row.first_response_p90_s == 90 * 60
    assert row.answered == 10 and row.within_sla == 6  # the policy's 60 minutes
    assert row.resolution_median_s == 2 * 3600
    assert row.csat_percent == 80.0 and row.within_sla_percent == 60.0
    figures.compute_day(day)  # again: replaced, not added
    assert DailyContactFigures.objects.count() == 1


def test_supervisors_see_the_figures_and_ratings_per_agent(short_hours_team, supervisor, agent):
    open_at(local(2026, 11, 4, 9, 0))
    figures.compute_day(date(2026, 11, 4))
    rated = open_at(timezone.now(), email="rated@example.net")
    Conversation.objects.filter(pk=rated.pk).update(
        assignee=agent, resolved_at=timezone.now(), status="resolved", csat_score=4
    )
    page = staff_client(supervisor).get("/gestion/contacto/indicadores/").content.decode()
    assert "Atención general" in page and "4/11/2026" in page
    assert "Calificaciones por agente" in page and "agente@example.com" in page
    assert staff_client(agent).get("/gestion/contacto/indicadores/").status_code == 403
