"""Reads of the contact centre: queues sorted by breach time, a resident's conversations."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Avg, Count, F, Q, QuerySet, Value, When
from django.db.models import Case as SqlCase
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from procedures.models import ProcedureType
from procedures.selectors import published_versions

from .models import CannedReply, Conversation, Membership, Team

SOON = timedelta(minutes=30)


def teams_of(user: User) -> QuerySet[Team]:
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(membership__user=user)


def supervised_teams(user: User) -> QuerySet[Team]:
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(membership__user=user, membership__supervisor=True)


def is_agent(user: User) -> bool:
    return user.is_superuser or Membership.objects.filter(user=user).exists()


def queue(user: User, *, box: str, text: str = "", status: str = "") -> QuerySet[Conversation]:
    """Open conversations first, the nearest due time first; resolved ones last."""
    conversations = Conversation.objects.select_related("contact", "team", "assignee")
    if box == "mine":
        conversations = conversations.filter(assignee=user)
    elif box == "all":
        conversations = conversations.filter(team__in=supervised_teams(user))
    else:
        conversations = conversations.filter(team__in=teams_of(user), assignee__isnull=True)
    if status:
        conversations = conversations.filter(status=status)
    else:  # resolved ones on request (the status filter): queues are about work to do
        conversations = conversations.exclude(status=Conversation.Status.RESOLVED)
    if text:
        term = text.strip()
        by_text = (
            Q(subject__icontains=term)
            | Q(contact__name__icontains=term)
            | Q(contact__email__icontains=term)
            | Q(contact__whatsapp_id__contains=term)
        )
        if term.lstrip("#").isdigit():
            by_text |= Q(pk=int(term.lstrip("#")))
        conversations = conversations.filter(by_text)
    return conversations.annotate(
        due_at=SqlCase(
            When(
                status=Conversation.Status.OPEN,
                first_response_at__isnull=True,
                then=Coalesce("first_response_due", "resolution_due"),
            ),
            When(
                status=Conversation.Status.OPEN,
                then=Coalesce("next_response_due", "resolution_due"),
            ),
            default=Value(None),
        ),
        waiting_rank=SqlCase(
            When(status=Conversation.Status.OPEN, then=Value(0)), default=Value(1)
        ),
    ).order_by("waiting_rank", F("due_at").asc(nulls_last=True), "-priority", "created_at", "pk")


def due_soon(conversation: Conversation) -> bool:
    due = getattr(conversation, "due_at", None) or conversation.due
    return bool(due and due - timezone.now() <= SOON)


def canned_replies(team: Team) -> QuerySet[CannedReply]:
    return CannedReply.objects.filter(Q(team=team) | Q(team__isnull=True))


def procedure_choices() -> list[tuple[str, str]]:
    return [
        (v.procedure_type.code, v.name_es)
        for v in published_versions(ProcedureType.Audience.RESIDENT).select_related(
            "procedure_type"
        )
    ]


def conversations_of(user: User) -> QuerySet[Conversation]:
    return Conversation.objects.filter(contact__user=user).select_related("team")


def ratings_by_agent(teams: QuerySet[Team], since) -> QuerySet:
    """Per agent who resolved rated conversations: how many ratings, average, share of 4-5."""
    return (
        Conversation.objects.filter(
            team__in=teams, csat_score__isnull=False, resolved_at__gte=since
        )
        .values("assignee__email", "assignee__full_name")
        .annotate(
            ratings=Count("pk"),
            average=Avg("csat_score"),
            satisfied=Count("pk", filter=Q(csat_score__gte=4)),
        )
        .order_by("assignee__email")
    )
