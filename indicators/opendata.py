"""The public figures: per resident procedure type and month, small cells suppressed.

The same records feed the transparency page, the CSV and the JSON files, so the three
never disagree. A count of fewer than ``SMALL_CELL`` cases is published as empty
(``null`` in JSON), and so is any rate or median computed from so few (primary
suppression). A hidden count must not come back by subtraction either, from the other
counts of its row (resolved = on time + late) or of its column (each month's total over
the procedure types, which the trend on the same page shows): ``protect`` hides more
cells until no row or column has exactly one hidden cell (complementary suppression).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .figures import SMALL_CELL, rate, suppressed
from .models import CaseMonth
from .selectors import PublicRow, public_month, public_month_counts, resident_codes

__all__ = [
    "FIELDS",
    "SMALL_CELL",
    "available_months",
    "cached_figures",
    "forget_cached_figures",
    "protect",
    "records",
    "trend",
]

# The counts published per procedure type; each month's total of each is public too.
COUNT_COLUMNS = {
    "recibidos": "received",
    "resueltos": "resolved",
    "resueltos_en_plazo": "resolved_on_time",
    "resueltos_fuera_de_plazo": "resolved_late",
    "respuestas_satisfaccion": "satisfaction_answers",
}
# A row's resolved cases are its on-time plus its late ones.
WHOLE, PARTS = "resueltos", ("resueltos_en_plazo", "resueltos_fuera_de_plazo")


@dataclass
class Protected:
    """Counts per row and the column totals, with the hidden ones as None."""

    rows: list[dict[str, int | None]]
    totals: dict[str, int | None]


def _protect_sum(hidden: set[str]) -> bool:
    """In resolved = on time + late, one hidden figure comes back from the other two: a
    hidden whole or part hides both parts (two unknowns with one sum stay unknown)."""
    before = len(hidden)
    if WHOLE in hidden or any(part in hidden for part in PARTS):
        hidden.update(PARTS)
    return len(hidden) != before


def _protect_column(
    column: str, rows: list[dict[str, int]], hidden: list[set[str]], hidden_totals: set[str]
) -> bool:
    """A column total minus the shown cells gives back a lone hidden cell: hide the next
    smallest cell too, or, when no other cell has cases, the total."""
    if column in hidden_totals:
        return False
    lone = [index for index, cells in enumerate(hidden) if column in cells]
    if len(lone) != 1:
        return False
    others = [
        (row[column], index)
        for index, (row, cells) in enumerate(zip(rows, hidden, strict=True))
        if column not in cells and row[column] > 0
    ]
    if others:
        hidden[min(others)[1]].add(column)
    else:
        hidden_totals.add(column)
    return True


def protect(rows: list[dict[str, int]]) -> Protected:
    """Primary and complementary suppression of one month's counts (``COUNT_COLUMNS``)."""
    totals = {column: sum(row[column] for row in rows) for column in COUNT_COLUMNS}
    hidden = [{c for c in COUNT_COLUMNS if suppressed(row[c])} for row in rows]
    hidden_totals = {c for c in COUNT_COLUMNS if suppressed(totals[c])}
    changed = True
    while changed:
        changed = False
        for cells in [*hidden, hidden_totals]:
            changed |= _protect_sum(cells)
        for column in COUNT_COLUMNS:
            changed |= _protect_column(column, rows, hidden, hidden_totals)
    return Protected(
        rows=[
            {c: None if c in cells else row[c] for c in COUNT_COLUMNS}
            for row, cells in zip(rows, hidden, strict=True)
        ],
        totals={c: None if c in hidden_totals else totals[c] for c in COUNT_COLUMNS},
    )


def _counts(period) -> dict[str, int]:
    return {column: getattr(period, name) for column, name in COUNT_COLUMNS.items()}


def _on_time_percent(counts: dict[str, int | None]) -> float | None:
    """Shown only with its three counts: otherwise it gives a hidden one back."""
    if any(counts[column] is None for column in (WHOLE, *PARTS)) or not counts[WHOLE]:
        return None
    return round(rate(counts["resueltos_en_plazo"], counts[WHOLE]) * 100, 1)


