"""JSON log lines carry the ids that find them (request_id, service_id, notification_id), one line per answered
request, and never a recipient or personalisation."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.logging_setup import JsonFormatter
from tests.auth_helpers import service_auth_header
from tests.factories import create_api_key, create_service, create_template


class JsonLines:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def json_log() -> Iterator[JsonLines]:
    """What the root logger writes during the test, formatted as production formats it."""
    captured = JsonLines()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield captured
    root.removeHandler(handler)
    root.setLevel(previous_level)


def send_sms(client: FlaskClient, *, phone_number: str, personalisation: dict[str, str]) -> dict[str, Any]:
    service = create_service()
    template = create_template(service=service, content="Hello ((name)), your code is ((code))")
    api_key = create_api_key(service=service)
    response = client.post(
        "/v2/notifications/sms",
        json={"phone_number": phone_number, "template_id": str(template.id), "personalisation": personalisation},
        headers=[service_auth_header(api_key), ("X-Request-Id", "request-42")],
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return {"service_id": str(service.id), "notification_id": response.json["id"]}


def test_an_answered_request_gets_one_line_with_its_rule_status_and_ids(client: FlaskClient, json_log: JsonLines):
    sent = send_sms(client, phone_number="07700900321", personalisation={"name": "Jo", "code": "1"})

    [request_line] = [line for line in json_log.lines() if line["logger"] == "app.requests"]
    assert request_line["message"] == "POST /v2/notifications/sms answered 201"
    assert (request_line["method"], request_line["path"], request_line["status_code"]) == (
        "POST",
        "/v2/notifications/sms",
        201,
    )
    assert (request_line["request_id"], request_line["service_id"]) == ("request-42", sent["service_id"])
    assert request_line["duration_ms"] > 0


def test_lines_logged_while_sending_carry_the_notification_and_service_ids(client: FlaskClient, json_log: JsonLines):
    sent = send_sms(client, phone_number="07700900321", personalisation={"name": "Jo", "code": "1"})

    accepted = [line for line in json_log.lines() if line.get("notification_id") == sent["notification_id"]]
    assert accepted
    assert all((line["service_id"], line["request_id"]) == (sent["service_id"], "request-42") for line in accepted)


def test_no_line_carries_the_recipient_or_the_personalisation(client: FlaskClient, json_log: JsonLines):
    send_sms(client, phone_number="07700900654", personalisation={"name": "Philomena", "code": "552299"})

    logged = json_log.text()
    assert logged  # something was logged, so the checks below look at real lines
    assert [value for value in ("7700900654", "Philomena", "552299") if value in logged] == []


def test_a_request_for_no_route_logs_no_path(client: FlaskClient, json_log: JsonLines):
    client.get("/v2/07700900654/anything?email=someone@example.com")

    [request_line] = [line for line in json_log.lines() if line["logger"] == "app.requests"]
    assert (request_line["path"], request_line["status_code"]) == ("(no route)", 404)
    assert "07700900654" not in json_log.text()
    assert "someone@example.com" not in json_log.text()


def test_health_checks_that_pass_are_not_logged(client: FlaskClient, json_log: JsonLines):
    response = client.get("/_status")

    assert response.status_code == 200
    assert [line for line in json_log.lines() if line["logger"] == "app.requests"] == []


@pytest.mark.parametrize(
    "given", ["a" * 129, "id\tforged log line", "<script>", ""], ids=["too-long", "tab-and-spaces", "markup", "empty"]
)
def test_a_request_id_that_does_not_look_like_one_is_replaced(
    client: FlaskClient, json_log: JsonLines, given: str
) -> None:
    client.get("/v2/notifications", headers={"X-Request-Id": given})

    [request_line] = [line for line in json_log.lines() if line["logger"] == "app.requests"]
    assert request_line["request_id"] != given
    assert len(request_line["request_id"]) == 32
