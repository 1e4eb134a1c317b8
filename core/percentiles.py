"""Medians and percentiles of measured durations: one definition for every daily figure.

Percentiles are nearest-rank (the smallest value with at least that fraction of the values at
or below it), so a p90 is always a duration somebody actually had; the median of an even
count is the mean of the two middle values.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable


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
