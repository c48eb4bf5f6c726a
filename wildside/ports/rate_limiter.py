"""Rate limiter port: count one request of a subject against a quota shared by every process."""

from __future__ import annotations

from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.rate_limit import RateLimitDecision, RateLimitPolicy


class RateLimiterError(WildsideError):
    """The counter store refused the command (an unreachable store is ``UnavailableError``)."""

    code = "rate-limiter-error"
    is_retryable = True


class RateLimiter(Protocol):
    """Applies :func:`wildside.domain.rate_limit.decide` atomically to shared state."""

    def hit(self, subject: str, policy: RateLimitPolicy) -> RateLimitDecision:
        """Count one request by ``subject``; a denied request is not counted."""
        ...
