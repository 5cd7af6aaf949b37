"""POST /notifications/email/ses: SNS messages signed with a test certificate served by a real local HTTP server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from unittest.mock import MagicMock

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from kombu.exceptions import OperationalError
from werkzeug.test import TestResponse

from app.celery.process_receipt_tasks import process_ses_receipts
from app.dao.notifications_dao import dao_get_notification_by_id, dao_get_notification_status_by_id
from app.notification_status import NotificationStatus
from app.receipts.ses_rest import MAX_SNS_BODY_BYTES, SNS_CERTIFICATES, check_sns_trusted_prefixes
from tests.callbacks.recording_server import Answer, RecordingServer
from tests.factories import create_notification, create_template
from tests.receipts.payloads import sns_envelope
from tests.receipts.sns_test_signing import sign, signing_identity

SES_URL = "/notifications/email/ses"
CERT_PATH = "/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem"
TOPIC = "arn:aws:sns:eu-west-2:123456789012:ses_notifications"


@pytest.fixture
def sns_host(notify_api: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingServer]:
    """A local stand-in for sns.<region>.amazonaws.com: serves the test certificate and takes SubscribeURL visits."""
    server = RecordingServer().start()
    server.serve_file(CERT_PATH, signing_identity().certificate_pem)
    monkeypatch.setitem(notify_api.config, "SNS_TRUSTED_CERT_URL_PREFIXES", [f"{server.url}/"])
    monkeypatch.delitem(notify_api.extensions, SNS_CERTIFICATES.name, raising=False)
    yield server
    server.stop()
    notify_api.extensions.pop(SNS_CERTIFICATES.name, None)


def _signed(sns_host: RecordingServer, name: str = "ses_delivery", **options: Any) -> dict[str, Any]:
    """A signed message whose SES event (if any) SES accepted just now."""
    message = sns_envelope(name, accepted_at=options.pop("accepted_at", datetime.now(UTC)))
    if name == "subscription_confirmation":
        message["SubscribeURL"] = f"{sns_host.url}/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=2336412f37"
    return sign(message, cert_url=options.pop("cert_url", f"{sns_host.url}{CERT_PATH}"), **options)


def _post(client: FlaskClient, message: dict[str, Any], *, message_type: str | None = None) -> TestResponse:
    headers = {"x-amz-sns-message-type": message_type or message["Type"]}
    # SNS posts its JSON as text/plain.
    return client.post(SES_URL, data=json.dumps(message), headers=headers, content_type="text/plain; charset=UTF-8")


@pytest.mark.parametrize("version", ["1", "2"], ids=["v1-sha1", "v2-sha256"])
def test_signed_ses_event_is_queued_without_recipients_and_answered_200(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock, version: str
) -> None:
    response = _post(client, _signed(sns_host, version=version))

    assert (response.status_code, response.get_json()) == (
        200,
        {"result": "success", "message": "SES-SNS callback succeeded"},
    )
    [call] = send_task.call_args_list
    [[event]] = call.kwargs["args"]
    assert (call.args, call.kwargs["queue"], event["notificationType"]) == (
        ("process_ses_receipts",),
        "receipts",
        "Delivery",
    )
    assert "recipient@example.com" not in json.dumps(call.kwargs["args"])


@pytest.mark.parametrize("header", [None, "Notification ", "SomethingElse"], ids=["missing", "padded", "unknown"])
def test_message_without_a_valid_message_type_header_is_refused(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock, header: str | None
) -> None:
    headers = {} if header is None else {"x-amz-sns-message-type": header}

    response = client.post(SES_URL, data=json.dumps(_signed(sns_host)), headers=headers)

    assert (response.status_code, response.get_json(), send_task.call_count) == (
        400,
        {"result": "error", "message": ["SES-SNS callback failed: invalid message type"]},
        0,
    )


def test_message_whose_header_and_type_disagree_is_refused(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    response = _post(client, _signed(sns_host), message_type="SubscriptionConfirmation")

    assert (response.status_code, response.get_json()["message"]) == (
        400,
        ["SES-SNS callback failed: invalid message type"],
    )


def test_body_that_is_not_json_is_refused(client: FlaskClient, sns_host: RecordingServer) -> None:
    response = client.post(SES_URL, data="nonsense", headers={"x-amz-sns-message-type": "Notification"})

    assert (response.status_code, response.get_json()["message"]) == (
        400,
        ["SES-SNS callback failed: invalid JSON given"],
    )


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (
            lambda message: message | {"Message": message["Message"].replace("Delivery", "Bounce")},
            "signature does not match",
        ),
        (lambda message: message | {"Signature": ""}, "unsigned message"),
        (lambda message: {key: value for key, value in message.items() if key != "Signature"}, "unsigned message"),
        (
            lambda message: message | {"SigningCertURL": "https://sns.eu-west-2.amazonaws.com.evil.example/c.pem"},
            "signing certificate not trusted",
        ),
        (
            lambda message: message | {"SigningCertURL": message["SigningCertURL"].replace("http://", "http://x\\@")},
            "signing certificate not trusted",
        ),
    ],
    ids=["tampered-body", "empty-signature", "no-signature", "wrong-cert-host", "backslash-userinfo"],
)
def test_message_that_fails_verification_is_refused_403(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock, spoil: Any, reason: str
) -> None:
    response = _post(client, spoil(_signed(sns_host)))

    assert (response.status_code, response.get_json(), send_task.call_count) == (
        403,
        {"result": "error", "message": [f"SES-SNS callback failed: {reason}"]},
        0,
    )


def test_stale_message_is_refused_403(client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock) -> None:
    message = _signed(sns_host, timestamp=datetime.now(UTC) - timedelta(hours=2))

    response = _post(client, message)

    assert (response.status_code, response.get_json()["message"]) == (403, ["SES-SNS callback failed: stale message"])


def test_message_whose_certificate_cannot_be_fetched_is_answered_502_for_sns_to_retry(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    message = _signed(sns_host, cert_url=f"{sns_host.url}/SimpleNotificationService-{'0' * 32}.pem")
    sns_host.script([Answer(503)])

    response = _post(client, message)

    assert (response.status_code, response.get_json()["message"], send_task.call_count) == (
        502,
        ["SES-SNS callback failed: signing certificate unavailable; try again later"],
        0,
    )


def test_message_from_a_topic_outside_the_allow_list_is_refused(
    notify_api: Flask,
    client: FlaskClient,
    sns_host: RecordingServer,
    send_task: MagicMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(notify_api.config, "SNS_TOPIC_ARNS", ["arn:aws:sns:eu-west-2:123456789012:other_topic"])

    response = _post(client, _signed(sns_host))

    assert (response.status_code, response.get_json()["message"], sns_host.requests) == (
        403,
        ["SES-SNS callback failed: topic not allowed"],
        [],
    )


@pytest.mark.parametrize("environment", ["production", "staging", "preview", "prod"], ids=str)
def test_outside_development_a_message_is_refused_when_no_topic_is_allowed(
    notify_api: Flask,
    client: FlaskClient,
    sns_host: RecordingServer,
    send_task: MagicMock,
    monkeypatch: pytest.MonkeyPatch,
    environment: str,
) -> None:
    monkeypatch.setitem(notify_api.config, "NOTIFY_ENVIRONMENT", environment)
    monkeypatch.setitem(notify_api.config, "SNS_TOPIC_ARNS", [])

    response = _post(client, _signed(sns_host))

    assert (response.status_code, sns_host.requests, send_task.call_count) == (403, [], 0)


def test_message_from_an_allowed_topic_is_accepted(
    notify_api: Flask,
    client: FlaskClient,
    sns_host: RecordingServer,
    send_task: MagicMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(notify_api.config, "SNS_TOPIC_ARNS", ["arn:aws:sns:eu-west-2:123456789012:ses_notifications"])

    response = _post(client, _signed(sns_host))

    assert response.status_code == 200


def test_subscription_confirmation_visits_the_subscribe_url(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    response = _post(client, _signed(sns_host, "subscription_confirmation", version="2"))

    assert (response.status_code, response.get_json()) == (
        200,
        {"result": "success", "message": "SES-SNS subscription confirmed"},
    )
    assert [(request.method, request.path) for request in sns_host.requests] == [
        ("GET", f"/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=2336412f37")
    ]


def test_forged_subscription_confirmation_visits_nothing(client: FlaskClient, sns_host: RecordingServer) -> None:
    message = _signed(sns_host, "subscription_confirmation")
    message["SubscribeURL"] += "&Token=forged"

    response = _post(client, message)

    assert (response.status_code, sns_host.requests) == (403, [])


def test_subscription_confirmation_with_an_untrusted_subscribe_url_visits_nothing(
    client: FlaskClient, sns_host: RecordingServer
) -> None:
    message = sns_envelope("subscription_confirmation") | {"SubscribeURL": "https://attacker.example/collect"}
    signed = sign(message, cert_url=f"{sns_host.url}{CERT_PATH}")

    response = _post(client, signed)

    assert (response.status_code, response.get_json()["message"], sns_host.requests) == (
        400,
        ["SES-SNS callback failed: untrusted SubscribeURL"],
        [],
    )


def test_subscription_confirmation_that_cannot_be_completed_is_answered_502(
    client: FlaskClient, sns_host: RecordingServer
) -> None:
    sns_host.script([Answer(500)])

    response = _post(client, _signed(sns_host, "subscription_confirmation"))

    assert (response.status_code, response.get_json()["message"]) == (
        502,
        ["SES-SNS callback failed: subscription not confirmed; try again later"],
    )


def test_ses_event_is_not_acknowledged_when_the_broker_cannot_take_it(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    send_task.side_effect = OperationalError("broker down")

    response = _post(client, _signed(sns_host))

    assert response.status_code == 503


def test_notification_whose_message_is_not_a_ses_event_is_refused(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    message = sns_envelope("ses_delivery") | {"Message": "plain text"}

    response = _post(client, sign(message, cert_url=f"{sns_host.url}{CERT_PATH}"))

    assert (response.status_code, response.get_json()["message"]) == (
        400,
        ["SES-SNS callback failed: Message is not a SES event"],
    )


def test_ses_event_is_applied_before_it_is_acknowledged_and_queues_nothing(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    message = _signed(sns_host)
    reference = json.loads(message["Message"])["mail"]["messageId"]
    notification = create_notification(
        template=create_template(template_type="email"), status=NotificationStatus.SENDING, reference=reference
    )

    response = _post(client, message)

    assert (response.status_code, send_task.call_count) == (200, 0)
    assert dao_get_notification_status_by_id(notification.id) == NotificationStatus.DELIVERED


def test_signed_ses_event_for_an_email_whose_answer_was_lost_is_applied_by_its_notification_id_header(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    notification = create_notification(
        template=create_template(template_type="email"),
        to="recipient@example.com",
        status=NotificationStatus.SENDING,
        sent_by="ses",
    )
    message = sns_envelope("ses_delivery", accepted_at=datetime.now(UTC))
    event = json.loads(message["Message"])
    event["mail"]["headers"].append({"name": "X-Herald-Notification-Id", "value": str(notification.id)})
    message["Message"] = json.dumps(event)

    response = _post(client, sign(message, cert_url=f"{sns_host.url}{CERT_PATH}"))

    assert (response.status_code, send_task.call_count) == (200, 0)
    applied = dao_get_notification_by_id(notification.id)
    assert (applied.status, applied.reference) == (NotificationStatus.DELIVERED, event["mail"]["messageId"])


@pytest.mark.parametrize("message_id", ["nul\x00byte", "x" * 256, 42], ids=["nul", "too-long", "number"])
def test_signed_ses_event_whose_message_id_cannot_be_one_is_dropped_not_a_server_error(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock, message_id: Any
) -> None:
    message = sns_envelope("ses_delivery", accepted_at=datetime.now(UTC))
    event = json.loads(message["Message"])
    event["mail"]["messageId"] = message_id
    message["Message"] = json.dumps(event)

    response = _post(client, sign(message, cert_url=f"{sns_host.url}{CERT_PATH}"))

    assert (response.status_code, send_task.call_count) == (200, 0)


def test_ses_event_for_an_email_not_found_yet_is_queued_and_its_task_delivers_it_later(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    message = _signed(sns_host)
    reference = json.loads(message["Message"])["mail"]["messageId"]

    response = _post(client, message)
    notification = create_notification(  # the send's commit lands after the receipt
        template=create_template(template_type="email"), status=NotificationStatus.SENDING, reference=reference
    )
    process_ses_receipts(*send_task.call_args.kwargs["args"])

    assert (response.status_code, send_task.call_count) == (200, 1)
    assert dao_get_notification_status_by_id(notification.id) == NotificationStatus.DELIVERED


def test_ses_event_for_an_email_unknown_long_after_ses_accepted_it_is_dropped_without_queueing(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    message = _signed(sns_host, accepted_at=datetime.now(UTC) - timedelta(minutes=6))

    response = _post(client, message)

    assert (response.status_code, send_task.call_count) == (200, 0)
    assert "receipt dropped" in caplog.text


def test_ses_event_without_a_message_id_is_acknowledged_and_dropped(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    message = sns_envelope("ses_delivery")
    event = json.loads(message["Message"])
    del event["mail"]["messageId"]
    message["Message"] = json.dumps(event)

    response = _post(client, sign(message, cert_url=f"{sns_host.url}{CERT_PATH}"))

    assert (response.status_code, send_task.call_count) == (200, 0)
    assert "ses receipt dropped: SES event has no mail.messageId" in caplog.text


def test_unsubscribe_confirmation_is_acknowledged_and_queues_nothing(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    message = sns_envelope("subscription_confirmation") | {"Type": "UnsubscribeConfirmation"}

    response = _post(client, sign(message, cert_url=f"{sns_host.url}{CERT_PATH}"))

    assert (response.status_code, send_task.call_count, sns_host.requests) == (200, 0, [])


def test_body_longer_than_an_sns_message_can_be_is_refused_unread(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    message = _signed(sns_host) | {"Padding": "x" * MAX_SNS_BODY_BYTES}

    response = _post(client, message)

    assert (response.status_code, sns_host.requests, send_task.call_count) == (413, [], 0)


def test_body_nested_too_deeply_for_the_parser_is_refused(client: FlaskClient, sns_host: RecordingServer) -> None:
    response = client.post(SES_URL, data="[" * 100_000, headers={"x-amz-sns-message-type": "Notification"})

    assert (response.status_code, response.get_json()["message"]) == (
        400,
        ["SES-SNS callback failed: invalid JSON given"],
    )


def test_refusals_never_say_what_the_certificate_url_answered(
    client: FlaskClient, sns_host: RecordingServer, send_task: MagicMock
) -> None:
    secret_file = f"/SimpleNotificationService-{'1' * 32}.pem"
    sns_host.serve_file(secret_file, b"internal-secret-document")

    response = _post(client, _signed(sns_host, cert_url=f"{sns_host.url}{secret_file}"))

    assert (response.status_code, response.get_json()["message"]) == (
        403,
        ["SES-SNS callback failed: signing certificate not trusted"],
    )


@pytest.mark.parametrize(
    "cert_url",
    [
        "https://evil.example\\@sns.eu-west-1.amazonaws.com/x.pem",
        f"https://evil.example\\@sns.eu-west-1.amazonaws.com{CERT_PATH}",
        f"https://evil.example%40sns.eu-west-1.amazonaws.com{CERT_PATH}",
        f"https://sns.eu-west-1.amazonaws.com.evil.example{CERT_PATH}",
    ],
    ids=["the-reported-attack", "backslash-with-sns-path", "encoded-at", "lookalike-host"],
)
def test_forged_certificate_url_fetches_nothing_and_says_nothing(
    client: FlaskClient, send_task: MagicMock, cert_url: str
) -> None:
    message = sign(sns_envelope("ses_delivery", accepted_at=datetime.now(UTC)), cert_url=cert_url)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        evil = http.get(re.compile(r"https://evil\.example.*"), body=signing_identity().certificate_pem)
        response = _post(client, message)

    assert (response.status_code, response.get_json()["message"], evil.call_count, send_task.call_count) == (
        403,
        ["SES-SNS callback failed: signing certificate not trusted"],
        0,
        0,
    )


def test_a_malformed_trusted_prefix_stops_the_app_from_starting() -> None:
    state = SimpleNamespace(app=SimpleNamespace(config={"SNS_TRUSTED_CERT_URL_PREFIXES": ["http://127.0.0.1:6030"]}))

    with pytest.raises(ValueError, match=r"is not of the form http\(s\)://host\[:port\]/path/"):
        check_sns_trusted_prefixes(state)  # type: ignore[arg-type]
