"""Writing the daily case figures: one day at a time, all of its rows together.

``aggregate_day`` recomputes a whole day from the cases and replaces that day's
rows in one transaction, under a lock named after the day: a rebuild and the
periodic task working on the same day take turns, so neither leaves duplicates
nor a half-written day, and running a day again writes the same rows.
``refresh`` is the periodic task's work: the days touched by whatever changed
since its last run, plus yesterday and today (the backlog ages every day).
After its days, each month touched is rolled up again (``roll_up_month``: the
month's rows are the sums of its day rows), and the public figures cached by
``opendata`` are forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from core import numbering
from core.calendar import LOCAL_TIMEZONE
from core.models import AuditEvent
from procedures.deadlines import business_days_taken
from procedures.models import Case, ProcedureVersion

from .. import opendata
from ..figures import days_histogram
from ..models import AggregationState, CaseDay, CaseMonth, SatisfactionAnswer

STATE_NAME = "cases"
# Changes committed while the previous run was reading are read again: a run is idempotent,
# so reading a little twice costs time, never correctness.
OVERLAP = timedelta(minutes=10)
UNKNOWN_DEPARTMENT = "-"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_TIMEZONE)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, LOCAL_TIMEZONE).date()


def procedure_departments() -> dict[str, str]:
    """Each procedure type's department: the one deciding its last review step, as its newest
    version says (a case is counted where it is decided, not where it is received)."""
    departments: dict[str, str] = {}
    rows = ProcedureVersion.objects.order_by("procedure_type__code", "number").values_list(
        "procedure_type__code", "definition__review_steps"
    )
    for code, steps in rows:
        if steps:
            departments[code] = steps[-1].get("department") or UNKNOWN_DEPARTMENT
    return departments


def _in_day(field: str, day: date) -> Q:
    return Q(
        **{f"{field}__gte": day_start(day), f"{field}__lt": day_start(day + timedelta(days=1))}
    )


def compute_day(day: date, departments: dict[str, str] | None = None) -> list[CaseDay]:
    """The rows of one day, computed from the cases (nothing written)."""
    departments = procedure_departments() if departments is None else departments
    rows: dict[tuple[str, str, str], CaseDay] = {}
    taken_days: dict[tuple[str, str, str], list[int]] = {}

    def row(procedure: str, channel: str, office: str) -> CaseDay:
        key = (procedure, channel, office)
        if key not in rows:
            rows[key] = CaseDay(
                day=day,
                procedure=procedure,
                department=departments.get(procedure, UNKNOWN_DEPARTMENT),
                channel=channel,
                office=office,
            )
            taken_days[key] = []
        return rows[key]

    code = "version__procedure_type__code"
    received = (
        Case.objects.filter(_in_day("submitted_at", day))
        .values_list(code, "channel", "office_code")
        .annotate(count=Count("id"))
    )
    for procedure, channel, office, count in received:
        row(procedure, channel, office).received = count

    resolved = Case.objects.filter(_in_day("resolved_at", day)).values_list(
        code,
        "channel",
        "office_code",
        "status",
        "submitted_at",
        "due_date",
        "version__deadline_business_days",
    )
    for procedure, channel, office, status, submitted_at, due_date, deadline in resolved.iterator():
        target = row(procedure, channel, office)
        if status == Case.Status.WITHDRAWN:
            target.withdrawn += 1
            continue
        taken = business_days_taken(
            submitted_on=local_day(submitted_at),
            resolved_on=day,
            due_date=due_date,
            deadline_business_days=deadline,
        )
        target.resolved += 1
        taken_days[(procedure, channel, office)].append(taken)
        if day <= due_date:
            target.resolved_on_time += 1
        else:
            target.resolved_late += 1
            if taken > 3 * deadline:
                target.resolved_very_late += 1

    # Drafts from the audit trail: a deleted draft was still started, and a draft resumed
    # any number of times was created once.
    started = AuditEvent.objects.filter(_in_day("at", day), action="case.draft_created")
    drafts = [
        (int(object_id), after or {})
        for object_id, after in started.values_list("object_id", "after")
    ]
    submitted_ids = set(
        Case.objects.filter(
            pk__in=[pk for pk, _ in drafts], submitted_at__isnull=False
        ).values_list("pk", flat=True)
    )
    for pk, after in drafts:
        target = row(
            after.get("procedure", "?"),
            after.get("channel", Case.Channel.ONLINE),
            after.get("office", ""),
        )
        target.drafts_started += 1
        target.drafts_submitted += pk in submitted_ids

    answers = (
        SatisfactionAnswer.objects.filter(_in_day("answered_at", day))
        .values_list(f"case__{code}", "case__channel", "case__office_code")
        .annotate(
            count=Count("id"), total=Sum("score"), satisfied=Count("id", filter=Q(score__gte=4))
        )
    )
    for procedure, channel, office, count, total, satisfied in answers:
        target = row(procedure, channel, office)
        target.satisfaction_answers, target.satisfaction_total = count, total or 0
        target.satisfied = satisfied

    end = day_start(day + timedelta(days=1))
    month_ago, two_months_ago = (
        day_start(day - timedelta(days=30)),
        day_start(day - timedelta(days=60)),
    )
    backlog = (
        Case.objects.filter(submitted_at__lt=end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
        .values_list(code, "channel", "office_code")
        .annotate(
            recent=Count("id", filter=Q(submitted_at__gte=month_ago)),
            middle=Count(
                "id", filter=Q(submitted_at__lt=month_ago, submitted_at__gte=two_months_ago)
            ),
            old=Count("id", filter=Q(submitted_at__lt=two_months_ago)),
            # procedures.deadlines.is_overdue_on, in SQL: a case waiting for a correction is
            # overdue only if it already was when the pause began.
            overdue=Count(
                "id",
                filter=(
                    Q(due_date__lt=day) & (Q(paused_since__isnull=True) | Q(paused_since__gt=day))
                )
                | Q(paused_since__lte=day, due_date__lt=F("paused_since")),
            ),
        )
    )
    for procedure, channel, office, recent, middle, old, overdue in backlog:
        target = row(procedure, channel, office)
        target.open_0_30, target.open_31_60, target.open_over_60 = recent, middle, old
        target.overdue = overdue

    for key, target in rows.items():
        target.resolution_histogram = days_histogram(taken_days[key])
    return sorted(rows.values(), key=lambda r: (r.procedure, r.channel, r.office))


def aggregate_day(
    day: date, departments: dict[str, str] | None = None, *, roll_up: bool = True
) -> int:
    """Replace the day's rows with freshly computed ones, then (unless the caller rolls up
    itself, once for many days) its month's; how many day rows it has."""
    with transaction.atomic():
        numbering.hold(f"indicators.case_day.{day.isoformat()}")
        rows = compute_day(day, departments)
        CaseDay.objects.filter(day=day).delete()
        CaseDay.objects.bulk_create(rows)
    if roll_up:
        roll_up_month(day)
    return len(rows)


