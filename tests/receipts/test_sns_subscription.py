"""SNS SubscribeURL: only a confirmation of the message's topic on SNS (or a trusted prefix) is visited, as rebuilt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from app.receipts.sns_subscription import SnsSubscriptionError, confirm_sns_subscription
from app.receipts.sns_urls import SnsUrlPolicy, UntrustedSnsUrlError

TOPIC = "arn:aws:sns:eu-west-2:123456789012:ses_notifications"
SUBSCRIBE_URL = f"https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=2336412f37"


@pytest.fixture
def sns_http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def _confirm(url: str, *, topic_arn: str = TOPIC) -> None:
    confirm_sns_subscription(url, topic_arn=topic_arn, urls=SnsUrlPolicy(), timeout_seconds=5)


def test_confirmation_visits_the_subscribe_url_once(sns_http: responses.RequestsMock) -> None:
    sns_http.get(SUBSCRIBE_URL, body=b"<ConfirmSubscriptionResponse/>")

    _confirm(SUBSCRIBE_URL)

    assert [call.request.url for call in sns_http.calls] == [SUBSCRIBE_URL]


@pytest.mark.parametrize(
    "url",
    [
        SUBSCRIBE_URL.replace("https://", "https://evil.example\\@"),
        SUBSCRIBE_URL.replace("amazonaws.com/", "amazonaws.com.evil.example/"),
        SUBSCRIBE_URL.replace("https://sns.eu-west-2.amazonaws.com/", "https://attacker.example/collect"),
        SUBSCRIBE_URL.replace("TopicArn=", "TopicArn=x"),
    ],
    ids=["backslash-userinfo", "lookalike-host", "other-host", "other-topic"],
)
def test_untrusted_subscribe_url_visits_nothing(sns_http: responses.RequestsMock, url: str) -> None:
    with pytest.raises(UntrustedSnsUrlError):
        _confirm(url)

    assert len(sns_http.calls) == 0


def test_confirmation_answered_with_an_error_fails(sns_http: responses.RequestsMock) -> None:
    sns_http.get(SUBSCRIBE_URL, status=500)

    with pytest.raises(SnsSubscriptionError) as raised:
        _confirm(SUBSCRIBE_URL)

    assert str(raised.value) == "SubscribeURL answered 500"


def test_confirmation_that_redirects_is_not_followed(sns_http: responses.RequestsMock) -> None:
    sns_http.get(SUBSCRIBE_URL, status=302, headers={"Location": "http://127.0.0.1:6379/"})

    with pytest.raises(SnsSubscriptionError):
        _confirm(SUBSCRIBE_URL)

    assert [call.request.url for call in sns_http.calls] == [SUBSCRIBE_URL]
