"""POST to an SMS provider once and sort every way it can fail into a retryable or permanent ProviderError.

HTTP statuses, for both MMG and Firetext:
- 2xx: answered; the provider's client then reads the body.
- 400, 413, 422: the provider refused this request as malformed or too large: permanent. Our requests are well
  formed for every message, so these point at the message itself (its number, sender or text).
- 429: throttled (ProviderThrottledError, retryable).
- anything else (3xx, 401, 403, 404, 408, other 4xx, 5xx): retryable. Redirects are not followed: a POST turned
  into a GET would look accepted and send nothing. Authentication and routing errors are our configuration, not
  the message; the retry goes to the other provider, which can still deliver it.
Timeouts and connection errors are retryable: after a read timeout the provider may have taken the message.
"""

from __future__ import annotations

from typing import Any

import requests

from app.clients.errors import ProviderPermanentError, ProviderRetryableError, ProviderThrottledError

PERMANENT_HTTP_STATUSES = frozenset({400, 413, 422})
THROTTLED_HTTP_STATUS = 429


def post_to_provider(
    session: requests.Session, url: str, *, provider: str, timeout_seconds: float, **request_arguments: Any
) -> requests.Response:
    """POST once; return the 2xx response, or raise the ProviderError the failure calls for."""
    try:
        response = session.post(url, timeout=timeout_seconds, allow_redirects=False, **request_arguments)
    except requests.Timeout as error:
        raise ProviderRetryableError(f"{provider} timed out after {timeout_seconds}s", provider=provider) from error
    except requests.ConnectionError as error:
        raise ProviderRetryableError(f"{provider} could not be reached", provider=provider) from error
    except requests.RequestException as error:
        raise ProviderRetryableError(f"{provider} request failed: {type(error).__name__}", provider=provider) from error
    raise_for_http_status(response, provider=provider)
    return response


def raise_for_http_status(response: requests.Response, *, provider: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"{provider} answered HTTP {status}"
    if status == THROTTLED_HTTP_STATUS:
        raise ProviderThrottledError(message, provider=provider, code=str(status))
    if status in PERMANENT_HTTP_STATUSES:
        raise ProviderPermanentError(message, provider=provider, code=str(status))
    raise ProviderRetryableError(message, provider=provider, code=str(status))


def json_object_body(response: requests.Response, *, provider: str) -> dict[str, Any]:
    """The answer's body as a JSON object; a 2xx whose body is anything else is a retryable error."""
    try:
        body = response.json()
    except ValueError as error:
        raise ProviderRetryableError(
            f"{provider} answered HTTP {response.status_code} with a body that is not JSON", provider=provider
        ) from error
    if not isinstance(body, dict):
        raise ProviderRetryableError(
            f"{provider} answered HTTP {response.status_code} with JSON that is not an object", provider=provider
        )
    return body
