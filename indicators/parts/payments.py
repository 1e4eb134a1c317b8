"""Payments by channel: ``payments.selectors.channel_totals`` (one grouped query over the
range). The treasury is the city's: city-wide view only."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import format_money

from ..charts import stacked_bars
from ..figures import percent, rate
from ..selectors import Filters
from ..sources import Section, Source, Table

APP = "payments"
# A credit moves money already received to another order: it is not a payment made.
NOT_NEW_MONEY = ("credit",)
ONLINE = ("mercadopago",)


def figures(filters: Filters) -> Section | None:
    from payments.selectors import channel_totals

    channels = channel_totals(filters.first, filters.last)
    if not channels:
        return None
    received = [row for row in channels if row.channel not in NOT_NEW_MONEY]
    count = sum(row.count for row in received)
    online = sum(row.count for row in received if row.channel in ONLINE)
    return Section(
        summary=[
            (gettext("Payments received"), str(count)),
            (gettext("Amount received"), format_money(sum(row.gross for row in received))),
            (gettext("Paid online (Mercado Pago)"), percent(rate(online, count))),
        ],
        chart=stacked_bars(
            [row.label for row in channels],
            [[("band-1", row.count, row.label)] for row in channels],
        ),
        chart_title=gettext("Payments per channel"),
        table=Table(
            caption=gettext("Payments per channel"),
            headers=[
                gettext("Channel"),
                gettext("Payments"),
                gettext("Amount"),
                gettext("Fees"),
                gettext("Net"),
            ],
            rows=[
                [
                    row.label,
                    str(row.count),
                    format_money(row.gross),
                    format_money(row.fees),
                    format_money(row.net),
                ]
                for row in channels
            ],
        ),
    )


SOURCE = Source(
    "payments",
    _("Payments"),
    _("Payments by channel: Mercado Pago, cash networks, the municipal cash desk, transfers."),
    figures,
    40,
    city_wide_only=True,
)
