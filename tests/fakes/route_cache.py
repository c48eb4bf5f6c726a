"""In-memory ``RouteCache`` with expiry on a fake clock."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wildside.ports.clock import Clock
from wildside.ports.route_cache import RouteCache


@dataclass
class InMemoryRouteCache(RouteCache):
    """Documents with their expiry time; ``ttls`` records what was asked for.

    Documents go through JSON both ways, as in Redis: what comes back is a
    copy with lists for tuples and string keys, and non-JSON values fail on put.
    """

    clock: Clock
    entries: dict[str, tuple[str, float]] = field(default_factory=dict)
    ttls: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> dict[str, Any] | None:
        """A copy of the document if present and not expired."""
        entry = self.entries.get(key)
        if entry is None or entry[1] <= self.clock.monotonic():
            return None
        document: dict[str, Any] = json.loads(entry[0])
        return document

    def put(self, key: str, document: dict[str, Any], ttl_s: int) -> None:
        """Store a copy until now + ttl (at least one second, as Redis ``EX`` requires)."""
        if ttl_s < 1:
            raise ValueError(f"a cache TTL must be at least 1 s, got {ttl_s}")
        self.entries[key] = (json.dumps(document), self.clock.monotonic() + ttl_s)
        self.ttls[key] = ttl_s
