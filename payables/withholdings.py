"""Withholdings at payment (retenciones): the rules and the arithmetic. Pure: no database.

The rules are data (``data/withholding_rules.yaml``), versioned by validity dates. For one
payment order, each rule in force for a tax the municipality withholds, and applicable to
the supplier's tax condition, takes its base from the order's invoice lines (net or VAT,
goods or services; credit notes subtract) and:

- accumulating per month (RG 830): withholds rate x (this month's bases so far + this
  base - the non-subject minimum) - what was already withheld this month;
- otherwise: rate x base.

Nothing is withheld below the rule's minimum withholding, but the base still counts for
the month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).resolve().parent / "data" / "withholding_rules.yaml"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Rule:
    tax: str
    regime: str
    description: str
    lines: str
    base: str
    valid_from: date
    valid_to: date | None
    rates: Mapping[str, Decimal]
    monthly_minimum: Decimal
    minimum_withholding: Decimal
    accumulate: bool
    padron: bool = False

    @property
    def key(self) -> str:
        return f"{self.tax}:{self.regime}"

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class LineBase:
    """One invoice line of the order: its signed net amount and VAT rate, goods or not."""

    is_goods: bool
    net: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class MonthSoFar:
    """This month's earlier payments to the supplier under one rule."""

    base: Decimal = ZERO
    withheld: Decimal = ZERO


@dataclass(frozen=True)
class Computed:
    rule: Rule
    base: Decimal
    taxable: Decimal
    rate: Decimal
    amount: Decimal


def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    return _load(str(path))


@cache
def _load(path: str) -> tuple[Rule, ...]:
    with open(path, encoding="utf-8") as handle:
        rows = yaml.safe_load(handle)
    return tuple(
        Rule(
            tax=row["tax"],
            regime=str(row["regime"]),
            description=row["description"],
            lines=row["lines"],
            base=row["base"],
            valid_from=row["valid_from"],
            valid_to=row.get("valid_to"),
            rates={condition: Decimal(rate) for condition, rate in row["rates"].items()},
            monthly_minimum=Decimal(row["monthly_minimum"]),
            minimum_withholding=Decimal(row["minimum_withholding"]),
            accumulate=row["accumulate"] == "month",
            padron=bool(row.get("padron")),
        )
        for row in rows
    )


def _base(rule: Rule, lines: Iterable[LineBase]) -> Decimal:
    total = ZERO
    for line in lines:
        if rule.lines == "goods" and not line.is_goods:
            continue
        if rule.lines == "service" and line.is_goods:
            continue
        total += line.net if rule.base == "net" else line.net * line.vat_rate / HUNDRED
    return total.quantize(CENT, ROUND_HALF_UP)


def compute(
    *,
    rules: Iterable[Rule],
    taxes: Iterable[str],
    condition: str,
    day: date,
    lines: list[LineBase],
    month_so_far: Mapping[str, MonthSoFar],
    padron_rate: Decimal | None = None,
) -> list[Computed]:
    """The withholdings of one payment, by rule, in the rules' order."""
    agent_for = set(taxes)
    found = []
    for rule in rules:
        if rule.tax not in agent_for or not rule.in_force(day) or condition not in rule.rates:
            continue
        base = _base(rule, lines)
        if base == 0:
            continue
        rate = padron_rate if rule.padron and padron_rate is not None else rule.rates[condition]
        if rule.accumulate:
            earlier = month_so_far.get(rule.key, MonthSoFar())
            taxable = max(ZERO, earlier.base + base - rule.monthly_minimum)
            amount = taxable * rate / HUNDRED - earlier.withheld
        else:
            taxable = max(ZERO, base - rule.monthly_minimum)
            amount = taxable * rate / HUNDRED
        amount = max(ZERO, amount.quantize(CENT, ROUND_HALF_UP))
        if amount < rule.minimum_withholding:
            amount = ZERO
        found.append(Computed(rule=rule, base=base, taxable=taxable, rate=rate, amount=amount))
    return found
