"""Figures from the other parts of the portal, each read by a small source module.

The contact centre, the appointments, the phone menu and the payments each keep
their own daily aggregates in their own app. A source here knows how to read one
of them for the dashboard: ``figures(filters)`` returns a ``Section`` (headline
rows of (label, value), optionally a table and a chart) or ``None`` while that app
has no data (or is not installed), and the dashboard shows "no data yet" for it.
Plugging a part in is a module in ``indicators.parts`` that registers a ``Source``
with a real ``figures`` function, replacing the placeholder. A part that is not
split by department (offices, the phone line, the treasury) is ``city_wide_only``:
a department head sees a note instead, as for the costs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from core.registry import Registry

from .charts import Chart
from .selectors import Filters

Figures = list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]  # the first cell of each row is its header


@dataclass(frozen=True)
class Section:
    summary: Figures
    table: Table | None = None
    chart: Chart | None = None
    chart_title: str = ""


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    measures: str
    figures: Callable[[Filters], Section | Figures | None]
    order: int = 100
    city_wide_only: bool = False


SOURCES: Registry[Source] = Registry("indicator source")


def _no_data_yet(filters: Filters) -> Figures | None:
    return None


def register(source: Source) -> Source:
    if source.key in SOURCES:
        SOURCES.unregister(source.key)
    return SOURCES.register(source.key, source)


def register_defaults() -> None:
    """Placeholders for the parts still to come; their own modules replace them."""
    for key, title, measures, order in (
        (
            "contact",
            _("Contact centre"),
            _("Response times and satisfaction of calls, chats and messages."),
            10,
        ),
        ("ivr", _("Phone menu"), _("Calls solved by the menu (containment) and abandoned."), 20),
        (
            "appointments",
            _("Counters and appointments"),
            _("Waiting times at the counters against the 20 and 60 minute standards."),
            30,
        ),
        ("payments", _("Payments"), _("Payments by channel."), 40),
    ):
        if key not in SOURCES:
            SOURCES.register(key, Source(key, title, measures, _no_data_yet, order))


def _section(source: Source, filters: Filters) -> Section | None:
    found = source.figures(filters)
    if isinstance(found, list):
        return Section(summary=found) if found else None
    return found


def sections(filters: Filters) -> list[dict]:
    """Each source's figures; city-wide sources are not even read for a department view."""
    result = []
    for source in sorted(SOURCES, key=lambda source: (source.order, source.key)):
        hidden = source.city_wide_only and filters.departments is not None
        result.append(
            {
                "source": source,
                "city_wide_only": hidden,
                "figures": None if hidden else _section(source, filters),
            }
        )
    return result


def period_label(start: date, per: str) -> str:
    return f"{start:%d/%m}" if per == "week" else f"{start:%m/%Y}"


def period_start(day: date, per: str) -> date:
    """The first day of the week (Monday) or month that ``day`` falls in."""
    return day - timedelta(days=day.weekday()) if per == "week" else day.replace(day=1)
