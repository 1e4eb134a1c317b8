"""Contact centre: ``contact.DailyContactFigures`` (team × channel × day), per department."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..charts import trend
from ..figures import minutes, percent, rate, weighted
from ..selectors import Filters
from ..sources import Section, Source, Table, period_label, period_start

APP = "contact"


def figures(filters: Filters) -> Section | None:
    from contact.models import DailyContactFigures

    rows = DailyContactFigures.objects.filter(day__gte=filters.first, day__lte=filters.last)
    if filters.departments is not None:
        # Contact-centre groups belong to no department: only the city-wide view has them.
        rows = rows.filter(team__department__code__in=filters.departments)
    days = list(
        rows.values_list(
            "day",
            "conversations",
            "answered",
            "within_sla",
            "first_response_median_s",
            "first_response_p90_s",
            "csat_responses",
            "csat_satisfied",
        ).order_by("day")
    )
    if not days:
        return None
    periods: dict = {}
    for day, conversations, answered, within, median, p90, responses, satisfied in days:
        bucket = periods.setdefault(
            period_start(day, filters.period),
            {
                "conversations": 0,
                "answered": 0,
                "within": 0,
                "responses": 0,
                "satisfied": 0,
                "medians": [],
                "p90s": [],
            },
        )
        bucket["conversations"] += conversations
        bucket["answered"] += answered
        bucket["within"] += within
        bucket["responses"] += responses
        bucket["satisfied"] += satisfied
        bucket["medians"].append((median, answered))
        bucket["p90s"].append((p90, answered))
    labels = [period_label(start, filters.period) for start in periods]
    totals = {
        name: sum(bucket[name] for bucket in periods.values())
        for name in ("conversations", "answered", "within", "responses", "satisfied")
    }
    all_medians = [pair for bucket in periods.values() for pair in bucket["medians"]]
    within_rates = [rate(bucket["within"], bucket["answered"]) for bucket in periods.values()]
    return Section(
        summary=[
            (gettext("New conversations"), str(totals["conversations"])),
            (
                gettext("Answered within the service level"),
                percent(rate(totals["within"], totals["answered"])),
            ),
            (
                gettext("First response, median (average of daily medians)"),
                minutes(weighted(all_medians)),
            ),
            (
                gettext("Satisfied (4 or 5)"),
                percent(rate(totals["satisfied"], totals["responses"])),
            ),
        ],
        chart=trend(
            labels, [None if value is None else value * 100 for value in within_rates], unit=" %"
        ),
        chart_title=gettext("Answered within the service level, per period"),
        table=Table(
            caption=gettext("Contact centre figures per period"),
            headers=[
                gettext("Period"),
                gettext("New conversations"),
                gettext("Answered"),
                gettext("Within the service level"),
                gettext("First response, median"),
                gettext("First response, 90th percentile"),
                gettext("Ratings"),
                gettext("Satisfied (4 or 5)"),
            ],
            rows=[
                [
                    label,
                    str(bucket["conversations"]),
                    str(bucket["answered"]),
                    percent(within_rate),
                    minutes(weighted(bucket["medians"])),
                    minutes(weighted(bucket["p90s"])),
                    str(bucket["responses"]),
                    percent(rate(bucket["satisfied"], bucket["responses"])),
                ]
                for label, bucket, within_rate in zip(
                    labels, periods.values(), within_rates, strict=True
                )
            ],
        ),
    )


SOURCE = Source(
    "contact",
    _("Contact centre"),
    _(
        "Response times and satisfaction of chats, WhatsApp and e-mail. Medians and 90th "
        "percentiles are the daily ones averaged, weighted by the conversations answered."
    ),
    figures,
    10,
)
