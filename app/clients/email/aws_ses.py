"""Amazon SES: send an email with HTML and plain-text bodies through boto3's `sesv2` API (notify-reference §5.3).

How SES's failures are sorted:
- `InvalidParameterValue`, and `BadRequestException` whose message is about an address or domain (SES answers
  `Illegal address`, `Missing final '@domain'`, `Domain contains illegal character`, ...):
  InvalidEmailRecipientError, a permanent failure of the recipient.
- `MessageRejected` and any other `BadRequestException`: ProviderPermanentError.
- `TooManyRequestsException`, `Throttling`, `ThrottlingException`, `LimitExceededException`: ProviderThrottledError.
- a ClientError answered with 500, 502, 504 or another 5xx but 501, 503 and 505 (`InternalFailure`, ...): SES may
  have taken the email: ProviderOutcomeUnknownError.
- any other ClientError (`AccountSuspendedException`, `SendingPausedException`, 503 `ServiceUnavailable`, ...):
  ProviderRetryableError.
- No answer: botocore's ConnectionError family but SSLError (connect timeout, refused connection, DNS failure, proxy
  failure, all before the request is sent), a refused certificate, and BotoCoreErrors raised before sending (missing
  credentials, invalid parameters): ProviderRetryableError. HTTPClientError (read timeout, connection closed after
  sending, anything else while the request was in flight), any other TLS error (an abrupt EOF may come after
  sending), an answer that could not be parsed and a 2xx without a MessageId: ProviderOutcomeUnknownError.
SES's MessageId comes only in its answer, so every email also carries Herald's notification id in the
NOTIFICATION_ID_HEADER header: when the answer is lost, SES's events (which repeat the message's headers) still find
the notification (`receipts/ses_receipts.py`), and the retry after AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS finds it no
longer sendable.
"""

from __future__ import annotations

import logging
import re
import ssl
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.parsers import ResponseParserError

from app.clients.email.address_encoding import UnencodableAddressError, encode_email_address, encode_sender_address
from app.clients.errors import (
    InvalidEmailRecipientError,
    ProviderOutcomeUnknownError,
    ProviderPermanentError,
    ProviderRetryableError,
    ProviderThrottledError,
)
from app.clients.provider_call_metrics import recorded_provider_call
from app.clients.statsd_client import StatsdClient

logger = logging.getLogger(__name__)

PROVIDER_NAME = "ses"
INVALID_RECIPIENT_CODES = frozenset({"InvalidParameterValue"})
PERMANENT_CODES = frozenset({"MessageRejected", "BadRequestException"})
THROTTLING_CODES = frozenset(
    {"TooManyRequestsException", "Throttling", "ThrottlingException", "LimitExceededException"}
)
# SES's address complaints read like "Illegal address", "Missing final '@domain'", "Domain contains illegal
# character"; whole words, so "Missing required field FromEmailAddress" is not taken for one.
_ADDRESS_PROBLEM = re.compile(r"\baddress\b|@domain|\bdomain\b", re.IGNORECASE)
DEFAULT_MAX_POOL_CONNECTIONS = 32
# 5xx answers that say the request was not handled: not implemented, unavailable, HTTP version not supported.
UNHANDLED_SERVER_STATUSES = frozenset({501, 503, 505})
# Herald's notification id, which SES repeats in its events' `mail.headers` (see receipts/ses_receipts.py).
NOTIFICATION_ID_HEADER = "X-Herald-Notification-Id"


