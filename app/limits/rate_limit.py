"""The per-service, per-key-type token bucket that caps POST sends (SPEC §4, notify-reference §9.1).

The bucket `<service_id>-tokens-<key_type>` refills at `rate_limit / interval` tokens a second and holds at most
`min(ceil(rate_limit / 3) + 1, 1000)` tokens, so a service can burst a third of its minute at once and then sends
at its steady rate. A request takes one token; with less than one left it is refused. The bucket's arithmetic runs
inside Redis (`admission.py`), on Redis's own clock, so every API process shares one bucket.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

MAX_BUCKET_CAPACITY = 1000


@dataclass(frozen=True)
class TokenBucket:
    refill_per_second: float
    capacity: int

    @property
    def idle_expiry_seconds(self) -> int:
        """How long an untouched bucket takes to fill up; after that it may be forgotten (a missing bucket is full)."""
        return math.ceil(self.capacity / self.refill_per_second) + 1


def token_bucket_for(rate_limit: int, interval_seconds: int) -> TokenBucket:
    """The bucket for a service allowed ``rate_limit`` requests per ``interval_seconds``."""
    steady_rate = max(rate_limit, 1)
    return TokenBucket(
        refill_per_second=steady_rate / interval_seconds,
        capacity=min(math.ceil(steady_rate / 3) + 1, MAX_BUCKET_CAPACITY),
    )


def rate_limit_bucket_key(service_id: uuid.UUID | str, key_type: str) -> str:
    return f"{service_id}-tokens-{key_type}"
