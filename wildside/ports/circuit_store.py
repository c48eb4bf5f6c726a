"""Circuit store port: each Overpass endpoint's breaker state, shared by every worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from wildside.domain.enrichment.circuit_breaker import BreakerState

T = TypeVar("T")


class CircuitStore(Protocol):
    """Read-modify-write of one breaker, atomic across processes."""

    def update(self, endpoint: str, change: Callable[[BreakerState], tuple[BreakerState, T]]) -> T:
        """Apply ``change`` (a pure transition) to the stored state and save the result.

        If another process changed the state meanwhile, ``change`` runs again on
        the fresh state; it must therefore have no side effects.
        """
        ...

    def read(self, endpoint: str) -> BreakerState:
        """The stored state (closed if never written)."""
        ...
