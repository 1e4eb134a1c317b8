"""Medians and percentiles of measured durations: one definition for every daily figure.

Percentiles are nearest-rank (the smallest value with at least that fraction of the values at
or below it), so a p90 is always a duration somebody actually had; the median of an even
count is the mean of the two middle values. The ``histogram_`` forms give the same figures
from counts per whole value, which add up across days where the values' medians do not.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def percentile(values: Iterable[float], fraction: float) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


def whole(value: float | None) -> int | None:
    """For columns that store whole seconds or days."""
    return None if value is None else round(value)


def histogram_percentile(counts: Sequence[int], fraction: float) -> int | None:
    """``percentile`` of the values a histogram counts (``counts[v]`` values equal to ``v``)."""
    total = sum(counts)
    if not total:
        return None
    return _nth_value(counts, max(math.ceil(fraction * total), 1))


def histogram_median(counts: Sequence[int]) -> float | None:
    """``median`` of the values a histogram counts: the same figure as from the values."""
    total = sum(counts)
    if not total:
        return None
    if total % 2:
        return _nth_value(counts, (total + 1) // 2)
    return (_nth_value(counts, total // 2) + _nth_value(counts, total // 2 + 1)) / 2


def _nth_value(counts: Sequence[int], rank: int) -> int:
    """The ``rank``-th smallest value (from 1)."""
    running = 0
    for value, count in enumerate(counts):
        running += count
        if running >= rank:
            return value
    raise ValueError(rank)
