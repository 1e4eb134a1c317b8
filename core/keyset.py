"""Keyset ("after this row") pagination: a deep page costs what the first one does.

An offset reads and throws away every row before the page; a keyset page asks the
index for the rows that sort after (or before) a known row, so page 40 of a queue
is as cheap as page 1. The cursor is the primary key of the last (or first) row
shown: its sort key is read back by primary key, so the URL stays short and a row
that has since left the list (a claimed task) still marks where the page starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Model, Q, QuerySet, Subquery


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    has_previous: bool
    has_next: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def first_pk(self) -> Any:
        return _pk(self.rows[0]) if self.rows else None

    @property
    def last_pk(self) -> Any:
        return _pk(self.rows[-1]) if self.rows else None


def _pk(row: Any) -> Any:
    """Rows are model instances, or dicts of a `values()` query that includes "pk"."""
    return row["pk"] if isinstance(row, dict) else row.pk


def _beyond(ordering: tuple[str, ...], key: tuple[Any, ...], *, backwards: bool) -> Q:
    """Rows strictly after `key` in `ordering` (before it when `backwards`)."""
    clauses = []
    for i, field in enumerate(ordering):
        name = field.lstrip("-")
        descending = field.startswith("-") != backwards
        clause = Q(**{f"{name}__{'lt' if descending else 'gt'}": key[i]})
        for earlier, value in zip(ordering[:i], key, strict=False):
            clause &= Q(**{earlier.lstrip("-"): value})
        clauses.append(clause)
    # The bound on the leading column alone lets PostgreSQL start its index scan there.
    lead = ordering[0]
    lead_descending = lead.startswith("-") != backwards
    bound = Q(**{f"{lead.lstrip('-')}__{'lte' if lead_descending else 'gte'}": key[0]})
    return bound & reduce(or_, clauses)


def _reversed(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f[1:] if f.startswith("-") else f"-{f}" for f in ordering)


def _key_read_in_query(
    model: type[Model], ordering: tuple[str, ...], pk: Any
) -> tuple[Subquery, ...]:
    """The cursor's sort key as subqueries of the page's own query: PostgreSQL reads each
    once (an InitPlan) and bounds its index scan with it, without a round trip of its own."""
    rows = model._base_manager.filter(pk=pk).order_by()
    return tuple(Subquery(rows.values(f.lstrip("-"))[:1]) for f in ordering)


def _key_of(model: type[Model], ordering: tuple[str, ...], pk: Any) -> tuple[Any, ...] | None:
    names = [f.lstrip("-") for f in ordering]
    row = model._base_manager.filter(pk=pk).values_list(*names).first()
    if row is None or any(value is None for value in row):
        return None
    return tuple(row)


def keyset_page(
    rows: QuerySet,
    ordering: tuple[str, ...],
    size: int,
    *,
    after: Any = None,
    before: Any = None,
) -> KeysetPage:
    """The `size` rows of `rows` that follow `after`, or precede `before`, in `ordering`.

    `ordering` must be total (end with "pk"). An unknown cursor gives the first page.
    """
    cursor, backwards = (before, True) if before is not None else (after, False)
    if cursor is None:
        return _first_page(rows, ordering, size)
    key = _key_read_in_query(rows.model, ordering, cursor)
    page = _page_beyond(rows, ordering, size, key, backwards=backwards)
    # Nothing beyond the cursor: past the end, or a cursor with no key (an unknown task),
    # which means the first page. Only then is the key read apart.
    if not page.rows and _key_of(rows.model, ordering, cursor) is None:
        return _first_page(rows, ordering, size)
    return page


def _first_page(rows: QuerySet, ordering: tuple[str, ...], size: int) -> KeysetPage:
    found = list(rows.order_by(*ordering)[: size + 1])
    return KeysetPage(found[:size], has_previous=False, has_next=len(found) > size)


def _page_beyond(
    rows: QuerySet, ordering: tuple[str, ...], size: int, key: tuple[Any, ...], *, backwards: bool
) -> KeysetPage:
    if backwards:
        found = list(
            rows.filter(_beyond(ordering, key, backwards=True)).order_by(*_reversed(ordering))[
                : size + 1
            ]
        )
        return KeysetPage(found[:size][::-1], has_previous=len(found) > size, has_next=True)
    found = list(
        rows.filter(_beyond(ordering, key, backwards=False)).order_by(*ordering)[: size + 1]
    )
    return KeysetPage(found[:size], has_previous=True, has_next=len(found) > size)
