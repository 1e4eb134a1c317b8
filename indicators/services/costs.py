"""Costs per month and channel, entered by a manager: the base of the cost per transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, numbering
from core.errors import ActionRefused
from procedures.models import Case

from ..models import ChannelCost


def set_cost(*, month: date, channel: str, amount: Decimal, actor) -> ChannelCost:
    if amount < 0:
        raise ActionRefused(_("A cost cannot be negative."))
    if channel not in Case.Channel.values:
        raise ActionRefused(_("Unknown channel."))
    month = month.replace(day=1)
    with transaction.atomic():
        numbering.hold(f"indicators.cost.{month.isoformat()}.{channel}")  # two managers at once
        cost = ChannelCost.objects.select_for_update().filter(month=month, channel=channel).first()
        before = {"amount": str(cost.amount)} if cost else None
        if cost is None:
            cost = ChannelCost(month=month, channel=channel)
        cost.amount, cost.entered_by = amount, actor
        cost.save()
        audit.record(
            actor=actor,
            action="indicators.cost_set",
            obj=cost,
            before=before,
            after={"month": month.isoformat(), "channel": channel, "amount": str(amount)},
        )
    return cost
