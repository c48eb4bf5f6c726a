"""Route cache port: computed routes by canonical request key, with a TTL."""

from __future__ import annotations

from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.route_result import RouteResult


class RouteCacheError(WildsideError):
    """The cache could not be read or written, or holds an entry it cannot read."""

    code = "route-cache-error"
    is_retryable = True


class RouteCache(Protocol):
    """A key-value cache; misses are normal, errors are not (callers treat both as a miss)."""

    def get(self, key: str) -> RouteResult | None:
        """The route stored under ``key``, or ``None``."""
        ...

    def put(self, key: str, result: RouteResult, ttl_s: int) -> None:
        """Store ``result`` under ``key`` for ``ttl_s`` seconds."""
        ...
