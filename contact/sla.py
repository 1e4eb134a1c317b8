"""Service levels in business time: the team's opening hours and the Argentine holidays."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.calendar import OpeningHours, OpeningHoursError
from core.offices import directory

from .models import Conversation, SlaPolicy, Team


def hours_of(team: Team) -> OpeningHours:
    if team.hours:
        try:
            return OpeningHours.parse(team.hours)
        except OpeningHoursError:
            pass  # the admin form validates; a broken value falls back to the centre's hours
    return directory().contact_centre.hours


def policy_for(team: Team, channel: str) -> SlaPolicy | None:
    policies = {p.channel: p for p in team.sla_policies.all()}
    return policies.get(channel) or policies.get("")


def due_after(team: Team, start: datetime, minutes: int) -> datetime:
    return hours_of(team).add_open_time(start, timedelta(minutes=minutes))


def business_seconds(team: Team, start: datetime, end: datetime) -> float:
    return hours_of(team).open_seconds_between(start, end)


def start_clock(conversation: Conversation) -> None:
    """Due times of a new conversation (in memory; the caller saves)."""
    policy = policy_for(conversation.team, conversation.channel)
    if policy is None:
        return
    start = conversation.created_at
    conversation.first_response_due = due_after(
        conversation.team, start, policy.first_response_minutes
    )
    conversation.resolution_due = due_after(conversation.team, start, policy.resolution_minutes)


def resident_wrote(conversation: Conversation, at: datetime) -> None:
    """The resident wrote again: the clock resumes (paused time added) and a next reply is due."""
    policy = policy_for(conversation.team, conversation.channel)
    if policy is None:
        return
    if conversation.waiting_since and conversation.resolution_due:
        paused = business_seconds(conversation.team, conversation.waiting_since, at)
        conversation.resolution_due = hours_of(conversation.team).add_open_time(
            conversation.resolution_due, timedelta(seconds=paused)
        )
    if conversation.first_response_at and conversation.next_response_due is None:
        conversation.next_response_due = due_after(
            conversation.team, at, policy.next_response_minutes
        )
        conversation.breach_alerted_at = None  # a new target: its supervisors may be alerted again


def warn_before(conversation: Conversation) -> timedelta:
    policy = policy_for(conversation.team, conversation.channel)
    return timedelta(minutes=policy.warn_minutes if policy else 30)
