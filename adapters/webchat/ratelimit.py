"""Token buckets: how many chat messages a client may send, refilled at a steady rate."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Forget buckets that have been full (idle) this long, so memory stays bounded.
IDLE_SECONDS = 600.0
PRUNE_EVERY = 1000


@dataclass
class Bucket:
    tokens: float
    updated: float


@dataclass
class TokenBuckets:
    """One bucket per key: `capacity` messages at once, refilled at `per_minute`."""

    per_minute: int
    capacity: int
    buckets: dict[str, Bucket] = field(default_factory=dict)
    calls: int = 0

    def take(self, key: str, now: float) -> float:
        """Spend one token for `key`; returns 0 if allowed, else the seconds until one is free."""
        self.calls += 1
        if self.calls % PRUNE_EVERY == 0:
            self.prune(now)
        rate = self.per_minute / 60.0
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = Bucket(float(self.capacity), now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate

    def prune(self, now: float) -> None:
        stale = [k for k, b in self.buckets.items() if now - b.updated > IDLE_SECONDS]
        for key in stale:
            del self.buckets[key]


def retry_after_seconds(wait: float) -> int:
    """A whole number of seconds for the Retry-After header (at least 1)."""
    return max(1, math.ceil(wait))
