"""Provider errors, sorted by what the caller should do next: retry (perhaps elsewhere), or give up.

Delivery code branches on these classes, never on a provider's name. Messages name the provider and the
provider's own code (HTTP status, Firetext code, SES error code) and never contain the recipient or the message
content; the original exception is kept as the cause (`raise ... from error`).
"""

from __future__ import annotations

from typing import Any


class ProviderError(Exception):
    """A provider did not accept a message. `code` is the provider's own error code, when it gave one."""

    def __init__(self, message: str, *, provider: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments would be lost by Exception's default pickling (Celery pickles exceptions).
        return _rebuild_provider_error, (type(self), self.message, self.provider, self.code)

    def __str__(self) -> str:
        return self.message


class ProviderRetryableError(ProviderError):
    """Trying again may work, and the provider certainly did not take the message: the connection was never made
    (refused, DNS failure, connect timeout), or the provider answered with an error that says it was not taken
    (503, throttling, a refusal code). Trying again elsewhere at once is safe.
    """


class ProviderOutcomeUnknownError(ProviderRetryableError):
    """The request may have reached the provider and been accepted, but no answer says so: a read timeout after the
    request was sent, the connection reset or closed after sending, a 5xx that may come after acceptance (500, 502,
    504), or a success status whose body could not be read. The provider's receipt may still come; sending again at
    once risks a second copy for the recipient.
    """


class ProviderThrottledError(ProviderRetryableError):
    """The provider asked us to slow down (HTTP 429, SES `TooManyRequestsException`, `Throttling`, ...)."""


class ProviderPermanentError(ProviderError):
    """The provider rejected this message and sending it again, there or elsewhere, cannot help."""


class InvalidEmailRecipientError(ProviderPermanentError):
    """The recipient's email address is invalid: the notification is a `permanent-failure`, logged at info."""


def _rebuild_provider_error(
    error_class: type[ProviderError], message: str, provider: str, code: str | None
) -> ProviderError:
    return error_class(message, provider=provider, code=code)
