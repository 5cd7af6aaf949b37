"""POST one callback to a service and sort the outcome: delivered, worth retrying, or refused for good."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import requests

from app.callbacks.signing import SIGNATURE_HEADER, sign_callback_body

_session = requests.Session()


class CallbackRetryableError(Exception):
    """The service may take the callback later: a network error, a timeout, a 5xx or a 429."""


class CallbackRejectedError(Exception):
    """The service refused the callback (another 4xx, a redirect, a malformed URL); retrying would not help."""


def encode_callback_body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def post_callback(url: str, body: bytes, *, bearer_token: str, signing_secret: str, timeout_seconds: float) -> int:
    """POST ``body`` as JSON with the bearer token and the body's signature; return the 2xx status code.

    Raises CallbackRetryableError or CallbackRejectedError, each naming the status code or error class only.
    """
    headers = {
        "Authorization": f"Bearer {bearer_token}",
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign_callback_body(body, signing_secret),
    }
    try:
        response = _session.post(url, data=body, headers=headers, timeout=timeout_seconds, allow_redirects=False)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise CallbackRetryableError(type(error).__name__) from error
    except requests.RequestException as error:
        raise CallbackRejectedError(type(error).__name__) from error
    status_code = response.status_code
    response.close()
    if status_code >= 500 or status_code == 429:
        raise CallbackRetryableError(f"HTTP {status_code}")
    if not 200 <= status_code < 300:
        raise CallbackRejectedError(f"HTTP {status_code}")
    return status_code
