"""Daily Overpass quotas (requests and bytes per UTC day), as pure arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class QuotaPolicy:
    """Daily limits from settings (``WILDSIDE_OVERPASS_DAILY_*``; no defaults here).

    The settings' defaults are Overpass's published fair-use limits (as of 2025-09-08).
    """

    daily_requests: int
    daily_bytes: int
    # Bytes set aside for one call before it starts (and returned after, less
    # what it used): with several calls in flight the daily byte quota still
    # cannot be exceeded, because no response may outgrow its reservation.
    reserve_bytes: int

    def __post_init__(self) -> None:
        """Quotas must be positive."""
        if self.daily_requests < 1 or self.daily_bytes < 1 or self.reserve_bytes < 1:
            raise ValueError("quotas and the per-call reservation must be positive")


@dataclass(frozen=True, slots=True)
class QuotaUsage:
    """What a day has used (reservations included)."""

    requests: int = 0
    bytes: int = 0

    def remaining(self, policy: QuotaPolicy) -> QuotaUsage:
        """What is left, never negative."""
        return QuotaUsage(
            max(0, policy.daily_requests - self.requests), max(0, policy.daily_bytes - self.bytes)
        )


def reservation_bytes(usage: QuotaUsage, policy: QuotaPolicy) -> int:
    """Bytes one more call may reserve now: 0 means the call is denied.

    Examples
    --------
    >>> p = QuotaPolicy(daily_requests=2, daily_bytes=100, reserve_bytes=60)
    >>> reservation_bytes(QuotaUsage(0, 0), p), reservation_bytes(QuotaUsage(1, 60), p)
    (60, 40)
    >>> reservation_bytes(QuotaUsage(2, 10), p), reservation_bytes(QuotaUsage(0, 100), p)
    (0, 0)
    """
    left = usage.remaining(policy)
    if left.requests < 1:
        return 0
    return min(policy.reserve_bytes, left.bytes)


def quota_day(now: datetime) -> str:
    """The UTC day a call counts against, ``YYYY-MM-DD``."""
    return now.astimezone(UTC).strftime("%Y-%m-%d")


def seconds_until_next_day(now: datetime) -> float:
    """How long the current quota day lasts (for counter expiry)."""
    utc = now.astimezone(UTC)
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    return 86_400.0 - (utc - midnight).total_seconds()
