"""The simulator's SES v2 protocol, driven by a real boto3 `sesv2` client, and its signed SNS receipts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from app.receipts.sns_signature import SnsCertificateStore, verify_sns_message
from app.simulator.server import SimulatorServer
from tests.simulator.conftest import StartSimulator
from tests.simulator.receiver import ReceivedRequest, Receiver


def _sesv2(simulator: SimulatorServer) -> BaseClient:
    return boto3.client(
        "sesv2",
        endpoint_url=f"{simulator.url}/ses",
        region_name="eu-west-2",
        aws_access_key_id="simulator",
        aws_secret_access_key="simulator",
        config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def sesv2(simulator: SimulatorServer) -> Iterator[BaseClient]:
    client = _sesv2(simulator)
    yield client
    client.close()


def _send(client: BaseClient, *to: str, **changes: Any) -> str:
    arguments = {
        "FromEmailAddress": '"Demo Service" <demo.service@herald.example>',
        "Destination": {"ToAddresses": list(to or ["someone@example.com"]), "CcAddresses": [], "BccAddresses": []},
        "Content": {
            "Simple": {
                "Subject": {"Data": "Your appointment"},
                "Body": {"Text": {"Data": "See you at ten"}, "Html": {"Data": "<p>See you at ten</p>"}},
            }
        },
        "ReplyToAddresses": ["replies@herald.example"],
        **changes,
    }
    message_id: str = client.send_email(**arguments)["MessageId"]
    return message_id


def _sns_message(receipt: ReceivedRequest) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(receipt.body)
    return message


def _ses_event(receipt: ReceivedRequest) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(_sns_message(receipt)["Message"])
    return event


def test_send_email_returns_the_message_id_the_simulator_lists(simulator: SimulatorServer, sesv2: BaseClient) -> None:
    message_id = _send(sesv2)

    [message] = simulator.runtime.messages.find(provider="ses", reference=message_id)
    assert (message.to, message.sender, message.subject, message.content) == (
        ["someone@example.com"],
        '"Demo Service" <demo.service@herald.example>',
        "Your appointment",
        "See you at ten",
    )


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("no-at-sign.example.com", "Missing final '@domain'"),
        ("two words@example.com", "Illegal address"),
        ("someone@", "Illegal address"),
        ('"Name" <someone@example..com>', "Illegal address"),
    ],
    ids=["no-at-sign", "space", "no-domain", "empty-domain-label"],
)
def test_malformed_destination_is_refused_as_a_bad_request(sesv2: BaseClient, address: str, reason: str) -> None:
    with pytest.raises(ClientError) as raised:
        _send(sesv2, address)

    error = raised.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]) == (
        400,
        "BadRequestException",
        reason,
    )
    assert type(raised.value).__name__ == "BadRequestException"


def test_address_with_a_display_name_is_accepted(sesv2: BaseClient) -> None:
    assert _send(sesv2, '"Someone" <someone@example.com>')


@pytest.mark.parametrize(
    ("to", "notification_type", "bounce_type"),
    [
        ("someone@example.com", "Delivery", None),
        ("temp-fail@simulator.notify", "Bounce", "Transient"),
        ("perm-fail@simulator.notify", "Bounce", "Permanent"),
    ],
    ids=["delivered", "soft-bounce", "hard-bounce"],
)
def test_receipt_is_an_sns_notification_of_the_recipients_ses_event(
    sesv2: BaseClient, receiver: Receiver, to: str, notification_type: str, bounce_type: str | None
) -> None:
    message_id = _send(sesv2, to)

    [receipt] = receiver.wait_for(1)

    event = _ses_event(receipt)
    assert (event["notificationType"], event.get("bounce", {}).get("bounceType")) == (notification_type, bounce_type)
    assert (event["mail"]["messageId"], event["mail"]["destination"]) == (message_id, [to])


def test_receipt_comes_with_sns_headers(sesv2: BaseClient, receiver: Receiver) -> None:
    _send(sesv2)

    [receipt] = receiver.wait_for(1)

    message = _sns_message(receipt)
    assert (receipt.path, receipt.headers["Content-Type"], receipt.headers["X-Amz-Sns-Message-Type"]) == (
        "/notifications/email/ses",
        "text/plain; charset=UTF-8",
        "Notification",
    )
    assert (receipt.headers["X-Amz-Sns-Message-Id"], receipt.headers["X-Amz-Sns-Topic-Arn"]) == (
        message["MessageId"],
        message["TopicArn"],
    )


@pytest.mark.parametrize("signature_version", ["1", "2"], ids=["v1-sha1", "v2-sha256"])
def test_receipt_verifies_against_the_certificate_the_simulator_serves(
    start_simulator: StartSimulator, receiver: Receiver, signature_version: str
) -> None:
    simulator = start_simulator(sns_signature_version=signature_version)
    _send(_sesv2(simulator))
    [receipt] = receiver.wait_for(1)
    message = _sns_message(receipt)
    store = SnsCertificateStore(trusted_url_prefixes=[f"{simulator.url}/"])

    verify_sns_message(message, certificates=store)

    assert (message["SignatureVersion"], message["SigningCertURL"]) == (
        signature_version,
        f"{simulator.url}{simulator.runtime.sns_certificate_path}",
    )


def test_mixed_recipients_get_one_event_per_outcome(sesv2: BaseClient, receiver: Receiver) -> None:
    _send(sesv2, "someone@example.com", "perm-fail@simulator.notify", "else@example.com")

    events = [_ses_event(receipt) for receipt in receiver.wait_for(2)]

    recipients = {
        event["notificationType"]: event.get("delivery", {}).get("recipients")
        or [bounced["emailAddress"] for bounced in event["bounce"]["bouncedRecipients"]]
        for event in events
    }
    assert recipients == {
        "Delivery": ["someone@example.com", "else@example.com"],
        "Bounce": ["perm-fail@simulator.notify"],
    }


def test_receipt_repeats_the_custom_headers_the_email_was_sent_with(sesv2: BaseClient, receiver: Receiver) -> None:
    notification_id = "6c1f0f9e-2b7a-4d55-8f0e-3a9b1c2d4e5f"
    custom = [
        {"Name": "List-Unsubscribe", "Value": "<https://unsubscribe.example/abc>"},
        {"Name": "X-Herald-Notification-Id", "Value": notification_id},
    ]
    _send(sesv2, Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hi"}}, "Headers": custom}})

    [receipt] = receiver.wait_for(1)

    mail = _ses_event(receipt)["mail"]
    assert mail["headers"][-2:] == [
        {"name": "List-Unsubscribe", "value": "<https://unsubscribe.example/abc>"},
        {"name": "X-Herald-Notification-Id", "value": notification_id},
    ]
    assert [header["name"] for header in mail["headers"][:3]] == ["From", "To", "Subject"]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([{"Name": "Bad Name", "Value": "x"}], "Invalid header name"),
        ([{"Name": "Bad:Name", "Value": "x"}], "Invalid header name"),
        ([{"Name": "X-Injected", "Value": "x\r\nBcc: victim@example.com"}], "Invalid value for header X-Injected"),
        ([{"Name": "X-Long", "Value": "x" * 871}], "Invalid value for header X-Long"),
        ([{"Name": "X-Accent", "Value": "café"}], "Invalid value for header X-Accent"),
        ([{"Name": "X" * 127, "Value": "x"}], "Invalid header name"),
        (
            [{"Name": f"X-{n}", "Value": "x"} for n in range(16)],
            "Content.Simple.Headers must be a list of at most 15 headers",
        ),
    ],
    ids=[
        "space-in-name",
        "colon-in-name",
        "line-break-in-value",
        "value-too-long",
        "non-ascii-value",
        "name-too-long",
        "too-many",
    ],
)
def test_malformed_custom_headers_are_refused_as_a_bad_request(
    sesv2: BaseClient, headers: list[dict[str, str]], reason: str
) -> None:
    with pytest.raises(ClientError) as raised:
        _send(
            sesv2, Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hi"}}, "Headers": headers}}
        )

    assert (raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]) == (
        "BadRequestException",
        reason,
    )
