"""Reading notices: the ones in force, a procedure's, the public history, a department's."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from procedures.models import ProcedureType

from .models import Follow, Notice


def _in_force(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(closed_at__isnull=True) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def active_notices(now: datetime | None = None) -> QuerySet[Notice]:
    """Notices not closed and not past their end (including announced future ones): a notice
    ends on its own at ``ends_at``, whether or not the expiry sweep has recorded it yet."""
    return (
        Notice.objects.filter(_in_force(now))
        .prefetch_related("areas", "updates")
        .order_by("starts_at", "pk")
    )


def next_notice_end(now: datetime) -> datetime | None:
    """When the next notice in force ends on its own (it leaves the public pages then)."""
    return Notice.objects.filter(closed_at__isnull=True, ends_at__gt=now).aggregate(
        next_end=Min("ends_at")
    )["next_end"]


def notices_for_procedure(procedure_type: ProcedureType) -> QuerySet[Notice]:
    return (
        active_notices()
        .filter(Q(procedure_types=procedure_type) | Q(service=Notice.Service.PORTAL))
        .distinct()
    )


def history(*, text: str = "", service: str = "") -> QuerySet[Notice]:
    notices = Notice.objects.prefetch_related("areas").order_by("-starts_at", "-pk")
    if text:
        notices = notices.filter(Q(title__icontains=text) | Q(description__icontains=text))
    if service:
        notices = notices.filter(service=service)
    return notices


def public_notice(pk: int) -> Notice | None:
    return (
        Notice.objects.filter(pk=pk)
        .select_related("department")
        .prefetch_related("areas", "procedure_types", "updates")
        .first()
    )


def department_notices(user: User) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(department__group__user=user)
        .select_related("department")
        .prefetch_related("areas")
        .order_by("-starts_at", "-pk")
    )


def followers(notice: Notice) -> QuerySet[User]:
    """Who follows the notice's service, or one of its areas (any area if it is city-wide)."""
    areas = list(notice.areas.values_list("pk", flat=True))
    area_match = (
        Q(notice_follows__area__in=areas) if areas else Q(notice_follows__area__isnull=False)
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(notice_follows__service=notice.service) | area_match)
        .distinct()
        .order_by("pk")
    )


def follows_of(user: User) -> tuple[set[str], set[int]]:
    rows = Follow.objects.filter(user=user).values_list("service", "area_id")
    return {s for s, _a in rows if s}, {a for _s, a in rows if a}
