"""Counters: ``appointments.DailyWaits`` (office × service × day) against the wait standards
(20 minutes with an appointment, 60 without). Offices are not departments: city-wide only."""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.offices import directory

from ..charts import stacked_bars
from ..figures import SMALL_CELL, minutes, percent, rate, weighted
from ..selectors import Filters
from ..sources import Section, Source, Table

APP = "appointments"


def figures(filters: Filters) -> Section | None:
    from appointments.models import DailyWaits

    rows = DailyWaits.objects.filter(day__gte=filters.first, day__lte=filters.last).values_list(
        "office_code",
        "tickets",
        "served",
        "no_shows",
        "within_standard_percent",
        "median_wait_seconds",
        "p90_wait_seconds",
    )
    offices: dict[str, dict] = {}
    for code, tickets, served, no_shows, within, median, p90 in rows.order_by("office_code"):
        office = offices.setdefault(
            code,
            {"tickets": 0, "served": 0, "no_shows": 0, "within": 0.0, "medians": [], "p90s": []},
        )
        office["tickets"] += tickets
        office["served"] += served
        office["no_shows"] += no_shows
        # The day's share within the standard, turned back into people served.
        office["within"] += served * float(within or 0) / 100
        office["medians"].append((median, served))
        office["p90s"].append((p90, served))
    if not offices:
        return None
    known = directory()
    names = {code: str(known.office(code).name) if known.office(code) else code for code in offices}
    served = sum(office["served"] for office in offices.values())
    within = sum(office["within"] for office in offices.values())
    return Section(
        summary=[
            (gettext("Tickets issued"), str(sum(o["tickets"] for o in offices.values()))),
            (gettext("People served"), str(served)),
            (gettext("Served within the standard"), percent(rate(within, served))),
            (
                gettext("Wait, median (average of daily medians)"),
                minutes(weighted([pair for o in offices.values() for pair in o["medians"]])),
            ),
        ],
        chart=stacked_bars(
            [names[code] for code in offices],
            [
                [
                    ("on-time", round(o["within"]), gettext("within the standard")),
                    ("late", o["served"] - round(o["within"]), gettext("beyond the standard")),
                ]
                for o in offices.values()
            ],
        ),
        chart_title=gettext("People served within and beyond the standard, per office"),
        table=Table(
            caption=gettext("Waits per office"),
            headers=[
                gettext("Office"),
                gettext("Tickets issued"),
                gettext("People served"),
                gettext("Did not show up"),
                gettext("Served within the standard"),
                gettext("Wait, median"),
                gettext("Wait, 90th percentile"),
            ],
            rows=[
                [
                    names[code],
                    str(o["tickets"]),
                    str(o["served"]),
                    str(o["no_shows"]),
                    percent(rate(o["within"], o["served"])),
                    minutes(weighted(o["medians"])),
                    minutes(weighted(o["p90s"])),
                ]
                for code, o in offices.items()
            ],
        ),
    )


SOURCE = Source(
    "appointments",
    _("Counters and appointments"),
    _(
        "Waiting times at the counters against the 20 and 60 minute standards. Medians and "
        "90th percentiles are the daily ones averaged, weighted by the people served."
    ),
    figures,
    30,
    city_wide_only=True,
)


def public_month(first: date, last: date) -> list[dict] | None:
    """Counter waits per office for the public page: people served, the share within the
    standard and the wait median; an office with fewer than ``SMALL_CELL`` people served
    shows none of them. ``None`` when there are no rows (or no appointments app)."""
    if not apps.is_installed(APP):
        return None
    from appointments.models import DailyWaits

    rows = DailyWaits.objects.filter(day__gte=first, day__lte=last).values_list(
        "office_code", "served", "within_standard_percent", "median_wait_seconds"
    )
    offices: dict[str, dict] = {}
    for code, served, within, median in rows.order_by("office_code"):
        office = offices.setdefault(code, {"served": 0, "within": 0.0, "medians": []})
        office["served"] += served
        office["within"] += served * float(within or 0) / 100
        office["medians"].append((median, served))
    if not offices:
        return None
    known = directory()
    result = []
    for code, office in offices.items():
        hidden = office["served"] < SMALL_CELL
        result.append(
            {
                "name": str(known.office(code).name) if known.office(code) else code,
                "served": None if hidden else office["served"],
                "within": "—" if hidden else percent(rate(office["within"], office["served"])),
                "median": "—" if hidden else minutes(weighted(office["medians"])),
            }
        )
    return sorted(result, key=lambda office: office["name"])
