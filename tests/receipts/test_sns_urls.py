"""The SNS URL policy: only certificate and confirmation URLs on SNS or a trusted prefix, rebuilt from their parts."""

from __future__ import annotations

import pytest

from app.receipts.sns_urls import SnsUrlPolicy, TrustedUrl, UntrustedSnsUrlError, canonical_trusted_prefix

CERT_FILE = "SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem"
AWS_CERT_URL = f"https://sns.eu-west-1.amazonaws.com/{CERT_FILE}"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses_notifications"
TOKEN = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad"
AWS_SUBSCRIBE_URL = f"https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token={TOKEN}"
SIMULATOR = "http://127.0.0.1:6030/"


@pytest.mark.parametrize(
    "url",
    [
        AWS_CERT_URL,
        f"https://sns.us-east-1.amazonaws.com/{CERT_FILE}",
        f"https://sns.us-gov-west-1.amazonaws.com/{CERT_FILE}",
        f"https://sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-{'6AAD65C2F9911B05' * 2}.pem",
    ],
    ids=["eu-west-1", "us-east-1", "govcloud", "upper-case-hex"],
)
def test_sns_certificate_urls_are_trusted_and_rebuilt_as_given(url: str) -> None:
    assert SnsUrlPolicy().certificate_url(url) == TrustedUrl(url, is_aws=True)


@pytest.mark.parametrize(
    "url",
    [
        f"https://evil.example\\@sns.eu-west-1.amazonaws.com/{CERT_FILE}",
        f"https://evil.example@sns.eu-west-1.amazonaws.com/{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com@evil.example/{CERT_FILE}",
        f"https://evil.example%40sns.eu-west-1.amazonaws.com/{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com%2F@evil.example/{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com:443/{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com:8443/{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com.evil.example/{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com./{CERT_FILE}",
        f"https://SNS.EU-WEST-1.AMAZONAWS.COM/{CERT_FILE}",
        f"http://sns.eu-west-1.amazonaws.com/{CERT_FILE}",
        f"HTTPS://sns.eu-west-1.amazonaws.com/{CERT_FILE}",
        f"//sns.eu-west-1.amazonaws.com/{CERT_FILE}",
        f"https://[::1]/{CERT_FILE}",
        f"https://[2600:1f18::1]/{CERT_FILE}",
        f"https://54.239.28.85/{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com/\t{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com/{CERT_FILE}\n",
        f" https://sns.eu-west-1.amazonaws.com/{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com/{CERT_FILE}\x00.evil.example",
        f"https://sns.eu-west-1.amazonaws.com/{CERT_FILE}?x=1",
        f"https://sns.eu-west-1.amazonaws.com/{CERT_FILE}#fragment",
        f"https://sns.eu-west-1.amazonaws.com/x/../{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com//{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com/%53impleNotificationService-{'a' * 32}.pem",
        "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-nothex.pem",
        "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-.pem",
        f"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-{'a' * 129}.pem",
        "https://sns.eu-west-1.amazonaws.com/x.pem",
        "https://sns.eu-west-1.amazonaws.com/",
        f"https://sns.evil.amazonaws.com/{CERT_FILE}",
        f"https://sns.eu-west-1.evil.amazonaws.com/{CERT_FILE}",
        f"https://s3.eu-west-1.amazonaws.com/{CERT_FILE}",
        f"https://sns.cn-north-1.amazonaws.com.cn/{CERT_FILE}",
        f"https://sns.eu-west-1.amazonaws.com/{CERT_FILE}" + "a" * 2048,
        f"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-{'a' * 32}.pem\u200b",
        "",
        None,
        ["https://sns.eu-west-1.amazonaws.com/" + CERT_FILE],
    ],
    ids=[
        "backslash-userinfo",
        "userinfo",
        "aws-as-userinfo",
        "percent-encoded-at",
        "percent-encoded-slash",
        "explicit-443",
        "other-port",
        "lookalike-suffix",
        "trailing-dot",
        "upper-case-host",
        "plain-http",
        "upper-case-scheme",
        "scheme-relative",
        "ipv6-loopback",
        "ipv6-literal",
        "ipv4-literal",
        "tab",
        "newline",
        "leading-space",
        "nul",
        "query",
        "fragment",
        "dot-segment",
        "double-slash",
        "percent-encoded-path",
        "not-hex",
        "empty-hex",
        "overlong-hex",
        "other-file",
        "no-file",
        "region-without-digit",
        "extra-label",
        "other-aws-service",
        "china-partition",
        "overlong-url",
        "non-ascii",
        "empty",
        "missing",
        "not-a-string",
    ],
)
def test_anything_else_is_refused_as_a_certificate_url(url: object) -> None:
    with pytest.raises(UntrustedSnsUrlError):
        SnsUrlPolicy([SIMULATOR]).certificate_url(url)


def test_certificate_under_a_trusted_prefix_is_trusted_but_not_as_aws() -> None:
    url = f"{SIMULATOR}{CERT_FILE}"

    assert SnsUrlPolicy([SIMULATOR]).certificate_url(url) == TrustedUrl(url, is_aws=False)


@pytest.mark.parametrize(
    "url",
    [
        f"http://127.0.0.1:60301/{CERT_FILE}",
        f"http://127.0.0.1:6030.evil.example/{CERT_FILE}",
        f"http://127.0.0.1:6030@evil.example/{CERT_FILE}",
        f"http://127.0.0.1:6030/_simulator/{CERT_FILE}",
        "http://127.0.0.1:6030/_simulator/sns-signing-cert.pem",
        f"https://127.0.0.1:6030/{CERT_FILE}",
        f"http://localhost:6030/{CERT_FILE}",
    ],
    ids=["longer-port", "host-suffix", "userinfo", "other-path", "not-sns-shaped", "other-scheme", "other-host-name"],
)
def test_urls_that_only_look_like_a_trusted_prefix_are_refused(url: str) -> None:
    with pytest.raises(UntrustedSnsUrlError):
        SnsUrlPolicy([SIMULATOR]).certificate_url(url)


