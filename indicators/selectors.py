"""Reads for the dashboard, the public pages and the open data: aggregates only, never cases
(except the breach alert, which looks ahead at open cases through an index)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from accounts.models import User
from core.calendar import add_business_days
from core.percentiles import histogram_median, histogram_percentile
from procedures.models import Case, ProcedureType, ProcedureVersion
from procedures.selectors import departments_of

from .figures import add_histograms, rate
from .models import CaseDay, ChannelCost

COUNTS = (
    "received",
    "resolved",
    "resolved_on_time",
    "resolved_late",
    "resolved_very_late",
    "withdrawn",
    "drafts_started",
    "drafts_submitted",
    "satisfaction_answers",
    "satisfaction_total",
    "satisfied",
)
BACKLOG = ("open_0_30", "open_31_60", "open_over_60", "overdue")
# Assisted filing (staff filing in the portal at a counter or on the phone) counts as digital;
# a message re-keyed by staff (WhatsApp, e-mail) does not. Internal procedures are not
# transactions with the public and stay out of the take-up.
DIGITAL_CHANNELS = (
    Case.Channel.ONLINE,
    Case.Channel.COUNTER,
    Case.Channel.PHONE,
    Case.Channel.OPEN311,
)
PUBLIC_CHANNELS = tuple(c for c in Case.Channel.values if c != Case.Channel.INTERNAL)


@dataclass(frozen=True)
class Filters:
    first: date
    last: date
    period: str = "month"  # or "week"
    departments: tuple[str, ...] | None = None  # None: every department
    procedure: str = ""
    channel: str = ""
    office: str = ""  # only counter cases have one: choosing an office leaves only those


@dataclass
class Period:
    start: date
    counts: dict[str, int] = field(default_factory=dict)
    # Cases resolved per whole number of business days taken (figures.DAYS_OVERFLOW last).
    days: list[int] = field(default_factory=list)

    def __getattr__(self, name: str) -> int:
        if name in COUNTS:
            return self.counts.get(name, 0)
        raise AttributeError(name)

    @property
    def median(self) -> float | None:
        return histogram_median(self.days)

    @property
    def p90(self) -> float | None:
        return histogram_percentile(self.days, 0.9)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.resolved_on_time, self.resolved)

    @property
    def completion_rate(self) -> float | None:
        return rate(self.drafts_submitted, self.drafts_started)

    @property
    def satisfaction_average(self) -> float | None:
        return rate(self.satisfaction_total, self.satisfaction_answers)

    @property
    def satisfied_rate(self) -> float | None:
        return rate(self.satisfied, self.satisfaction_answers)


def visible_departments(user: User) -> tuple[str, ...] | None:
    """Departments whose figures the user may see: None for every one (city-wide)."""
    if user.has_perm("indicators.view_city_indicators"):
        return None
    if user.has_perm("indicators.view_department_indicators"):
        return tuple(departments_of(user))
    return ()


def case_days(filters: Filters) -> QuerySet[CaseDay]:
    rows = CaseDay.objects.filter(day__gte=filters.first, day__lte=filters.last)
    if filters.departments is not None:
        rows = rows.filter(department__in=filters.departments)
    if filters.procedure:
        rows = rows.filter(procedure=filters.procedure)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.office:
        rows = rows.filter(office=filters.office)
    return rows


def _trunc(period: str):
    return TruncWeek("day") if period == "week" else TruncMonth("day")


def periods(filters: Filters) -> list[Period]:
    """The figures per month (or week) of the range: two queries."""
    rows = case_days(filters)
    sums = (
        rows.annotate(period=_trunc(filters.period))
        .values("period")
        .annotate(**{name: Sum(name) for name in COUNTS})
        .order_by("period")
    )
    found = {row["period"]: Period(start=row["period"], counts=row) for row in sums}
    histograms = summed_histograms(rows.annotate(period=_trunc(filters.period)), "period")
    for start, item in found.items():
        item.days = histograms.get(_as_date(start), item.days)
    return list(found.values())


def _as_date(value) -> date:
    # A truncated day comes back from raw SQL as a timestamp (PostgreSQL) or text (SQLite).
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def summed_histograms(rows: QuerySet[CaseDay], key: str) -> dict:
    """The day rows' histograms of business days added up per ``key`` (a field or an
    annotation), in the database: a few hundred numbers travel, not every row's histogram."""
    try:
        inner, params = (
            rows.filter(resolved__gt=0)
            .values_list(key, "resolution_histogram")
            .query.sql_with_params()
        )
    except EmptyResultSet:  # e.g. no procedure type among those asked for
        return {}
    each = "jsonb_each_text" if connection.vendor == "postgresql" else "json_each"
    sql = (
        f'SELECT t."{key}", e.key, SUM(CAST(e.value AS integer)) '  # noqa: S608 - ORM SQL, our names
        f'FROM ({inner}) t, {each}(t."resolution_histogram") e GROUP BY 1, 2'
    )
    result: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for group, days, count in cursor.fetchall():
            if key == "period":
                group = _as_date(group)
            result.setdefault(group, {})[days] = count
    return {group: add_histograms([counts]) for group, counts in result.items()}


