"""GET requests: claims of the offered services, without the reporters' personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from procedures.models import Case

from .catalog import service_codes
from .services import Open311Error

MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[str, ...] = ()
    service_code: str = ""
    start: datetime | None = None
    end: datetime | None = None
    status: str = ""


def _date(data: QueryDict, name: str) -> datetime | None:
    text = data.get(name, "").strip()
    if not text:
        return None
    try:
        value = parse_datetime(text.replace(" ", "+"))  # a "+" left unescaped in a URL
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, f"{name} is not a W3C date and time (2026-01-31T10:00:00Z)")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def parse_query(data: QueryDict) -> RequestQuery:
    ids = tuple(i.strip() for i in data.get("service_request_id", "").split(",") if i.strip())
    if ids:
        # The spec: a list of ids overrides every other argument.
        return RequestQuery(ids=ids[:MAX_RESULTS])
    status = data.get("status", "").strip()
    if status not in ("", "open", "closed"):
        raise Open311Error(400, "status must be open or closed")
    start, end = _date(data, "start_date"), _date(data, "end_date")
    if start is None and end is None:
        end = timezone.now()
        start = end - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = min(start + MAX_SPAN, timezone.now())
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date are more than 90 days apart")
    return RequestQuery(
        service_code=data.get("service_code", "").strip(), start=start, end=end, status=status
    )


def claims(query: RequestQuery) -> QuerySet[Case]:
    found = (
        Case.objects.filter(
            reference__isnull=False, version__procedure_type__code__in=service_codes()
        )
        .exclude(status=Case.Status.DRAFT)
        .select_related("version__procedure_type", "open311_request")
        # A version's definition and a case's answers are large JSON never shown here.
        .defer("answers", "correction_fields", "version__definition", "version__search_text")
        .order_by("-submitted_at", "-pk")
    )
    if query.ids:
        return found.filter(reference__in=query.ids)
    if query.service_code:
        found = found.filter(version__procedure_type__code=query.service_code)
    if query.status == "open":
        found = found.filter(status__in=Case.OPEN_STATUSES)
    elif query.status == "closed":
        found = found.filter(status__in=Case.CLOSED_STATUSES)
    return found.filter(submitted_at__gte=query.start, submitted_at__lte=query.end)[:MAX_RESULTS]


def claim(reference: str) -> Case | None:
    return claims(RequestQuery(ids=(reference,))).first()
