"""In-memory ``RouteCache`` with expiry on a fake clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from wildside.domain.route_result import RouteResult
from wildside.ports.clock import Clock
from wildside.ports.route_cache import RouteCache


@dataclass
class InMemoryRouteCache(RouteCache):
    """Routes with their expiry time; ``ttls`` records what was asked for.

    Results are frozen values, so holding the caller's object is as safe as a copy.
    """

    clock: Clock
    entries: dict[str, tuple[RouteResult, float]] = field(default_factory=dict)
    ttls: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> RouteResult | None:
        """The route if present and not expired."""
        entry = self.entries.get(key)
        if entry is None or entry[1] <= self.clock.monotonic():
            return None
        return entry[0]

    def put(self, key: str, result: RouteResult, ttl_s: int) -> None:
        """Store until now + ttl (at least one second, as Redis ``EX`` requires)."""
        if ttl_s < 1:
            raise ValueError(f"a cache TTL must be at least 1 s, got {ttl_s}")
        self.entries[key] = (result, self.clock.monotonic() + ttl_s)
        self.ttls[key] = ttl_s
