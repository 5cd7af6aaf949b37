"""DvlaClient authenticates once, sends a print job, and sorts every answer into accepted, retryable or permanent."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator

import jwt
import pytest
import requests
import responses

from app.clients.errors import (
    ProviderOutcomeUnknownError,
    ProviderPermanentError,
    ProviderRetryableError,
    ProviderThrottledError,
)
from app.clients.letter.dvla import MAX_RESPONSE_BYTES, DvlaClient
from app.clients.letter.print_job import LetterPrintJob
from app.clients.statsd_client import StatsdClient
from app.letters.postal_address import parse_postal_address

BASE_URL = "https://print.example"
AUTHENTICATE_URL = f"{BASE_URL}/thirdparty-access/v1/authenticate"
PRINT_URL = f"{BASE_URL}/print-request/v1/print/jobs"
NOTIFICATION_ID = uuid.UUID("a4c2a0b3-62d8-4a8e-9b53-1b6e5f0d6f0e")
SERVICE_ID = uuid.UUID("11111111-2222-3333-4444-555555555555")


def _jwt(lifetime_seconds: int = 3600) -> str:
    return jwt.encode(
        {"exp": int(time.time()) + lifetime_seconds}, "the-print-providers-own-signing-secret", algorithm="HS256"
    )


@pytest.fixture
def mocked_responses() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(AUTHENTICATE_URL, json={"id-token": _jwt()})
        yield mock


def make_client(timeout_seconds: float = 5.0, base_url: str = BASE_URL) -> DvlaClient:
    return DvlaClient(
        base_url=base_url,
        username="herald",
        password="secret-password",
        api_key="secret-api-key",
        timeout_seconds=timeout_seconds,
        statsd=StatsdClient(enabled=False),
    )


def make_job(lines: tuple[str, ...] = ("Ann Other", "1 High Street", "London", "sw1a1aa"), postage: str = "second"):
    return LetterPrintJob(
        notification_id=NOTIFICATION_ID,
        reference="ABCDEFGHIJ123456",
        address=parse_postal_address(lines),
        postage=postage,
        pdf=b"%PDF-1.7 letter",
        service_id=SERVICE_ID,
        callback_url="https://herald.example/notifications/letter/status?token=abc",
    )


def test_a_letter_is_sent_with_its_pdf_address_and_credentials(mocked_responses: responses.RequestsMock) -> None:
    mocked_responses.post(PRINT_URL, status=202, json={"id": str(NOTIFICATION_ID)})

    make_client().send_letter(make_job())

    authenticate, printed = mocked_responses.calls
    assert json.loads(authenticate.request.body) == {"userName": "herald", "password": "secret-password"}
    assert printed.request.headers["X-API-Key"] == "secret-api-key"
    assert jwt.decode(printed.request.headers["Authorization"], options={"verify_signature": False})["exp"] > 0
    body = json.loads(printed.request.body)
    assert body["id"] == str(NOTIFICATION_ID)
    assert body["standardParams"] == {
        "jobType": "NOTIFY",
        "templateReference": "NOTIFY",
        "businessIdentifier": "ABCDEFGHIJ123456",
        "recipientName": "Ann Other",
        "address": {"unstructuredAddress": {"line1": "1 High Street", "line2": "London", "postcode": "SW1A 1AA"}},
    }
    assert body["customParams"][0] == {"key": "pdfContent", "value": base64.b64encode(b"%PDF-1.7 letter").decode()}
    assert body["callbackParams"] == {
        "target": "https://herald.example/notifications/letter/status?token=abc",
        "retryParams": {"enabled": True, "maxRetryWindow": 10800},
    }


@pytest.mark.parametrize(
    ("postage", "despatch_method"),
    [
        ("first", "FIRST"),
        ("economy", "ECONOMY"),
        ("europe", "INTERNATIONAL_EU"),
        ("rest-of-world", "INTERNATIONAL_ROW"),
    ],
    ids=str,
)
def test_the_despatch_method_follows_the_postage(
    mocked_responses: responses.RequestsMock, postage: str, despatch_method: str
) -> None:
    mocked_responses.post(PRINT_URL, status=202)

    make_client().send_letter(make_job(postage=postage))

    assert json.loads(mocked_responses.calls[1].request.body)["standardParams"]["despatchMethod"] == despatch_method


def test_an_international_address_names_its_country(mocked_responses: responses.RequestsMock) -> None:
    mocked_responses.post(PRINT_URL, status=202)

    make_client().send_letter(make_job(lines=("Ann Other", "1 Rue de Paris", "75001 Paris", "France")))

    address = json.loads(mocked_responses.calls[1].request.body)["standardParams"]["address"]
    assert address == {"internationalAddress": {"line1": "1 Rue de Paris", "line2": "75001 Paris", "country": "France"}}


def test_a_duplicate_job_counts_as_accepted(mocked_responses: responses.RequestsMock) -> None:
    mocked_responses.post(PRINT_URL, status=409, json={"errors": [{"detail": "duplicate"}]})

    make_client().send_letter(make_job())


def test_the_token_is_reused_until_it_nearly_expires(mocked_responses: responses.RequestsMock) -> None:
    mocked_responses.post(PRINT_URL, status=202)
    client = make_client()

    client.send_letter(make_job())
    client.send_letter(make_job())

    assert [call.request.url for call in mocked_responses.calls] == [AUTHENTICATE_URL, PRINT_URL, PRINT_URL]


def test_a_token_about_to_expire_is_renewed(mocked_responses: responses.RequestsMock) -> None:
    mocked_responses.replace(responses.POST, AUTHENTICATE_URL, json={"id-token": _jwt(lifetime_seconds=30)})
    mocked_responses.post(PRINT_URL, status=202)
    client = make_client()

    client.send_letter(make_job())
    client.send_letter(make_job())

    assert [call.request.url for call in mocked_responses.calls].count(AUTHENTICATE_URL) == 2


def test_a_bad_request_is_permanent(mocked_responses: responses.RequestsMock) -> None:
    mocked_responses.post(PRINT_URL, status=400, json={"errors": []})

    with pytest.raises(ProviderPermanentError) as raised:
        make_client().send_letter(make_job())

    assert raised.value.code == "400"


@pytest.mark.parametrize("status", [401, 403], ids=str)
def test_refused_credentials_are_retryable_and_the_next_attempt_authenticates_again(
    mocked_responses: responses.RequestsMock, status: int
) -> None:
    mocked_responses.post(PRINT_URL, status=status)
    client = make_client()
    with pytest.raises(ProviderRetryableError):
        client.send_letter(make_job())

    with pytest.raises(ProviderRetryableError):
        client.send_letter(make_job())

    assert [call.request.url for call in mocked_responses.calls].count(AUTHENTICATE_URL) == 2


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(429, ProviderThrottledError), (500, ProviderOutcomeUnknownError), (503, ProviderOutcomeUnknownError)],
    ids=str,
)
def test_throttling_and_server_errors_are_retryable(
    mocked_responses: responses.RequestsMock, status: int, error_class: type[Exception]
) -> None:
    mocked_responses.post(PRINT_URL, status=status)

    with pytest.raises(error_class):
        make_client().send_letter(make_job())


def test_a_failed_authentication_is_retryable(mocked_responses: responses.RequestsMock) -> None:
    mocked_responses.replace(responses.POST, AUTHENTICATE_URL, status=401)

    with pytest.raises(ProviderRetryableError):
        make_client().send_letter(make_job())


def test_a_print_request_that_times_out_is_retryable(mocked_responses: responses.RequestsMock) -> None:
    mocked_responses.post(PRINT_URL, body=requests.ReadTimeout("read timed out"))

    with pytest.raises(ProviderOutcomeUnknownError):
        make_client().send_letter(make_job())


def test_a_provider_that_never_answers_times_out(silent_endpoint: str) -> None:
    started = time.monotonic()

    with pytest.raises(ProviderRetryableError):
        make_client(timeout_seconds=0.3, base_url=silent_endpoint).send_letter(make_job())

    assert time.monotonic() - started < 3


def test_an_endless_authentication_answer_is_read_only_so_far(mocked_responses: responses.RequestsMock) -> None:
    mocked_responses.replace(responses.POST, AUTHENTICATE_URL, body=b"x" * (MAX_RESPONSE_BYTES * 4))

    with pytest.raises(ProviderRetryableError, match="without a token"):
        make_client().send_letter(make_job())
