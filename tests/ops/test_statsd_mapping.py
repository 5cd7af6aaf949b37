"""The statsd_exporter glob mapping as tests/ops/statsd_mapping.py reads it, and what Herald's mapping file exports."""

from __future__ import annotations

import pytest

from tests.ops.conftest import MAPPING_FILE
from tests.ops.promql_selectors import Selector, selectors
from tests.ops.statsd_mapping import Series, StatsdMapper, UnsupportedMappingError

PREFIX = "production.notifications.api."


def mapper_of(*mappings: dict[str, object], defaults: dict[str, object] | None = None) -> StatsdMapper:
    return StatsdMapper.from_document({"defaults": defaults or {}, "mappings": list(mappings)})


def test_a_star_matches_exactly_one_component_even_an_empty_one_and_fills_the_labels() -> None:
    mapper = mapper_of({"match": "a.*.c", "name": "thing_total", "labels": {"x": "$1", "y": "${1}-seen"}})

    assert mapper.map("a.b.c", "c") == [Series("thing_total", (("x", "b"), ("y", "b-seen")))]
    assert mapper.map("a.b.b.c", "c") == []
    assert mapper.map("a.c", "c") == []
    assert mapper.map("a..c", "c") == [Series("thing_total", (("x", ""), ("y", "-seen")))]


def test_the_first_mapping_in_file_order_wins() -> None:
    mapper = mapper_of({"match": "a.b.*", "name": "specific"}, {"match": "a.*.*", "name": "general"})

    assert [series.name for series in mapper.map("a.b.x", "c") + mapper.map("a.z.x", "c")] == ["specific", "general"]


def test_a_mapping_for_another_metric_type_is_passed_over() -> None:
    mapper = mapper_of(
        {"match": "t.*", "name": "t_total", "match_metric_type": "counter"},
        {"match": "t.*", "name": "t_seconds", "match_metric_type": "observer"},
        {"match": "t.*", "name": "t_level", "match_metric_type": "gauge"},
    )

    assert [mapper.map("t.x", kind)[0].name for kind in ("c", "ms", "g")] == ["t_total", "t_seconds", "t_level"]


def test_timers_are_exported_by_observer_type_a_summary_unless_set() -> None:
    mapper = mapper_of(
        {"match": "h.*", "name": "h_seconds"},
        {"match": "s.*", "name": "s_seconds", "observer_type": "summary"},
        defaults={"observer_type": "histogram"},
    )

    assert [series.name for series in mapper.map("h.x", "ms")] == [
        "h_seconds_bucket",
        "h_seconds_sum",
        "h_seconds_count",
    ]
    assert [series.name for series in mapper.map("s.x", "ms")] == ["s_seconds", "s_seconds_sum", "s_seconds_count"]


@pytest.mark.parametrize(
    "mapping",
    [
        {"match": "a.b*.c", "name": "partial"},
        {"match": "a.(.*)", "name": "regex", "match_type": "regex"},
        {"match": "a.*", "name": "dropped", "action": "drop"},
    ],
    ids=["partial-component-glob", "regex-match", "drop-action"],
)
def test_features_beyond_the_subset_are_refused_rather_than_guessed(mapping: dict[str, object]) -> None:
    with pytest.raises(UnsupportedMappingError):
        mapper_of(mapping)


HERALD_MAPPINGS = [
    (
        "tasks.deliver_sms.queue-time",
        "ms",
        "herald_task_queue_wait_seconds_bucket",
        {"environment": "production", "task": "deliver_sms"},
    ),
    ("tasks.deliver_sms", "c", "herald_tasks_completed_total", {"task": "deliver_sms"}),
    ("tasks.deliver_sms", "ms", "herald_task_duration_seconds_bucket", {"task": "deliver_sms"}),
    ("queues.priority-sms.queue-time", "ms", "herald_queue_wait_seconds_bucket", {"queue": "priority-sms"}),
    (
        "lanes.priority.sms.created-to-sent",
        "ms",
        "herald_lane_created_to_sent_seconds_bucket",
        {"lane": "priority", "notification_type": "sms"},
    ),
    ("clients.mmg.error", "c", "herald_provider_requests_total", {"provider": "mmg", "outcome": "error"}),
    ("clients.ses.request-time", "ms", "herald_provider_request_duration_seconds_bucket", {"provider": "ses"}),
    ("callback.firetext.delivered", "c", "herald_receipts_total", {"provider": "firetext", "status": "delivered"}),
    ("sms.total-time", "ms", "herald_created_to_sent_seconds_bucket", {"notification_type": "sms"}),
    ("callbacks.pending", "c", "herald_service_callbacks_deferred_total", {}),
    ("callbacks.pending-backlog", "g", "herald_service_callbacks_pending", {}),
    ("callbacks.delivery-status.failed", "c", "herald_service_callbacks_total", {"outcome": "failed"}),
    (
        "POST.v2_notifications.post_notification.201",
        "c",
        "herald_http_requests_total",
        {"method": "POST", "view": "post_notification", "status_code": "201"},
    ),
    (
        "dao.dao_get_notification_by_id",
        "ms",
        "herald_dao_duration_seconds_bucket",
        {"function": "dao_get_notification_by_id"},
    ),
]


@pytest.mark.parametrize(
    ("statsd_name", "statsd_type", "series_name", "labels"),
    HERALD_MAPPINGS,
    ids=[f"{name}|{kind}" for name, kind, *_ in HERALD_MAPPINGS],
)
def test_herald_metrics_map_to_their_prometheus_series(
    statsd_name: str, statsd_type: str, series_name: str, labels: dict[str, str]
) -> None:
    mapper = StatsdMapper.from_file(MAPPING_FILE)

    [first, *_] = mapper.map(PREFIX + statsd_name, statsd_type)

    assert first.name == series_name
    assert labels.items() <= dict(first.labels).items()


def test_a_metric_without_the_herald_prefix_is_not_mapped() -> None:
    assert StatsdMapper.from_file(MAPPING_FILE).map("tasks.deliver_sms", "c") == []


def test_selectors_read_names_and_matchers_and_take_grafana_variables_as_wildcards() -> None:
    expression = 'sum by (provider) (rate(herald_x_total{environment="$environment", outcome=~"a|b"}[5m])) / herald_y'

    found = selectors(expression)

    assert found == [
        Selector("herald_x_total", (("environment", "=", "$environment"), ("outcome", "=~", "a|b"))),
        Selector("herald_y", ()),
    ]
    series = Series("herald_x_total", (("environment", "staging"), ("outcome", "b")))
    assert found[0].selects(series)
    assert not found[0].selects(Series("herald_x_total", (("environment", "staging"), ("outcome", "c"))))
