"""The one interface every provider client offers, so delivery code never branches on a provider's name."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Protocol


class SmsProviderClient(Protocol):
    """Sends one text message; raises ProviderRetryableError or ProviderPermanentError when it is not accepted."""

    name: str

    def send_sms(self, *, to: str, content: str, reference: str, sender: str | None, is_international: bool) -> str:
        """Hand the message over and return the reference its delivery receipts will carry.

        For MMG and Firetext that is `reference` itself (the notification id): receipts carry it back.
        """
        ...


class EmailProviderClient(Protocol):
    """Sends one email; raises ProviderRetryableError or ProviderPermanentError when it is not accepted."""

    name: str

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
        """Hand the email over and return the provider's message id, which its receipts carry; the email carries
        ``notification_id`` too, so receipts can find it when the answer was lost."""
        ...