# What a month row adds up from its day rows: every flow (the backlog is a day's state).
MONTH_KEYS = ("procedure", "department", "channel", "office")
MONTH_COUNTS = tuple(
    field.name
    for field in CaseMonth._meta.fields
    if field.name not in {"id", "month", "resolution_histogram", *MONTH_KEYS}
)


def roll_up_month(day: date) -> int:
    """Rewrite the rows of the month ``day`` falls in from its day rows; how many rows.

    Run after the days are committed, under a lock named after the month: whoever wrote a
    day rolls its month up afterwards, so the last roll-up has read every day written."""
    month = day.replace(day=1)
    following = (month + timedelta(days=31)).replace(day=1)
    with transaction.atomic():
        numbering.hold(f"indicators.case_month.{month.isoformat()}")
        rows: dict[tuple, CaseMonth] = {}
        days = CaseDay.objects.filter(day__gte=month, day__lt=following).values_list(
            *MONTH_KEYS, *MONTH_COUNTS, "resolution_histogram"
        )
        for values in days.iterator(chunk_size=5000):
            key = values[: len(MONTH_KEYS)]
            target = rows.get(key)
            if target is None:
                target = rows[key] = CaseMonth(
                    month=month, **dict(zip(MONTH_KEYS, key, strict=True))
                )
            for name, count in zip(MONTH_COUNTS, values[len(MONTH_KEYS) : -1], strict=True):
                setattr(target, name, getattr(target, name) + count)
            for days_taken, count in values[-1].items():
                histogram = target.resolution_histogram
                histogram[days_taken] = histogram.get(days_taken, 0) + count
        CaseMonth.objects.filter(month=month).delete()
        CaseMonth.objects.bulk_create(rows.values(), batch_size=2000)
    opendata.forget_cached_figures()
    return len(rows)


def roll_up_months(days: Iterable[date]) -> int:
    """Roll up each month that one of ``days`` falls in, once; how many months."""
    months = sorted({day.replace(day=1) for day in days})
    for month in months:
        roll_up_month(month)
    return len(months)


def rebuild(first: date, last: date) -> int:
    """Recompute every day from ``first`` to ``last`` included, then their months; how
    many days."""
    departments = procedure_departments()
    written = []
    day = first
    while day <= last:
        aggregate_day(day, departments, roll_up=False)
        written.append(day)
        day += timedelta(days=1)
    roll_up_months(written)
    return len(written)


def changed_days(since: datetime) -> set[date]:
    """The days whose figures may differ because of what changed since ``since``."""
    days: set[date] = set()
    moments = Case.objects.filter(updated_at__gte=since).values_list(
        "created_at", "submitted_at", "resolved_at"
    )
    for created_at, submitted_at, resolved_at in moments.iterator():
        # The day it was started: its draft cohort now counts it as submitted.
        days.update(
            local_day(moment) for moment in (created_at, submitted_at, resolved_at) if moment
        )
    drafts = AuditEvent.objects.filter(at__gte=since, action="case.draft_created")
    days.update(local_day(at) for at in drafts.values_list("at", flat=True))
    answers = SatisfactionAnswer.objects.filter(answered_at__gte=since)
    days.update(local_day(at) for at in answers.values_list("answered_at", flat=True))
    return days


def _first_day() -> date | None:
    first = AuditEvent.objects.filter(action="case.draft_created").order_by("at").first()
    oldest_case = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
    moments = [m for m in (first.at if first else None, oldest_case) if m]
    return local_day(min(moments)) if moments else None


def refresh(now: datetime | None = None) -> list[date]:
    """The periodic run: recompute the days touched since the last run; the days it wrote."""
    now = now or timezone.now()
    today = local_day(now)
    state = AggregationState.objects.filter(name=STATE_NAME).first()
    if state is None:
        first = _first_day() or today
        days: Iterable[date] = (
            first + timedelta(days=offset) for offset in range((today - first).days + 1)
        )
    else:
        days = changed_days(state.read_until - OVERLAP) | {today - timedelta(days=1), today}
    written = sorted(day for day in days if day <= today)
    departments = procedure_departments()
    for day in written:
        aggregate_day(day, departments, roll_up=False)
    roll_up_months(written)
    # Only forward: a slower run that started earlier must not move the mark back.
    AggregationState.objects.get_or_create(name=STATE_NAME, defaults={"read_until": now})
    AggregationState.objects.filter(name=STATE_NAME, read_until__lt=now).update(read_until=now)
    return written
