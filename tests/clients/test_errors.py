"""Provider errors carry the provider and its code, and survive pickling (Celery pickles exceptions)."""

from __future__ import annotations

import pickle

import pytest

from app.clients.errors import (
    InvalidEmailRecipientError,
    ProviderError,
    ProviderPermanentError,
    ProviderRetryableError,
    ProviderThrottledError,
)


@pytest.mark.parametrize(
    "error_class",
    [ProviderRetryableError, ProviderThrottledError, ProviderPermanentError, InvalidEmailRecipientError],
    ids=lambda error_class: error_class.__name__,
)
def test_a_provider_error_keeps_its_class_provider_code_and_message_through_pickling(
    error_class: type[ProviderError],
):
    error = error_class("ses refused the message: Throttling", provider="ses", code="Throttling")

    copy = pickle.loads(pickle.dumps(error))

    assert (type(copy), copy.provider, copy.code, str(copy)) == (
        error_class,
        "ses",
        "Throttling",
        "ses refused the message: Throttling",
    )


def test_a_throttled_error_is_retryable():
    assert issubclass(ProviderThrottledError, ProviderRetryableError)


def test_an_invalid_email_recipient_error_is_permanent():
    assert issubclass(InvalidEmailRecipientError, ProviderPermanentError)
