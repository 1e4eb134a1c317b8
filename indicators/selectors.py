"""Reads for the dashboard, the public pages and the open data: aggregates only, never cases
(except the breach alert, which looks ahead at open cases through an index).

Flows are read from the month rows (``CaseMonth``) for the whole months of a range and
from the day rows only for the days at its edges (and for weeks, which months do not
divide); both kinds are read together, in one query for the counts and one for the
histograms of business days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth, TruncWeek

from accounts.models import User
from core.calendar import add_business_days
from core.percentiles import histogram_median, histogram_percentile
from procedures.models import Case, ProcedureType, ProcedureVersion
from procedures.selectors import departments_of

from .figures import add_histograms, rate
from .models import CaseDay, CaseMonth, ChannelCost

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


def _filtered(rows: QuerySet, filters: Filters) -> QuerySet:
    if filters.departments is not None:
        rows = rows.filter(department__in=filters.departments)
    if filters.procedure:
        rows = rows.filter(procedure=filters.procedure)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.office:
        rows = rows.filter(office=filters.office)
    return rows


def case_days(filters: Filters) -> QuerySet[CaseDay]:
    return _filtered(CaseDay.objects.filter(day__gte=filters.first, day__lte=filters.last), filters)


def _whole_months(first: date, last: date) -> tuple[date, date] | None:
    """The first days of the first and last months wholly inside the range, if any."""
    start = first if first.day == 1 else month_range(first)[1] + timedelta(days=1)
    end = last.replace(day=1)
    if month_range(end)[1] != last:
        end = (end - timedelta(days=1)).replace(day=1)
    return (start, end) if start <= end else None


def flow_parts(filters: Filters) -> list[QuerySet]:
    """The rows whose flows add up to the range's, each annotated with ``period`` and
    ``month_start`` (dates): month rows for the whole months (by month only), day rows for the
    rest."""
    month_expr = Cast(TruncMonth("day"), DateField())
    if filters.period == "week":
        period = Cast(TruncWeek("day"), DateField())
        return [case_days(filters).annotate(period=period, month_start=month_expr)]
    whole = _whole_months(filters.first, filters.last)
    if whole is None:
        return [case_days(filters).annotate(period=month_expr, month_start=month_expr)]
    start, end = whole
    months = _filtered(CaseMonth.objects.filter(month__gte=start, month__lte=end), filters)
    parts = [months.annotate(period=F("month"), month_start=F("month"))]
    # Two ranges of days the index on the day reads directly (not the year minus the months).
    edges = Q(day__gte=filters.first, day__lt=start) | Q(
        day__gt=month_range(end)[1], day__lte=filters.last
    )
    if filters.first < start or filters.last > month_range(end)[1]:
        days = _filtered(CaseDay.objects.filter(edges), filters)
        parts.append(days.annotate(period=month_expr, month_start=month_expr))
    return parts


def _union(parts: list[QuerySet], *columns: str) -> tuple[str, list] | None:
    """One ``UNION ALL`` of the parts' columns (in this order), as SQL and parameters."""
    selects, params = [], []
    for part in parts:
        try:
            sql, part_params = part.values_list(*columns).query.sql_with_params()
        except EmptyResultSet:  # e.g. no procedure type among those asked for
            continue
        selects.append(f"({sql})")
        params.extend(part_params)
    return (" UNION ALL ".join(selects), params) if selects else None


RECEIVED = COUNTS.index("received")


@dataclass
class Flows:
    periods: list[Period]
    # Cases received per (first day of the month, channel).
    received: dict[tuple[date, str], int]


