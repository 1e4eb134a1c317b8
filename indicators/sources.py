"""Figures from the other parts of the portal, each read by a small source module.

The contact centre, the appointments, the phone menu and the payments each keep
their own daily aggregates in their own app. A source here knows how to read one
of them for the dashboard: ``figures(filters)`` returns rows of (label, value)
or ``None`` while that app has no data (or is not installed), and the dashboard
shows "no data yet" for it. Plugging a part in is a module that registers a
``Source`` with a real ``figures`` function, replacing the placeholder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.registry import Registry

from .selectors import Filters

Figures = list[tuple[str, str]]


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    measures: str
    figures: Callable[[Filters], Figures | None]
    order: int = 100


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


def sections(filters: Filters) -> list[dict]:
    return [
        {"source": source, "figures": source.figures(filters)}
        for source in sorted(SOURCES, key=lambda source: (source.order, source.key))
    ]