class AwsSesClient:
    """Sends through SES v2. One boto3 client per instance, shared by every thread (boto3 clients are thread-safe).

    botocore makes exactly one attempt per send: retrying is the delivery task's job. Without explicit keys,
    boto3's credential chain is resolved when the client is built, and its last step asks the instance metadata
    service (169.254.169.254): tests and development should pass keys (any will do for moto or a simulator).
    """

    name = PROVIDER_NAME

    def __init__(
        self,
        region: str,
        statsd: StatsdClient,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        timeout_seconds: float = 10,
        max_pool_connections: int = DEFAULT_MAX_POOL_CONNECTIONS,
    ) -> None:
        self._statsd = statsd
        config = Config(
            connect_timeout=timeout_seconds,
            read_timeout=timeout_seconds,
            # `total_max_attempts` counts the first attempt; `max_attempts` would count retries after it.
            retries={"total_max_attempts": 1, "mode": "standard"},
            max_pool_connections=max_pool_connections,
        )
        # A session of our own: boto3's default session is not safe to create clients from in several threads.
        session = boto3.session.Session(
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            region_name=region,
        )
        self._client = session.client("sesv2", endpoint_url=endpoint_url or None, config=config)

    @property
    def boto_client(self) -> Any:
        """The underlying boto3 `sesv2` client (where a botocore Stubber attaches in tests)."""
        return self._client

    def send_email(
        self,
        *,
        from_address: str,
        to_address: str,
        subject: str,
        body_text: str,
        body_html: str,
        reply_to_address: str | None,
        notification_id: uuid.UUID,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Hand the email to SES; returns its MessageId, which SES's receipts carry, as they carry the
        NOTIFICATION_ID_HEADER header set to ``notification_id``."""
        reply_to_addresses = [_encoded(encode_email_address, reply_to_address, "reply-to")] if reply_to_address else []
        request = {
            "FromEmailAddress": _encoded(encode_sender_address, from_address, "from"),
            "Destination": {"ToAddresses": [_encoded(encode_email_address, to_address, "to")]},
            "ReplyToAddresses": reply_to_addresses,
            "Content": {
                "Simple": _simple_content(
                    subject, body_text, body_html, {**(headers or {}), NOTIFICATION_ID_HEADER: str(notification_id)}
                )
            },
        }
        with recorded_provider_call(self._statsd, self.name):
            message_id = self._send(request)
        return message_id

    def _send(self, request: dict[str, Any]) -> str:
        try:
            response = self._client.send_email(**request)
        except ClientError as error:
            raise _classified_client_error(error) from error
        except ResponseParserError as error:  # the answer came but could not be read
            raise ProviderOutcomeUnknownError(
                "ses answered with a body that could not be read", provider=self.name
            ) from error
        except (HTTPClientError, botocore.exceptions.SSLError) as error:
            if _is_refused_certificate(error):
                raise ProviderRetryableError(
                    "ses could not be reached: its certificate was refused", provider=self.name
                ) from error
            raise ProviderOutcomeUnknownError(
                f"ses request failed after it may have been sent: {type(error).__name__}", provider=self.name
            ) from error
        except BotoCoreError as error:
            raise ProviderRetryableError(f"ses request failed: {type(error).__name__}", provider=self.name) from error
        message_id = response.get("MessageId")
        if not message_id:
            raise ProviderOutcomeUnknownError("ses answered without a MessageId", provider=self.name)
        return str(message_id)


def _simple_content(subject: str, body_text: str, body_html: str, headers: Mapping[str, str]) -> dict[str, Any]:
    content: dict[str, Any] = {
        "Subject": {"Data": subject, "Charset": "UTF-8"},
        "Body": {
            "Text": {"Data": body_text, "Charset": "UTF-8"},
            "Html": {"Data": body_html, "Charset": "UTF-8"},
        },
    }
    content["Headers"] = [{"Name": name, "Value": value} for name, value in headers.items()]
    return content


def _encoded(encode: Callable[[str], str], address: str, role: str) -> str:
    try:
        return encode(address)
    except UnencodableAddressError as error:
        message = f"ses cannot take the {role} address: {error}"
        if role == "to":
            raise InvalidEmailRecipientError(message, provider=PROVIDER_NAME) from error
        raise ProviderPermanentError(message, provider=PROVIDER_NAME) from error


def _is_refused_certificate(error: BotoCoreError) -> bool:
    """A TLS handshake that refused SES's certificate: nothing was sent. botocore keeps urllib3's error as `error`,
    whose arguments carry the ssl module's own exception."""
    cause = error.kwargs.get("error")
    return isinstance(error, botocore.exceptions.SSLError) and any(
        isinstance(argument, ssl.SSLCertVerificationError) for argument in getattr(cause, "args", ())
    )


def _classified_client_error(error: ClientError) -> Exception:
    code = str(error.response.get("Error", {}).get("Code", "Unknown"))
    reason = str(error.response.get("Error", {}).get("Message", ""))
    message = f"ses refused the message: {code}"
    if code in INVALID_RECIPIENT_CODES or (code == "BadRequestException" and _ADDRESS_PROBLEM.search(reason)):
        return InvalidEmailRecipientError(message, provider=PROVIDER_NAME, code=code)
    if code in PERMANENT_CODES:
        return ProviderPermanentError(message, provider=PROVIDER_NAME, code=code)
    if code in THROTTLING_CODES:
        logger.warning("SES throttled a send: %s", code, extra={"provider": PROVIDER_NAME, "error_code": code})
        return ProviderThrottledError(f"ses throttled the send: {code}", provider=PROVIDER_NAME, code=code)
    http_status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if isinstance(http_status, int) and http_status >= 500 and http_status not in UNHANDLED_SERVER_STATUSES:
        return ProviderOutcomeUnknownError(message, provider=PROVIDER_NAME, code=code)
    return ProviderRetryableError(message, provider=PROVIDER_NAME, code=code)
