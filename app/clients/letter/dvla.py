"""The print provider: a DVLA-style print API (letters.md §5.4). One request per letter, authenticated with a JWT
from the provider's authenticate endpoint (renewed a minute before it expires) and the API key.

Answers, and what the print task does with them:
- 202 (any 2xx): accepted for printing. 409: the provider already has a job with this id (an earlier attempt was
  taken after all): accepted too, so sending a letter again is always safe.
- 400: the provider refused this letter: ProviderPermanentError (the letter is a `technical-failure`).
- 401, 403: the JWT or the key was refused: the JWT is dropped, so the retry authenticates again; retryable.
- 429: ProviderThrottledError; 5xx, timeouts and broken connections: retryable.
Every call has a timeout and reads at most MAX_RESPONSE_BYTES of an answer.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import jwt
import requests

from app.clients.errors import (
    ProviderOutcomeUnknownError,
    ProviderPermanentError,
    ProviderRetryableError,
    ProviderThrottledError,
)
from app.clients.letter.print_job import LetterPrintJob, print_job_body
from app.clients.provider_call_metrics import recorded_provider_call
from app.clients.sms.http_answers import classified_request_error
from app.clients.sms.http_session import create_pooled_session
from app.clients.statsd_client import StatsdClient

AUTHENTICATE_PATH = "/thirdparty-access/v1/authenticate"
PRINT_JOBS_PATH = "/print-request/v1/print/jobs"
# A JWT is renewed this long before it expires, so none expires in flight.
TOKEN_RENEWAL_MARGIN_SECONDS = 60
# Used when a JWT carries no readable `exp`.
DEFAULT_TOKEN_LIFETIME_SECONDS = 3600
# An authenticate answer is a few hundred bytes; nothing is read from a print answer but its status.
MAX_RESPONSE_BYTES = 64 * 1024
ACCEPTED_STATUSES = frozenset({409})
PERMANENT_STATUSES = frozenset({400})
CREDENTIAL_STATUSES = frozenset({401, 403})
THROTTLED_STATUS = 429


class DvlaClient:
    """Sends letters to print; thread-safe (one JWT shared by the process's threads)."""

    name = "dvla"

    def __init__(
        self,
        *,
        base_url: str,
        username: str,
        password: str,
        api_key: str,
        timeout_seconds: float,
        statsd: StatsdClient,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self._username = username
        self._password = password
        self._api_key = api_key
        self._statsd = statsd
        self._session = session if session is not None else create_pooled_session(pool_connections=1)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_renew_at = 0.0

    def send_letter(self, job: LetterPrintJob) -> None:
        """Hand one letter to the printer. Raises ProviderRetryableError (or a subclass) or ProviderPermanentError."""
        headers = {"Authorization": self._current_token(), "X-API-Key": self._api_key, "Accept": "application/json"}
        with recorded_provider_call(self._statsd, self.name):
            response = self._post(PRINT_JOBS_PATH, body=print_job_body(job), headers=headers)
            with response:
                _read_bounded(response)
                self._check_print_answer(response.status_code)

    def _check_print_answer(self, status: int) -> None:
        if 200 <= status < 300 or status in ACCEPTED_STATUSES:
            return
        message = f"{self.name} answered HTTP {status}"
        if status in PERMANENT_STATUSES:
            raise ProviderPermanentError(message, provider=self.name, code=str(status))
        if status in CREDENTIAL_STATUSES:
            self._forget_token()
        if status == THROTTLED_STATUS:
            raise ProviderThrottledError(message, provider=self.name, code=str(status))
        if status >= 500:
            raise ProviderOutcomeUnknownError(message, provider=self.name, code=str(status))
        raise ProviderRetryableError(message, provider=self.name, code=str(status))

    def _current_token(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._token_renew_at:
                self._token, lifetime_seconds = self._authenticate()
                self._token_renew_at = time.monotonic() + max(0, lifetime_seconds - TOKEN_RENEWAL_MARGIN_SECONDS)
            return self._token

    def _forget_token(self) -> None:
        with self._lock:
            self._token = None

    def _authenticate(self) -> tuple[str, float]:
        """A fresh JWT and how many seconds it lives."""
        with recorded_provider_call(self._statsd, f"{self.name}-authenticate"):
            response = self._post(
                AUTHENTICATE_PATH,
                body={"userName": self._username, "password": self._password},
                headers={"Accept": "application/json"},
            )
            with response:
                body = _read_bounded(response)
        if response.status_code != 200:
            raise ProviderRetryableError(
                f"{self.name} refused to authenticate: HTTP {response.status_code}",
                provider=self.name,
                code=str(response.status_code),
            )
        token = _token_of(body)
        if token is None:
            raise ProviderRetryableError(f"{self.name} authenticated without a token", provider=self.name)
        return token, _lifetime_seconds(token)

    def _post(self, path: str, *, body: dict[str, Any], headers: dict[str, str]) -> requests.Response:
        try:
            return self._session.post(
                self.base_url + path,
                json=body,
                headers=headers,
                timeout=self.timeout_seconds,
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as error:
            raise classified_request_error(error, provider=self.name, timeout_seconds=self.timeout_seconds) from error


def _read_bounded(response: requests.Response) -> bytes:
    """At most MAX_RESPONSE_BYTES of the answer (the rest is never read); a broken read is a retryable error."""
    body = bytearray()
    try:
        for chunk in response.iter_content(chunk_size=8192):
            body.extend(chunk)
            if len(body) > MAX_RESPONSE_BYTES:
                break
    except requests.RequestException as error:
        raise ProviderOutcomeUnknownError(
            f"{DvlaClient.name} answer could not be read: {type(error).__name__}", provider=DvlaClient.name
        ) from error
    return bytes(body[:MAX_RESPONSE_BYTES])


def _token_of(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    token = parsed.get("id-token") if isinstance(parsed, dict) else None
    return token if isinstance(token, str) and token else None


def _lifetime_seconds(token: str) -> float:
    """Seconds until the JWT's `exp`; its signature is the provider's business, not ours."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return DEFAULT_TOKEN_LIFETIME_SECONDS
    expires_at = claims.get("exp")
    if not isinstance(expires_at, int | float):
        return DEFAULT_TOKEN_LIFETIME_SECONDS
    return float(expires_at) - time.time()
