"""Jitter port: the randomness that spreads expiries and retries apart."""

from __future__ import annotations

from typing import Protocol


class Jitter(Protocol):
    """A uniform random number, injected so policies are testable."""

    def uniform(self, low: float, high: float) -> float:
        """Return a number in ``[low, high]``."""
        ...