FIELDS = (
    ("mes", "texto AAAA-MM", _("Month of the figures (local time of the municipality).")),
    ("tramite", "texto", _("Code of the procedure type; stable across months.")),
    ("nombre", "texto", _("Name of the procedure type, in Spanish.")),
    ("recibidos", "entero o vacío", _("Cases submitted in the month, by any channel.")),
    ("resueltos", "entero o vacío", _("Cases approved or rejected in the month.")),
    (
        "resueltos_en_plazo",
        "entero o vacío",
        _(
            "Of those, resolved by their due date (business days; waiting for corrections does not count)."
        ),
    ),
    ("resueltos_fuera_de_plazo", "entero o vacío", _("Of those, resolved after their due date.")),
    (
        "porcentaje_en_plazo",
        "decimal (0-100) o vacío",
        _("Resolved on time as a percentage of those resolved."),
    ),
    (
        "mediana_dias_habiles",
        "decimal o vacío",
        _("Median business days from submission to resolution, pauses for corrections excluded."),
    ),
    (
        "p90_dias_habiles",
        "entero o vacío",
        _(
            "90th percentile of the same business days (the smallest number of days within which "
            "at least 90% were resolved)."
        ),
    ),
    (
        "respuestas_satisfaccion",
        "entero o vacío",
        _("Answers to the satisfaction question (1 to 5)."),
    ),
    ("satisfaccion_promedio", "decimal (1-5) o vacío", _("Average of those answers.")),
)


def _record(month: date, row: PublicRow, counts: dict[str, int | None]) -> dict:
    p = row.period
    # Medians and averages count no one; computed from fewer than SMALL_CELL cases they
    # still say too much about each.
    enough_resolved = p.resolved >= SMALL_CELL
    enough_answers = p.satisfaction_answers >= SMALL_CELL
    return {
        "mes": f"{month:%Y-%m}",
        "tramite": row.procedure,
        "nombre": row.name,
        "recibidos": counts["recibidos"],
        "resueltos": counts["resueltos"],
        "resueltos_en_plazo": counts["resueltos_en_plazo"],
        "resueltos_fuera_de_plazo": counts["resueltos_fuera_de_plazo"],
        "porcentaje_en_plazo": _on_time_percent(counts),
        "mediana_dias_habiles": p.median if enough_resolved else None,
        "p90_dias_habiles": p.p90 if enough_resolved else None,
        "respuestas_satisfaccion": counts["respuestas_satisfaccion"],
        "satisfaccion_promedio": round(p.satisfaction_average, 2) if enough_answers else None,
    }


def records(month: date, codes: list[str] | None = None) -> list[dict]:
    rows = public_month(month, codes)
    protected = protect([_counts(row.period) for row in rows])
    return [_record(month, row, counts) for row, counts in zip(rows, protected.rows, strict=True)]


@dataclass(frozen=True)
class TrendMonth:
    start: date
    received: int | None
    resolved: int | None
    on_time_percent: float | None


def trend(last_month: date, months: int = 12, codes: list[str] | None = None) -> list[TrendMonth]:
    """City-wide monthly totals of resident procedures, protected as each month's table is
    (the totals are that table's column totals): one query."""
    first = last_month
    for _month in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    result = []
    for start, periods in public_month_counts(first, last_month, codes).items():
        totals = protect([_counts(period) for period in periods]).totals
        result.append(
            TrendMonth(start, totals["recibidos"], totals["resueltos"], _on_time_percent(totals))
        )
    return result


def available_months() -> list[date]:
    """Months with published figures, newest first (each has stable CSV and JSON URLs)."""
    return list(CaseMonth.objects.values_list("month", flat=True).distinct().order_by("-month"))


# The public figures change only when the aggregates are written: they are cached under a
# generation that every roll-up replaces (``forget_cached_figures``), so a page never shows
# figures older than the aggregates, in whichever web process.
GENERATION_KEY = "indicators:public:generation"
CACHE_SECONDS = 24 * 60 * 60


def forget_cached_figures() -> None:
    cache.set(GENERATION_KEY, uuid4().hex, None)


def cached_figures(month: date) -> dict:
    """A month's public records, the twelve-month trend and the months available: the same
    whichever the language (names are Spanish, labels are the template's)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        forget_cached_figures()
        generation = cache.get(GENERATION_KEY)
    key = f"indicators:public:{generation}:{month:%Y-%m}"
    found = cache.get(key)
    if found is None:
        codes = resident_codes()
        found = {
            "records": records(month, codes),
            "trend": trend(month, codes=codes),
            "months": available_months(),
        }
        cache.set(key, found, CACHE_SECONDS)
    return found
