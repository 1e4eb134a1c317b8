"""Charts drawn on the server as SVG: no JavaScript, and every chart has its table beside it.

A chart library in the browser would need JavaScript and a fallback anyway; the three
shapes needed here (a trend line, stacked bars, horizontal bars) are a few rectangles and
a polyline, computed here and drawn by ``indicators/_chart_*.html``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, BOTTOM, TOP, RIGHT = 48, 32, 12, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    points: str  # a polyline's points, for trend charts
    dots: list[tuple[float, float, str]]
    labels: list[tuple[float, str]]  # x positions and texts along the bottom
    ticks: list[tuple[float, str]]  # y positions and texts along the left
    baseline: float


def _scale(maximum: float) -> float:
    return maximum if maximum > 0 else 1


def _ticks(maximum: float, unit: str) -> list[tuple[float, str]]:
    plot = HEIGHT - TOP - BOTTOM
    return [(TOP + plot * (1 - share), f"{maximum * share:.0f}{unit}") for share in (0, 0.5, 1)]


def stacked_bars(
    labels: Sequence[str], stacks: Sequence[Sequence[tuple[str, float, str]]]
) -> Chart:
    """One bar per label, made of (css class, value, title) parts stacked from the bottom."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    maximum = _scale(max((sum(part[1] for part in stack) for stack in stacks), default=0))
    slot = plot_width / max(len(labels), 1)
    bars, texts = [], []
    for index, (label, stack) in enumerate(zip(labels, stacks, strict=True)):
        x = LEFT + index * slot + slot * 0.15
        y = TOP + plot_height
        for css, value, title in stack:
            height = plot_height * value / maximum
            y -= height
            if height > 0:
                bars.append(
                    Bar(
                        round(x, 1), round(y, 1), round(slot * 0.7, 1), round(height, 1), css, title
                    )
                )
        texts.append((round(LEFT + index * slot + slot / 2, 1), label))
    return Chart(WIDTH, HEIGHT, bars, "", [], texts, _ticks(maximum, ""), TOP + plot_height)


def trend(labels: Sequence[str], values: Sequence[float | None], *, unit: str = "") -> Chart:
    """A line through the values (gaps where a value is None), scaled from zero."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    known = [value for value in values if value is not None]
    maximum = _scale(max(known, default=0))
    slot = plot_width / max(len(labels), 1)
    points, dots, texts = [], [], []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = round(LEFT + index * slot + slot / 2, 1)
        texts.append((x, label))
        if value is None:
            continue
        y = round(TOP + plot_height * (1 - value / maximum), 1)
        points.append(f"{x},{y}")
        dots.append((x, y, f"{label}: {value:.0f}{unit}"))
    return Chart(
        WIDTH, HEIGHT, [], " ".join(points), dots, texts, _ticks(maximum, unit), TOP + plot_height
    )
