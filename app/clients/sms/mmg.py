"""MMG: send a text message as a JSON POST (notify-reference §5.1)."""

from __future__ import annotations

from typing import Any

import requests

from app.clients.provider_call_metrics import recorded_provider_call
from app.clients.sms.http_answers import json_object_body, post_to_provider
from app.clients.sms.http_session import create_pooled_session
from app.clients.statsd_client import StatsdClient


class MmgClient:
    """Sends through MMG. Success is a 2xx with a JSON object body (e.g. `{"Reference": 12345678}`).

    MMG's receipts carry our reference back as `CID`, so `send_sms` returns the reference it was given. HTTP
    failures are classified in `http_answers` (400/413/422 permanent, 429 throttled, the rest retryable).
    """

    name = "mmg"

    def __init__(
        self,
        url: str,
        api_key: str,
        receipt_url: str | None,
        timeout_seconds: float,
        statsd: StatsdClient,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.receipt_url = receipt_url
        self.timeout_seconds = timeout_seconds
        self._statsd = statsd
        self._session = session if session is not None else create_pooled_session()
        # MMG wants the configured key as-is after "Basic " (it is issued already encoded).
        self._headers = {"Content-Type": "application/json", "Authorization": f"Basic {api_key}"}

    def send_sms(self, *, to: str, content: str, reference: str, sender: str | None, is_international: bool) -> str:
        """Hand the message to MMG; returns `reference`. `is_international` needs nothing different for MMG."""
        payload = self._payload(to=to, content=content, reference=reference, sender=sender)
        with recorded_provider_call(self._statsd, self.name):
            response = post_to_provider(
                self._session,
                self.url,
                provider=self.name,
                timeout_seconds=self.timeout_seconds,
                json=payload,
                headers=self._headers,
            )
            json_object_body(response, provider=self.name)
        return reference

    def _payload(self, *, to: str, content: str, reference: str, sender: str | None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "reqType": "BULK",
            "MSISDN": to.removeprefix("+"),
            "msg": content,
            "cid": reference,
            "multi": True,
        }
        if sender is not None:
            payload["sender"] = sender
        if self.receipt_url:
            payload["delurl"] = self.receipt_url
        return payload
