"""Choose the provider for one send: SMS split at random by priority weight, moving off a provider that just failed.

Weights come from `send_context.provider_options`, at most a second old."""

from __future__ import annotations

import random
from collections.abc import Sequence

from app.delivery.errors import NoActiveProviderError
from app.delivery.send_context import ProviderOption, provider_options
from app.models import NotificationType


def choose_sms_provider(*, international: bool, excluded: str | None = None) -> str:
    """Pick an active SMS provider at random, weighted by priority; international only among those that support it.

    ``excluded`` (the provider that failed the previous attempt) is avoided whenever another candidate exists.
    Raises NoActiveProviderError when no provider can take the message.
    """
    candidates = [
        provider
        for provider in provider_options(NotificationType.SMS)
        if provider.active and (provider.supports_international or not international)
    ]
    return _choose_weighted(candidates, excluded=excluded, notification_type=NotificationType.SMS)


def choose_email_provider(*, excluded: str | None = None) -> str:
    """Pick an active email provider (SES today), weighted by priority like SMS."""
    candidates = [provider for provider in provider_options(NotificationType.EMAIL) if provider.active]
    return _choose_weighted(candidates, excluded=excluded, notification_type=NotificationType.EMAIL)


def _choose_weighted(candidates: Sequence[ProviderOption], *, excluded: str | None, notification_type: str) -> str:
    if not candidates:
        raise NoActiveProviderError(notification_type)
    preferred = [provider for provider in candidates if provider.identifier != excluded] or list(candidates)
    weights = [max(provider.priority, 0) for provider in preferred]
    if sum(weights) == 0:
        # Every remaining weight is spent (a burst moved it all away): still fail over rather than stop sending.
        return random.choice(preferred).identifier
    return random.choices(preferred, weights=weights)[0].identifier