def test_subscribe_url_is_rebuilt_from_its_checked_parts() -> None:
    trusted = SnsUrlPolicy().subscribe_url(AWS_SUBSCRIBE_URL, topic_arn=TOPIC)

    assert trusted == TrustedUrl(AWS_SUBSCRIBE_URL, is_aws=True)


def test_subscribe_url_with_encoded_or_reordered_fields_is_rebuilt_in_sns_form() -> None:
    encoded_topic = TOPIC.replace(":", "%3A")
    url = f"https://sns.eu-west-1.amazonaws.com/?Token={TOKEN}&TopicArn={encoded_topic}&Action=ConfirmSubscription"

    assert SnsUrlPolicy().subscribe_url(url, topic_arn=TOPIC).url == AWS_SUBSCRIBE_URL


def test_subscribe_url_under_a_trusted_prefix_is_trusted() -> None:
    url = f"{SIMULATOR}?Action=ConfirmSubscription&TopicArn={TOPIC}&Token={TOKEN}"

    assert SnsUrlPolicy([SIMULATOR]).subscribe_url(url, topic_arn=TOPIC) == TrustedUrl(url, is_aws=False)


@pytest.mark.parametrize(
    "url",
    [
        AWS_SUBSCRIBE_URL.replace(
            "https://sns.eu-west-1.amazonaws.com/", "https://evil.example\\@sns.eu-west-1.amazonaws.com/"
        ),
        AWS_SUBSCRIBE_URL.replace("https://sns.eu-west-1.amazonaws.com/", "https://evil.example/"),
        AWS_SUBSCRIBE_URL.replace("https://", "http://"),
        AWS_SUBSCRIBE_URL.replace("amazonaws.com/", "amazonaws.com:443/"),
        AWS_SUBSCRIBE_URL.replace("amazonaws.com/", "amazonaws.com./"),
        AWS_SUBSCRIBE_URL.replace("/?", "/collect?"),
        AWS_SUBSCRIBE_URL.replace("ConfirmSubscription", "Unsubscribe"),
        AWS_SUBSCRIBE_URL.replace(TOPIC, TOPIC.replace("ses_notifications", "other_topic")),
        AWS_SUBSCRIBE_URL + "&Token=another",
        AWS_SUBSCRIBE_URL + "&Extra=1",
        AWS_SUBSCRIBE_URL.replace(f"&Token={TOKEN}", ""),
        AWS_SUBSCRIBE_URL.replace(TOKEN, "abc%20def"),
        AWS_SUBSCRIBE_URL.replace(TOKEN, "abc+def"),
        AWS_SUBSCRIBE_URL + "#fragment",
        AWS_SUBSCRIBE_URL + "&",
        AWS_SUBSCRIBE_URL.replace("&", "&&", 1),
        AWS_SUBSCRIBE_URL.replace("&", "\n&", 1),
        AWS_SUBSCRIBE_URL.replace("?", ""),
        f"https://sns.eu-west-1.amazonaws.com/{CERT_FILE}",
    ],
    ids=[
        "backslash-userinfo",
        "other-host",
        "plain-http",
        "explicit-port",
        "trailing-dot",
        "other-path",
        "other-action",
        "other-topic",
        "two-tokens",
        "extra-field",
        "no-token",
        "token-with-space",
        "token-with-plus",
        "fragment",
        "trailing-ampersand",
        "empty-field",
        "newline",
        "no-query",
        "certificate-url",
    ],
)
def test_anything_else_is_refused_as_a_subscribe_url(url: str) -> None:
    with pytest.raises(UntrustedSnsUrlError):
        SnsUrlPolicy().subscribe_url(url, topic_arn=TOPIC)


@pytest.mark.parametrize(
    ("prefix", "canonical"),
    [
        ("http://127.0.0.1:6030/", "http://127.0.0.1:6030/"),
        ("https://sns.internal/certs/", "https://sns.internal/certs/"),
        ("http://[::1]:6030/", "http://[::1]:6030/"),
    ],
    ids=["simulator", "https-with-path", "ipv6"],
)
def test_well_formed_trusted_prefixes_are_kept(prefix: str, canonical: str) -> None:
    assert canonical_trusted_prefix(prefix) == canonical


@pytest.mark.parametrize(
    "prefix",
    [
        "http://127.0.0.1:6030",
        "http://127.0.0.1:6030/certs",
        "ftp://127.0.0.1/",
        "http://user@127.0.0.1/",
        "http://127.0.0.1/?x=1",
        "http://127.0.0.1/#x",
        "http://EXAMPLE.com/",
        "http://127.0.0.1/a/../",
        "http://127.0.0.1\\@evil/",
        "http://127.0.0.1 /",
        "http://127.0.0.1:port/",
        "127.0.0.1:6030/",
    ],
    ids=[
        "no-slash",
        "path-without-slash",
        "ftp",
        "userinfo",
        "query",
        "fragment",
        "upper-case-host",
        "dot-segment",
        "backslash",
        "space",
        "bad-port",
        "no-scheme",
    ],
)
def test_malformed_trusted_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="^SNS trusted prefix "):
        SnsUrlPolicy([prefix])