def flows(filters: Filters) -> Flows:
    """The figures per month (or week) of the range and the cases received per month and
    channel: two queries, whatever the length of the range."""
    parts = flow_parts(filters)
    union = _union(parts, "period", "month_start", "channel", *COUNTS)
    if union is None:
        return Flows([], {})
    sql, params = union
    sums = ", ".join(f"SUM(t.{name})" for name in COUNTS)
    found: dict[date, Period] = {}
    received: dict[tuple[date, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.period, t.month_start, t.channel, {sums} FROM ({sql}) t "  # noqa: S608 - ORM SQL, our names
            "GROUP BY 1, 2, 3",
            params,
        )
        for start, month, channel, *counts in cursor.fetchall():
            start, month = _as_date(start), _as_date(month)
            item = found.setdefault(start, Period(start=start))
            for name, count in zip(COUNTS, counts, strict=True):
                item.counts[name] = item.counts.get(name, 0) + int(count or 0)
            count = int(counts[RECEIVED] or 0)
            received[(month, channel)] = received.get((month, channel), 0) + count
    histograms = _summed_union(parts, "period")
    for start, item in found.items():
        item.days = histograms.get(start, item.days)
    return Flows(sorted(found.values(), key=lambda item: item.start), received)


def periods(filters: Filters) -> list[Period]:
    """The figures per month (or week) of the range: two queries."""
    return flows(filters).periods


def _as_date(value) -> date:
    # A truncated day comes back from raw SQL as a timestamp (PostgreSQL) or text (SQLite).
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _summed_union(parts: list[QuerySet], key: str) -> dict:
    """The rows' histograms of business days added up per ``key`` (a field or an
    annotation), in the database: a few hundred numbers travel, not every row's histogram."""
    union = _union([part.filter(resolved__gt=0) for part in parts], key, "resolution_histogram")
    if union is None:
        return {}
    inner, params = union
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


def summed_histograms(rows: QuerySet, key: str) -> dict:
    """One kind of rows' histograms added up per ``key``."""
    return _summed_union([rows], key)


def backlog(filters: Filters) -> tuple[date | None, list[dict]]:
    """Open cases by age band at the end of the range's last aggregated day, per department:
    one query."""
    rows = case_days(filters)
    last_day = rows.order_by("-day").values("day")[:1]
    bands = list(
        rows.filter(day=last_day)
        .values("department", "day")
        .annotate(**{name: Sum(name) for name in BACKLOG})
        .order_by("department")
    )
    if not bands:
        return None, []
    last = bands[0]["day"]
    return last, [{key: value for key, value in row.items() if key != "day"} for row in bands]


def by_channel(received: dict[tuple[date, str], int]) -> list[dict]:
    """Cases received per channel (digital take-up), largest first."""
    totals: dict[str, int] = {}
    for (_month, channel), count in received.items():
        totals[channel] = totals.get(channel, 0) + count
    rows = [{"channel": channel, "received": count} for channel, count in totals.items() if count]
    return sorted(rows, key=lambda row: (-row["received"], row["channel"]))


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


def cost_per_transaction(filters: Filters, received: dict[tuple[date, str], int]) -> list[CostLine]:
    """Cost per case received, per month and channel with a cost entered (city-wide only)."""
    costs = ChannelCost.objects.filter(
        month__gte=filters.first.replace(day=1), month__lte=filters.last
    ).order_by("month", "channel")
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


def public_month(month: date, codes: list[str] | None = None) -> list[PublicRow]:
    """The month's figures per resident procedure type (internal ones are not public)."""
    codes = resident_codes() if codes is None else codes
    rows = CaseMonth.objects.filter(month=month, procedure__in=codes)
    found: dict[str, Period] = {}
    for row in rows.values("procedure").annotate(**{name: Sum(name) for name in COUNTS}).order_by():
        found[row["procedure"]] = Period(start=month, counts=row)
    histograms = summed_histograms(rows, "procedure")
    names = procedure_names()
    result = []
    for procedure, period in found.items():
        period.days = histograms.get(procedure, period.days)
        result.append(PublicRow(procedure, names.get(procedure, procedure), period))
    return sorted(result, key=lambda row: row.name)


def public_month_counts(
    first: date, last: date, codes: list[str] | None = None
) -> dict[date, list[Period]]:
    """The counts of each resident procedure type per month from ``first`` to ``last``
    (first days of months; no medians), for the monthly totals: one query."""
    codes = resident_codes() if codes is None else codes
    rows = CaseMonth.objects.filter(month__gte=first, month__lte=last, procedure__in=codes)
    sums = (
        rows.values("month", "procedure")
        .annotate(**{name: Sum(name) for name in COUNTS})
        .order_by("month", "procedure")
    )
    months: dict[date, list[Period]] = {}
    for row in sums:
        months.setdefault(row["month"], []).append(Period(start=row["month"], counts=row))
    return months
