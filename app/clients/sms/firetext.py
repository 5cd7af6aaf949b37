"""Firetext: send a text message as a form POST (notify-reference §5.2)."""

from __future__ import annotations

import requests

from app.clients.errors import ProviderOutcomeUnknownError, ProviderPermanentError, ProviderRetryableError
from app.clients.provider_call_metrics import recorded_provider_call
from app.clients.sms.http_answers import json_object_body, post_to_provider
from app.clients.sms.http_session import create_pooled_session
from app.clients.statsd_client import StatsdClient

ACCEPTED_CODE = 0
# Non-zero `code`s that say this message itself is wrong (Firetext's sendsms answers, as we read its API
# documentation: 2 "destination number error", 5 "message error"). Sending it again cannot help. Every other
# code - authentication, sender, credit, unknown ones - is retryable: the retry may go to MMG, which can still
# deliver the message.
PERMANENT_CODES = frozenset({2, 5})


class FiretextClient:
    """Sends through Firetext. Success is a 2xx whose JSON body has `code` 0.

    Firetext's receipts carry our reference back as `reference`, so `send_sms` returns the reference it was given.
    International messages use the international API key when one is configured.
    """

    name = "firetext"

    def __init__(
        self,
        url: str,
        api_key: str,
        international_api_key: str | None,
        receipt_url: str | None,
        timeout_seconds: float,
        statsd: StatsdClient,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.receipt_url = receipt_url
        self.timeout_seconds = timeout_seconds
        self._api_key = api_key
        self._international_api_key = international_api_key
        self._statsd = statsd
        self._session = session if session is not None else create_pooled_session()

    def send_sms(self, *, to: str, content: str, reference: str, sender: str | None, is_international: bool) -> str:
        """Hand the message to Firetext; returns `reference`."""
        form = self._form(to=to, content=content, reference=reference, sender=sender, is_international=is_international)
        with recorded_provider_call(self._statsd, self.name):
            response = post_to_provider(
                self._session, self.url, provider=self.name, timeout_seconds=self.timeout_seconds, data=form
            )
            _check_accepted(json_object_body(response, provider=self.name).get("code"))
        return reference

    def _form(
        self, *, to: str, content: str, reference: str, sender: str | None, is_international: bool
    ) -> dict[str, str]:
        form: dict[str, str] = {
            "apiKey": (self._international_api_key or self._api_key) if is_international else self._api_key,
            "to": to.removeprefix("+"),
            "message": content,
            "reference": reference,
        }
        if sender is not None:
            form["from"] = sender
        if self.receipt_url:
            form["receipt"] = self.receipt_url
        return form


def _check_accepted(code: object) -> None:
    """Raise unless Firetext's `code` is 0 (it may come as a number or a numeric string)."""
    try:
        number = int(code)  # type: ignore[call-overload]
    except (TypeError, ValueError) as error:
        # A 2xx without a code may still be an acceptance.
        raise ProviderOutcomeUnknownError(
            "firetext answered without a numeric code", provider=FiretextClient.name
        ) from error
    if number == ACCEPTED_CODE:
        return
    message = f"firetext refused the message with code {number}"
    if number in PERMANENT_CODES:
        raise ProviderPermanentError(message, provider=FiretextClient.name, code=str(number))
    raise ProviderRetryableError(message, provider=FiretextClient.name, code=str(number))
