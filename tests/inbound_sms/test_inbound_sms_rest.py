"""POST /notifications/sms/receive/{mmg,firetext}: basic auth, number mapping, permission, storage, callback."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from unittest.mock import MagicMock

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from kombu.exceptions import OperationalError
from sqlalchemy import select, text

from app.dao.inbound_numbers_dao import dao_assign_inbound_number
from app.dao.service_callback_dao import dao_save_service_callback
from app.extensions import db
from app.inbound_sms.rest import MAX_INBOUND_SMS_BYTES
from app.models import InboundSms, PendingCallback, Service
from tests.factories import create_service

MMG_URL = "/notifications/sms/receive/mmg"
FIRETEXT_URL = "/notifications/sms/receive/firetext"


def _auth(username: str | None = None, password: str | None = None) -> dict[str, str]:
    username = current_app.config["INBOUND_SMS_BASIC_AUTH_USERNAME"] if username is None else username
    password = current_app.config["INBOUND_SMS_BASIC_AUTH_PASSWORD"] if password is None else password
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def _service_with_number(number: str = "07700900001", *, permissions: list[str] | None = None) -> Service:
    service = create_service(permissions=["sms", "inbound_sms"] if permissions is None else permissions)
    dao_assign_inbound_number(service.id, number=number, provider="mmg")
    return service


def _mmg_message(**overrides: Any) -> dict[str, Any]:
    return {
        "MSISDN": "447700900123",
        "Number": "447700900001",
        "Message": "Hello+there%21+%C2%A35+each",
        "ID": "mmg-inbound-1",
        "DateRecieved": "2026-11-20+09%3A30%3A00",
        **overrides,
    }


def _firetext_message(**overrides: str) -> dict[str, str]:
    return {
        "source": "447700900123",
        "destination": "447700900001",
        "message": "Hello there",
        "time": "2026-07-01 10:00:00",
        **overrides,
    }


def _stored() -> list[InboundSms]:
    return list(db.session.execute(select(InboundSms)).scalars())


def test_mmg_inbound_sms_is_stored_for_the_service_that_owns_the_number(
    client: FlaskClient, send_task: MagicMock
) -> None:
    service = _service_with_number()

    response = client.post(MMG_URL, json=_mmg_message(), headers=_auth())

    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    [inbound_sms] = _stored()
    assert (
        inbound_sms.service_id,
        inbound_sms.notify_number,
        inbound_sms.user_number,
        inbound_sms.content,
        inbound_sms.provider,
        inbound_sms.provider_reference,
        inbound_sms.provider_date,
    ) == (
        service.id,
        "07700900001",
        "447700900123",
        "Hello there! £5 each",
        "mmg",
        "mmg-inbound-1",
        datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
    )


def test_inbound_sms_content_is_encrypted_at_rest(client: FlaskClient, send_task: MagicMock) -> None:
    _service_with_number()

    client.post(MMG_URL, json=_mmg_message(), headers=_auth())

    stored_content = db.session.execute(text("SELECT content FROM inbound_sms")).scalar_one()
    assert "Hello" not in stored_content


def test_firetext_inbound_sms_is_stored_with_its_uk_local_time_in_utc(
    client: FlaskClient, send_task: MagicMock
) -> None:
    service = _service_with_number()

    response = client.post(FIRETEXT_URL, data=_firetext_message(), headers=_auth())

    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    [inbound_sms] = _stored()
    assert (inbound_sms.service_id, inbound_sms.content, inbound_sms.provider, inbound_sms.provider_date) == (
        service.id,
        "Hello there",
        "firetext",
        datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
    )


def test_inbound_number_stored_in_international_form_is_found_too(client: FlaskClient, send_task: MagicMock) -> None:
    service = _service_with_number("447700900001")

    client.post(FIRETEXT_URL, data=_firetext_message(), headers=_auth())

    assert [inbound_sms.service_id for inbound_sms in _stored()] == [service.id]


def test_short_code_is_looked_up_as_it_is(client: FlaskClient, send_task: MagicMock) -> None:
    service = _service_with_number("40604")

    client.post(MMG_URL, json=_mmg_message(Number="40604"), headers=_auth())

    assert [inbound_sms.service_id for inbound_sms in _stored()] == [service.id]


def test_inbound_sms_for_a_service_without_the_permission_is_answered_200_and_not_stored(
    client: FlaskClient, send_task: MagicMock
) -> None:
    _service_with_number(permissions=["sms"])

    response = client.post(MMG_URL, json=_mmg_message(), headers=_auth())

    assert (response.status_code, _stored(), send_task.call_count) == (200, [], 0)


def test_inbound_sms_to_a_number_nobody_owns_is_answered_200_and_not_stored(
    client: FlaskClient, send_task: MagicMock
) -> None:
    response = client.post(FIRETEXT_URL, data=_firetext_message(), headers=_auth())

    assert (response.status_code, _stored()) == (200, [])


def test_inbound_sms_queues_the_services_inbound_sms_callback(client: FlaskClient, send_task: MagicMock) -> None:
    service = _service_with_number()
    dao_save_service_callback(
        service.id, callback_type="inbound_sms", url="https://example.com/in", bearer_token="token-12345"
    )

    client.post(MMG_URL, json=_mmg_message(), headers=_auth())

    [inbound_sms] = _stored()
    send_task.assert_called_once_with("send_inbound_sms_to_service", args=[str(inbound_sms.id)], queue="callbacks")


def test_inbound_sms_is_kept_and_acknowledged_and_its_callback_kept_pending_when_the_broker_refuses_it(
    client: FlaskClient, send_task: MagicMock
) -> None:
    service = _service_with_number()
    dao_save_service_callback(
        service.id, callback_type="inbound_sms", url="https://example.com/in", bearer_token="token-12345"
    )
    send_task.side_effect = OperationalError("broker down")

    response = client.post(MMG_URL, json=_mmg_message(), headers=_auth())

    [inbound_sms] = _stored()
    owed = db.session.execute(select(PendingCallback.task_name, PendingCallback.row_id)).all()
    assert (response.status_code, owed) == (200, [("send_inbound_sms_to_service", inbound_sms.id)])


@pytest.mark.parametrize("url", [MMG_URL, FIRETEXT_URL], ids=["mmg", "firetext"])
def test_inbound_sms_without_credentials_is_refused_401(client: FlaskClient, send_task: MagicMock, url: str) -> None:
    _service_with_number()

    response = client.post(url, json=_mmg_message())

    assert (response.status_code, response.get_json()["result"], _stored()) == (401, "error", [])


@pytest.mark.parametrize("url", [MMG_URL, FIRETEXT_URL], ids=["mmg", "firetext"])
@pytest.mark.parametrize(
    "credentials", [("herald", "wrong"), ("someone-else", None)], ids=["wrong-password", "wrong-username"]
)
def test_inbound_sms_with_wrong_credentials_is_refused_403(
    client: FlaskClient, send_task: MagicMock, url: str, credentials: tuple[str, str | None]
) -> None:
    _service_with_number()

    response = client.post(url, json=_mmg_message(), headers=_auth(*credentials))

    assert (response.status_code, _stored()) == (403, [])


@pytest.mark.parametrize("url", [MMG_URL, FIRETEXT_URL], ids=["mmg", "firetext"])
@pytest.mark.parametrize(
    ("username", "password"), [(None, None), ("", ""), ("herald", None)], ids=["none", "empty", "no-password"]
)
def test_inbound_sms_is_refused_when_no_credentials_are_configured(
    notify_api: Flask,
    client: FlaskClient,
    send_task: MagicMock,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    username: str | None,
    password: str | None,
) -> None:
    _service_with_number()
    monkeypatch.setitem(notify_api.config, "INBOUND_SMS_BASIC_AUTH_USERNAME", username)
    monkeypatch.setitem(notify_api.config, "INBOUND_SMS_BASIC_AUTH_PASSWORD", password)

    response = client.post(url, json=_mmg_message(), headers=_auth(username or "", password or ""))

    assert (response.status_code, _stored()) == (403, [])


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (MMG_URL, {"json": _mmg_message(Message="x" * MAX_INBOUND_SMS_BYTES)}),
        (FIRETEXT_URL, {"data": _firetext_message(message="x" * MAX_INBOUND_SMS_BYTES)}),
    ],
    ids=["mmg", "firetext"],
)
def test_inbound_sms_body_longer_than_a_text_message_can_be_is_refused_unread(
    client: FlaskClient, send_task: MagicMock, url: str, body: dict[str, Any]
) -> None:
    _service_with_number()

    response = client.post(url, headers=_auth(), **body)

    assert (response.status_code, _stored()) == (413, [])


@pytest.mark.parametrize(
    ("url", "body", "messages"),
    [
        (MMG_URL, {"json": _mmg_message(MSISDN="")}, ["MMG inbound SMS failed: MSISDN missing"]),
        (
            MMG_URL,
            {"json": {"ID": "1", "Message": "x"}},
            [
                "MMG inbound SMS failed: MSISDN missing",
                "MMG inbound SMS failed: Number missing",
            ],
        ),
        (
            FIRETEXT_URL,
            {"data": {"source": "447700900123"}},
            [
                "Firetext inbound SMS failed: destination missing",
                "Firetext inbound SMS failed: message missing",
            ],
        ),
    ],
    ids=["mmg-empty-msisdn", "mmg-no-numbers", "firetext-no-destination-or-message"],
)
def test_inbound_sms_missing_a_field_is_refused_400(
    client: FlaskClient, send_task: MagicMock, url: str, body: dict[str, Any], messages: list[str]
) -> None:
    response = client.post(url, headers=_auth(), **body)

    assert (response.status_code, response.get_json()) == (400, {"result": "error", "message": messages})


def test_empty_text_message_is_still_stored(client: FlaskClient, send_task: MagicMock) -> None:
    _service_with_number()

    client.post(FIRETEXT_URL, data=_firetext_message(message=""), headers=_auth())

    assert [inbound_sms.content for inbound_sms in _stored()] == [""]
