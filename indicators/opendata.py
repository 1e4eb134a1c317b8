"""The public figures: per resident procedure type and month, small cells suppressed.

The same records feed the transparency page, the CSV and the JSON files, so the three
never disagree. A figure counting fewer than ``SMALL_CELL`` cases (and any rate or
median computed from so few) is published as empty (``null`` in JSON).
"""

from __future__ import annotations

from datetime import date

from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from .figures import SMALL_CELL, suppressed
from .models import CaseDay
from .selectors import PublicRow, public_month

__all__ = ["FIELDS", "SMALL_CELL", "available_months", "public_rows", "records"]

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
    ("p90_dias_habiles", "decimal o vacío", _("90th percentile of the same business days.")),
    (
        "respuestas_satisfaccion",
        "entero o vacío",
        _("Answers to the satisfaction question (1 to 5)."),
    ),
    ("satisfaccion_promedio", "decimal (1-5) o vacío", _("Average of those answers.")),
)


def _count(value: int) -> int | None:
    return None if suppressed(value) else value


def _record(month: date, row: PublicRow) -> dict:
    p = row.period
    enough_resolved = p.resolved >= SMALL_CELL
    enough_answers = p.satisfaction_answers >= SMALL_CELL
    return {
        "mes": f"{month:%Y-%m}",
        "tramite": row.procedure,
        "nombre": row.name,
        "recibidos": _count(p.received),
        "resueltos": _count(p.resolved),
        "resueltos_en_plazo": _count(p.resolved_on_time) if enough_resolved else None,
        "resueltos_fuera_de_plazo": _count(p.resolved_late) if enough_resolved else None,
        "porcentaje_en_plazo": round(p.on_time_rate * 100, 1) if enough_resolved else None,
        "mediana_dias_habiles": p.median if enough_resolved else None,
        "p90_dias_habiles": p.p90 if enough_resolved else None,
        "respuestas_satisfaccion": _count(p.satisfaction_answers),
        "satisfaccion_promedio": round(p.satisfaction_average, 2) if enough_answers else None,
    }


def records(month: date) -> list[dict]:
    return [_record(month, row) for row in public_month(month)]


def public_rows(month: date) -> list[dict]:
    return records(month)


def available_months() -> list[date]:
    """Months with published figures, newest first (each has stable CSV and JSON URLs)."""
    return list(
        CaseDay.objects.annotate(month=TruncMonth("day"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("-month")
    )
