"""Line charts of per-minute counts, laid out here as numbers for an inline SVG template (no script, no CDN).

The template draws what this module computes: each series' polyline points, the y-axis ticks and the time labels,
all in the chart's own coordinate space (a viewBox), so the page scales without any layout code in the browser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

WIDTH = 560
HEIGHT = 200
LEFT = 44  # room for the y-axis labels
RIGHT = 8
TOP = 10
BOTTOM = 24  # room for the time labels
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
Y_TICKS = 4
X_LABEL_EVERY_MINUTES = 15


@dataclass(frozen=True)
class Line:
    name: str
    points: str  # "x,y x,y …" for <polyline points=…>
    total: int
    colour: int  # index into the page's palette (a CSS class), stable per name within a chart


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    lines: Sequence[Line]
    y_ticks: Sequence[Tick]
    x_ticks: Sequence[Tick]
    is_empty: bool
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_width: int = PLOT_WIDTH
    plot_height: int = PLOT_HEIGHT


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at least ``value`` that divides into Y_TICKS whole steps."""
    if value <= Y_TICKS:
        return Y_TICKS
    magnitude = int(10 ** math.floor(math.log10(value / Y_TICKS)))
    for step in (1, 2, 5, 10):
        if step * magnitude * Y_TICKS >= value:
            return step * magnitude * Y_TICKS
    return 10 * magnitude * Y_TICKS


def minute_chart(
    *,
    title: str,
    description: str,
    series: Mapping[str, Sequence[int]],
    first_minute: datetime,
    palette: Sequence[str] = (),
) -> Chart:
    """A chart of one value per minute per named series, all of the same length, the oldest minute first.

    ``palette`` fixes the colour of known names (their position in it); other names take the next colours.
    """
    minutes = max((len(values) for values in series.values()), default=0)
    top_value = _nice_ceiling(max((max(values, default=0) for values in series.values()), default=0))
    x_step = PLOT_WIDTH / max(minutes - 1, 1)
    lines = []
    for position, (name, values) in enumerate(sorted(series.items())):
        points = " ".join(
            f"{LEFT + index * x_step:.1f},{TOP + PLOT_HEIGHT - value / top_value * PLOT_HEIGHT:.1f}"
            for index, value in enumerate(values)
        )
        colour = palette.index(name) if name in palette else len(palette) + position
        lines.append(Line(name=name, points=points, total=sum(values), colour=colour))
    y_ticks = [
        Tick(position=TOP + PLOT_HEIGHT - step / Y_TICKS * PLOT_HEIGHT, label=f"{top_value * step // Y_TICKS:,}")
        for step in range(Y_TICKS + 1)
    ]
    x_ticks = [
        Tick(position=LEFT + index * x_step, label=(first_minute + timedelta(minutes=index)).strftime("%H:%M"))
        for index in range(minutes)
        if (first_minute + timedelta(minutes=index)).minute % X_LABEL_EVERY_MINUTES == 0
    ]
    return Chart(
        title=title,
        description=description,
        lines=lines,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        is_empty=all(line.total == 0 for line in lines),
    )
