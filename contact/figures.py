"""Daily aggregates per team, channel and day (read by supervisors and the indicators app)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from core.calendar import LOCAL_TIMEZONE
from core.percentiles import median, percentile, whole

from . import sla
from .models import Conversation, DailyContactFigures, Message


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), LOCAL_TIMEZONE)
    return start, start + timedelta(days=1)


def compute_day(day: date) -> list[DailyContactFigures]:
    """Recompute one day's rows (idempotent: run it again and the rows are replaced)."""
    start, end = _bounds(day)
    rows: dict[tuple[int, str], dict] = {}

    def row(team_id: int, channel: str) -> dict:
        return rows.setdefault(
            (team_id, channel),
            {
                "conversations": 0,
                "messages_in": 0,
                "resolved": 0,
                "first": [],
                "resolution": [],
                "within": 0,
                "answered": 0,
                "csat": 0,
                "satisfied": 0,
            },
        )

    opened = (
        Conversation.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("team")
        .prefetch_related("team__sla_policies")
    )
    for conversation in opened:
        values = row(conversation.team_id, conversation.channel)
        values["conversations"] += 1
        if conversation.first_response_at:
            values["answered"] += 1
            values["first"].append(
                sla.business_seconds(
                    conversation.team, conversation.created_at, conversation.first_response_at
                )
            )
            if (
                conversation.first_response_due is None
                or conversation.first_response_at <= conversation.first_response_due
            ):
                values["within"] += 1
    resolved = (
        Conversation.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
        .select_related("team")
        .prefetch_related("team__sla_policies")
    )
    for conversation in resolved:
        values = row(conversation.team_id, conversation.channel)
        values["resolved"] += 1
        values["resolution"].append(
            sla.business_seconds(
                conversation.team, conversation.created_at, conversation.resolved_at
            )
        )
        if conversation.csat_score is not None:
            values["csat"] += 1
            values["satisfied"] += conversation.csat_score >= 4
    incoming = Message.objects.filter(
        created_at__gte=start, created_at__lt=end, direction=Message.Direction.IN
    ).values_list("conversation__team_id", "conversation__channel")
    for team_id, channel in incoming:
        row(team_id, channel)["messages_in"] += 1
    saved = []
    with transaction.atomic():
        DailyContactFigures.objects.filter(day=day).exclude(
            team_id__in=[t for t, _c in rows]
        ).delete()
        for (team_id, channel), values in rows.items():
            figures, _created = DailyContactFigures.objects.update_or_create(
                day=day,
                team_id=team_id,
                channel=channel,
                defaults={
                    "conversations": values["conversations"],
                    "messages_in": values["messages_in"],
                    "resolved": values["resolved"],
                    "first_response_median_s": whole(median(values["first"])),
                    "first_response_p90_s": whole(percentile(values["first"], 0.9)),
                    "resolution_median_s": whole(median(values["resolution"])),
                    "within_sla": values["within"],
                    "answered": values["answered"],
                    "csat_responses": values["csat"],
                    "csat_satisfied": values["satisfied"],
                },
            )
            saved.append(figures)
    return saved


def compute_yesterday_and_today() -> int:
    today = timezone.localdate()
    return len(compute_day(today - timedelta(days=1))) + len(compute_day(today))
