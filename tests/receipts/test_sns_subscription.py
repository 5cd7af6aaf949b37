"""SNS SubscribeURL: which URLs we visit, and what a failed visit means."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.receipts.sns_subscription import SnsSubscriptionError, confirm_sns_subscription, is_trusted_sns_url
from tests.callbacks.recording_server import Answer, RecordingServer


@pytest.fixture
def local_server() -> Iterator[RecordingServer]:
    server = RecordingServer().start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=1", True),
        ("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", True),
        ("https://sns.cn-north-1.amazonaws.com.cn/?Action=ConfirmSubscription", True),
        ("http://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription", False),
        ("https://sns.eu-west-2.amazonaws.com.evil.example/?Action=ConfirmSubscription", False),
        ("https://evil.example/sns.eu-west-2.amazonaws.com/", False),
        ("https://sns.eu-west-2.amazonaws.com:8443/", False),
        ("https://s3.eu-west-2.amazonaws.com/", False),
        ("http://127.0.0.1:9999/confirm", False),
    ],
    ids=[
        "aws-eu-west-2",
        "aws-us-east-1",
        "aws-china",
        "plain-http",
        "lookalike-host",
        "aws-host-in-path",
        "odd-port",
        "other-aws-service",
        "local-untrusted",
    ],
)
def test_only_https_sns_hosts_are_trusted_by_default(url: str, expected: bool) -> None:
    assert is_trusted_sns_url(url, trusted_prefixes=[]) is expected


def test_url_under_a_configured_prefix_is_trusted() -> None:
    assert is_trusted_sns_url("http://127.0.0.1:9999/confirm?Token=1", trusted_prefixes=["http://127.0.0.1:9999/"])


def test_confirmation_visits_the_subscribe_url(local_server: RecordingServer) -> None:
    confirm_sns_subscription(f"{local_server.url}/confirm?Token=abc", timeout_seconds=5)

    assert [(request.method, request.path) for request in local_server.requests] == [("GET", "/confirm?Token=abc")]


def test_confirmation_answered_with_an_error_fails(local_server: RecordingServer) -> None:
    local_server.script([Answer(500)])

    with pytest.raises(SnsSubscriptionError):
        confirm_sns_subscription(f"{local_server.url}/confirm", timeout_seconds=5)
