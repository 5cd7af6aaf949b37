"""POST /notifications/sms/mmg and /notifications/sms/firetext: validation, basic auth, applying and queueing."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from unittest.mock import MagicMock, patch

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kombu.exceptions import OperationalError
from sqlalchemy.exc import OperationalError as DatabaseError

from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.notification_status import NotificationStatus
from app.receipts.sms_receipts import SMS_RECEIPT_APPLIERS
from app.receipts.sms_rest import MAX_SMS_RECEIPT_BYTES
from tests.factories import create_notification
from tests.receipts.payloads import FIXTURES, firetext_receipt, mmg_receipt

NOTIFICATION_ID = "3d1ce039-5476-414c-99b2-fac1e6add62c"


@pytest.fixture
def receipt_basic_auth(notify_api: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(notify_api.config, "RECEIPT_BASIC_AUTH_USERNAME", "provider")
    monkeypatch.setitem(notify_api.config, "RECEIPT_BASIC_AUTH_PASSWORD", "receipt-password")


@pytest.fixture
def database_failing() -> Iterator[None]:
    """Applying any SMS receipt fails as if the database had gone away (the receipt is then queued)."""
    failure = DatabaseError("UPDATE notifications ...", {}, Exception("server closed the connection unexpectedly"))
    failing = MagicMock(side_effect=failure)
    with patch.dict(SMS_RECEIPT_APPLIERS, {"mmg": failing, "firetext": failing}):
        yield


def _basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_mmg_receipt_is_queued_without_the_recipient_and_answered_200(
    client: FlaskClient, send_task: MagicMock, database_failing: None
) -> None:
    response = client.post("/notifications/sms/mmg", data=(FIXTURES / "mmg_receipt_delivered.json").read_bytes())

    assert (response.status_code, response.get_json()) == (200, {"result": "success"})
    send_task.assert_called_once_with(
        "process_sms_receipts",
        args=[
            "mmg",
            [
                {
                    "CID": NOTIFICATION_ID,
                    "status": "3",
                    "substatus": "5",
                    "reference": "mmg-ref-10101",
                    "deliverytime": "2026-11-20 16:01:07",
                }
            ],
        ],
        queue="receipts",
    )


def test_mmg_receipt_body_is_parsed_as_json_whatever_its_content_type(
    client: FlaskClient, send_task: MagicMock
) -> None:
    notification = create_notification(status=NotificationStatus.SENDING, notification_id=uuid.uuid4())
    body = json.dumps(mmg_receipt("delivered", CID=str(notification.id)))

    response = client.post("/notifications/sms/mmg", data=body, content_type="text/plain")

    assert response.status_code == 200
    assert dao_get_notification_status_by_id(notification.id) == NotificationStatus.DELIVERED


def test_firetext_receipt_is_queued_without_the_recipient_and_answered_200(
    client: FlaskClient, send_task: MagicMock, database_failing: None
) -> None:
    response = client.post(
        "/notifications/sms/firetext",
        data=(FIXTURES / "firetext_receipt_declined_code101.form").read_text().strip(),
        content_type="application/x-www-form-urlencoded",
    )

    assert (response.status_code, response.get_json()) == (200, {"result": "success"})
    send_task.assert_called_once_with(
        "process_sms_receipts",
        args=[
            "firetext",
            [{"reference": NOTIFICATION_ID, "status": "1", "code": "101", "time": "2026-11-20 15:17:00"}],
        ],
        queue="receipts",
    )


@pytest.mark.parametrize(
    ("removed", "messages"),
    [
        (["CID"], ["MMG callback failed: CID missing"]),
        (["status"], ["MMG callback failed: status missing"]),
        (["status", "CID"], ["MMG callback failed: status missing", "MMG callback failed: CID missing"]),
    ],
    ids=["no-cid", "no-status", "neither"],
)
def test_mmg_receipt_missing_a_field_is_refused(
    client: FlaskClient, send_task: MagicMock, removed: list[str], messages: list[str]
) -> None:
    receipt = {key: value for key, value in mmg_receipt("delivered").items() if key not in removed}

    response = client.post("/notifications/sms/mmg", json=receipt)

    assert (response.status_code, response.get_json(), send_task.call_count) == (
        400,
        {"result": "error", "message": messages},
        0,
    )


@pytest.mark.parametrize(
    ("blanked", "messages"),
    [
        (["reference"], ["Firetext callback failed: reference missing"]),
        (["status"], ["Firetext callback failed: status missing"]),
        (
            ["status", "reference"],
            ["Firetext callback failed: status missing", "Firetext callback failed: reference missing"],
        ),
    ],
    ids=["no-reference", "no-status", "neither"],
)
def test_firetext_receipt_missing_a_field_is_refused(
    client: FlaskClient, send_task: MagicMock, blanked: list[str], messages: list[str]
) -> None:
    receipt = firetext_receipt("delivered", **dict.fromkeys(blanked, ""))

    response = client.post("/notifications/sms/firetext", data=receipt)

    assert (response.status_code, response.get_json(), send_task.call_count) == (
        400,
        {"result": "error", "message": messages},
        0,
    )


def test_firetext_receipt_with_a_reference_that_is_not_ours_is_refused(
    client: FlaskClient, send_task: MagicMock
) -> None:
    response = client.post("/notifications/sms/firetext", data=firetext_receipt("delivered", reference="send-sms-code"))

    assert (response.status_code, response.get_json()) == (
        400,
        {"result": "error", "message": ["Firetext callback with invalid reference send-sms-code"]},
    )


def test_a_refused_reference_is_shown_back_only_as_far_as_a_real_one_would_go(
    client: FlaskClient, send_task: MagicMock
) -> None:
    response = client.post("/notifications/sms/firetext", data=firetext_receipt("delivered", reference="x" * 5000))

    assert (response.status_code, response.get_json()) == (
        400,
        {"result": "error", "message": [f"Firetext callback with invalid reference {'x' * 40}"]},
    )


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""], ids=["not-json", "a-list", "empty"])
def test_mmg_receipt_that_is_not_a_json_object_is_refused(
    client: FlaskClient, send_task: MagicMock, body: bytes
) -> None:
    response = client.post("/notifications/sms/mmg", data=body, content_type="application/json")

    assert (response.status_code, response.get_json()) == (
        400,
        {"result": "error", "message": ["MMG callback failed: invalid JSON given"]},
    )


def test_receipt_is_not_acknowledged_when_the_broker_cannot_take_it(
    client: FlaskClient, send_task: MagicMock, database_failing: None
) -> None:
    send_task.side_effect = OperationalError("broker down")

    response = client.post("/notifications/sms/mmg", json=mmg_receipt("delivered"))

    assert (response.status_code, response.get_json()) == (
        503,
        {"result": "error", "message": ["mmg receipt could not be queued; try again later"]},
    )


def test_receipt_without_credentials_is_accepted_when_no_basic_auth_is_configured(
    client: FlaskClient, send_task: MagicMock
) -> None:
    response = client.post("/notifications/sms/firetext", data=firetext_receipt("delivered"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("headers", "expected_status"),
    [({}, 401), (_basic("provider", "wrong"), 403), (_basic("someone", "receipt-password"), 403)],
    ids=["missing", "wrong-password", "wrong-username"],
)
def test_receipt_with_missing_or_wrong_basic_auth_is_refused(
    client: FlaskClient, send_task: MagicMock, receipt_basic_auth: None, headers: dict[str, str], expected_status: int
) -> None:
    response = client.post("/notifications/sms/mmg", json=mmg_receipt("delivered"), headers=headers)

    assert (response.status_code, response.get_json()["result"], send_task.call_count) == (expected_status, "error", 0)


def test_receipt_with_the_configured_basic_auth_is_accepted(
    client: FlaskClient, send_task: MagicMock, receipt_basic_auth: None
) -> None:
    notification = create_notification(status=NotificationStatus.SENDING, notification_id=uuid.uuid4())
    receipt = mmg_receipt("delivered", CID=str(notification.id))

    response = client.post("/notifications/sms/mmg", json=receipt, headers=_basic("provider", "receipt-password"))

    assert response.status_code == 200
    assert dao_get_notification_status_by_id(notification.id) == NotificationStatus.DELIVERED


@pytest.mark.parametrize("environment", ["production", "staging", "anything-else"], ids=str)
@pytest.mark.parametrize(
    ("username", "password"),
    [(None, None), ("provider", None), (None, "receipt-password"), ("", "")],
    ids=["none", "no-password", "no-username", "empty"],
)
def test_receipt_is_refused_outside_development_when_credentials_are_missing(
    notify_api: Flask,
    client: FlaskClient,
    send_task: MagicMock,
    monkeypatch: pytest.MonkeyPatch,
    environment: str,
    username: str | None,
    password: str | None,
) -> None:
    monkeypatch.setitem(notify_api.config, "NOTIFY_ENVIRONMENT", environment)
    monkeypatch.setitem(notify_api.config, "RECEIPT_BASIC_AUTH_USERNAME", username)
    monkeypatch.setitem(notify_api.config, "RECEIPT_BASIC_AUTH_PASSWORD", password)

    unauthenticated = client.post("/notifications/sms/mmg", json=mmg_receipt("delivered"))
    empty_credentials = client.post("/notifications/sms/mmg", json=mmg_receipt("delivered"), headers=_basic("", ""))

    assert (unauthenticated.status_code, empty_credentials.status_code, send_task.call_count) == (401, 403, 0)


@pytest.mark.parametrize("configured", [("provider", None), (None, "receipt-password")], ids=["username", "password"])
def test_receipt_is_refused_in_development_when_only_half_the_credentials_are_configured(
    notify_api: Flask,
    client: FlaskClient,
    send_task: MagicMock,
    monkeypatch: pytest.MonkeyPatch,
    configured: tuple[str | None, str | None],
) -> None:
    monkeypatch.setitem(notify_api.config, "RECEIPT_BASIC_AUTH_USERNAME", configured[0])
    monkeypatch.setitem(notify_api.config, "RECEIPT_BASIC_AUTH_PASSWORD", configured[1])

    response = client.post("/notifications/sms/mmg", json=mmg_receipt("delivered"), headers=_basic("provider", ""))

    assert (response.status_code, send_task.call_count) == (403, 0)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/notifications/sms/mmg", {"data": json.dumps({"CID": "x" * MAX_SMS_RECEIPT_BYTES})}),
        ("/notifications/sms/firetext", {"data": {"reference": "x" * MAX_SMS_RECEIPT_BYTES}}),
    ],
    ids=["mmg", "firetext"],
)
def test_receipt_body_longer_than_a_receipt_can_be_is_refused_unread(
    client: FlaskClient, send_task: MagicMock, path: str, body: dict[str, Any]
) -> None:
    response = client.post(path, **body)

    assert (response.status_code, response.get_json(), send_task.call_count) == (
        413,
        {"result": "error", "message": "Request body too large"},
        0,
    )


def test_receipt_credentials_are_checked_before_the_body_size(
    client: FlaskClient, send_task: MagicMock, receipt_basic_auth: None
) -> None:
    response = client.post("/notifications/sms/mmg", data="x" * (MAX_SMS_RECEIPT_BYTES + 1))

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("path", "body_of"),
    [
        ("/notifications/sms/mmg", lambda reference: {"json": mmg_receipt("delivered", CID=reference)}),
        ("/notifications/sms/firetext", lambda reference: {"data": firetext_receipt("delivered", reference=reference)}),
    ],
    ids=["mmg-json", "firetext-form"],
)
def test_receipt_is_applied_before_it_is_acknowledged_and_queues_nothing(
    client: FlaskClient, send_task: MagicMock, path: str, body_of: Callable[[str], dict[str, Any]]
) -> None:
    notification = create_notification(status=NotificationStatus.SENDING, notification_id=uuid.uuid4())

    response = client.post(path, **body_of(str(notification.id)))

    assert (response.status_code, send_task.call_count) == (200, 0)
    assert dao_get_notification_status_by_id(notification.id) == NotificationStatus.DELIVERED


@pytest.mark.parametrize(
    ("path", "body_of"),
    [
        ("/notifications/sms/mmg", lambda reference: {"json": mmg_receipt("delivered", CID=reference)}),
        ("/notifications/sms/firetext", lambda reference: {"data": firetext_receipt("delivered", reference=reference)}),
    ],
    ids=["mmg", "firetext"],
)
def test_receipt_for_a_notification_herald_does_not_have_is_acknowledged_and_dropped_without_queueing(
    client: FlaskClient,
    send_task: MagicMock,
    caplog: pytest.LogCaptureFixture,
    path: str,
    body_of: Callable[[str], dict[str, Any]],
) -> None:
    unknown_id = str(uuid.uuid4())

    response = client.post(path, **body_of(unknown_id))

    assert (response.status_code, send_task.call_count) == (200, 0)
    assert f"receipt reference {unknown_id}; receipt dropped" in caplog.text


def test_a_flood_of_bogus_receipts_queues_nothing(client: FlaskClient, send_task: MagicMock) -> None:
    for _ in range(50):
        client.post("/notifications/sms/mmg", json=mmg_receipt("delivered", CID=str(uuid.uuid4())))

    assert send_task.call_count == 0


def test_receipt_is_queued_when_the_database_fails_while_applying_it(client: FlaskClient, send_task: MagicMock) -> None:
    notification = create_notification(status=NotificationStatus.SENDING, notification_id=uuid.uuid4())
    receipt = mmg_receipt("delivered", CID=str(notification.id))
    failure = DatabaseError("UPDATE notifications ...", {}, Exception("server closed the connection unexpectedly"))

    with patch.dict(SMS_RECEIPT_APPLIERS, {"mmg": MagicMock(side_effect=failure)}):
        response = client.post("/notifications/sms/mmg", json=receipt)

    queued_provider, [queued_receipt] = send_task.call_args.kwargs["args"]
    assert (response.status_code, queued_provider, queued_receipt["CID"]) == (200, "mmg", str(notification.id))
    assert dao_get_notification_status_by_id(notification.id) == NotificationStatus.SENDING


def test_the_endpoint_hands_the_notification_id_it_parsed_to_the_receipt(client: FlaskClient) -> None:
    """The reference is parsed once, at the edge: what is applied is the id the endpoint checked."""
    notification_id = uuid.uuid4()
    apply = MagicMock()

    with patch.dict(SMS_RECEIPT_APPLIERS, {"firetext": apply}):
        response = client.post("/notifications/sms/firetext", data={"reference": str(notification_id), "status": "0"})

    assert response.status_code == 200
    apply.assert_called_once_with(notification_id, {"reference": str(notification_id), "status": "0"})
