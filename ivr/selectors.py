"""The phone's figures for the contact centre: calls per day, containment, abandonment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from .models import Call, CallbackRequest


@dataclass(frozen=True)
class PhoneFigures:
    calls: int
    self_service: int
    transferred: int
    abandoned: int
    callbacks_open: int
    per_day: dict[date, int]

    @property
    def containment_rate(self) -> float | None:
        """Calls that ended in a leaf of the menu without reaching a person."""
        return self.self_service / self.calls if self.calls else None

    @property
    def abandonment_rate(self) -> float | None:
        return self.abandoned / self.calls if self.calls else None


def phone_figures(start: date, end: date) -> PhoneFigures:
    """Calls started between ``start`` and ``end`` (local dates, both included)."""
    calls = Call.objects.filter(started_at__date__gte=start, started_at__date__lte=end)
    totals = calls.aggregate(
        calls=Count("pk"),
        self_service=Count("pk", filter=Q(outcome=Call.Outcome.SELF_SERVICE)),
        transferred=Count("pk", filter=Q(outcome=Call.Outcome.TRANSFERRED)),
        abandoned=Count("pk", filter=Q(outcome=Call.Outcome.ABANDONED)),
    )
    per_day = dict(
        calls.annotate(day=TruncDate("started_at"))
        .values_list("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
        .order_by("day")
    )
    return PhoneFigures(
        **totals,
        callbacks_open=CallbackRequest.objects.filter(done_at__isnull=True).count(),
        per_day=per_day,
    )
