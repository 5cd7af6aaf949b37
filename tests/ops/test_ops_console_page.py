"""The console's figures match the notifications, providers, queues, callbacks and jobs behind them."""

from __future__ import annotations

import uuid
from unittest.mock import patch

from flask import current_app
from flask.testing import FlaskClient

from app.caches import clear_app_caches
from app.dao.pending_callbacks_dao import dao_record_pending_callback
from app.dao.provider_details_dao import dao_get_provider_details_by_identifier, dao_update_provider_details
from app.recent_event_counts import EventKind, count_recent_event
from tests.factories import create_notification, create_template
from tests.ops.html_tables import page_tables, row_starting


def _console_tables(client: FlaskClient) -> dict[str, list[list[str]]]:
    response = client.get("/ops")
    assert response.status_code == 200
    return page_tables(response.get_data(as_text=True))


def test_the_last_hour_counts_each_channel_and_lane(traffic: None, signed_in_client: FlaskClient) -> None:
    hour = _console_tables(signed_in_client)["Last hour"]

    assert row_starting(hour, "sms", "normal") == [
        "sms", "normal", "5", "3", "3", "0", "0", "1", "2.00 s", "2.90 s", "2.98 s"
    ]  # fmt: skip
    assert row_starting(hour, "sms", "priority")[2:] == ["1", "1", "1", "0", "0", "0", "0.50 s", "0.50 s", "0.50 s"]
    assert row_starting(hour, "sms", "bulk")[2:] == ["0", "0", "0", "0", "0", "0", "–", "–", "–"]
    assert row_starting(hour, "email", "bulk")[2:] == ["1", "1", "0", "1", "0", "0", "4.00 s", "4.00 s", "4.00 s"]
    assert row_starting(hour, "email", "normal")[2] == "0"


def test_the_last_day_adds_older_notifications_from_both_tables(traffic: None, signed_in_client: FlaskClient) -> None:
    day = _console_tables(signed_in_client)["Last 24 hours (refreshed every minute)"]

    assert row_starting(day, "sms", "normal")[2:5] == ["7", "4", "5"]


def test_the_providers_show_their_weights_errors_and_what_they_took(
    traffic: None, signed_in_client: FlaskClient
) -> None:
    mmg = dao_get_provider_details_by_identifier("mmg")
    dao_update_provider_details(mmg, reason="57 send errors in 60 seconds", priority=41)
    for _ in range(3):
        count_recent_event(EventKind.PROVIDER_ERROR, "mmg")

    providers = _console_tables(signed_in_client)["table 3"]

    row = row_starting(providers, "MMG")
    assert row[1:7] == ["sms", "41", "46 %", "3", "3", "3"]
    assert row[7].startswith("57 send errors in 60 seconds")
    assert row_starting(providers, "Firetext")[1:6] == ["sms", "49", "54 %", "1", "0"]


def test_the_queues_show_what_waits_in_the_broker(signed_in_client: FlaskClient) -> None:
    with patch("app.ops.console_figures.list_queue_depths", return_value={"send-sms": 12, "callbacks": 3}):
        tables = _console_tables(signed_in_client)

    assert row_starting(tables["table 4"], "send-sms") == ["send-sms", "12"]


def test_the_queues_say_unavailable_when_the_broker_is_down(signed_in_client: FlaskClient) -> None:
    with patch("app.ops.console_figures.list_queue_depths", return_value=None):
        page = signed_in_client.get("/ops").get_data(as_text=True)

    assert "Queue depths unavailable: the broker did not answer." in page


def test_the_callbacks_show_pending_and_failing(signed_in_client: FlaskClient) -> None:
    dao_record_pending_callback("send_delivery_status_to_service", uuid.uuid4())
    count_recent_event(EventKind.CALLBACK_FAILURE, "given-up")

    page = signed_in_client.get("/ops").get_data(as_text=True)

    assert 'Pending (refused by the broker, queued again by beat)</dt>\n    <dd class="bad">1' in page
    assert '<span class="bad">given-up 1</span>' in page


def test_the_jobs_in_progress_show_how_far_they_got(traffic: None, signed_in_client: FlaskClient) -> None:
    jobs = _console_tables(signed_in_client)["table 5"]

    assert row_starting(jobs, jobs[1][0])[1:5] == ["march.csv", "in progress", "40", "1"]


def test_a_page_is_served_from_figures_at_most_a_refresh_old(traffic: None, signed_in_client: FlaskClient) -> None:
    first = row_starting(_console_tables(signed_in_client)["Last hour"], "sms", "normal")[2]
    create_notification(template=create_template(), status="created")
    cached = row_starting(_console_tables(signed_in_client)["Last hour"], "sms", "normal")[2]

    clear_app_caches(current_app.extensions)  # what the refresh interval passing does
    later = _console_tables(signed_in_client)["Last hour"]

    assert (first, cached, row_starting(later, "sms", "normal")[2]) == ("5", "5", "6")
