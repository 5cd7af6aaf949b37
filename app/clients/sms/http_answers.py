"""POST to an SMS provider once and sort every way it can fail into a retryable or permanent ProviderError.

HTTP statuses, for both MMG and Firetext:
- 2xx: answered; the provider's client then reads the body.
- 400, 413, 422: the provider refused this request as malformed or too large: permanent. Our requests are well
  formed for every message, so these point at the message itself (its number, sender or text).
- 429: throttled (ProviderThrottledError, retryable).
- 500, 502, 504 and any other 5xx but 501, 503 and 505: the provider (or a gateway in front of it) failed while or
  after handling the request, so it may have taken the message: ProviderOutcomeUnknownError.
- anything else (3xx, 401, 403, 404, 408, other 4xx, 501, 503, 505): retryable, certainly not taken. Redirects are
  not followed: a POST turned into a GET would look accepted and send nothing. Authentication and routing errors
  are our configuration, not the message; the retry goes to the other provider, which can still deliver it.
Failures without an answer are sorted by whether the request can have left: a connect timeout, a refused
connection, a DNS failure, a TLS handshake or proxy failure, or a request that could not be built means it never
did (retryable); a read timeout, a connection reset or closed after sending, or a broken answer means it may have
been taken (ProviderOutcomeUnknownError). A 2xx whose body is not a JSON object is ProviderOutcomeUnknownError too.
"""

from __future__ import annotations

import ssl
from typing import Any

import requests
import urllib3.exceptions
from urllib3.exceptions import MaxRetryError, NewConnectionError

from app.clients.errors import (
    ProviderOutcomeUnknownError,
    ProviderPermanentError,
    ProviderRetryableError,
    ProviderThrottledError,
)

PERMANENT_HTTP_STATUSES = frozenset({400, 413, 422})
THROTTLED_HTTP_STATUS = 429
# 5xx answers that say the request was not handled: not implemented, unavailable, HTTP version not supported.
UNHANDLED_SERVER_STATUSES = frozenset({501, 503, 505})
# Raised by requests before anything is sent: the request itself could not be built or routed.
_UNSENT_REQUEST_ERRORS: tuple[type[requests.RequestException], ...] = (
    requests.ConnectTimeout,
    requests.exceptions.ProxyError,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
    requests.exceptions.InvalidJSONError,
)


def post_to_provider(
    session: requests.Session, url: str, *, provider: str, timeout_seconds: float, **request_arguments: Any
) -> requests.Response:
    """POST once; return the 2xx response, or raise the ProviderError the failure calls for."""
    try:
        response = session.post(url, timeout=timeout_seconds, allow_redirects=False, **request_arguments)
    except requests.RequestException as error:
        raise classified_request_error(error, provider=provider, timeout_seconds=timeout_seconds) from error
    raise_for_http_status(response, provider=provider)
    return response


def classified_request_error(
    error: requests.RequestException, *, provider: str, timeout_seconds: float
) -> ProviderRetryableError:
    """The ProviderError for a request that got no answer: retryable when the request cannot have left,
    ProviderOutcomeUnknownError when it may have been sent (the safe guess for anything not known to be earlier)."""
    if isinstance(error, requests.ConnectTimeout):
        return ProviderRetryableError(f"{provider} did not connect within {timeout_seconds}s", provider=provider)
    if isinstance(error, _UNSENT_REQUEST_ERRORS) or _is_connection_never_made(error):
        return ProviderRetryableError(f"{provider} could not be reached: {type(error).__name__}", provider=provider)
    if isinstance(error, requests.ReadTimeout):
        return ProviderOutcomeUnknownError(
            f"{provider} did not answer within {timeout_seconds}s after the request was sent", provider=provider
        )
    return ProviderOutcomeUnknownError(
        f"{provider} request failed after it may have been sent: {type(error).__name__}", provider=provider
    )


def _is_connection_never_made(error: requests.RequestException) -> bool:
    """True for a connection that was never made: refused, unreachable or a DNS failure (requests wraps urllib3's
    MaxRetryError whose reason is a NewConnectionError), or a certificate the TLS handshake refused. A reset or a
    close after sending comes as a ProtocolError instead (urllib3 re-raises read errors as themselves when read
    retries are off, see http_session); other TLS errors may come after sending (an abrupt EOF) and are not here."""
    if not isinstance(error, requests.ConnectionError) or not error.args:
        return False
    cause = error.args[0]
    reason = cause.reason if isinstance(cause, MaxRetryError) else None
    if isinstance(reason, NewConnectionError):
        return True
    return isinstance(reason, urllib3.exceptions.SSLError) and any(
        isinstance(argument, ssl.SSLCertVerificationError) for argument in reason.args
    )


def raise_for_http_status(response: requests.Response, *, provider: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"{provider} answered HTTP {status}"
    if status == THROTTLED_HTTP_STATUS:
        raise ProviderThrottledError(message, provider=provider, code=str(status))
    if status in PERMANENT_HTTP_STATUSES:
        raise ProviderPermanentError(message, provider=provider, code=str(status))
    if status >= 500 and status not in UNHANDLED_SERVER_STATUSES:
        raise ProviderOutcomeUnknownError(message, provider=provider, code=str(status))
    raise ProviderRetryableError(message, provider=provider, code=str(status))


def json_object_body(response: requests.Response, *, provider: str) -> dict[str, Any]:
    """The answer's body as a JSON object; a 2xx whose body is anything else may still mean the message was taken."""
    try:
        body = response.json()
    except ValueError as error:
        raise ProviderOutcomeUnknownError(
            f"{provider} answered HTTP {response.status_code} with a body that is not JSON", provider=provider
        ) from error
    if not isinstance(body, dict):
        raise ProviderOutcomeUnknownError(
            f"{provider} answered HTTP {response.status_code} with JSON that is not an object", provider=provider
        )
    return body
