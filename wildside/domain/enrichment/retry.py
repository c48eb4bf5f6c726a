"""Bounded retries with jittered exponential backoff for Overpass calls."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` calls at most per job; waits grow as ``base * 2**n``, capped.

    All three come from settings (``WILDSIDE_OVERPASS_MAX_ATTEMPTS``,
    ``..._BACKOFF_BASE_S``, ``..._BACKOFF_MAX_S``); no defaults here.
    """

    max_attempts: int
    base_delay_s: float
    max_delay_s: float

    def __post_init__(self) -> None:
        """At least one attempt; positive delays."""
        if self.max_attempts < 1 or self.base_delay_s < 0 or self.max_delay_s < 0:
            raise ValueError("a retry policy needs max_attempts >= 1 and non-negative delays")


def backoff_s(
    attempt: int, policy: RetryPolicy, fraction: float, retry_after_s: float | None = None
) -> float:
    """Wait before attempt ``attempt + 1`` (``attempt`` >= 1 calls were made).

    "Full jitter": a uniform share ``fraction`` (0..1, from the ``Jitter`` port)
    of the capped exponential, so workers that failed together do not retry
    together. A server's ``Retry-After`` is honoured as a lower bound (capped).

    Examples
    --------
    >>> policy = RetryPolicy(max_attempts=3, base_delay_s=2, max_delay_s=60)
    >>> backoff_s(1, policy, 1.0), backoff_s(3, policy, 0.5), backoff_s(10, policy, 1.0)
    (2.0, 4.0, 60.0)
    >>> backoff_s(1, policy, 0.0, retry_after_s=30.0)
    30.0
    """
    ceiling = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** (attempt - 1))
    delay: float = ceiling * min(1.0, max(0.0, fraction))
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, policy.max_delay_s))
    return delay
