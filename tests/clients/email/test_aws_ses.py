"""AwsSesClient sends through sesv2 (checked with moto and botocore's Stubber) and sorts SES's errors."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

from app.clients.email.aws_ses import AwsSesClient
from app.clients.errors import (
    InvalidEmailRecipientError,
    ProviderError,
    ProviderOutcomeUnknownError,
    ProviderPermanentError,
    ProviderRetryableError,
    ProviderThrottledError,
)
from app.clients.statsd_client import StatsdClient
from tests.clients.statsd_listener import StatsdListener

REGION = "eu-west-1"
FROM_ADDRESS = '"Test Service" <test.service@notify.example>'
RECIPIENT = "someone@example.com"
SUBJECT = "Your appointment"
BODY_TEXT = "See you on Monday."
BODY_HTML = "<p>See you on Monday.</p>"
NOTIFICATION_ID = uuid.UUID("0b0a3c1e-58f5-4bd4-9d2a-9a3f6f0c2a11")
NOTIFICATION_ID_HEADER = {"Name": "X-Herald-Notification-Id", "Value": str(NOTIFICATION_ID)}


def make_client(statsd: StatsdClient) -> AwsSesClient:
    return AwsSesClient(region=REGION, statsd=statsd, aws_access_key_id="testing", aws_secret_access_key="testing")


def send(client: AwsSesClient, **overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "from_address": FROM_ADDRESS,
        "to_address": RECIPIENT,
        "subject": SUBJECT,
        "body_text": BODY_TEXT,
        "body_html": BODY_HTML,
        "reply_to_address": None,
        "notification_id": NOTIFICATION_ID,
    } | overrides
    return client.send_email(**arguments)


@pytest.fixture
def mocked_ses() -> Iterator[None]:
    with mock_aws():
        boto3.client(
            "sesv2", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        ).create_email_identity(EmailIdentity="notify.example")
        yield


def sent_messages() -> list[Any]:
    return get_backend("sesv2")[DEFAULT_ACCOUNT_ID][REGION].core_backend.sent_messages


@pytest.fixture
def stubbed_client(disabled_statsd: StatsdClient) -> Iterator[tuple[AwsSesClient, Stubber]]:
    client = make_client(disabled_statsd)
    with Stubber(client.boto_client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expected_request(**overrides: Any) -> dict[str, Any]:
    return {
        "FromEmailAddress": FROM_ADDRESS,
        "Destination": {"ToAddresses": [RECIPIENT]},
        "ReplyToAddresses": [],
        "Content": {
            "Simple": {
                "Subject": {"Data": SUBJECT, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": BODY_TEXT, "Charset": "UTF-8"},
                    "Html": {"Data": BODY_HTML, "Charset": "UTF-8"},
                },
                "Headers": [NOTIFICATION_ID_HEADER],
            }
        },
    } | overrides


def test_send_email_returns_the_message_id_ses_recorded(mocked_ses: None, disabled_statsd: StatsdClient):
    message_id = send(make_client(disabled_statsd))

    assert [message.id for message in sent_messages()] == [message_id]


def test_send_email_hands_ses_the_sender_recipient_subject_and_html_body(
    mocked_ses: None, disabled_statsd: StatsdClient
):
    send(make_client(disabled_statsd))

    # moto 5.2.5 keeps only one body for sesv2's Simple content: the HTML one when there is one.
    message = sent_messages()[0]
    assert (message.source, message.destinations, message.subject, message.body) == (
        FROM_ADDRESS,
        {"ToAddresses": [RECIPIENT]},
        SUBJECT,
        BODY_HTML,
    )


def test_send_email_sends_a_unicode_domain_as_punycode(mocked_ses: None, disabled_statsd: StatsdClient):
    send(make_client(disabled_statsd), to_address="someone@bücher.example")

    assert sent_messages()[0].destinations == {"ToAddresses": ["someone@xn--bcher-kva.example"]}


def test_send_email_sends_both_bodies_no_reply_to_and_only_the_notification_id_header_when_none_are_given(
    stubbed_client: tuple[AwsSesClient, Stubber],
):
    client, stubber = stubbed_client
    stubber.add_response("send_email", {"MessageId": "ses-message-id"}, expected_request())

    assert send(client) == "ses-message-id"


def test_send_email_sends_the_reply_to_address_and_headers_it_is_given(
    stubbed_client: tuple[AwsSesClient, Stubber],
):
    client, stubber = stubbed_client
    request = expected_request(ReplyToAddresses=["reply@xn--bcher-kva.example"])
    request["Content"]["Simple"]["Headers"] = [
        {"Name": "List-Unsubscribe", "Value": "<https://unsubscribe.example/abc>"},
        {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"},
        NOTIFICATION_ID_HEADER,
    ]
    stubber.add_response("send_email", {"MessageId": "ses-message-id"}, request)

    message_id = send(
        client,
        reply_to_address="reply@bücher.example",
        headers={
            "List-Unsubscribe": "<https://unsubscribe.example/abc>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )

    assert message_id == "ses-message-id"


def test_a_header_given_with_the_notification_id_header_name_cannot_replace_the_notification_id(
    stubbed_client: tuple[AwsSesClient, Stubber],
):
    client, stubber = stubbed_client
    stubber.add_response("send_email", {"MessageId": "ses-message-id"}, expected_request())

    assert send(client, headers={"X-Herald-Notification-Id": str(uuid.uuid4())}) == "ses-message-id"


def test_an_address_ses_calls_invalid_is_an_invalid_recipient(mocked_ses: None, disabled_statsd: StatsdClient):
    with pytest.raises(InvalidEmailRecipientError) as raised:
        send(make_client(disabled_statsd), to_address="someone@else@example.com")

    assert raised.value.code == "InvalidParameterValue"


def test_a_message_ses_rejects_is_permanent_but_not_an_invalid_recipient(
    mocked_ses: None, disabled_statsd: StatsdClient
):
    with pytest.raises(ProviderPermanentError) as raised:
        send(make_client(disabled_statsd), from_address="someone@unverified.example")

    assert (type(raised.value), raised.value.code) == (ProviderPermanentError, "MessageRejected")


CLIENT_ERRORS = [
    pytest.param("InvalidParameterValue", "Missing domain", 400, InvalidEmailRecipientError, id="invalid-parameter"),
    pytest.param("BadRequestException", "Illegal address", 400, InvalidEmailRecipientError, id="bad-address"),
    pytest.param(
        "BadRequestException", "Missing final '@domain'", 400, InvalidEmailRecipientError, id="missing-domain"
    ),
    pytest.param("BadRequestException", "Header name is too long", 400, ProviderPermanentError, id="bad-request"),
    pytest.param(
        "BadRequestException",
        "Missing required field FromEmailAddress",
        400,
        ProviderPermanentError,
        id="bad-request-naming-a-field",
    ),
    pytest.param(
        "BadRequestException", "Domain contains illegal character", 400, InvalidEmailRecipientError, id="bad-domain"
    ),
    pytest.param("MessageRejected", "Email address is not verified.", 400, ProviderPermanentError, id="rejected"),
    pytest.param("TooManyRequestsException", "Slow down", 429, ProviderThrottledError, id="too-many-requests"),
    pytest.param("Throttling", "Maximum sending rate exceeded.", 400, ProviderThrottledError, id="throttling"),
    pytest.param("LimitExceededException", "Daily quota exceeded", 400, ProviderThrottledError, id="limit-exceeded"),
    pytest.param("AccountSuspendedException", "Suspended", 400, ProviderRetryableError, id="account-suspended"),
    pytest.param("InternalFailure", "Something broke", 500, ProviderOutcomeUnknownError, id="internal-failure"),
    pytest.param("ServiceUnavailable", "Try later", 503, ProviderRetryableError, id="service-unavailable"),
]


@pytest.mark.parametrize(("code", "reason", "http_status", "expected_error"), CLIENT_ERRORS)
def test_send_email_raises_the_error_class_ses_error_code_calls_for(
    stubbed_client: tuple[AwsSesClient, Stubber],
    code: str,
    reason: str,
    http_status: int,
    expected_error: type[ProviderError],
):
    client, stubber = stubbed_client
    stubber.add_client_error(
        "send_email", service_error_code=code, service_message=reason, http_status_code=http_status
    )

    with pytest.raises(ProviderError) as raised:
        send(client)

    assert (type(raised.value), raised.value.provider, raised.value.code) == (expected_error, "ses", code)


def test_an_ses_error_keeps_the_client_error_as_its_cause_and_leaves_out_the_address(
    stubbed_client: tuple[AwsSesClient, Stubber],
):
    client, stubber = stubbed_client
    stubber.add_client_error("send_email", service_error_code="InvalidParameterValue", service_message=RECIPIENT)

    with pytest.raises(InvalidEmailRecipientError) as raised:
        send(client)

    assert (type(raised.value.__cause__).__name__, RECIPIENT in str(raised.value)) == ("ClientError", False)


def test_an_answer_without_a_message_id_may_have_been_accepted(stubbed_client: tuple[AwsSesClient, Stubber]):
    client, stubber = stubbed_client
    stubber.add_response("send_email", {}, expected_request())

    with pytest.raises(ProviderOutcomeUnknownError, match="without a MessageId"):
        send(client)


def test_a_recipient_that_is_not_an_address_is_an_invalid_recipient_and_never_sent(
    stubbed_client: tuple[AwsSesClient, Stubber],
):
    client, _ = stubbed_client

    with pytest.raises(InvalidEmailRecipientError):
        send(client, to_address="not-an-address")


def test_a_reply_to_that_is_not_an_address_is_permanent_but_not_an_invalid_recipient(
    stubbed_client: tuple[AwsSesClient, Stubber],
):
    client, _ = stubbed_client

    with pytest.raises(ProviderPermanentError) as raised:
        send(client, reply_to_address="reply@bad..example")

    assert type(raised.value) is ProviderPermanentError


def test_a_send_sends_a_success_count_and_the_request_time_to_statsd(
    mocked_ses: None, statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    send(make_client(statsd_client))

    success, request_time = statsd_listener.receive(2)
    assert success == "test.notifications.api.clients.ses.success:1|c"
    assert re.fullmatch(r"test\.notifications\.api\.clients\.ses\.request-time:\d+\.\d{6}\|ms", request_time)


def test_a_refused_send_sends_an_error_count_to_statsd(
    mocked_ses: None, statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    with pytest.raises(ProviderPermanentError):
        send(make_client(statsd_client), from_address="someone@unverified.example")

    assert statsd_listener.receive(1) == ["test.notifications.api.clients.ses.error:1|c"]