def backlog(filters: Filters) -> tuple[date | None, list[dict]]:
    """Open cases by age band at the end of the range's last aggregated day, per department."""
    rows = case_days(filters)
    last = rows.order_by("-day").values_list("day", flat=True).first()
    if last is None:
        return None, []
    bands = (
        rows.filter(day=last)
        .values("department")
        .annotate(**{name: Sum(name) for name in BACKLOG})
        .order_by("department")
    )
    return last, list(bands)


def by_channel(filters: Filters) -> list[dict]:
    """Cases received per channel (digital take-up), largest first."""
    return list(
        case_days(filters)
        .values("channel")
        .annotate(received=Sum("received"))
        .filter(received__gt=0)
        .order_by("-received", "channel")
    )


def digital_take_up(channels: list[dict]) -> float | None:
    public = [row for row in channels if row["channel"] in PUBLIC_CHANNELS]
    digital = sum(row["received"] for row in public if row["channel"] in DIGITAL_CHANNELS)
    return rate(digital, sum(row["received"] for row in public))


@dataclass(frozen=True)
class CostLine:
    month: date
    channel: str
    amount: Decimal
    transactions: int

    @property
    def per_transaction(self) -> Decimal | None:
        if not self.transactions:
            return None
        return (self.amount / self.transactions).quantize(Decimal("0.01"))


def cost_per_transaction(filters: Filters) -> list[CostLine]:
    """Cost per case received, per month and channel with a cost entered (city-wide only)."""
    costs = ChannelCost.objects.filter(
        month__gte=filters.first.replace(day=1), month__lte=filters.last
    ).order_by("month", "channel")
    received = {
        (row["month"], row["channel"]): row["received"]
        for row in case_days(filters)
        .annotate(month=TruncMonth("day"))
        .values("month", "channel")
        .annotate(received=Sum("received"))
    }
    return [
        CostLine(cost.month, cost.channel, cost.amount, received.get((cost.month, cost.channel), 0))
        for cost in costs
    ]


def breaching_soon(
    *, today: date, business_days: int, departments: tuple[str, ...] | None
) -> list[dict]:
    """Open cases, per acting department, due between today and ``business_days`` from now."""
    until = add_business_days(today, business_days)
    cases = Case.objects.filter(
        status=Case.Status.SUBMITTED, due_date__gte=today, due_date__lte=until
    )
    if departments is not None:
        cases = cases.filter(current_department__in=departments)
    counts = (
        cases.values("current_department")
        .annotate(cases=Count("id"))
        .order_by("current_department")
    )
    return [{"department": row["current_department"], "cases": row["cases"]} for row in counts]


def procedure_names() -> dict[str, str]:
    """Spanish name of each procedure type, from its newest version."""
    names: dict[str, str] = {}
    for code, name in ProcedureVersion.objects.order_by(
        "procedure_type__code", "number"
    ).values_list("procedure_type__code", "name_es"):
        names[code] = name
    return names


def month_range(month: date) -> tuple[date, date]:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return month, following - timedelta(days=1)


@dataclass
class PublicRow:
    procedure: str
    name: str
    period: Period


def resident_codes() -> list[str]:
    # A list, not a subquery: PostgreSQL plans the IN (SELECT ...) over the day rows badly.
    return list(
        ProcedureType.objects.filter(audience=ProcedureType.Audience.RESIDENT).values_list(
            "code", flat=True
        )
    )


def public_month(month: date) -> list[PublicRow]:
    """The month's figures per resident procedure type (internal ones are not public)."""
    first, last = month_range(month)
    rows = CaseDay.objects.filter(day__gte=first, day__lte=last, procedure__in=resident_codes())
    found: dict[str, Period] = {}
    for row in rows.values("procedure").annotate(**{name: Sum(name) for name in COUNTS}).order_by():
        found[row["procedure"]] = Period(start=first, counts=row)
    histograms = summed_histograms(rows, "procedure")
    names = procedure_names()
    result = []
    for procedure, period in found.items():
        period.days = histograms.get(procedure, period.days)
        result.append(PublicRow(procedure, names.get(procedure, procedure), period))
    return sorted(result, key=lambda row: row.name)


def public_month_counts(first: date, last: date) -> dict[date, list[Period]]:
    """The counts of each resident procedure type per month of the range (no medians), for
    the monthly totals: one query."""
    rows = CaseDay.objects.filter(day__gte=first, day__lte=last, procedure__in=resident_codes())
    sums = (
        rows.annotate(month=TruncMonth("day"))
        .values("month", "procedure")
        .annotate(**{name: Sum(name) for name in COUNTS})
        .order_by("month", "procedure")
    )
    months: dict[date, list[Period]] = {}
    for row in sums:
        months.setdefault(row["month"], []).append(Period(start=row["month"], counts=row))
    return months
