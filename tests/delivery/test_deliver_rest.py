"""POST /deliver/notification/<id>: send one notification now; a failed send goes to the retry queue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import MagicMock

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from app.clients.registry import ProviderClients
from app.dao.services_dao import dao_get_service_by_id, dao_update_service
from tests.auth_helpers import admin_auth_header
from tests.factories import create_notification


@pytest.fixture
def mmg(notify_api: Flask, provider_clients: ProviderClients) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, notify_api.config["MMG_URL"], json={"Reference": 12345678})
        mock.add(responses.POST, notify_api.config["FIRETEXT_URL"], json={"code": 0, "description": "ok"})
        yield mock


def _deliver(client: FlaskClient, notification_id: object) -> tuple[int, Any]:
    response = client.post(f"/deliver/notification/{notification_id}", headers=[admin_auth_header()])
    return response.status_code, response.get_json()


def test_the_notification_is_sent_and_its_status_answered(client: FlaskClient, mmg: responses.RequestsMock) -> None:
    notification_id = create_notification().id

    status, body = _deliver(client, notification_id)

    assert (status, body, len(mmg.calls)) == (200, {"id": str(notification_id), "status": "sending"}, 1)


def test_a_failed_send_is_queued_for_retry_on_the_other_provider(
    notify_api: Flask, client: FlaskClient, mmg: responses.RequestsMock, send_task: MagicMock
) -> None:
    for url in (notify_api.config["MMG_URL"], notify_api.config["FIRETEXT_URL"]):
        mmg.replace(responses.POST, url, status=503, json={})
    notification_id = create_notification().id

    status, body = _deliver(client, notification_id)

    ((task_name,), keywords) = send_task.call_args
    assert (status, body["result"]) == (503, "error")
    assert (task_name, keywords["args"], keywords["queue"], set(keywords["kwargs"])) == (
        "deliver_sms",
        [str(notification_id)],
        "retry",
        {"failed_provider"},
    )


def test_a_send_that_got_no_answer_is_queued_for_retry_after_the_wait_for_its_receipt(
    notify_api: Flask, client: FlaskClient, mmg: responses.RequestsMock, send_task: MagicMock
) -> None:
    for url in (notify_api.config["MMG_URL"], notify_api.config["FIRETEXT_URL"]):
        mmg.replace(responses.POST, url, status=504, json={})
    notification_id = create_notification().id

    status, _body = _deliver(client, notification_id)

    ((task_name,), keywords) = send_task.call_args
    assert (status, task_name, keywords["queue"], keywords["countdown_seconds"]) == (503, "deliver_sms", "retry", 180)


def test_a_notification_of_an_inactive_service_is_refused(client: FlaskClient, mmg: responses.RequestsMock) -> None:
    notification = create_notification()
    notification_id, service_id = notification.id, notification.service_id
    dao_update_service(dao_get_service_by_id(service_id), active=False)

    status, body = _deliver(client, notification_id)

    assert (status, body["result"], len(mmg.calls)) == (400, "error", 0)


def test_an_unknown_notification_is_not_found(client: FlaskClient) -> None:
    status, body = _deliver(client, "6a2e8a4e-35a5-4a4b-9d3c-36c1e9a50b29")

    assert (status, body) == (404, {"result": "error", "message": "No result found"})


def test_the_endpoint_needs_admin_auth(client: FlaskClient) -> None:
    notification_id = create_notification().id

    response = client.post(f"/deliver/notification/{notification_id}")

    assert response.status_code == 401
