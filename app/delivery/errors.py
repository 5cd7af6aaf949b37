"""Errors of the delivery pipeline, as the deliver tasks see them."""

from __future__ import annotations


class NotificationTechnicalFailureException(Exception):
    """The notification could not be handed to a provider and is now `technical-failure`; never retried.

    (GOV.UK Notify's name, kept so operators find it, hence no `Error` suffix.)
    """


class DeliveryRetryableError(Exception):
    """A send that may work later. ``failed_provider`` (if any) is the provider the next attempt should avoid;
    ``retry_after_seconds`` is the least time before that attempt can claim the notification (0: at once)."""

    def __init__(self, message: str, *, failed_provider: str | None, retry_after_seconds: int = 0) -> None:
        super().__init__(message)
        self.failed_provider = failed_provider
        self.retry_after_seconds = retry_after_seconds


class NoActiveProviderError(DeliveryRetryableError):
    """Every provider of the type is inactive (an operator switched them off); try again later."""

    def __init__(self, notification_type: str) -> None:
        super().__init__(f"No active {notification_type} provider", failed_provider=None)


class UnrenderableNotificationError(Exception):
    """The stored template and personalisation cannot be rendered within the limits (or at all); never will be."""
