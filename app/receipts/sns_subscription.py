"""Confirm an SNS subscription by visiting its SubscribeURL, rebuilt by the SNS URL policy (never the raw string)."""

from __future__ import annotations

import logging

from app.receipts.sns_fetch import SnsFetchError, fetch_small_document
from app.receipts.sns_urls import SnsUrlPolicy

logger = logging.getLogger(__name__)

# SNS answers a confirmation with a short XML document; it is read up to this and dropped.
MAX_CONFIRMATION_ANSWER_BYTES = 16 * 1024


class SnsSubscriptionError(Exception):
    """The SubscribeURL could not be visited; SNS sends the confirmation again after a 5xx."""


def confirm_sns_subscription(
    subscribe_url: object, *, topic_arn: str, urls: SnsUrlPolicy, timeout_seconds: float
) -> None:
    """GET the SubscribeURL as ``urls`` rebuilds it for ``topic_arn`` (the caller has verified the message).

    Raises UntrustedSnsUrlError (nothing visited) or SnsSubscriptionError.
    """
    url = urls.subscribe_url(subscribe_url, topic_arn=topic_arn).url
    try:
        fetch_small_document(url, max_bytes=MAX_CONFIRMATION_ANSWER_BYTES, timeout_seconds=timeout_seconds)
    except SnsFetchError as error:
        raise SnsSubscriptionError(f"SubscribeURL {error}") from error
