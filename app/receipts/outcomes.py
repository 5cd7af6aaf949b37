"""What a provider's receipt means for a notification: the status it asks for and the provider's reason."""

from __future__ import annotations

from dataclasses import dataclass

from app.notification_status import NotificationStatus


@dataclass(frozen=True)
class ReceiptOutcome:
    status: NotificationStatus
    reason: str | None = None


class UnrecognisedProviderStatusError(Exception):
    """The provider sent a status code that is in none of our maps."""

    def __init__(self, provider: str, status: str) -> None:
        super().__init__(f"{provider} callback failed: status {status} not found.")
        self.provider = provider
        self.status = status
