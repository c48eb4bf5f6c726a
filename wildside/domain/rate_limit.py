"""Per-user request quotas: the generic cell rate algorithm (GCRA) as a pure decision."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    """``limit`` requests per ``period_s`` seconds, a full burst allowed when idle."""

    limit: int
    period_s: float

    def __post_init__(self) -> None:
        """Reject quotas that cannot be honoured."""
        if self.limit < 1 or not self.period_s > 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive period")

    @property
    def interval_s(self) -> float:
        """Time one request's credit takes to come back."""
        return self.period_s / self.limit


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    """The outcome of one request against a quota, with what the headers report."""

    is_allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the whole quota is available again
    retry_after_s: int  # seconds until the next request would pass (0 when allowed)


def decide(
    policy: RateLimitPolicy, theoretical_arrival: float | None, now: float
) -> tuple[RateLimitDecision, float]:
    """Decide one request; return the decision and the state to store next.

    ``theoretical_arrival`` (TAT) is the stored state: the time at which the
    quota would be fully replenished (``None`` for a fresh subject). A denied
    request leaves the state unchanged.

    Examples
    --------
    >>> policy = RateLimitPolicy(limit=2, period_s=60)
    >>> first, tat = decide(policy, None, 0.0)
    >>> first.is_allowed, first.remaining, tat
    (True, 1, 30.0)
    >>> second, tat = decide(policy, tat, 0.0)
    >>> third, tat = decide(policy, tat, 0.0)
    >>> third.is_allowed, third.retry_after_s, tat
    (False, 30, 60.0)
    """
    interval = policy.interval_s
    tat = now if theoretical_arrival is None else max(theoretical_arrival, now)
    new_tat = tat + interval
    allowed_from = new_tat - policy.period_s
    if now < allowed_from:
        return (
            RateLimitDecision(
                is_allowed=False,
                limit=policy.limit,
                remaining=0,
                reset_s=_ceil(tat - now),
                retry_after_s=max(1, _ceil(allowed_from - now)),
            ),
            tat,
        )
    remaining = int((policy.period_s - (new_tat - now)) / interval + 1e-9)
    return (
        RateLimitDecision(
            is_allowed=True,
            limit=policy.limit,
            remaining=max(0, min(policy.limit - 1, remaining)),
            reset_s=_ceil(new_tat - now),
            retry_after_s=0,
        ),
        new_tat,
    )


def _ceil(seconds: float) -> int:
    return max(0, math.ceil(seconds - 1e-9))
