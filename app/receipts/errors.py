"""Why a receipt could not be applied: its notification is not there (maybe not yet), or the receipt makes no sense."""

from __future__ import annotations


class ReceiptForUnknownNotificationError(Exception):
    """No notification matches the receipt, and none will: the receipt is dropped (no retry, nothing queued).

    An MMG or Firetext receipt names the notification by its id, which a provider only learns after the notification
    was committed (the claim is committed before the provider is called), so a receipt whose id is unknown is bogus
    or late beyond the notification's retention.
    """

    def __init__(self, provider: str, reference: str) -> None:
        super().__init__(f"No notification for {provider} receipt reference {reference}")
        self.provider = provider
        self.reference = reference


class ReceiptMayBeEarlyError(ReceiptForUnknownNotificationError):
    """No notification matches the receipt yet, but its send may still be recording the reference: worth a few
    retries within a short window (a SES event names the message id SES answered, which the worker commits after the
    call; the event carries the time SES accepted the message, which bounds the window)."""


class InvalidReceiptError(Exception):
    """The receipt lacks the field that names its notification, or that field is malformed; retrying cannot help."""
