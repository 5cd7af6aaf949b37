"""Confirm an SNS subscription by visiting its SubscribeURL, but only on an AWS SNS host or a trusted prefix."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import requests

logger = logging.getLogger(__name__)

_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")


class SnsSubscriptionError(Exception):
    """The SubscribeURL could not be visited; SNS sends the confirmation again after a 5xx."""


def is_trusted_sns_url(url: str, *, trusted_prefixes: Iterable[str]) -> bool:
    """True for https on ``sns.<region>.amazonaws.com``, or for a URL starting with a configured trusted prefix."""
    parts = urlsplit(url)
    is_aws_sns = parts.scheme == "https" and bool(_SNS_HOST.match(parts.hostname or "")) and parts.port in (None, 443)
    return is_aws_sns or any(prefix and url.startswith(prefix) for prefix in trusted_prefixes)


def confirm_sns_subscription(subscribe_url: str, *, timeout_seconds: float) -> None:
    """GET the SubscribeURL (the caller has verified the message and checked the URL is trusted)."""
    try:
        response = requests.get(subscribe_url, timeout=timeout_seconds, allow_redirects=False)
    except requests.RequestException as error:
        raise SnsSubscriptionError(f"SubscribeURL could not be reached ({type(error).__name__})") from error
    with response:
        if not 200 <= response.status_code < 300:
            raise SnsSubscriptionError(f"SubscribeURL answered {response.status_code}")
