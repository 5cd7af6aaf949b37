"""Why a receipt could not be applied: its notification is not there (yet), or the receipt makes no sense."""

from __future__ import annotations


class ReceiptForUnknownNotificationError(Exception):
    """No notification matches the receipt; it may have beaten the commit of the send, so it is worth a retry."""

    def __init__(self, provider: str, reference: str) -> None:
        super().__init__(f"No notification for {provider} receipt reference {reference}")
        self.provider = provider
        self.reference = reference


class InvalidReceiptError(Exception):
    """The receipt lacks the field that names its notification, or that field is malformed; retrying cannot help."""
