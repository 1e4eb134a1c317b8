"""A numbered page whose count rides on the page's own query: one round trip, not two."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import IntegerField, QuerySet, Subquery, Value


class CountOf(Subquery):
    """How many rows a (possibly sliced) queryset has, as a scalar subquery: uncorrelated,
    PostgreSQL runs it once per query (an InitPlan) whatever the number of rows."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def rows_counted(rows: QuerySet) -> QuerySet:
    # SELECT 1, not the columns: an index alone can then answer.
    return rows.order_by().values(one=Value(1))


def counted_page(rows: QuerySet, number: str | int | None, size: int) -> Page:
    """As ``Paginator(rows, size).get_page(number)``, in one query (a page past the end asks
    the Paginator: count, then rows)."""
    paginator = Paginator(rows, size)
    try:
        wanted = int(number or 1)
    except (TypeError, ValueError):
        wanted = 1  # as get_page: not a number, the first page
    start = (wanted - 1) * size
    found = (
        list(rows.annotate(counted_total=CountOf(rows_counted(rows)))[start : start + size])
        if wanted >= 1
        else []
    )
    if not found and wanted == 1:  # nothing to list: the count is known
        paginator.count = 0
        return Page([], 1, paginator)
    if not found:  # past either end
        return paginator.get_page(number)
    first = found[0]
    paginator.count = first["counted_total"] if isinstance(first, dict) else first.counted_total
    return Page(found, wanted, paginator)
