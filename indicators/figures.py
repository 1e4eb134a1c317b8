"""Arithmetic on summed aggregates: rates, medians and percentiles, small-cell suppression."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

# Public figures about fewer cases than this are not shown: with a handful of cases a
# figure may point at a person.
SMALL_CELL = 5


# Business days to resolve are counted per whole day up to this many; longer times are
# counted in one last bucket standing for "this many or more" (a year of business days:
# the bucket list stays bounded whatever happens).
DAYS_OVERFLOW = 250


def days_histogram(days: Iterable[int]) -> dict[str, int]:
    """Counts per whole number of business days, as stored (JSON keys are text; sparse,
    since most rows count a handful of cases)."""
    counts: dict[str, int] = {}
    for value in days:
        key = str(min(max(value, 0), DAYS_OVERFLOW))
        counts[key] = counts.get(key, 0) + 1
    return counts


def add_histograms(histograms: Iterable[Mapping[str, int]]) -> list[int]:
    """The stored histograms of several rows summed, as a list indexed by days."""
    total = [0] * (DAYS_OVERFLOW + 1)
    for histogram in histograms:
        for key, count in histogram.items():
            total[int(key)] += count
    return total


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value * 100).quantize(Decimal('1'), ROUND_HALF_UP)} %"


def suppressed(count: int) -> bool:
    return 0 < count < SMALL_CELL


def minutes(seconds: float | None) -> str:
    """A duration in minutes with one decimal, Spanish style ("3,5 min")."""
    if seconds is None:
        return "—"
    return f"{seconds / 60:.1f} min".replace(".", ",")


def weighted(pairs: Sequence[tuple[float | None, int]]) -> float | None:
    """The average of values weighted by their counts (values without a count are left out).

    Daily medians cannot be merged into the period's median without the raw rows; their
    average weighted by each day's volume is what the pages show, and say so."""
    known = [(value, weight) for value, weight in pairs if value is not None and weight]
    total = sum(weight for _value, weight in known)
    return sum(value * weight for value, weight in known) / total if total else None
