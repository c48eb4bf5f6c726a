"""In-memory ``RateLimiter``: the domain's GCRA decision over a dict, on a fake clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from wildside.domain.rate_limit import RateLimitDecision, RateLimitPolicy, decide
from wildside.ports.clock import Clock
from wildside.ports.rate_limiter import RateLimiter


@dataclass
class InMemoryRateLimiter(RateLimiter):
    """Keeps each subject's theoretical arrival time; time comes from ``clock``."""

    clock: Clock
    state: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, subject: str, policy: RateLimitPolicy) -> RateLimitDecision:
        """Decide and store atomically."""
        with self.lock:
            decision, tat = decide(policy, self.state.get(subject), self.clock.monotonic())
            if decision.is_allowed:
                self.state[subject] = tat
            return decision
