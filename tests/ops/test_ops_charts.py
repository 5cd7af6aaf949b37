"""Per-minute charts: a readable y scale, one point per minute, stable colours, time labels every quarter hour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.ops.charts import HEIGHT, LEFT, PLOT_HEIGHT, PLOT_WIDTH, TOP, minute_chart

FIRST_MINUTE = datetime(2026, 12, 6, 11, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("largest", "top"),
    [(0, 4), (3, 4), (5, 8), (9, 20), (57, 80), (140, 200), (1999, 2000), (2001, 4000)],
    ids=str,
)
def test_the_y_scale_ends_on_a_round_number_at_or_above_the_largest_value(largest: int, top: int) -> None:
    chart = minute_chart(title="t", description="d", series={"sms": [0, largest]}, first_minute=FIRST_MINUTE)

    assert chart.y_ticks[-1].label == f"{top:,}"


def test_each_minute_is_a_point_from_the_left_edge_to_the_right_edge() -> None:
    chart = minute_chart(title="t", description="d", series={"sms": [0, 2, 4]}, first_minute=FIRST_MINUTE)

    points = [tuple(float(part) for part in point.split(",")) for point in chart.lines[0].points.split()]

    bottom = TOP + PLOT_HEIGHT
    assert points == [(LEFT, bottom), (LEFT + PLOT_WIDTH / 2, bottom - PLOT_HEIGHT / 2), (LEFT + PLOT_WIDTH, TOP)]
    assert (chart.lines[0].total, chart.is_empty, chart.height) == (6, False, HEIGHT)


def test_a_known_name_keeps_its_colour_whichever_names_are_present() -> None:
    palette = ("mmg", "firetext", "ses")

    alone = minute_chart(
        title="t", description="d", series={"firetext": [1]}, first_minute=FIRST_MINUTE, palette=palette
    )
    together = minute_chart(
        title="t", description="d", series={"firetext": [1], "mmg": [1]}, first_minute=FIRST_MINUTE, palette=palette
    )

    assert alone.lines[0].colour == 1
    assert {line.name: line.colour for line in together.lines} == {"firetext": 1, "mmg": 0}


def test_time_labels_fall_on_the_quarter_hours() -> None:
    chart = minute_chart(title="t", description="d", series={"sms": [0] * 60}, first_minute=FIRST_MINUTE)

    assert [tick.label for tick in chart.x_ticks] == ["11:45", "12:00", "12:15", "12:30"]
    assert chart.is_empty
