"""The pages read whole months from the month rows and edge days from the day rows: the same
figures as adding up the day rows, in a few queries whatever the number of rows."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from indicators.figures import add_histograms
from indicators.models import CaseDay
from indicators.selectors import COUNTS, Filters, by_channel, flows
from indicators.services import aggregates
from tests.engine.conftest import make_employee

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2025, 1, 1), date(2026, 2, 28)


def fill(first: date, last: date, procedures: int = 3) -> None:
    """Day rows on every day of the range for a few procedure types, channels and an
    office, with histograms, then their months rolled up as the task does."""
    channels = ("online", "counter", "whatsapp")
    day, number = first, 0
    while day <= last:
        for procedure in range(procedures):
            for channel in channels:
                number += 1
                resolved = number % 4
                CaseDay.objects.create(
                    day=day,
                    procedure="habilitacion-de-prueba" if procedure == 0 else f"otro-{procedure}",
                    department="rentas" if procedure % 2 == 0 else "catastro",
                    channel=channel,
                    office="cav-norte" if channel == "counter" else "",
                    received=number % 5,
                    resolved=resolved,
                    resolved_on_time=resolved // 2,
                    resolved_late=resolved - resolved // 2,
                    resolution_histogram={str(number % 13): resolved} if resolved else {},
                    drafts_started=number % 3,
                    satisfaction_answers=number % 2,
                    satisfaction_total=4 * (number % 2),
                )
        day += timedelta(days=1)
    aggregates.roll_up_months([first, last, *(date(y, m, 1) for y, m in _months(first, last))])


def _months(first: date, last: date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def from_days(filters: Filters) -> dict[date, tuple]:
    """Each period's counts and histogram, added up here from the day rows."""
    found: dict[date, tuple[dict, list]] = {}
    for row in CaseDay.objects.filter(day__gte=filters.first, day__lte=filters.last):
        if filters.departments is not None and row.department not in filters.departments:
            continue
        if filters.channel and row.channel != filters.channel:
            continue
        if filters.period == "week":
            start = row.day - timedelta(days=row.day.weekday())
        else:
            start = row.day.replace(day=1)
        counts, histograms = found.setdefault(start, ({name: 0 for name in COUNTS}, []))
        for name in COUNTS:
            counts[name] += getattr(row, name)
        histograms.append(row.resolution_histogram)
    return {start: (counts, add_histograms(h)) for start, (counts, h) in found.items()}


@pytest.mark.parametrize(
    ("first", "last", "period", "channel", "departments"),
    [
        (FIRST, FIRST + timedelta(days=364), "month", "", None),  # whole months and one edge
        (date(2025, 1, 20), date(2025, 12, 9), "month", "", None),  # an edge at each end
        (date(2025, 3, 1), date(2025, 8, 31), "month", "", ("rentas",)),  # whole months only
        (date(2025, 5, 3), date(2025, 5, 27), "month", "counter", None),  # inside one month
        (date(2025, 11, 14), date(2026, 2, 2), "week", "", None),  # weeks: days only
        (date(2025, 1, 31), date(2025, 3, 1), "month", "online", ("catastro",)),  # one day each
    ],
)
def test_the_figures_equal_the_day_rows_added_up(first, last, period, channel, departments):
    fill(FIRST, LAST)
    filters = Filters(
        first=first, last=last, period=period, channel=channel, departments=departments
    )
    result = flows(filters)
    expected = from_days(filters)
    assert [item.start for item in result.periods] == sorted(expected)
    for item in result.periods:
        counts, days = expected[item.start]
        assert {name: getattr(item, name) for name in COUNTS} == counts
        assert item.days == days
    received: dict[str, int] = {}
    for row in CaseDay.objects.filter(day__gte=first, day__lte=last):
        if (not channel or row.channel == channel) and (
            departments is None or row.department in departments
        ):
            received[row.channel] = received.get(row.channel, 0) + row.received
    assert {row["channel"]: row["received"] for row in by_channel(result.received)} == {
        name: count for name, count in received.items() if count
    }


def city_manager() -> User:
    manager = make_employee("gestion@example.com", "mesa-de-entradas")
    manager.user_permissions.add(Permission.objects.get(codename="view_city_indicators"))
    return User.objects.get(pk=manager.pk)


DASHBOARD = "/gestion/indicadores/?desde=2025-01-20&hasta=2026-02-10"
# Session, user, the user's permissions (2), departments, procedure names, the breach alert,
# the contact centre's menu entry, the other parts' own sources (contact 1, phone menu 3,
# counters 1, payments 1), and the reads of the aggregates (below).
DASHBOARD_QUERIES = 18
# Flows, histograms of business days, backlog, costs: whatever the range and the rows.
AGGREGATE_QUERIES = 4
# Cached: the counters' waits only (an anonymous visitor has no session to read). Not
# cached: + procedure codes, month counts, histograms, names, trend, months.
PUBLIC_QUERIES_CACHED = 1
PUBLIC_QUERIES = 7


def dashboard_queries(client, django_assert_max_num_queries) -> int:
    client.get(DASHBOARD)
    with django_assert_max_num_queries(DASHBOARD_QUERIES) as queries:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    aggregates_read = [q for q in queries.captured_queries if "indicators_" in q["sql"]]
    assert len(aggregates_read) <= AGGREGATE_QUERIES
    return len(queries)


def test_dashboard_queries_are_few_and_flat(client, version, django_assert_max_num_queries):
    client.force_login(city_manager())
    fill(date(2025, 12, 1), date(2025, 12, 2), procedures=1)
    few = dashboard_queries(client, django_assert_max_num_queries)
    CaseDay.objects.all().delete()
    fill(FIRST, LAST)
    many = dashboard_queries(client, django_assert_max_num_queries)
    assert few == many


def page(client, url: str, **options) -> str:
    """The page without its per-request form token (the language switcher's)."""
    text = client.get(url, **options).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_public_page_is_cached_until_the_aggregates_are_written(
    client, version, django_assert_max_num_queries
):
    month = date(2025, 6, 1)
    fill(month, date(2025, 6, 30), procedures=1)
    url = "/transparencia/2025-06/"
    with django_assert_max_num_queries(PUBLIC_QUERIES):
        first = page(client, url)
    with django_assert_max_num_queries(PUBLIC_QUERIES_CACHED):
        again = page(client, url)
    assert again == first
    # The English page is the same figures, from the same cache, in English.
    with django_assert_max_num_queries(PUBLIC_QUERIES_CACHED):
        english = page(client, url, headers={"accept-language": "en"})
    assert 'lang="en"' in english
    # A day written again by the task shows at once (a day rewritten from the cases: none
    # were filed in that June, so its rows go and the month's figures with them).
    assert "Habilitación de prueba" in again
    for offset in range(30):
        aggregates.aggregate_day(month + timedelta(days=offset))
    assert "Habilitación de prueba" not in page(client, url)
