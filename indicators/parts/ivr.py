"""Phone menu: ``ivr.selectors.phone_figures`` (calls, containment, abandonment, callbacks).

The phone line is the city's, not a department's: city-wide view only."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..charts import trend
from ..figures import percent
from ..selectors import Filters
from ..sources import Section, Source, Table, period_label, period_start

APP = "ivr"


def figures(filters: Filters) -> Section | None:
    from ivr.selectors import phone_figures

    phone = phone_figures(filters.first, filters.last)
    if not phone.calls:
        return None
    calls: dict = {}
    for day, count in sorted(phone.per_day.items()):
        start = period_start(day, filters.period)
        calls[start] = calls.get(start, 0) + count
    labels = [period_label(start, filters.period) for start in calls]
    return Section(
        summary=[
            (gettext("Calls"), str(phone.calls)),
            (gettext("Solved by the menu (containment)"), percent(phone.containment_rate)),
            (gettext("Transferred to a person"), str(phone.transferred)),
            (gettext("Abandoned"), percent(phone.abandonment_rate)),
            (gettext("Callbacks still to make (now)"), str(phone.callbacks_open)),
        ],
        chart=trend(labels, list(calls.values())),
        chart_title=gettext("Calls per period"),
        table=Table(
            caption=gettext("Calls per period"),
            headers=[gettext("Period"), gettext("Calls")],
            rows=[[label, str(count)] for label, count in zip(labels, calls.values(), strict=True)],
        ),
    )


SOURCE = Source(
    "ivr",
    _("Phone menu"),
    _("Calls solved by the menu (containment) and abandoned."),
    figures,
    20,
    city_wide_only=True,
)
