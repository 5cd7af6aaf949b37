"""SNS signature verification: v1 and v2, tampering, untrusted certificate hosts, staleness, certificate caching."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import responses

from app.receipts import sns_signature
from app.receipts.sns_signature import (
    SnsCertificateStore,
    SnsCertificateUnavailableError,
    SnsUntrustedCertificateError,
    SnsVerificationError,
    canonical_sns_string,
    verify_sns_message,
)
from tests.receipts.payloads import sns_envelope
from tests.receipts.sns_test_signing import SigningIdentity, sign, signing_identity

NOW = datetime(2026, 11, 20, 12, 15, tzinfo=UTC)
CERT_FILE = "SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem"
CERT_URL = f"https://sns.eu-west-2.amazonaws.com/{CERT_FILE}"


class FakeCertificateHost:
    """Serves one PEM for any URL and counts the fetches."""

    def __init__(self, identity: SigningIdentity) -> None:
        self.pem = identity.certificate_pem
        self.fetches: list[str] = []

    def __call__(self, url: str, timeout_seconds: float) -> bytes:
        self.fetches.append(url)
        return self.pem


@pytest.fixture
def certificate_host() -> FakeCertificateHost:
    return FakeCertificateHost(signing_identity())


@pytest.fixture
def store(certificate_host: FakeCertificateHost) -> SnsCertificateStore:
    return SnsCertificateStore(fetch=certificate_host)


def _verify(message: dict[str, Any], store: SnsCertificateStore, *, now: datetime = NOW) -> None:
    verify_sns_message(message, certificates=store, max_age_seconds=3600, now=now)


def _signed(name: str = "ses_delivery", **options: Any) -> dict[str, Any]:
    return sign(sns_envelope(name), cert_url=options.pop("cert_url", CERT_URL), timestamp=NOW, **options)


def _refusal(message: dict[str, Any], store: SnsCertificateStore, *, now: datetime = NOW) -> str:
    with pytest.raises(SnsVerificationError) as raised:
        _verify(message, store, now=now)
    return str(raised.value)


@pytest.mark.parametrize("version", ["1", "2"], ids=["v1-sha1", "v2-sha256"])
@pytest.mark.parametrize(
    "fixture", ["ses_delivery", "ses_bounce_permanent", "ses_complaint", "subscription_confirmation"], ids=str
)
def test_genuine_message_is_accepted(store: SnsCertificateStore, version: str, fixture: str) -> None:
    _verify(_signed(fixture, version=version), store)


def test_message_with_a_subject_is_accepted_and_the_subject_is_signed(store: SnsCertificateStore) -> None:
    message = sns_envelope("ses_delivery") | {"Subject": "Amazon SES Email Event Notification"}
    signed = sign(message, cert_url=CERT_URL, timestamp=NOW)

    _verify(signed, store)

    assert _refusal(signed | {"Subject": "Something else"}, store) == "signature does not match"


@pytest.mark.parametrize(
    "tampering",
    [
        {"Message": '{"notificationType": "Delivery", "mail": {"messageId": "someone-elses"}}'},
        {"TopicArn": "arn:aws:sns:eu-west-2:999999999999:other"},
        {"MessageId": "another-id"},
        {"Timestamp": "2026-11-20T12:14:00.000Z"},
    ],
    ids=["message", "topic", "message-id", "timestamp"],
)
def test_tampered_message_is_refused(store: SnsCertificateStore, tampering: dict[str, str]) -> None:
    assert _refusal(_signed() | tampering, store) == "signature does not match"


def test_notification_relabelled_as_a_confirmation_is_refused_for_its_missing_keys(store: SnsCertificateStore) -> None:
    assert _refusal(_signed() | {"Type": "SubscriptionConfirmation"}, store) == "missing SubscribeURL, Token"


@pytest.mark.parametrize("key", ["Message", "MessageId", "Timestamp", "TopicArn"], ids=str)
def test_notification_without_a_signed_key_is_refused(store: SnsCertificateStore, key: str) -> None:
    message = _signed()
    del message[key]

    assert _refusal(message, store) == f"missing {key}"


def test_message_signed_with_another_key_is_refused(store: SnsCertificateStore) -> None:
    impostor = signing_identity("impostor.example")

    assert _refusal(_signed(identity=impostor), store) == "signature does not match"


def test_v1_signature_claimed_as_v2_is_refused(store: SnsCertificateStore) -> None:
    assert _refusal(_signed(version="1") | {"SignatureVersion": "2"}, store) == "signature does not match"


@pytest.mark.parametrize(
    "cert_url",
    [
        "https://sns.eu-west-2.amazonaws.com.evil.example/cert.pem",
        "http://sns.eu-west-2.amazonaws.com/cert.pem",
        f"https://evil.example/{CERT_FILE}",
        f"https://evil.example\\@sns.eu-west-2.amazonaws.com/{CERT_FILE}",
        "https://sns.eu-west-2.amazonaws.com/x.pem",
        "",
    ],
    ids=["lookalike-host", "plain-http", "other-host", "backslash-userinfo", "other-file", "missing"],
)
def test_certificate_from_an_untrusted_url_is_never_fetched(
    store: SnsCertificateStore, certificate_host: FakeCertificateHost, cert_url: str
) -> None:
    message = _signed(cert_url=cert_url)

    assert (_refusal(message, store), certificate_host.fetches) == ("untrusted certificate URL", [])


def test_certificate_under_a_configured_prefix_is_trusted(certificate_host: FakeCertificateHost) -> None:
    store = SnsCertificateStore(trusted_url_prefixes=["http://127.0.0.1:8765/"], fetch=certificate_host)

    _verify(_signed(cert_url=f"http://127.0.0.1:8765/{CERT_FILE}"), store)

    assert certificate_host.fetches == [f"http://127.0.0.1:8765/{CERT_FILE}"]


def test_certificate_under_a_configured_prefix_need_not_be_issued_to_sns(certificate_host: FakeCertificateHost) -> None:
    simulator = signing_identity("sns.simulator.herald")
    store = SnsCertificateStore(trusted_url_prefixes=["http://127.0.0.1:8765/"], fetch=FakeCertificateHost(simulator))

    _verify(_signed(cert_url=f"http://127.0.0.1:8765/{CERT_FILE}", identity=simulator), store)


def test_certificate_from_aws_issued_to_another_subject_is_refused() -> None:
    other = signing_identity("evil.example")
    store = SnsCertificateStore(fetch=FakeCertificateHost(other))

    assert _refusal(_signed(identity=other), store) == "certificate not issued to SNS"


def test_at_most_a_bounded_number_of_certificates_are_kept(
    store: SnsCertificateStore, certificate_host: FakeCertificateHost
) -> None:
    urls = [f"https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-{n:032x}.pem" for n in range(40)]
    for url in urls:
        _verify(_signed(cert_url=url), store)

    _verify(_signed(cert_url=urls[-1]), store)
    _verify(_signed(cert_url=urls[0]), store)

    assert (
        len(store._certificates),
        certificate_host.fetches.count(urls[-1]),
        certificate_host.fetches.count(urls[0]),
    ) == (
        sns_signature.MAX_CACHED_CERTIFICATES,
        1,
        2,
    )


def test_certificate_is_fetched_once_and_cached(
    store: SnsCertificateStore, certificate_host: FakeCertificateHost
) -> None:
    _verify(_signed("ses_delivery"), store)

    _verify(_signed("ses_bounce_transient", version="2"), store)

    assert certificate_host.fetches == [CERT_URL]


def test_certificate_is_fetched_again_once_its_cache_time_has_passed(
    certificate_host: FakeCertificateHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SnsCertificateStore(fetch=certificate_host, cache_seconds=60)
    _verify(_signed(), store)
    later = sns_signature.time.monotonic() + 61
    monkeypatch.setattr(sns_signature, "time", SimpleNamespace(monotonic=lambda: later))

    _verify(_signed(), store)

    assert certificate_host.fetches == [CERT_URL, CERT_URL]


def test_lambda_forwarded_spelling_of_the_certificate_url_is_accepted(store: SnsCertificateStore) -> None:
    message = _signed()
    message["SigningCertUrl"] = message.pop("SigningCertURL")

    _verify(message, store)


@pytest.mark.parametrize(
    ("now", "reason"),
    [
        (NOW + timedelta(seconds=3601), "stale message"),
        (NOW - timedelta(minutes=6), "Timestamp in the future"),
    ],
    ids=["older-than-the-limit", "from-the-future"],
)
def test_message_outside_the_time_window_is_refused(store: SnsCertificateStore, now: datetime, reason: str) -> None:
    assert _refusal(_signed(), store, now=now) == reason


def test_message_just_inside_the_age_limit_is_accepted(store: SnsCertificateStore) -> None:
    _verify(_signed(), store, now=NOW + timedelta(seconds=3599))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Signature": ""}, "unsigned message"),
        ({"Signature": None}, "unsigned message"),
        ({"Signature": "not base64!"}, "malformed signature"),
        ({"SignatureVersion": "3"}, "unsupported SignatureVersion"),
        ({"SignatureVersion": None}, "unsupported SignatureVersion"),
        ({"Timestamp": "yesterday"}, "malformed Timestamp"),
    ],
    ids=["empty-signature", "no-signature", "malformed-signature", "version-3", "no-version", "bad-timestamp"],
)
def test_unsigned_or_malformed_message_is_refused(
    store: SnsCertificateStore, change: dict[str, Any], reason: str
) -> None:
    assert _refusal(_signed() | change, store) == reason


def test_expired_certificate_is_refused() -> None:
    expired = signing_identity(valid_until=NOW - timedelta(days=1))
    store = SnsCertificateStore(fetch=FakeCertificateHost(expired))

    assert _refusal(_signed(identity=expired), store) == "certificate expired or not yet valid"


def test_malformed_certificate_is_refused() -> None:
    store = SnsCertificateStore(fetch=lambda url, timeout: b"not a certificate")

    assert _refusal(_signed(), store) == "malformed certificate"


def test_certificate_that_cannot_be_fetched_is_reported_as_unavailable() -> None:
    def unreachable(url: str, timeout_seconds: float) -> bytes:
        raise SnsCertificateUnavailableError("certificate could not be fetched (ConnectTimeout)")

    with pytest.raises(SnsCertificateUnavailableError):
        _verify(_signed(), SnsCertificateStore(fetch=unreachable))


def test_message_is_checked_against_the_current_time_when_no_time_is_given(store: SnsCertificateStore) -> None:
    message = _signed()

    with pytest.raises(SnsVerificationError) as raised:
        verify_sns_message(message, certificates=store)

    assert str(raised.value) == "stale message"


def test_notification_canonical_string_leaves_out_a_null_subject() -> None:
    message = {
        "Type": "Notification",
        "MessageId": "id-1",
        "TopicArn": "arn:aws:sns:eu-west-2:123456789012:topic",
        "Subject": None,
        "Message": "hello",
        "Timestamp": "2026-11-20T12:14:03.646Z",
        "UnsubscribeURL": "https://sns.eu-west-2.amazonaws.com/?Action=Unsubscribe",
    }

    assert canonical_sns_string(message) == (
        b"Message\nhello\nMessageId\nid-1\nTimestamp\n2026-11-20T12:14:03.646Z\n"
        b"TopicArn\narn:aws:sns:eu-west-2:123456789012:topic\nType\nNotification\n"
    )


def test_notification_canonical_string_signs_a_subject_between_message_id_and_timestamp() -> None:
    message = {
        "Type": "Notification",
        "MessageId": "id-1",
        "TopicArn": "t",
        "Subject": "S",
        "Message": "m",
        "Timestamp": "2026-11-20T12:14:03.646Z",
    }

    assert canonical_sns_string(message) == (
        b"Message\nm\nMessageId\nid-1\nSubject\nS\nTimestamp\n2026-11-20T12:14:03.646Z\nTopicArn\nt\n"
        b"Type\nNotification\n"
    )


@pytest.mark.parametrize("message_type", ["SubscriptionConfirmation", "UnsubscribeConfirmation"], ids=str)
def test_confirmation_canonical_string_signs_subscribe_url_and_token(message_type: str) -> None:
    message = {
        "Type": message_type,
        "MessageId": "id-2",
        "Token": "token-3",
        "TopicArn": "t",
        "Message": "m",
        "SubscribeURL": "https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription",
        "Timestamp": "2026-11-20T12:10:00.000Z",
        "Subject": "not signed for confirmations",
    }

    assert canonical_sns_string(message) == (
        b"Message\nm\nMessageId\nid-2\nSubscribeURL\nhttps://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription\n"
        b"Timestamp\n2026-11-20T12:10:00.000Z\nToken\ntoken-3\nTopicArn\nt\nType\n" + message_type.encode() + b"\n"
    )


def test_canonical_string_of_an_unknown_type_is_refused() -> None:
    with pytest.raises(SnsVerificationError) as raised:
        canonical_sns_string({"Type": "Surprise", "Message": "m"})

    assert str(raised.value) == "unknown message type"


@pytest.fixture
def sns_http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def test_certificate_is_fetched_from_the_url_rebuilt_by_the_policy(sns_http: responses.RequestsMock) -> None:
    sns_http.get(CERT_URL, body=signing_identity().certificate_pem)

    _verify(_signed(), SnsCertificateStore())

    assert [call.request.url for call in sns_http.calls] == [CERT_URL]


def test_certificate_url_that_redirects_is_not_followed(sns_http: responses.RequestsMock) -> None:
    sns_http.get(CERT_URL, status=301, headers={"Location": "https://evil.example/cert.pem"})

    with pytest.raises(SnsCertificateUnavailableError):
        _verify(_signed(), SnsCertificateStore())

    assert [call.request.url for call in sns_http.calls] == [CERT_URL]


def test_huge_certificate_body_is_refused(sns_http: responses.RequestsMock) -> None:
    pem = signing_identity().certificate_pem
    sns_http.get(CERT_URL, body=pem + b"\n" * (sns_signature.MAX_CERTIFICATE_BYTES))

    with pytest.raises(SnsUntrustedCertificateError) as raised:
        _verify(_signed(), SnsCertificateStore())

    assert str(raised.value).startswith("certificate too large")
